# scikit-learn 0.17 around a nolearn net, as 2015 scripts used it (and in Python 2, as they
# were): sklearn.cross_validation's train_test_split, StratifiedKFold(y, n_folds) iterated
# and passed as cv=, cross_val_score, and sklearn.grid_search.GridSearchCV with grid_scores_.
# Run as it is through ``python -m sknet.legacy sklearn2015_grid.py``.
import numpy as np
from lasagne import layers
from lasagne.nonlinearities import softmax
from nolearn.lasagne import BatchIterator, NeuralNet
from sklearn.cross_validation import StratifiedKFold, cross_val_score, train_test_split
from sklearn.grid_search import GridSearchCV

np.random.seed(0)
rng = np.random.RandomState(0)
y = np.repeat([0, 1], 48).astype(np.int32)
X = (rng.normal(size=(96, 4)) + 2.0 * y[:, None]).astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0,
                                                    stratify=y)
print "split:", len(X_train), len(X_test)

net = NeuralNet(
    layers=[('input', layers.InputLayer), ('hidden', layers.DenseLayer),
            ('output', layers.DenseLayer)],
    input_shape=(None, 4), hidden_num_units=8, output_nonlinearity=softmax,
    output_num_units=2, update_learning_rate=0.05, max_epochs=8, verbose=0,
    batch_iterator_train=BatchIterator(batch_size=16))

skf = StratifiedKFold(y_train, n_folds=3)
print "folds:", len(skf)
for train, test in skf:
    print "fold class counts:", np.bincount(y_train[test]), "train size:", len(train)

scores = cross_val_score(net, X_train, y_train, cv=skf)
print "cv scores: %d, mean %.3f" % (len(scores), scores.mean())

grid = GridSearchCV(net, {'hidden_num_units': [2, 8]}, cv=skf)
grid.fit(X_train, y_train)
for params, mean_score, fold_scores in grid.grid_scores_:
    print "grid:", params['hidden_num_units'], "%.6f" % mean_score, \
        " ".join("%.6f" % s for s in fold_scores)
print "best:", grid.best_params_['hidden_num_units'], "%.6f" % grid.best_score_
print "test accuracy: %.3f" % grid.score(X_test, y_test)
