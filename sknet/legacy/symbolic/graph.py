"""The expression graph: `Placeholder` inputs, `Constant` values, `Apply` nodes recording a
torch function and its arguments, and Theano's shared variables (`SharedVariable` arrays,
`SharedScalarVariable` numbers) that a graph reads when it runs."""
import operator

import numpy as np
import torch
from torch import nn

from ...layers import helper as _helper
from ...utils import SharedScalar, floatX
from ..renames import not_supported

_running = []  # the placeholder bindings of each graph evaluation that is running


def building():
    """Whether scripts are building expressions: not while a compiled function runs and not
    while NeuralNet's own training step feeds data (there, Theano-style calls compute at
    once, on tensors)."""
    return not _running and not _helper.fed_outputs()


def torch_dtype(dtype):
    """The torch dtype for a Theano / NumPy dtype name (``'float32'``, ``'int32'`` ...)."""
    name = np.dtype(dtype).name if dtype != "floatX" else floatX
    try:
        return getattr(torch, name)
    except AttributeError:
        raise not_supported(f"dtype {dtype!r} in a symbolic expression") from None


def leaves(value):
    """The items inside `value`, through nested lists, tuples, dicts (their values) and
    slices."""
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from leaves(item)
    elif isinstance(value, dict):
        yield from leaves(list(value.values()))
    elif isinstance(value, slice):
        yield from leaves((value.start, value.stop, value.step))
    else:
        yield value


def variables_in(value):
    """The `Variable`s inside `value`."""
    return (item for item in leaves(value) if isinstance(item, Variable))


def _holds(value, kinds):
    return any(isinstance(item, kinds) for item in leaves(value))


def is_symbolic(*args, **kwargs):
    """Whether a call with these arguments builds an expression: an argument is (or holds) a
    `Variable`, or, while scripts build expressions, a shared variable (a parameter tensor or
    shared scalar) with no data tensor beside it."""
    values = (args, kwargs)
    if _holds(values, Variable):
        return True
    if not building() or not _holds(values, (nn.Parameter, SharedScalar)):
        return False
    return not any(isinstance(v, torch.Tensor) and not isinstance(v, nn.Parameter)
                   for v in leaves(values))


def current_bindings():
    """Placeholder -> tensor in the evaluation that is running: a compiled function's inputs,
    or the InputLayers' ``input_var``s fed by NeuralNet's training step."""
    bound = dict(_running[-1]) if _running else {}
    fed = _helper.fed_outputs()
    for layer, value in (fed[-1].items() if fed else ()):
        variable = getattr(layer, "input_var", None)
        if isinstance(variable, Placeholder):
            bound.setdefault(variable, value)
    return bound


def evaluate(root, bindings):
    """The value of `root` (an expression, or a container of them) with `bindings` mapping its
    placeholders to tensors, computed at once."""
    from .function import _topological
    values = {}

    def value_of(item):
        if isinstance(item, Variable):
            return values[item]
        if isinstance(item, (list, tuple)):
            return type(item)(value_of(i) for i in item)
        if isinstance(item, dict):
            return {key: value_of(i) for key, i in item.items()}
        if isinstance(item, slice):
            return slice(value_of(item.start), value_of(item.stop), value_of(item.step))
        return item

    _running.append(bindings)
    try:
        for variable in _topological([root], {}):
            if isinstance(variable, Placeholder):
                if variable not in bindings:
                    raise ValueError(f"{root!r} needs input variable {variable!r}, which is "
                                     "not bound here")
                values[variable] = bindings[variable]
            elif isinstance(variable, Constant):
                values[variable] = variable.value
            elif isinstance(variable, SharedScalarVariable):
                values[variable] = variable.value
            else:
                values[variable] = variable.function(*value_of(variable.args),
                                                     **value_of(variable.kwargs))
    finally:
        _running.pop()
    return value_of(root)


def lift(function):
    """`function` (computing on tensors) that records an `Apply` node instead when called on
    expressions, so that the same name serves Theano-style scripts and eager code."""
    def lifted(*args, **kwargs):
        if is_symbolic(*args, **kwargs):
            return Apply(function, args, kwargs)
        return function(*args, **kwargs)
    lifted.__name__ = lifted.__qualname__ = function.__name__
    lifted.__doc__ = function.__doc__
    lifted.__wrapped__ = function
    return lifted


