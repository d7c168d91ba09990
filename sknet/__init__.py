"""sknet: nolearn's declarative, scikit-learn compatible neural networks with Lasagne's layers,
on PyTorch and skorch."""
from . import init, layers, nonlinearities, objectives, regularization, updates
from .utils import SharedScalar, shared

__version__ = "0.1.0.dev0"
