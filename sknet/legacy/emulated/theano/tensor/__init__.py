"""``theano.tensor`` under the legacy shim: the variable type names (``ivector``,
``fmatrix``, ``TensorType(...)``; accepted where nolearn took them, e.g. ``y_tensor_type``,
and otherwise unused, since sknet reads types from the data) and the elementwise math that
custom objectives and nonlinearities call, on torch tensors."""
import torch

from sknet.legacy.renames import missing_attributes, stand_ins

from . import nnet  # noqa


class TensorType:
    """A Theano variable type, kept by name only; calling it (``T.matrix('x')``) returns it."""

    def __init__(self, dtype, broadcastable, name=None):
        self.dtype = dtype
        self.broadcastable = tuple(broadcastable)
        self.ndim = len(self.broadcastable)
        self.name = name

    def __call__(self, name=None):
        return self

    def __repr__(self):
        return self.name or f"TensorType({self.dtype}, {self.broadcastable})"


_PATTERNS = {"scalar": (), "vector": (False,), "row": (True, False), "col": (False, True),
             "matrix": (False, False), "tensor3": (False,) * 3, "tensor4": (False,) * 4}
_DTYPES = {"": "float32", "b": "int8", "i": "int32", "l": "int64", "f": "float32",
           "d": "float64"}
globals().update({prefix + kind: TensorType(dtype, pattern, prefix + kind)
                  for prefix, dtype in _DTYPES.items() for kind, pattern in _PATTERNS.items()})


def _axis(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


def mean(x, axis=None):
    return x.mean() if axis is None else x.mean(dim=_axis(axis))


def sum(x, axis=None):
    return x.sum() if axis is None else x.sum(dim=_axis(axis))


def sqr(x):
    return x * x


def maximum(a, b):
    return torch.maximum(torch.as_tensor(a), torch.as_tensor(b))


def minimum(a, b):
    return torch.minimum(torch.as_tensor(a), torch.as_tensor(b))


def clip(x, low, high):
    return torch.clamp(x, low, high)


def dot(a, b):
    return torch.matmul(a, b)


def argmax(x, axis=None):
    return x.argmax() if axis is None else x.argmax(dim=axis)


def eq(a, b):
    return torch.eq(a, b)


def neq(a, b):
    return torch.ne(a, b)


abs_ = torch.abs
exp, log, sqrt, tanh = torch.exp, torch.log, torch.sqrt, torch.tanh

globals().update(stand_ins("theano.tensor", ["grad"],
                           "torch computes gradients; NeuralNet.fit trains"))
__getattr__ = missing_attributes("theano.tensor")