def _graph_value(value):
    """An argument as the graph keeps it: arrays become `Constant`s, shared scalars are read
    when the graph runs, containers are converted item by item. A tensor computed from
    parameters while the script builds expressions (``abs(l.W)``) is refused: its value would
    never change."""
    if isinstance(value, torch.Tensor) and value.grad_fn is not None and building():
        raise not_supported(
            "a tensor computed from a layer's parameters while building expressions "
            "(abs(l.W), l.W ** 2, l.W.sum(), l.W.norm(2)) inside a theano.function graph",
            "it was computed once, at build time, and would never change; write it with "
            "theano.tensor instead: T.abs_(l.W), T.sqr(l.W), T.sum(l.W), l.W.norm(2) -> "
            "T.sqrt(T.sum(T.sqr(l.W))), or lasagne.regularization.l2(l.W)")
    if isinstance(value, np.ndarray):
        return Constant(value)
    if isinstance(value, SharedScalar) and not isinstance(value, Variable):
        return Apply(SharedScalar.get_value, (value,), {})
    if isinstance(value, (list, tuple)):
        return type(value)(_graph_value(item) for item in value)
    if isinstance(value, dict):
        return {key: _graph_value(item) for key, item in value.items()}
    return value


# ----------------------------------------------------------------------- tensor operations

