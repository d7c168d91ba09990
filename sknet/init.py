"""Parameter initializers with Lasagne's names, formulas and defaults.

Each initializer is a callable ``init(shape) -> np.ndarray`` (float32) that draws from
:func:`sknet.random.get_rng`. A layer also accepts an array, a tensor or any callable instead.

>>> W = GlorotUniform()((784, 100))
>>> W.shape, W.dtype
((784, 100), dtype('float32'))
>>> bool(abs(W).max() <= np.sqrt(6.0 / (784 + 100)))
True
"""
import numpy as np

from .random import get_rng
from .utils import floatX


class ShapeError(ValueError, RuntimeError):
    """A weight shape an initializer cannot fill: Lasagne raised RuntimeError with these
    messages, sknet's convention is ValueError, so scripts catching either still work."""


class Initializer:
    """Base class: subclasses implement `sample(shape)`."""

    def __call__(self, shape):
        return self.sample(tuple(shape))

    def sample(self, shape):
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Normal(Initializer):
    """Normal(std=0.01, mean=0.0): samples from N(mean, std**2)."""

    def __init__(self, std=0.01, mean=0.0):
        self.std = std
        self.mean = mean

    def sample(self, shape):
        return get_rng().normal(self.mean, self.std, size=shape).astype(floatX)


class Uniform(Initializer):
    """Uniform(range=0.01, std=None, mean=0.0): U(-range, range), U(low, high) for a
    ``range=(low, high)`` pair, or the uniform distribution with the given `mean` and `std`."""

    def __init__(self, range=0.01, std=None, mean=0.0):
        if std is not None:
            half_width = np.sqrt(3) * std
            self.range = (mean - half_width, mean + half_width)
        else:
            try:
                low, high = range
            except TypeError:
                low, high = -range, range
            self.range = (low, high)

    def sample(self, shape):
        low, high = self.range
        return get_rng().uniform(low, high, size=shape).astype(floatX)


def _gain(gain):
    return np.sqrt(2) if gain == "relu" else gain


def _receptive_field_fans(shape, c01b):
    """(n1, n2, receptive field size) as Lasagne's Glorot reads a weight shape."""
    if c01b:
        _check_c01b(shape)
        return shape[0], shape[3], shape[1] * shape[2]
    _check_at_least_2d(shape)
    return shape[0], shape[1], int(np.prod(shape[2:]))


def _check_c01b(shape):
    if len(shape) != 4:
        raise ShapeError(f"If c01b is True, only shapes of length 4 are accepted, got {shape}")


def _check_at_least_2d(shape):
    if len(shape) < 2:
        raise ShapeError(f"This initializer only works with shapes of length >= 2, got {shape}")


class Glorot(Initializer):
    """Glorot(initializer, gain=1.0, c01b=False): std = gain * sqrt(2 / ((n1 + n2) * field)).

    n1, n2 are the first two axes of the weight shape and `field` the product of the rest (the
    receptive field of a convolution); ``gain='relu'`` means sqrt(2).
    """

    def __init__(self, initializer, gain=1.0, c01b=False):
        self.initializer = initializer
        self.gain = _gain(gain)
        self.c01b = c01b

    def sample(self, shape):
        n1, n2, field = _receptive_field_fans(shape, self.c01b)
        std = self.gain * np.sqrt(2.0 / ((n1 + n2) * field))
        return self.initializer(std=std).sample(shape)


class GlorotNormal(Glorot):
    """Glorot weights from a normal distribution."""

    def __init__(self, gain=1.0, c01b=False):
        super().__init__(Normal, gain, c01b)


class GlorotUniform(Glorot):
    """Glorot weights from a uniform distribution:
    U(-a, a) with a = gain * sqrt(6 / ((n1 + n2) * field))."""

    def __init__(self, gain=1.0, c01b=False):
        super().__init__(Uniform, gain, c01b)


class He(Initializer):
    """He(initializer, gain=1.0, c01b=False): std = gain * sqrt(1 / fan_in).

    fan_in is ``shape[0]`` for a 2-D (Dense) weight and ``prod(shape[1:])`` for a convolution.
    """

    def __init__(self, initializer, gain=1.0, c01b=False):
        self.initializer = initializer
        self.gain = _gain(gain)
        self.c01b = c01b

    def sample(self, shape):
        if self.c01b:
            _check_c01b(shape)
            fan_in = int(np.prod(shape[:3]))
        else:
            _check_at_least_2d(shape)
            fan_in = shape[0] if len(shape) == 2 else int(np.prod(shape[1:]))
        std = self.gain * np.sqrt(1.0 / fan_in)
        return self.initializer(std=std).sample(shape)


class HeNormal(He):
    """He weights from a normal distribution."""

    def __init__(self, gain=1.0, c01b=False):
        super().__init__(Normal, gain, c01b)


class HeUniform(He):
    """He weights from a uniform distribution."""

    def __init__(self, gain=1.0, c01b=False):
        super().__init__(Uniform, gain, c01b)


class Constant(Initializer):
    """Constant(val=0.0): every entry equals `val`."""

    def __init__(self, val=0.0):
        self.val = val

    def sample(self, shape):
        return np.full(shape, self.val, dtype=floatX)


class Sparse(Initializer):
    """Sparse(sparsity=0.1, std=0.01): each column of a 2-D weight gets
    ``int(sparsity * n_inputs)`` nonzero entries drawn from N(0, std**2)."""

    def __init__(self, sparsity=0.1, std=0.01):
        self.sparsity = sparsity
        self.std = std

    def sample(self, shape):
        if len(shape) != 2:
            raise ShapeError(
                f"sparse initializer only works with shapes of length 2, got {shape}")
        n_inputs, n_outputs = shape
        size = int(self.sparsity * n_inputs)
        rng = get_rng()
        weights = np.zeros(shape, dtype=floatX)
        for column in range(n_outputs):
            rows = rng.permutation(n_inputs)[:size]
            weights[rows, column] = rng.normal(0.0, self.std, size=size)
        return weights


class Orthogonal(Initializer):
    """Orthogonal(gain=1.0): an orthogonal matrix (of the weight flattened to
    ``(shape[0], prod(shape[1:]))``) times `gain`; ``gain='relu'`` means sqrt(2)."""

    def __init__(self, gain=1.0):
        self.gain = _gain(gain)

    def sample(self, shape):
        if len(shape) < 2:
            raise ShapeError(f"Only shapes of length 2 or more are supported, got {shape}")
        flat_shape = (shape[0], int(np.prod(shape[1:])))
        a = get_rng().normal(0.0, 1.0, flat_shape)
        u, _, vt = np.linalg.svd(a, full_matrices=False)
        q = u if u.shape == flat_shape else vt
        return (self.gain * q.reshape(shape)).astype(floatX)
