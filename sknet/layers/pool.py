"""Pooling and upscaling layers with Lasagne's shape rules (``ignore_border``) and modes."""
import torch
import torch.nn.functional as F

from ..utils import as_tuple
from .base import Layer, window_misfit

_MAX_POOL = {2: F.max_pool2d, 3: F.max_pool3d}
_AVG_POOL = {2: F.avg_pool2d, 3: F.avg_pool3d}
POOL_MODES = ("max", "average_inc_pad", "average_exc_pad")


def pool_output_length(input_length, pool_size, stride, pad, ignore_border):
    """Output length of pooling along one axis, as Theano computed it.

    With `ignore_border` a window must fit inside the padded input; without it, a last partial
    window is kept (and `pad` must be 0). None (unknown) stays None.

    >>> pool_output_length(5, 2, 2, 0, True), pool_output_length(5, 2, 2, 0, False)
    (2, 3)
    """
    if input_length is None or pool_size is None:
        return None
    if ignore_border:
        length = input_length + 2 * pad - pool_size + 1
        return (length + stride - 1) // stride
    if pad:
        raise ValueError(f"pad must be 0 when ignore_border=False, got pad={pad}")
    if stride >= pool_size:
        return (input_length + stride - 1) // stride
    return max(0, (input_length - pool_size + stride - 1) // stride) + 1


def _window_sums(x, n, pool_size, stride):
    return _AVG_POOL[n](x, pool_size, stride, divisor_override=1)


def pool(input, pool_size, stride, pad, ignore_border, mode):
    """Pool the last ``len(pool_size)`` axes of `input` with Lasagne's semantics.

    Max pooling never lets the padding win. ``average_inc_pad`` counts padded zeros in the
    window size and ``average_exc_pad`` does not; windows that run past the border (with
    ``ignore_border=False``) average over the part inside.
    """
    n = len(pool_size)
    if n == 1:  # torch has no divisor_override in 1-D: pool a 2-D view with a height of 1.
        return pool(input.unsqueeze(-2), (1,) + tuple(pool_size), (1,) + tuple(stride),
                    (0,) + tuple(pad), ignore_border, mode).squeeze(-2)
    fits_torch = ignore_border and all(p <= k // 2 for p, k in zip(pad, pool_size))
    if fits_torch and mode == "max":
        return _MAX_POOL[n](input, pool_size, stride, pad)
    if fits_torch:
        return _AVG_POOL[n](input, pool_size, stride, pad,
                            count_include_pad=mode == "average_inc_pad")
    spatial = input.shape[-n:]
    out = [pool_output_length(L, k, s, p, ignore_border)
           for L, k, s, p in zip(spatial, pool_size, stride, pad)]
    extra = [max(0, (o - 1) * s + k - (L + 2 * p))
             for o, s, k, L, p in zip(out, stride, pool_size, spatial, pad)]
    widths = [w for p, e in zip(reversed(pad), reversed(extra)) for w in (p, p + e)]
    if mode == "max":
        padded = F.pad(input, widths, value=float("-inf"))
        return _MAX_POOL[n](padded, pool_size, stride)
    sums = _window_sums(F.pad(input, widths), n, pool_size, stride)
    # Count the entries each window averages over: the padded input (inc_pad) or the input.
    mask = torch.ones((1, 1) + tuple(spatial), dtype=input.dtype, device=input.device)
    if mode == "average_inc_pad":
        mask = F.pad(mask, [p for p in reversed(pad) for _ in (0, 1)], value=1.0)
        mask = F.pad(mask, [w for e in reversed(extra) for w in (0, e)])
    else:
        mask = F.pad(mask, widths)
    return sums / _window_sums(mask, n, pool_size, stride)


class _PoolLayer(Layer):
    """Shared code of the n-dimensional pooling layers."""

    n = None

    def __init__(self, incoming, pool_size, stride=None, pad=0, ignore_border=True,
                 mode="max", name=None):
        super().__init__(incoming, name)
        n = self.n
        if len(self.input_shape) != n + 2:
            raise ValueError(
                f"{self.describe()} expects a {n + 2}-dimensional input (batch, channels, {n} "
                f"spatial axes), got input shape {self.input_shape}")
        if mode not in POOL_MODES:
            raise ValueError(f"{self.describe()}: mode must be one of {POOL_MODES}, got {mode!r}")
        self.pool_size = as_tuple(pool_size, n, "pool_size")
        self.stride = self.pool_size if stride is None else as_tuple(stride, n, "stride")
        self.pad = as_tuple(pad, n, "pad")
        self.ignore_border = ignore_border
        self.mode = mode
        if not ignore_border and any(self.pad):
            raise ValueError(f"{self.describe()}: pad must be 0 when ignore_border=False, got "
                             f"pad={pad}")

    def get_output_shape_for(self, input_shape):
        spatial = tuple(pool_output_length(L, k, s, p, self.ignore_border) for L, k, s, p
                        in zip(input_shape[2:], self.pool_size, self.stride, self.pad))
        return tuple(input_shape[:2]) + spatial

    def get_output_for(self, input, **kwargs):
        return pool(input, self.pool_size, self.stride, self.pad, self.ignore_border, self.mode)

    def empty_output_reason(self):
        return window_misfit("pool", self.pool_size, self.stride, self.pad, self.input_shape)


class Pool1DLayer(_PoolLayer):
    """Pool1DLayer(incoming, pool_size, stride=None, pad=0, ignore_border=True, mode='max',
    name=None)

    Pools windows of `pool_size` along the last axis of (batch, channels, length) inputs;
    `stride` defaults to `pool_size`. Modes: 'max', 'average_inc_pad', 'average_exc_pad'.

    >>> Pool1DLayer((None, 4, 10), 3, mode='average_inc_pad').output_shape
    (None, 4, 3)
    """

    n = 1


class Pool2DLayer(_PoolLayer):
    """Pool2DLayer(incoming, pool_size, stride=None, pad=(0, 0), ignore_border=True,
    mode='max', name=None)

    Pools windows of `pool_size` over (batch, channels, rows, columns) inputs; `stride`
    defaults to `pool_size`. With ``ignore_border=False`` partial windows at the border are
    kept. Modes: 'max', 'average_inc_pad', 'average_exc_pad'.

    >>> Pool2DLayer((None, 20, 24, 24), pool_size=2).output_shape
    (None, 20, 12, 12)
    >>> Pool2DLayer((None, 20, 5, 5), pool_size=2, ignore_border=False).output_shape
    (None, 20, 3, 3)
    """

    n = 2


class Pool3DLayer(_PoolLayer):
    """Pool3DLayer(incoming, pool_size, stride=None, pad=(0, 0, 0), ignore_border=True,
    mode='max', name=None)

    Pools windows over the three spatial axes of 5-dimensional inputs.

    >>> Pool3DLayer((None, 2, 8, 8, 8), 2).output_shape
    (None, 2, 4, 4, 4)
    """

    n = 3


class MaxPool1DLayer(Pool1DLayer):
    """MaxPool1DLayer(incoming, pool_size, stride=None, pad=0, ignore_border=True, name=None)

    >>> MaxPool1DLayer((None, 4, 10), 2).output_shape
    (None, 4, 5)
    """

    def __init__(self, incoming, pool_size, stride=None, pad=0, ignore_border=True, name=None):
        super().__init__(incoming, pool_size, stride, pad, ignore_border, "max", name)


class MaxPool2DLayer(Pool2DLayer):
    """MaxPool2DLayer(incoming, pool_size, stride=None, pad=(0, 0), ignore_border=True,
    name=None)

    >>> MaxPool2DLayer((None, 20, 24, 24), pool_size=(2, 2)).output_shape
    (None, 20, 12, 12)
    """

    def __init__(self, incoming, pool_size, stride=None, pad=(0, 0), ignore_border=True,
                 name=None):
        super().__init__(incoming, pool_size, stride, pad, ignore_border, "max", name)


class MaxPool3DLayer(Pool3DLayer):
    """MaxPool3DLayer(incoming, pool_size, stride=None, pad=(0, 0, 0), ignore_border=True,
    name=None)

    >>> MaxPool3DLayer((None, 2, 8, 8, 8), 2).output_shape
    (None, 2, 4, 4, 4)
    """

    def __init__(self, incoming, pool_size, stride=None, pad=(0, 0, 0), ignore_border=True,
                 name=None):
        super().__init__(incoming, pool_size, stride, pad, ignore_border, "max", name)


def _reduce(function, input, dim):
    """Apply a reduction such as torch.mean or torch.max over `dim`, keeping only values."""
    result = function(input, dim=dim)
    return result[0] if isinstance(result, tuple) else result


class GlobalPoolLayer(Layer):
    """GlobalPoolLayer(incoming, pool_function=torch.mean, name=None)

    Pools all axes after the second: (batch, channels, ...) -> (batch, channels).
    `pool_function` is called as ``pool_function(x, dim=2)``: torch.mean, torch.amax, ...

    >>> GlobalPoolLayer((None, 64, 7, 7)).output_shape
    (None, 64)
    """

    def __init__(self, incoming, pool_function=torch.mean, name=None):
        super().__init__(incoming, name)
        self.pool_function = pool_function

    def get_output_shape_for(self, input_shape):
        return tuple(input_shape[:2])

    def get_output_for(self, input, **kwargs):
        return _reduce(self.pool_function, input.flatten(2), 2)


class FeaturePoolLayer(Layer):
    """FeaturePoolLayer(incoming, pool_size, axis=1, pool_function=torch.amax, name=None)

    Pools groups of `pool_size` consecutive features along `axis` (a maxout layer with the
    default function); the axis length must be a multiple of `pool_size`.

    >>> FeaturePoolLayer((None, 12, 5, 5), pool_size=3).output_shape
    (None, 4, 5, 5)
    """

    def __init__(self, incoming, pool_size, axis=1, pool_function=torch.amax, name=None):
        super().__init__(incoming, name)
        self.pool_size = pool_size
        self.axis = axis % len(self.input_shape)
        self.pool_function = pool_function
        features = self.input_shape[self.axis]
        if features is not None and features % pool_size:
            raise ValueError(
                f"{self.describe()}: the {features} features on axis {axis} are not a multiple "
                f"of pool_size={pool_size}")

    def get_output_shape_for(self, input_shape):
        shape = list(input_shape)
        if shape[self.axis] is not None:
            shape[self.axis] //= self.pool_size
        return tuple(shape)

    def get_output_for(self, input, **kwargs):
        shape = tuple(input.shape)
        grouped = input.reshape(shape[:self.axis] + (-1, self.pool_size) + shape[self.axis + 1:])
        return _reduce(self.pool_function, grouped, self.axis + 1)


class _UpscaleLayer(Layer):
    """Shared code of the n-dimensional upscaling layers."""

    n = None

    def __init__(self, incoming, scale_factor, mode="repeat", name=None):
        super().__init__(incoming, name)
        self.scale_factor = as_tuple(scale_factor, self.n, "scale_factor")
        if any(s < 1 for s in self.scale_factor):
            raise ValueError(f"{self.describe()}: scale_factor must be >= 1, got {scale_factor}")
        if mode not in ("repeat", "dilate"):
            raise ValueError(f"{self.describe()}: mode must be 'repeat' or 'dilate', got {mode!r}")
        self.mode = mode

    def get_output_shape_for(self, input_shape):
        lead = len(input_shape) - self.n
        spatial = tuple(None if d is None else d * s
                        for d, s in zip(input_shape[lead:], self.scale_factor))
        return tuple(input_shape[:lead]) + spatial

    def get_output_for(self, input, **kwargs):
        lead = input.dim() - self.n
        if self.mode == "repeat":
            for axis, factor in enumerate(self.scale_factor, start=lead):
                if factor > 1:
                    input = input.repeat_interleave(factor, dim=axis)
            return input
        shape = tuple(input.shape[:lead]) + tuple(
            d * s for d, s in zip(input.shape[lead:], self.scale_factor))
        output = input.new_zeros(shape)
        output[(Ellipsis,) + tuple(slice(None, None, s) for s in self.scale_factor)] = input
        return output


class Upscale1DLayer(_UpscaleLayer):
    """Upscale1DLayer(incoming, scale_factor, mode='repeat', name=None)

    Repeats each entry of the last axis `scale_factor` times ('repeat'), or places it first
    in a block of zeros ('dilate').

    >>> Upscale1DLayer((None, 3, 5), 2).output_shape
    (None, 3, 10)
    """

    n = 1


class Upscale2DLayer(_UpscaleLayer):
    """Upscale2DLayer(incoming, scale_factor, mode='repeat', name=None)

    Repeats each pixel into a `scale_factor` block ('repeat'), or places it at the block's
    top-left corner with zeros elsewhere ('dilate').

    >>> Upscale2DLayer((None, 3, 5, 5), (2, 3)).output_shape
    (None, 3, 10, 15)
    """

    n = 2


class Upscale3DLayer(_UpscaleLayer):
    """Upscale3DLayer(incoming, scale_factor, mode='repeat', name=None)

    >>> Upscale3DLayer((None, 1, 2, 2, 2), 2).output_shape
    (None, 1, 4, 4, 4)
    """

    n = 3