def _dims(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


def _float_for_mean(x, dtype):
    if dtype is not None:
        return x.to(torch_dtype(dtype))
    return x if x.is_floating_point() else x.to(torch.float64)  # Theano: mean of ints is f64


def mean(x, axis=None, dtype=None, keepdims=False, acc_dtype=None):
    """Theano's mean; the mean of integers (e.g. of ``T.eq``) is a float."""
    x = _float_for_mean(torch.as_tensor(x), dtype)
    return x.mean() if axis is None else x.mean(dim=_dims(axis), keepdim=keepdims)


def sum(x, axis=None, dtype=None, keepdims=False, acc_dtype=None):
    """Theano's sum (booleans count as integers)."""
    x = torch.as_tensor(x)
    x = x.to(torch_dtype(dtype)) if dtype is not None else x
    return x.sum() if axis is None else x.sum(dim=_dims(axis), keepdim=keepdims)


def prod(x, axis=None, dtype=None, keepdims=False, acc_dtype=None):
    """Theano's prod over one axis or all."""
    x = torch.as_tensor(x)
    x = x.to(torch_dtype(dtype)) if dtype is not None else x
    return x.prod() if axis is None else x.prod(dim=axis, keepdim=keepdims)


def max(x, axis=None, keepdims=False):
    """Theano's max over some axes or all."""
    x = torch.as_tensor(x)
    return x.max() if axis is None else x.amax(dim=_dims(axis), keepdim=keepdims)


def min(x, axis=None, keepdims=False):
    """Theano's min over some axes or all."""
    x = torch.as_tensor(x)
    return x.min() if axis is None else x.amin(dim=_dims(axis), keepdim=keepdims)


def argmax(x, axis=None, keepdims=False):
    """Theano's argmax; without `axis`, over the flattened array."""
    x = torch.as_tensor(x)
    return x.argmax() if axis is None else x.argmax(dim=axis, keepdim=keepdims)


def argmin(x, axis=None, keepdims=False):
    """Theano's argmin; without `axis`, over the flattened array."""
    x = torch.as_tensor(x)
    return x.argmin() if axis is None else x.argmin(dim=axis, keepdim=keepdims)


def var(x, axis=None, keepdims=False):
    """Theano's var: the biased (population) variance."""
    x = torch.as_tensor(x)
    if axis is None:
        return x.var(unbiased=False)
    return x.var(dim=_dims(axis), unbiased=False, keepdim=keepdims)


def std(x, axis=None, keepdims=False):
    """Theano's std: the square root of `var`."""
    return torch.sqrt(var(x, axis, keepdims))


def reshape(x, newshape, ndim=None):
    """Theano's reshape (``-1`` infers one axis)."""
    shape = (newshape,) if isinstance(newshape, int) else tuple(int(d) for d in newshape)
    return torch.as_tensor(x).reshape(shape)


def flatten(x, ndim=1, outdim=None):
    """Theano's flatten: keep the first ``ndim - 1`` axes, join the others into one."""
    ndim = outdim if outdim is not None else ndim
    x = torch.as_tensor(x)
    return x.reshape(-1) if ndim == 1 else x.reshape(*x.shape[:ndim - 1], -1)


def dimshuffle(x, *pattern):
    """Theano's dimshuffle: reorder axes, ``'x'`` inserts a broadcastable axis, an axis left out
    must have length 1."""
    if len(pattern) == 1 and isinstance(pattern[0], (list, tuple)):
        pattern = tuple(pattern[0])
    x = torch.as_tensor(x)
    kept = [d for d in pattern if d != "x"]
    dropped = [d for d in range(x.dim()) if d not in kept]
    if any(x.shape[d] != 1 for d in dropped):
        raise ValueError(f"dimshuffle{pattern}: axes {dropped} are left out but do not have "
                         f"length 1 (shape {tuple(x.shape)})")
    x = x.permute(*kept, *dropped).reshape([x.shape[d] for d in kept])
    for position, d in enumerate(pattern):
        if d == "x":
            x = x.unsqueeze(position)
    return x


def astype(x, dtype):
    """`x` converted to a Theano dtype name."""
    return torch.as_tensor(x).to(torch_dtype(dtype))


def clip(x, low, high):
    """Theano's clip: `x` limited to [low, high]."""
    return torch.clamp(torch.as_tensor(x), low, high)


def dot(a, b):
    """Theano's dot: matrix product (a scaled product when one side is a scalar)."""
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    if a.dim() == 0 or b.dim() == 0:
        return a * b
    common = torch.promote_types(a.dtype, b.dtype)  # Theano upcast a float32 x float64 product
    return torch.matmul(a.to(common), b.to(common))


def norm(x, L, axis=None):
    """The `L`-norm over some axes or all."""
    x = torch.as_tensor(x)
    return torch.linalg.vector_norm(x, ord=L, dim=_dims(axis))


def shape(x):
    """The shape of `x` as a tuple of ints (Theano's ``x.shape``)."""
    return tuple(torch.as_tensor(x).shape)


def transpose(x):
    """`x` with its axes reversed (Theano's ``x.T``)."""
    return x.permute(*reversed(range(x.dim())))


def _index(x, index):
    return x[index]


def _tensor_op(op):
    """A binary operator that takes arrays and numbers on either side."""
    def compute(a, b):
        a = a if not isinstance(a, np.ndarray) else torch.as_tensor(a)
        b = b if not isinstance(b, np.ndarray) else torch.as_tensor(b)
        return op(a, b)
    compute.__name__ = op.__name__
    return compute


_OPERATORS = {name: _tensor_op(getattr(operator, name)) for name in (
    "add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "lt", "le", "gt",
    "ge", "and_", "or_", "xor")}


# ---------------------------------------------------------------------------- types

_BROADCASTABLE_NAMES = {(): "scalar", (False,): "vector", (False, True): "col",
                        (True, False): "row", (False, False): "matrix"}


class TensorType:
    """Theano's type of an expression: a dtype name and one broadcastable flag per axis;
    prints as Theano's (``TensorType(float32, matrix)``) and compares by value.

    >>> TensorType('float32', (False, False)), TensorType('int32', (False,)).ndim
    (TensorType(float32, matrix), 1)
    """

    def __init__(self, dtype, broadcastable):
        self.dtype, self.broadcastable = dtype, tuple(bool(b) for b in broadcastable)
        self.ndim = len(self.broadcastable)

    def __eq__(self, other):
        return isinstance(other, TensorType) and (self.dtype, self.broadcastable) == (
            other.dtype, other.broadcastable)

    def __hash__(self):
        return hash((self.dtype, self.broadcastable))

    def __repr__(self):
        pattern = _BROADCASTABLE_NAMES.get(self.broadcastable)
        if pattern is None:
            pattern = str(self.broadcastable) if any(self.broadcastable) else f"{self.ndim}D"
        return f"TensorType({self.dtype}, {pattern})"


def type_of_tensor(tensor):
    """The `TensorType` of a tensor: axes of length 1 are broadcastable, except a parameter's
    (Theano's shared variables broadcast along no axis)."""
    shared = isinstance(tensor, nn.Parameter)
    return TensorType(str(tensor.dtype).replace("torch.", ""),
                      [not shared and isinstance(d, int) and d == 1 for d in tensor.shape])


def _type_of_value(value):
    if isinstance(value, torch.Tensor):
        return type_of_tensor(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, torch.SymInt))
                                                for v in value):
        return TensorType("int64", (False,))  # a shape
    if isinstance(value, (bool, int, float, torch.SymInt, torch.SymFloat)):
        return TensorType(np.asarray(value if isinstance(value, (bool, int, float)) else 0)
                          .dtype.name, ())
    raise TypeError(f"an expression gives {type(value).__name__}, which is not a tensor")


