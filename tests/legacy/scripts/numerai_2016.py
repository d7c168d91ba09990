# A 2016 tournament script's habits: nolearn 0.5's batch_iterator, a handler from a later
# nolearn's handlers module, fit called once per round, a net cloned for a second model, a
# drawing of the net, and an import with a fallback. Data: a synthetic stand-in for the CSV.
from __future__ import print_function

import sys

import numpy as np
from lasagne.layers import DenseLayer, DropoutLayer, InputLayer
from lasagne.nonlinearities import softmax
from lasagne.updates import adagrad
from nolearn.lasagne import BatchIterator, NeuralNet
from nolearn.lasagne.handlers import EarlyStopping
from nolearn.lasagne.visualize import draw_to_file
from sklearn.base import clone

try:
    from nolearn.lasagne.handlers import PrintLogToFile
except ImportError as error:
    print("no PrintLogToFile:", type(error).__name__)
    PrintLogToFile = None

out_dir = sys.argv[1]
rng = np.random.RandomState(2016)
features = rng.randn(800, 21).astype(np.float32)
target = (features[:, :3].sum(axis=1) + 0.5 * rng.randn(800) > 0).astype(np.int32)

shared_params = dict(hidden_num_units=24, wide_num_units=64)  # shared by several models

net = NeuralNet(
    layers=[('input', InputLayer), ('hidden', DenseLayer), ('output', DenseLayer)],
    input_shape=(None, 21),
    output_num_units=2,
    output_nonlinearity=softmax,
    more_params=shared_params,
    update=adagrad,
    update_learning_rate=0.05,
    batch_iterator=BatchIterator(batch_size=64),
    eval_size=0.25,
    max_epochs=1,
    verbose=0,
)
print("batch size:", net.batch_iterator.batch_size)
net.batch_iterator = BatchIterator(batch_size=32)

for round_ in range(1, 6):
    net.fit(features, target)
    info = net.train_history_[-1]
    print("round %d: epochs %d, valid loss %.4f" % (round_, len(net.train_history_),
                                                    info['valid_loss']))

l_in = InputLayer((None, 21))
l_hidden = DropoutLayer(DenseLayer(l_in, num_units=32), p=0.2)
l_out = DenseLayer(l_hidden, num_units=2, nonlinearity=softmax)
stopper = EarlyStopping(patience=3, criterion='valid_accuracy',
                        criterion_smaller_is_better=False)
model = NeuralNet(l_out, update_learning_rate=0.3, max_epochs=200,
                  on_epoch_finished=[stopper], verbose=1)
model.fit(features, target)
print("stopped after %d epochs, best at %d" % (len(model.train_history_),
                                               stopper.best_valid_epoch))

second = clone(model)
second.on_epoch_finished = []
second.max_epochs = 2
second.fit(features, target)
print("clone shares layers:", second.layers_['dense1'] is model.layers_['dense1'])
print("clone trained its own copy:",
      not np.allclose(second.layers_['dense1'].W.get_value(),
                      model.layers_['dense1'].W.get_value()))

draw_to_file(model, out_dir + '/model.png', output_shape=False)
print("drawing written")
