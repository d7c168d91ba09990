# A nolearn script in the style of 2015 (the facial-keypoints tutorial's habits), run as it is
# through ``python -m sknet.legacy keypoints_2015.py OUTDIR``. The data is synthetic: 16x16
# images with two bright squares; the targets are the squares' centres (left one first),
# scaled to [-1, 1], so a horizontal flip negates the x coordinates and swaps the squares.
import os
import pickle
import sys

import numpy as np
import theano
import theano.tensor as T
from lasagne import layers
from lasagne.layers import cuda_convnet
from lasagne.updates import nesterov_momentum
from nolearn.lasagne import BatchIterator
from nolearn.lasagne import NeuralNet
from sklearn.base import clone

Conv2DLayer = cuda_convnet.Conv2DCCLayer
MaxPool2DLayer = cuda_convnet.MaxPool2DCCLayer

OUTDIR = sys.argv[1]


def float32(k):
    return np.cast['float32'](k)


def load(n=600, seed=1):
    rng = np.random.RandomState(seed)
    X = np.zeros((n, 1, 16, 16), dtype=np.float)
    y = np.zeros((n, 4))
    for i in range(n):
        left = rng.randint(1, 6), rng.randint(1, 13)  # (column, row) of the left square
        right = rng.randint(9, 14), rng.randint(1, 13)
        for k, (col, row) in enumerate([left, right]):
            X[i, 0, row:row + 2, col:col + 2] = 1.0
            y[i, 2 * k:2 * k + 2] = (col + 0.5 - 7.5) / 7.5, (row + 0.5 - 7.5) / 7.5
    return X.astype(np.float32), y.astype(np.float32)


class FlipBatchIterator(BatchIterator):
    flip_indices = [(0, 2), (1, 3)]

    def transform(self, Xb, yb):
        Xb, yb = super(FlipBatchIterator, self).transform(Xb, yb)
        if self.test:
            return Xb, yb
        Xb, yb = Xb.copy(), yb.copy()
        bs = Xb.shape[0]
        indices = np.random.choice(bs, bs // 2, replace=False)
        Xb[indices] = Xb[indices, :, :, ::-1]
        if yb is not None:
            yb[indices, ::2] = yb[indices, ::2] * -1
            for a, b in self.flip_indices:
                yb[indices, a], yb[indices, b] = (yb[indices, b], yb[indices, a])
        return Xb, yb


class AdjustVariable(object):
    def __init__(self, name, start=0.03, stop=0.001):
        self.name = name
        self.start, self.stop = start, stop
        self.ls = None

    def __call__(self, nn, train_history):
        if self.ls is None:
            self.ls = np.linspace(self.start, self.stop, nn.max_epochs)

        epoch = train_history[-1]['epoch']
        new_value = float32(self.ls[epoch - 1])
        getattr(nn, self.name).set_value(new_value)


class EarlyStopping(object):
    def __init__(self, patience=100):
        self.patience = patience
        self.best_valid = np.inf
        self.best_valid_epoch = 0
        self.best_weights = None

    def __call__(self, nn, train_history):
        current_valid = train_history[-1]['valid_loss']
        current_epoch = train_history[-1]['epoch']
        if current_valid < self.best_valid:
            self.best_valid = current_valid
            self.best_valid_epoch = current_epoch
            self.best_weights = [w.get_value() for w in nn.get_all_params()]
        elif self.best_valid_epoch + self.patience < current_epoch:
            print("Early stopping.")
            print("Best valid loss was {:.6f} at epoch {}.".format(
                self.best_valid, self.best_valid_epoch))
            nn.load_weights_from(self.best_weights)
            raise StopIteration()


net = NeuralNet(
    layers=[
        ('input', layers.InputLayer),
        ('conv1', Conv2DLayer),
        ('pool1', MaxPool2DLayer),
        ('conv2', Conv2DLayer),
        ('pool2', layers.MaxPool2DLayer),
        ('hidden4', layers.DenseLayer),
        ('dropout4', layers.DropoutLayer),
        ('output', layers.DenseLayer),
        ],
    input_shape=(None, 1, 16, 16),
    conv1_num_filters=16, conv1_filter_size=(3, 3), pool1_ds=(2, 2),
    conv2_num_filters=32, conv2_filter_size=(2, 2), pool2_ds=(2, 2),
    hidden4_num_units=100, dropout4_p=0.1,
    output_num_units=4, output_nonlinearity=None,

    update=nesterov_momentum,
    update_learning_rate=theano.shared(float32(0.03)),
    update_momentum=theano.shared(float32(0.9)),

    regression=True,
    y_tensor_type=T.matrix,
    batch_iterator_train=FlipBatchIterator(batch_size=32),
    on_epoch_finished=[
        AdjustVariable('update_learning_rate', start=0.03, stop=0.001),
        AdjustVariable('update_momentum', start=0.9, stop=0.999),
        EarlyStopping(patience=5),
        ],
    eval_size=0.2,
    max_epochs=30,
    verbose=1,
    )

X, y = load()
net.fit(X, y)
print("final learning rate: %.5f" % net.update_learning_rate.get_value())

sys.setrecursionlimit(10000)
with open(os.path.join(OUTDIR, 'net.pickle'), 'wb') as f:
    pickle.dump(net, f, -1)
net.save_weights_to(os.path.join(OUTDIR, 'net_weights.pickle'))
with open(os.path.join(OUTDIR, 'net.pickle'), 'rb') as f:
    net_again = pickle.load(f)
print("unpickled net predicts the same: %s" % np.allclose(
    net_again.predict(X[:20]), net.predict(X[:20])))

# a "specialist" for the left square only, from a clone with changed attributes
specialist = clone(net)
specialist.output_num_units = 2
specialist.max_epochs = 3
specialist.on_epoch_finished = []
specialist.batch_iterator_train.flip_indices = []
specialist.load_params_from(net)
specialist.fit(X, y[:, :2])
print("specialist output shape: %s" % (specialist.predict(X[:5]).shape,))