def infer_type(variable):
    """The `TensorType` of an expression, found by evaluating its graph once on fake tensors
    (no data, no computation) whose unknown lengths stay symbolic."""
    from torch._subclasses.fake_tensor import FakeTensorMode
    from torch.fx.experimental.symbolic_shapes import ShapeEnv
    from .function import _topological
    shapes = ShapeEnv()
    with FakeTensorMode(shape_env=shapes, allow_non_fake_inputs=True):
        bindings = {p: torch.empty([1 if b else shapes.create_unbacked_symint()
                                    for b in p.broadcastable], dtype=p.torch_dtype)
                    for p in _topological([variable], {}) if isinstance(p, Placeholder)}
        try:
            return _type_of_value(evaluate(variable, bindings))
        except Exception as error:
            raise not_supported(f"the type (ndim, dtype) of the expression {variable!r}",
                                f"finding it failed with {type(error).__name__}: {error}"
                                ) from error


# ---------------------------------------------------------------------------- variables

class Variable:
    """A symbolic value: what Theano scripts compute with before data exists. Arithmetic,
    indexing and the tensor methods Theano had record new expressions; `eval` computes one."""

    name = None
    dtype = None
    ndim = None
    __array_ufunc__ = None  # NumPy arrays defer to the expression: array * x records `mul`

    def eval(self, inputs_to_values=None):
        """The value of this expression, with `inputs_to_values` binding its placeholders."""
        from .function import function
        inputs_to_values = inputs_to_values or {}
        return function(list(inputs_to_values), self)(*inputs_to_values.values())

    def __bool__(self):
        raise TypeError(f"the truth value of the symbolic expression {self!r} is not known "
                        "before it runs; compare inside the expression (T.switch, T.eq)")

    def __iter__(self):
        raise TypeError(f"cannot iterate over the symbolic expression {self!r}; index it")

    def __index__(self):
        """The value of an integer expression in the evaluation that is running (a symbolic
        size in ReshapeLayer's shape, such as Lasagne's ``l_in.input_var.shape[0]``)."""
        if building():
            raise TypeError(f"the symbolic expression {self!r} has a value only while a "
                            "theano.function runs (NeuralNet's own forward pass does not bind "
                            "input_var); as a ReshapeLayer size there, write [i] or -1")
        return operator.index(evaluate(self, current_bindings()))

    @property
    def type(self):
        return TensorType(self.dtype, self.broadcastable)

    def __repr__(self):
        return self.name or f"<{type(self).__name__}>"

    def __neg__(self):
        return Apply(operator.neg, (self,), {})

    def __abs__(self):
        return Apply(torch.abs, (self,), {})

    def __invert__(self):
        return Apply(operator.invert, (self,), {})

    def __getitem__(self, index):
        return Apply(_index, (self, index), {})

    @property
    def shape(self):
        return Apply(shape, (self,), {})

    @property
    def T(self):
        return Apply(transpose, (self,), {})

    def mean(self, axis=None, dtype=None, keepdims=False, acc_dtype=None):
        return Apply(mean, (self, axis, dtype, keepdims), {})

    def sum(self, axis=None, dtype=None, keepdims=False, acc_dtype=None):
        return Apply(sum, (self, axis, dtype, keepdims), {})

    def prod(self, axis=None, dtype=None, keepdims=False, acc_dtype=None):
        return Apply(prod, (self, axis, dtype, keepdims), {})

    def max(self, axis=None, keepdims=False):
        return Apply(max, (self, axis, keepdims), {})

    def min(self, axis=None, keepdims=False):
        return Apply(min, (self, axis, keepdims), {})

    def argmax(self, axis=None, keepdims=False):
        return Apply(argmax, (self, axis, keepdims), {})

    def argmin(self, axis=None, keepdims=False):
        return Apply(argmin, (self, axis, keepdims), {})

    def var(self, axis=None, keepdims=False):
        return Apply(var, (self, axis, keepdims), {})

    def std(self, axis=None, keepdims=False):
        return Apply(std, (self, axis, keepdims), {})

    def reshape(self, shape, ndim=None):
        return Apply(reshape, (self, shape), {})

    def flatten(self, ndim=1, outdim=None):
        return Apply(flatten, (self, ndim, outdim), {})

    def dimshuffle(self, *pattern):
        return Apply(dimshuffle, (self, *pattern), {})

    def astype(self, dtype):
        return Apply(astype, (self, dtype), {})

    def clip(self, a_min, a_max):
        return Apply(clip, (self, a_min, a_max), {})

    def dot(self, other):
        return Apply(dot, (self, other), {})

    def norm(self, L, axis=None):
        return Apply(norm, (self, L, axis), {})

    def nonzero(self, return_matrix=False):
        return Apply(torch.nonzero, (self,), {"as_tuple": not return_matrix})


