"""Spatial transformer layers: resample an image along a grid that a localization network
moves, by an affine map (TransformerLayer) or a thin plate spline (TPSTransformerLayer).

Coordinates are Lasagne's: x (columns) and y (rows) run from -1 to 1 across the image, and
the output samples the input bilinearly at the transformed grid points.
"""
import math

import numpy as np
import torch

from ..utils import as_tuple
from .base import MergeLayer

BORDER_MODES = ("nearest", "mirror", "wrap")


def _output_size(size, factor):
    return None if size is None else int(size // factor)


def _grid(height, width, like):
    """The output grid as (2, height * width) x and y coordinates, row by row."""
    y, x = torch.meshgrid(torch.linspace(-1.0, 1.0, height, dtype=like.dtype, device=like.device),
                          torch.linspace(-1.0, 1.0, width, dtype=like.dtype, device=like.device),
                          indexing="ij")
    return torch.stack([x.flatten(), y.flatten()])


def _border(index, size, border_mode):
    """Map pixel indices outside [0, size - 1] back into the image."""
    if border_mode == "nearest":
        return index.clamp(0, size - 1)
    if border_mode == "mirror":
        period = 2 * (size - 1)
        return torch.minimum(index % period, -index % period)
    return index % size


def _interpolate(input, x, y, border_mode):
    """Sample `input` (batch, channels, rows, cols) bilinearly at `x`, `y` (batch, out_rows,
    out_cols, in [-1, 1]). The weights come from the unmapped neighbours, the values from the
    neighbours mapped by `border_mode`, as in Lasagne."""
    batch, channels, height, width = input.shape
    x = (x + 1) / 2 * (width - 1)
    y = (y + 1) / 2 * (height - 1)
    x0, y0 = x.floor(), y.floor()
    x1, y1 = x0 + 1, y0 + 1
    flat = input.flatten(2)

    def pixels(rows, cols):
        index = (_border(rows, height, border_mode) * width
                 + _border(cols, width, border_mode)).long().flatten(1)
        values = flat.gather(2, index.unsqueeze(1).expand(-1, channels, -1))
        return values.view((batch, channels) + tuple(x.shape[1:]))

    def weight(w):
        return w.unsqueeze(1)
    return (weight((x1 - x) * (y1 - y)) * pixels(y0, x0)
            + weight((x1 - x) * (y - y0)) * pixels(y1, x0)
            + weight((x - x0) * (y1 - y)) * pixels(y0, x1)
            + weight((x - x0) * (y - y0)) * pixels(y1, x1))


class _SpatialTransformer(MergeLayer):
    """What both transformers share: the inputs, the checks and the output size."""

    def __init__(self, incoming, localization_network, downsample_factor, border_mode,
                 name):
        super().__init__([incoming, localization_network], name)
        self.downsample_factor = as_tuple(downsample_factor, 2, "downsample_factor", kind=None)
        if not all(isinstance(f, (int, float)) and f > 0 for f in self.downsample_factor):
            raise ValueError(f"downsample_factor must hold positive numbers, got "
                             f"{downsample_factor!r}")
        if border_mode not in BORDER_MODES:
            raise ValueError(f"border_mode must be one of 'nearest', 'mirror', 'wrap', got "
                             f"{border_mode!r}")
        self.border_mode = border_mode

    def _check_input_shape(self):
        if len(self.input_shapes[0]) != 4:
            raise ValueError("The input network must have a 4-dimensional output shape: "
                             "(batch_size, num_input_channels, input_rows, input_columns); "
                             f"got {self.input_shapes[0]}")

    def get_output_shape_for(self, input_shapes):
        shape = input_shapes[0]
        return tuple(shape[:2]) + tuple(_output_size(s, f) for s, f
                                        in zip(shape[2:], self.downsample_factor))

    def output_grid_size(self, input):
        return tuple(_output_size(s, f) for s, f in zip(input.shape[2:], self.downsample_factor))


class TransformerLayer(_SpatialTransformer):
    """TransformerLayer(incoming, localization_network, downsample_factor=1,
    border_mode='nearest', name=None)

    Spatial transformer (Jaderberg et al. 2015) with an affine map: the localization network
    gives (batch, 6) values ``[t1, t2, t3, t4, t5, t6]``, and output point (x, y) samples the
    input at ``(t1 x + t2 y + t3, t4 x + t5 y + t6)``; ``[1, 0, 0, 0, 1, 0]`` is the identity.
    `downsample_factor` (one or two floats) divides the output size. Points outside the image
    take the nearest border pixel ('nearest'), the mirrored one ('mirror') or the one from
    the opposite side ('wrap').

    >>> import numpy as np
    >>> from sknet import init
    >>> from sknet.layers import DenseLayer, InputLayer
    >>> l_in = InputLayer((None, 3, 28, 28))
    >>> identity = np.array([1, 0, 0, 0, 1, 0], np.float32)
    >>> l_loc = DenseLayer(l_in, 6, W=init.Constant(0.0), b=identity, nonlinearity=None)
    >>> TransformerLayer(l_in, l_loc, downsample_factor=2).output_shape
    (None, 3, 14, 14)
    """

    def __init__(self, incoming, localization_network, downsample_factor=1,
                 border_mode="nearest", name=None):
        super().__init__(incoming, localization_network, downsample_factor, border_mode, name)
        localization_shape = self.input_shapes[1]
        if len(localization_shape) != 2 or localization_shape[-1] != 6:
            raise ValueError("The localization network must have output shape: (batch_size, 6);"
                             f" got {localization_shape}")
        self._check_input_shape()

    def get_output_for(self, inputs, **kwargs):
        input, theta = inputs
        height, width = self.output_grid_size(input)
        points = theta.reshape(-1, 2, 3) @ torch.cat(
            [_grid(height, width, input), input.new_ones(1, height * width)])
        shape = (-1, height, width)
        return _interpolate(input, points[:, 0].reshape(shape), points[:, 1].reshape(shape),
                            self.border_mode)


def _tps_kernel(squared_distance):
    """Thin plate splines' U(r) = r**2 log(r**2), with U(0) = 0."""
    safe = torch.where(squared_distance > 0, squared_distance,
                       torch.ones_like(squared_distance))
    return squared_distance * torch.log(safe)


def _tps_basis(points, source_points):
    """(3 + K, P): for each of P points (2, P) the rows 1, x, y and U of its distances to the
    K control points (2, K)."""
    squared_distance = ((points.unsqueeze(1) - source_points.unsqueeze(2)) ** 2).sum(0)
    return torch.cat([torch.ones_like(points[:1]), points, _tps_kernel(squared_distance)])


class TPSTransformerLayer(_SpatialTransformer):
    """TPSTransformerLayer(incoming, localization_network, downsample_factor=1,
    control_points=16, precompute_grid='auto', border_mode='nearest', name=None)

    Spatial transformer with a thin plate spline (Bookstein 1989): `control_points` (a perfect
    square) start on an even grid over [-1, 1]**2, the localization network gives their
    offsets as (batch, 2 * control_points) values (all x offsets, then all y offsets), and the
    spline through the moved points maps the output grid into the input. Zero offsets give the
    identity. `precompute_grid` ('auto': when the input size is known) computes the spline
    basis of the output grid once, at construction. `downsample_factor` and `border_mode` as
    in TransformerLayer.

    >>> from sknet import init
    >>> from sknet.layers import DenseLayer, InputLayer
    >>> l_in = InputLayer((None, 3, 28, 28))
    >>> l_loc = DenseLayer(l_in, 2 * 16, W=init.Constant(0.0), nonlinearity=None)
    >>> TPSTransformerLayer(l_in, l_loc, control_points=16).output_shape
    (None, 3, 28, 28)
    """

    def __init__(self, incoming, localization_network, downsample_factor=1,
                 control_points=16, precompute_grid="auto", border_mode="nearest", name=None):
        super().__init__(incoming, localization_network, downsample_factor, border_mode, name)
        self.control_points = control_points
        localization_shape = self.input_shapes[1]
        if len(localization_shape) != 2 or localization_shape[-1] != 2 * control_points:
            raise ValueError("The localization network must have output shape: (batch_size, "
                             f"2*control_points); got {localization_shape} for "
                             f"control_points={control_points}")
        side = math.isqrt(control_points) if control_points > 0 else 0
        if side * side != control_points or side < 2:
            raise ValueError("The number of control points must be a perfect square (4 or "
                             f"more); got control_points={control_points}")
        self._check_input_shape()
        known_size = all(s is not None for s in self.input_shapes[0][2:])
        if precompute_grid == "auto":
            precompute_grid = known_size
        elif precompute_grid and not known_size:
            raise ValueError("Grid can only be precomputed if the input height and width are "
                             f"pre-specified; got input shape {self.input_shapes[0]}")
        self.precompute_grid = precompute_grid
        ticks = np.linspace(-1.0, 1.0, side)
        source = np.stack([np.tile(ticks, side), np.repeat(ticks, side)])  # row by row
        source = torch.as_tensor(source)
        # Bookstein's system [[0, P^T], [P, K]] [a; w] = [0; v] with P = (1, x, y) per point
        system = torch.zeros(control_points + 3, control_points + 3, dtype=torch.float64)
        system[:, 3:] = _tps_basis(source, source)
        system[3:, :3] = system[:3, 3:].T
        solve_for_targets = torch.linalg.inv(system)[:, 3:]
        # Fixed tensors that follow the layer's device, but are not parameters to save.
        self.register_buffer("source_points", source.float(), persistent=False)
        self.register_buffer("solve_for_targets", solve_for_targets.float(), persistent=False)
        grid_basis = None
        if precompute_grid:
            height, width = (_output_size(s, f) for s, f
                             in zip(self.input_shapes[0][2:], self.downsample_factor))
            grid_basis = _tps_basis(_grid(height, width, source), source).float()
        self.register_buffer("grid_basis", grid_basis, persistent=False)

    def get_output_for(self, inputs, **kwargs):
        input, offsets = inputs
        height, width = self.output_grid_size(input)
        source = self.source_points.to(input)  # the input's dtype and device
        targets = source + offsets.reshape(-1, 2, self.control_points)
        coefficients = targets @ self.solve_for_targets.to(input).T  # (batch, 2, K + 3)
        basis = self.grid_basis
        if basis is None:
            basis = _tps_basis(_grid(height, width, input), source)
        points = coefficients @ basis.to(input)
        shape = (-1, height, width)
        return _interpolate(input, points[:, 0].reshape(shape), points[:, 1].reshape(shape),
                            self.border_mode)
