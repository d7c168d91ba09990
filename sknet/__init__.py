"""sknet: nolearn's declarative, scikit-learn compatible neural networks with Lasagne's layers,
on PyTorch and skorch."""
from . import handlers, init, layers, nonlinearities, objectives, regularization, updates
from .batching import BatchIterator, TrainSplit
from .net import NeuralNet, objective
from .utils import SharedScalar, shared

__version__ = "0.1.0.dev0"