def _binary(name, reflected=False):
    op = _OPERATORS[name]
    if reflected:
        return lambda self, other: Apply(op, (other, self), {})
    return lambda self, other: Apply(op, (self, other), {})


for _name in _OPERATORS:
    _dunder = _name.rstrip("_")
    setattr(Variable, f"__{_dunder}__", _binary(_name))
    if _name not in ("lt", "le", "gt", "ge"):
        setattr(Variable, f"__r{_dunder}__", _binary(_name, reflected=True))
Variable.__div__ = Variable.__truediv__


class Placeholder(Variable):
    """A symbolic input (``T.matrix('x')``, ``InputLayer.input_var``): a `dtype` and one
    `broadcastable` flag per axis; a compiled function binds it to an array.

    >>> x = Placeholder('float32', (False, False), 'x')
    >>> x.ndim, (x * 2).sum().eval({x: np.ones((2, 3))})
    (2, array(12., dtype=float32))
    """

    def __init__(self, dtype, broadcastable, name=None):
        self.dtype = floatX if dtype == "floatX" else np.dtype(dtype).name
        self.broadcastable = tuple(bool(b) for b in broadcastable)
        self.ndim = len(self.broadcastable)
        self.name = name
        self.torch_dtype = torch_dtype(self.dtype)

    def __repr__(self):
        return self.name or f"<{self.dtype} variable, {self.ndim} axes>"



class Constant(Variable):
    """A fixed value in a graph (``T.constant``, or an array an expression was built with)."""

    def __init__(self, value, name=None, dtype=None):
        array = np.asarray(value, dtype=dtype)
        self.value = torch.as_tensor(array)
        self.dtype, self.ndim, self.name = array.dtype.name, array.ndim, name
        self.broadcastable = tuple(d == 1 for d in array.shape)

    def __repr__(self):
        return self.name or f"Constant({self.value.tolist()!r})"


class Apply(Variable):
    """An operation recorded for later: `function` applied to `args` and `kwargs`, in which
    variables stand for the values they will have."""

    def __init__(self, function, args, kwargs, type=None):
        self.function = function
        self.args = _graph_value(tuple(args))
        self.kwargs = _graph_value(dict(kwargs))
        self._type = type

    def __repr__(self):
        return self.name or f"{getattr(self.function, '__name__', 'op')}(...)"

    def __iter__(self):
        """A shape of known length unpacks into its entries (``n, t, _ = x.shape``)."""
        source = self.args[0] if self.function is shape else None
        if not isinstance(source, Variable):
            return super().__iter__()
        return iter([self[axis] for axis in range(source.ndim)])

    @property
    def type(self):
        """The `TensorType`, inferred once (`infer_type`) unless the node was built knowing
        it."""
        if self._type is None:
            self._type = infer_type(self)
        return self._type

    ndim = property(lambda self: self.type.ndim)
    dtype = property(lambda self: self.type.dtype)
    broadcastable = property(lambda self: self.type.broadcastable)


