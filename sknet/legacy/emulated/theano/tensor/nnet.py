"""``theano.tensor.nnet`` under the legacy shim: the functions old objectives and
nonlinearities call, recording expressions on expressions and computing on tensors."""
import torch

from sknet.legacy.renames import missing_attributes, stand_ins
from sknet.legacy.symbolic import lift
from sknet.objectives import binary_crossentropy as _binary_crossentropy
from sknet.objectives import categorical_crossentropy as _categorical_crossentropy

binary_crossentropy = lift(_binary_crossentropy)
categorical_crossentropy = lift(_categorical_crossentropy)
sigmoid = lift(torch.sigmoid)


@lift
def relu(x, alpha=0):
    """Theano's relu: ``max(x, 0)``, leaky with slope `alpha` below zero."""
    return torch.relu(x) if alpha == 0 else torch.where(x > 0, x, alpha * x)


@lift
def softmax(x):
    """Softmax over the last axis of a matrix."""
    return torch.softmax(x, dim=-1)


@lift
def softplus(x):
    """log(1 + exp(x)), elementwise."""
    return torch.nn.functional.softplus(x)


globals().update(stand_ins("theano.tensor.nnet", ["conv2d"], "use sknet.layers.Conv2DLayer "
                           "(its flip_filters=True is Theano's conv2d)"))
__getattr__ = missing_attributes("theano.tensor.nnet")
