"""Pooling and upscaling layers with Lasagne's shape rules (``ignore_border``) and modes."""
import math

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
                f"{self.describe()}: Tried to create a {n}D pooling layer with input shape "
                f"{self.input_shape}. Expected {n + 2} input dimensions (batchsize, channels, "
                f"{n} spatial dimensions).")
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
                f"{self.describe()}: Number of input feature maps ({features}) is not a "
                f"multiple of the pool size (pool_size={pool_size})")

    def get_output_shape_for(self, input_shape):
        shape = list(input_shape)
        if shape[self.axis] is not None:
            shape[self.axis] //= self.pool_size
        return tuple(shape)

    def get_output_for(self, input, **kwargs):
        shape = tuple(input.shape)
        grouped = input.reshape(shape[:self.axis] + (-1, self.pool_size) + shape[self.axis + 1:])
        return _reduce(self.pool_function, grouped, self.axis + 1)


class FeatureWTALayer(Layer):
    """FeatureWTALayer(incoming, pool_size, axis=1, name=None)

    Winner take all across features: within each group of `pool_size` consecutive features
    along `axis`, keeps the largest value (the first, on ties) and sets the others to zero.
    The axis length must be a multiple of `pool_size`.

    >>> FeatureWTALayer((None, 6), 3)(torch.tensor([[1., 3., 2., 0., 5., 4.]]))
    tensor([[0., 3., 0., 0., 5., 0.]])
    """

    def __init__(self, incoming, pool_size, axis=1, name=None):
        super().__init__(incoming, name)
        self.pool_size = pool_size
        self.axis = axis % len(self.input_shape)
        features = self.input_shape[self.axis]
        if features is not None and features % pool_size:
            raise ValueError(
                f"{self.describe()}: Number of input feature maps ({features}) is not a "
                f"multiple of the region size (pool_size={pool_size})")

    def get_output_for(self, input, **kwargs):
        shape = tuple(input.shape)
        grouped = input.reshape(shape[:self.axis] + (-1, self.pool_size) + shape[self.axis + 1:])
        winners = grouped.argmax(dim=self.axis + 1, keepdim=True)
        mask = torch.zeros_like(grouped).scatter_(self.axis + 1, winners, 1.0)
        return (grouped * mask).reshape(shape)


class SpatialPyramidPoolingLayer(Layer):
    """SpatialPyramidPoolingLayer(incoming, pool_dims=[4, 2, 1], mode='max',
    implementation='fast', name=None)

    Pools (batch, channels, rows, columns) inputs of any size into a fixed number of values per
    channel: for each n in `pool_dims`, an n x n grid of windows, giving (batch, channels,
    sum of n**2), grids in order and each grid row by row. 'kaiming' places the windows as He
    et al. do (row i spans floor(i / n * rows) to ceil((i + 1) / n * rows)) and takes any
    size; 'fast' pools windows of ceil(size / n) with stride floor(size / n), which gives an
    n x n grid for some sizes only. Modes: 'max', 'average_inc_pad', 'average_exc_pad'.

    >>> SpatialPyramidPoolingLayer((None, 16, None, None)).output_shape
    (None, 16, 21)
    """

    def __init__(self, incoming, pool_dims=[4, 2, 1], mode="max", implementation="fast",
                 name=None):
        super().__init__(incoming, name)
        if len(self.input_shape) != 4:
            raise ValueError(
                f"{self.describe()}: Tried to create a SPP layer with input shape "
                f"{self.input_shape}. Expected 4 input dimensions (batchsize, channels, 2 "
                "spatial dimensions).")
        if mode not in POOL_MODES:
            raise ValueError(f"{self.describe()}: Mode must be either 'max', 'average_inc_pad' "
                             f"or 'average_exc_pad'. Got {mode!r}")
        if implementation not in ("fast", "kaiming"):
            raise ValueError(f"{self.describe()}: implementation must be 'fast' or 'kaiming', "
                             f"got {implementation!r}")
        self.pool_dims = list(pool_dims)
        self.mode = mode
        self.implementation = implementation

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], input_shape[1], sum(n * n for n in self.pool_dims))

    def get_output_for(self, input, **kwargs):
        pool_grid = self._kaiming_grid if self.implementation == "kaiming" else self._fast_grid
        return torch.cat([pool_grid(input, n) for n in self.pool_dims], dim=2)

    def _kaiming_grid(self, input, n):
        rows, cols = input.shape[2:]
        reduce = torch.amax if self.mode == "max" else torch.mean
        bounds = [[(math.floor(i / n * size), math.ceil((i + 1) / n * size)) for i in range(n)]
                  for size in (rows, cols)]
        return torch.stack([reduce(input[:, :, r0:r1, c0:c1], dim=(2, 3))
                            for r0, r1 in bounds[0] for c0, c1 in bounds[1]], dim=2)

    def _fast_grid(self, input, n):
        size = tuple(input.shape[2:])
        window = tuple((length + n - 1) // n for length in size)
        stride = tuple(length // n for length in size)
        grid = [0 if s == 0 else pool_output_length(length, w, s, 0, True)
                for length, w, s in zip(size, window, stride)]
        if grid != [n, n]:
            raise ValueError(
                f"{self.describe()}: implementation='fast' cannot pool a {size[0]}x{size[1]} "
                f"input into a {n}x{n} grid (windows {window}, stride {stride}); use "
                "implementation='kaiming'")
        return pool(input, window, stride, (0, 0), True, self.mode).flatten(2)


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
