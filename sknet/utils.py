"""Small helpers: argument normalisation, parameter creation, shared scalars, hints."""
import difflib
import numbers

import numpy as np
import torch

floatX = "float32"


def as_tuple(value, n, name, kind=int):
    """Return `value` as an `n`-tuple: a scalar is repeated, an iterable must have length `n`.

    >>> as_tuple(3, 2, 'filter_size')
    (3, 3)
    >>> as_tuple((2, 3), 2, 'stride')
    (2, 3)
    """
    try:
        values = (value,) * n if isinstance(value, str) else tuple(value)
    except TypeError:
        values = (value,) * n
    if len(values) != n:
        raise ValueError(f"{name} must be a single value or {n} values, got {value!r}")
    # NumPy integers count as ints, as Lasagne's int_types did; they come back as Python ints
    accepted = numbers.Integral if kind is int else kind
    if accepted is not None and not all(isinstance(v, accepted) and not isinstance(v, bool)
                                        for v in values):
        raise TypeError(f"{name} must hold values of type {kind.__name__}, got {value!r}")
    return tuple(int(v) for v in values) if kind is int else values


def as_float_tensor(value):
    """A float32 tensor from a NumPy array, a number or a tensor (float64 is cast down)."""
    if isinstance(value, torch.Tensor):
        is_other_float = value.is_floating_point() and value.dtype != torch.float32
        return value.float() if is_other_float else value
    return torch.as_tensor(np.asarray(value, dtype=floatX))


def as_input_tensor(value):
    """A tensor for a network input: floats become float32, integers (e.g. word ids) stay
    integers."""
    if isinstance(value, torch.Tensor):
        return value.float() if value.dtype == torch.float64 else value
    array = np.asarray(value)
    if array.dtype.kind in "iub":
        return torch.as_tensor(array)
    return torch.as_tensor(array.astype(floatX, copy=False))


def _check_shape(shape, name):
    if not all(isinstance(d, numbers.Integral) and d > 0 for d in shape):
        raise ValueError(
            f"cannot create parameter {name!r} with shape {tuple(shape)}: every dimension must be "
            "a positive integer")


def create_param(spec, shape, name="param"):
    """Create a parameter tensor of `shape` from a Lasagne-style `spec`.

    `spec` may be an initializer or any callable taking a shape, a NumPy array, or a tensor. An
    ``nn.Parameter`` is returned as it is so that two layers can share it (Lasagne's shared
    variables), converted in place to float32 if it was float64 (layers compute in float32,
    where Theano would have upcast the layer); anything else becomes a new float32 tensor
    whose shape is checked.
    """
    shape = tuple(shape)
    _check_shape(shape, name)
    if isinstance(spec, torch.nn.Parameter):
        value = spec
        if value.dtype == torch.float64:
            value.data = value.data.float()
    elif isinstance(spec, (torch.Tensor, np.ndarray)):
        value = as_float_tensor(spec)
    elif callable(spec):
        value = spec(shape)
        value = value if isinstance(value, torch.nn.Parameter) else as_float_tensor(value)
    else:
        raise TypeError(
            f"cannot initialize parameter {name!r}: expected an initializer, a callable, a NumPy "
            f"array or a tensor, got {type(spec).__name__}")
    if tuple(value.shape) != shape:
        raise ValueError(
            f"parameter {name!r} must have shape {shape}, but its initial value has shape "
            f"{tuple(value.shape)}")
    return value


class SharedScalar:
    """A number that can change while a net trains, like Theano's shared variables: a net
    reads `get_value()` whenever it applies hyper-parameters, so a handler calling
    `set_value()` changes the running optimizer (e.g. to anneal the learning rate).

    >>> rate = shared(0.03)
    >>> rate.set_value(0.01)
    >>> rate.get_value(), float(rate)
    (0.01, 0.01)
    """

    def __init__(self, value, name=None):
        self.value = value
        self.name = name

    def get_value(self, borrow=False):
        return self.value

    def set_value(self, value, borrow=False):
        self.value = value.item() if hasattr(value, "item") else value

    def __float__(self):
        return float(self.value)

    def __repr__(self):
        return f"shared({self.value!r})"


def shared(value, name=None, **kwargs):
    """A `SharedScalar` holding `value` (``theano.shared``'s role for hyper-parameters)."""
    return SharedScalar(value.item() if hasattr(value, "item") else value, name)


def current_value(value):
    """The number behind a hyper-parameter that may be a SharedScalar (or anything with
    ``get_value``)."""
    return value.get_value() if hasattr(value, "get_value") else value


def did_you_mean(name, candidates):
    """`` (did you mean a, b?)`` with the candidates closest to a misspelled name, or ''.

    >>> did_you_mean('hiden_num_units', ['hidden_num_units', 'update_momentum'])
    ' (did you mean hidden_num_units?)'
    """
    close = difflib.get_close_matches(name, list(candidates), n=2)
    return f" (did you mean {', '.join(close)}?)" if close else ""
