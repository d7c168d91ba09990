"""``theano.tensor`` under the legacy shim: symbolic variables (``T.matrix('x')``,
``T.ivector``, ``T.matrices``, ``TensorType``), ``T.grad``, ``T.constant`` and the math scripts
write. Each function records an expression when given expressions (`sknet.legacy.symbolic`)
and computes at once on tensors (custom nolearn objectives, custom layers)."""
import numpy as np
import torch

from sknet.legacy.renames import missing_attributes, stand_ins
from sknet.legacy.symbolic import Constant, Placeholder, Variable, grad, graph, lift  # noqa

from . import nnet  # noqa


class TensorType:
    """A Theano variable type: a dtype and one broadcastable flag per axis. Calling it makes a
    symbolic variable of that type (``T.matrix('x')``); nolearn also took a type itself
    (``y_tensor_type=T.ivector``)."""

    def __init__(self, dtype, broadcastable, name=None):
        self.dtype = dtype
        self.broadcastable = tuple(broadcastable)
        self.ndim = len(self.broadcastable)
        self.name = name

    def __call__(self, name=None):
        return Placeholder(self.dtype, self.broadcastable, name)

    def __repr__(self):
        return self.name or f"TensorType({self.dtype}, {self.broadcastable})"


TensorVariable, TensorConstant = Variable, Constant  # for isinstance checks in old scripts


def _variables(kind, plural):
    """Theano's plural constructors: ``matrices('a', 'b')`` (or ``matrices('ab')``, one
    variable per letter, as Theano read it) and ``matrices(3)``; one name gives one variable."""
    def make(*names):
        if len(names) == 1 and isinstance(names[0], int):
            return [kind() for _ in range(names[0])]
        if len(names) == 1:
            names = names[0]
        return kind(names) if len(names) == 1 else [kind(name) for name in names]
    make.__name__ = plural
    return make


_PATTERNS = {"scalar": (), "vector": (False,), "row": (True, False), "col": (False, True),
             "matrix": (False, False), "tensor3": (False,) * 3, "tensor4": (False,) * 4,
             "tensor5": (False,) * 5}
_DTYPES = {"": "float32", "b": "int8", "w": "int16", "i": "int32", "l": "int64",
           "f": "float32", "d": "float64"}
_TYPES = {prefix + kind: TensorType(dtype, pattern, prefix + kind)
          for prefix, dtype in _DTYPES.items() for kind, pattern in _PATTERNS.items()}
globals().update(_TYPES)
_PLURALS = {"scalars": "scalar", "vectors": "vector", "rows": "row", "cols": "col",
            "matrices": "matrix", "tensor3s": "tensor3", "tensor4s": "tensor4"}
globals().update({prefix + plural: _variables(_TYPES[prefix + single], prefix + plural)
                  for prefix in _DTYPES for plural, single in _PLURALS.items()})


def tensor(dtype, broadcastable=None, name=None):
    """A symbolic variable of `dtype` with one broadcastable flag per axis."""
    return Placeholder(dtype, broadcastable or (), name)


def constant(x, name=None, ndim=None, dtype=None):
    """A fixed value in an expression."""
    return Constant(x, name, dtype)


def as_tensor_variable(x, name=None, ndim=None):
    """`x` as an expression: expressions and tensors stay as they are, arrays become
    constants."""
    if isinstance(x, (Variable, torch.Tensor)):
        return x
    return Constant(x, name)


def _tensor(x):
    return x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))


def _promoted(a, b):
    a, b = _tensor(a), _tensor(b)
    common = torch.promote_types(a.dtype, b.dtype)
    return a.to(common), b.to(common)


mean, sum, prod = lift(graph.mean), lift(graph.sum), lift(graph.prod)
max, min = lift(graph.max), lift(graph.min)
argmax, argmin = lift(graph.argmax), lift(graph.argmin)
var, std = lift(graph.var), lift(graph.std)
reshape, flatten = lift(graph.reshape), lift(graph.flatten)
clip, dot, cast = lift(graph.clip), lift(graph.dot), lift(graph.astype)