class SharedScalarVariable(Variable, SharedScalar):
    """``theano.shared(number)``: a hyper-parameter NeuralNet reads (``set_value`` reaches the
    running optimizer) and a value expressions read each time they run."""

    def __init__(self, value, name=None):
        SharedScalar.__init__(self, value.item() if hasattr(value, "item") else value, name)
        self.dtype = np.asarray(self.value).dtype.name
        self.ndim, self.broadcastable = 0, ()

    def __bool__(self):
        return bool(self.value)

    def __repr__(self):
        return SharedScalar.__repr__(self)


def _shared_operator(name, reflected=False):
    tensor_method = getattr(torch.Tensor, f"__{'r' if reflected else ''}{name.rstrip('_')}__")
    variable_method = getattr(Variable, f"__{'r' if reflected else ''}{name.rstrip('_')}__")

    def method(self, other):
        if isinstance(other, Variable) or (building() and isinstance(other, _CONSTANTS)):
            return variable_method(self.as_expression(), other)
        return tensor_method(self, other)
    return method


def identity(x):
    """`x` itself: a shared tensor as a node of an expression."""
    return x


_CONSTANTS = (np.ndarray, np.generic, int, float)


class SharedVariable(nn.Parameter):
    """``theano.shared(array)``: a tensor of the array's dtype that layers take as a parameter
    (sharing it between the layers given it) and that expressions read when they run;
    arithmetic with arrays or expressions builds an expression.

    >>> w = SharedVariable(np.array([1.0, 2.0]))
    >>> doubled = w * 2
    >>> w.set_value(np.array([3.0, 4.0]))
    >>> doubled.eval(), w.get_value().dtype
    (array([6., 8.]), dtype('float64'))
    """

    def __new__(cls, data, requires_grad=None, name=None):
        data = torch.as_tensor(data)
        if requires_grad is None:
            requires_grad = data.is_floating_point()
        variable = super().__new__(cls, data, requires_grad)
        variable.shared_name = name
        return variable

    @property
    def name(self):  # torch's own Tensor.name cannot be set
        return getattr(self, "shared_name", None)

    def get_value(self, borrow=False, return_internal_type=False):
        """A NumPy copy of the value, in its own dtype."""
        return self.detach().cpu().numpy().copy()

    def set_value(self, value, borrow=False):
        """Overwrite the value in place; it must keep its shape."""
        value = np.asarray(value)
        if tuple(self.shape) != value.shape:
            raise ValueError(f"set_value: shared variable {self.name!r} has shape "
                             f"{tuple(self.shape)}, the new value has shape {value.shape}")
        with torch.no_grad():
            self.copy_(torch.as_tensor(value, dtype=self.dtype))

    def eval(self, inputs_to_values=None):
        return self.get_value()

    def __getitem__(self, index):
        if _holds(index, Variable) or (building() and not _holds(index, torch.Tensor)):
            return Apply(_index, (self, index), {})  # a data tensor index: a layer computing
        return torch.Tensor.__getitem__(self, index)

    @property
    def T(self):
        return Variable.T.fget(self.as_expression()) if building() else torch.Tensor.T.__get__(
            self)

    def as_expression(self):
        """This shared variable as a node of an expression, read each time the graph runs."""
        return Apply(identity, (self,), {}, type_of_tensor(self))


def _shared_method(name):
    """A tensor method that, while scripts build expressions, records it on the shared
    variable instead (``W.sum()``, ``abs(W)`` read W's value when the function runs)."""
    tensor_method = getattr(torch.Tensor, name, None)

    def method(self, *args, **kwargs):
        if building() or tensor_method is None:
            return getattr(Variable, name)(self.as_expression(), *args, **kwargs)
        return tensor_method(self, *args, **kwargs)
    method.__name__ = name
    return method


for _name in ("add", "sub", "mul", "truediv", "pow", "matmul"):
    setattr(SharedVariable, f"__{_name}__", _shared_operator(_name))
    setattr(SharedVariable, f"__r{_name}__", _shared_operator(_name, reflected=True))
for _name in ("__neg__", "__abs__", "mean", "sum", "prod", "max", "min", "argmax", "argmin",
              "var", "std", "reshape", "flatten", "dimshuffle", "clip", "dot", "norm"):
    setattr(SharedVariable, _name, _shared_method(_name))
