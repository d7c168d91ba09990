# A Python 2 script in the style of 2015 Kaggle kernels, run as it is through
# ``python -m sknet.legacy py2_digits.py OUTDIR``: print statements, the old raise/except
# syntax, cPickle, xrange, izip, dict.iteritems, map() indexed as a list, and ``n / 2`` used
# as a sample size. Its helper module (py2_digits_data.py, Python 2 too) sits next to it.
import sys
import cPickle
from itertools import izip

import numpy as np
from lasagne import layers
from lasagne.nonlinearities import softmax
from lasagne.updates import nesterov_momentum
from nolearn.lasagne import NeuralNet

from py2_digits_data import make_digits, class_counts

OUTDIR = sys.argv[1]
np.random.seed(0)

X, y = make_digits(160)
print "data:", X.shape, y.shape
train = np.random.choice(len(X), len(X) / 2, replace=False)
test = np.setdiff1d(np.arange(len(X)), train)
print "half:", len(train), type(len(X) / 2).__name__
for label, count in sorted(class_counts(y).iteritems()):
    print "class", label, "count", count
print "first label:", map(str, sorted(class_counts(y)))[0]

net = NeuralNet(
    layers=[('input', layers.InputLayer), ('hidden', layers.DenseLayer),
            ('output', layers.DenseLayer)],
    input_shape=(None, X.shape[1]), hidden_num_units=16,
    output_nonlinearity=softmax, output_num_units=2,
    update=nesterov_momentum, update_learning_rate=0.05, update_momentum=0.9,
    max_epochs=30, verbose=0)
net.fit(X[train], y[train])

with open(OUTDIR + '/net.pickle', 'wb') as f:
    cPickle.dump(net, f, -1)
with open(OUTDIR + '/net.pickle', 'rb') as f:
    again = cPickle.load(f)

predicted = again.predict(X[test])
hits = 0
for p, t in izip(predicted, y[test]):
    hits += int(p == t)
print "accuracy: %.3f" % (float(hits) / len(test))
print "same after unpickling:", (predicted == net.predict(X[test])).all()
for i in xrange(2):
    print "row", i, "mean %.1f" % X[i].mean()
try:
    raise ValueError, "the old raise"
except ValueError, e:
    print "caught:", e