@lift
def tensordot(a, b, axes=2):
    """Sum of products over the last `axes` axes of `a` and the first of `b` (or the axis
    lists ``axes=([...], [...])``), as NumPy's tensordot."""
    return torch.tensordot(*_promoted(a, b), dims=axes)


@lift
def sqr(x):
    """x * x, elementwise."""
    return _tensor(x) * _tensor(x)


@lift
def pow(x, y):
    """x ** y, elementwise."""
    return _tensor(x) ** y


@lift
def maximum(a, b):
    """The larger of a and b, elementwise."""
    return torch.maximum(*_promoted(a, b))


@lift
def minimum(a, b):
    """The smaller of a and b, elementwise."""
    return torch.minimum(*_promoted(a, b))


@lift
def switch(condition, if_true, if_false):
    """`if_true` where `condition` holds, else `if_false`, elementwise."""
    if_true, if_false = _promoted(if_true, if_false)
    return torch.where(_tensor(condition).bool(), if_true, if_false)


def _comparison(compare):
    @lift
    def elementwise(a, b):
        return compare(*_promoted(a, b))
    elementwise.__name__ = compare.__name__
    return elementwise


eq, neq = _comparison(torch.eq), _comparison(torch.ne)
lt, le, gt, ge = (_comparison(torch.lt), _comparison(torch.le), _comparison(torch.gt),
                  _comparison(torch.ge))


def _elementwise(function):
    lifted = lift(lambda x: function(_tensor(x)))
    lifted.__name__ = function.__name__
    return lifted


abs_ = _elementwise(torch.abs)
exp, log, log1p, sqrt = (_elementwise(torch.exp), _elementwise(torch.log),
                         _elementwise(torch.log1p), _elementwise(torch.sqrt))
tanh, sgn, floor, ceil = (_elementwise(torch.tanh), _elementwise(torch.sign),
                          _elementwise(torch.floor), _elementwise(torch.ceil))
round = _elementwise(torch.round)
zeros_like, ones_like = _elementwise(torch.zeros_like), _elementwise(torch.ones_like)
inv = _elementwise(torch.reciprocal)


@lift
def concatenate(tensor_list, axis=0):
    """The tensors joined along `axis`."""
    return torch.cat([_tensor(t) for t in tensor_list], dim=axis)


@lift
def stack(tensors, axis=0):
    """The tensors stacked along a new axis."""
    return torch.stack([_tensor(t) for t in tensors], dim=axis)


@lift
def arange(start, stop=None, step=1, dtype=None):
    """Theano's arange (int64 for integer bounds)."""
    dtype = graph.torch_dtype(dtype) if dtype is not None else None
    if stop is None:
        return torch.arange(int(start), dtype=dtype)
    return torch.arange(start, stop, step, dtype=dtype)


@lift
def zeros(shape, dtype=None):
    """An array of zeros (floatX by default)."""
    return torch.zeros(tuple(int(d) for d in shape), dtype=graph.torch_dtype(dtype or "floatX"))


@lift
def ones(shape, dtype=None):
    """An array of ones (floatX by default)."""
    return torch.ones(tuple(int(d) for d in shape), dtype=graph.torch_dtype(dtype or "floatX"))


def shape(x):
    """The shape of `x` (an expression when `x` is one)."""
    return x.shape


def dimshuffle(x, *pattern):
    """Theano's dimshuffle as a function."""
    return lift(graph.dimshuffle)(x, *pattern)


_GRAPH_INTERNALS = "Theano's graph internals and scan are out of sknet's scope"
globals().update(stand_ins("theano.tensor", ["scan", "Rop", "Lop", "jacobian", "hessian",
                                             "set_subtensor", "inc_subtensor"],
                           _GRAPH_INTERNALS))
__getattr__ = missing_attributes("theano.tensor")
