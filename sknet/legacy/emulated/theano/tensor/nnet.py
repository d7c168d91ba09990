"""``theano.tensor.nnet`` under the legacy shim: the functions old objectives and
nonlinearities call, on torch tensors."""
import torch

from sknet.legacy.renames import missing_attributes, stand_ins
from sknet.objectives import binary_crossentropy, categorical_crossentropy  # noqa

sigmoid = torch.sigmoid


def relu(x, alpha=0):
    """Theano's relu: ``max(x, 0)``, leaky with slope `alpha` below zero."""
    return torch.relu(x) if alpha == 0 else torch.where(x > 0, x, alpha * x)


def softmax(x):
    """Softmax over the last axis of a matrix."""
    return torch.softmax(x, dim=-1)

globals().update(stand_ins("theano.tensor.nnet", ["conv2d"], "use sknet.layers.Conv2DLayer "
                           "(its flip_filters=True is Theano's conv2d)"))
__getattr__ = missing_attributes("theano.tensor.nnet")
