"""``theano`` under the legacy shim: ``shared`` variables, ``function`` and ``grad`` on
sknet's expression graph (`sknet.legacy.symbolic`), ``config`` and the GPU probes, answered
from torch."""
import numpy as np
import torch

from sknet.legacy.renames import missing_attributes, stand_ins
from sknet.legacy.symbolic import SharedScalarVariable, SharedVariable, function, grad  # noqa

from . import gpuarray, tensor  # noqa


class _Config:
    """The settings old scripts read: arrays are float32, and the device is the GPU when
    torch sees one."""
    floatX = "float32"
    device = "gpu" if torch.cuda.is_available() else "cpu"


config = _Config()


def shared(value, name=None, strict=False, allow_downcast=None, borrow=False, **kwargs):
    """``theano.shared``: a number becomes a `SharedScalarVariable` (a hyper-parameter NeuralNet
    reads, and a value expressions read when they run); an array becomes a `SharedVariable`,
    a tensor of the array's dtype that layers take as ``W``/``b`` and expressions read."""
    if np.ndim(value) == 0:
        return SharedScalarVariable(value, name)
    return SharedVariable(np.array(value), name=name)


_NO_GRAPH_INTERNALS = "Theano's graph internals are out of sknet's scope"
globals().update(stand_ins("theano", ["scan", "clone", "In", "Out"],
                           _NO_GRAPH_INTERNALS))
__getattr__ = missing_attributes("theano")
