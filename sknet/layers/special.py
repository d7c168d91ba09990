"""Layers that apply a function, a bias, a scale or a learned rectifier to their input."""
import torch

from .. import init
from ..nonlinearities import identity, rectify
from .base import Layer, nonlinearity_or_identity


class NonlinearityLayer(Layer):
    """NonlinearityLayer(incoming, nonlinearity=nonlinearities.rectify, name=None)

    Applies `nonlinearity` elementwise.

    >>> NonlinearityLayer((None, 10)).output_shape
    (None, 10)
    """

    def __init__(self, incoming, nonlinearity=rectify, name=None):
        super().__init__(incoming, name)
        self.nonlinearity = nonlinearity_or_identity(nonlinearity, self.describe())

    def get_preactivation_for(self, input):
        return input

    def get_output_for(self, input, **kwargs):
        return self.nonlinearity(input)


def _shared_axes(shared_axes, ndim):
    """Lasagne's 'auto' (all but axis 1), 'all', an int or a tuple -> tuple of axes."""
    if shared_axes == "auto":
        return (0,) + tuple(range(2, ndim))
    if shared_axes == "all":
        return tuple(range(ndim))
    if isinstance(shared_axes, int):
        shared_axes = (shared_axes,)
    return tuple(a % ndim for a in shared_axes)


class _BroadcastParamLayer(Layer):
    """A layer with one parameter that is shared along `shared_axes` and broadcast to the input."""

    def _init_param(self, spec, shared_axes, name):
        ndim = len(self.input_shape)
        self.shared_axes = _shared_axes(shared_axes, ndim)
        shape = tuple(size for axis, size in enumerate(self.input_shape)
                      if axis not in self.shared_axes)
        if any(size is None for size in shape):
            raise ValueError(f"{self.describe()} needs fixed sizes on the axes it does not "
                             f"share; got input shape {self.input_shape}, shared_axes "
                             f"{self.shared_axes}")
        return self.add_param(spec, shape, name, regularizable=False)

    def _broadcast(self, param, ndim):
        return param.view([1 if axis in self.shared_axes else -1 for axis in range(ndim)])


class BiasLayer(_BroadcastParamLayer):
    """BiasLayer(incoming, b=init.Constant(0), shared_axes='auto', name=None)

    Adds a learned bias, shared along `shared_axes` ('auto': all axes but the channel axis 1,
    'all', or a tuple). ``b=None`` makes the layer the identity.

    >>> tuple(BiasLayer((None, 16, 8, 8)).b.shape)
    (16,)
    """

    def __init__(self, incoming, b=init.Constant(0.0), shared_axes="auto", name=None):
        super().__init__(incoming, name)
        self.b = None if b is None else self._init_param(b, shared_axes, "b")

    def get_output_for(self, input, **kwargs):
        if self.b is None:
            return input
        return input + self._broadcast(self.b, input.dim())


class ScaleLayer(_BroadcastParamLayer):
    """ScaleLayer(incoming, scales=init.Constant(1), shared_axes='auto', name=None)

    Multiplies by learned scales, shared along `shared_axes` as in BiasLayer.

    >>> tuple(ScaleLayer((None, 16, 8, 8)).scales.shape)
    (16,)
    """

    def __init__(self, incoming, scales=init.Constant(1.0), shared_axes="auto", name=None):
        super().__init__(incoming, name)
        self.scales = self._init_param(scales, shared_axes, "scales")

    def get_output_for(self, input, **kwargs):
        return input * self._broadcast(self.scales, input.dim())


class ParametricRectifierLayer(_BroadcastParamLayer):
    """ParametricRectifierLayer(incoming, alpha=init.Constant(0.25), shared_axes='auto',
    name=None)

    PReLU: x for x > 0 and ``alpha * x`` otherwise, with a learned `alpha` shared along
    `shared_axes` ('auto': one per channel, 'all': a single one).

    >>> tuple(ParametricRectifierLayer((None, 16, 8, 8)).alpha.shape)
    (16,)
    """

    def __init__(self, incoming, alpha=init.Constant(0.25), shared_axes="auto", name=None):
        super().__init__(incoming, name)
        self.alpha = self._init_param(alpha, shared_axes, "alpha")

    def get_output_for(self, input, **kwargs):
        alpha = self._broadcast(self.alpha, input.dim())
        return input.clamp(min=0) + alpha * input.clamp(max=0)


def prelu(layer, **kwargs):
    """Replace the nonlinearity of `layer` by a ParametricRectifierLayer stacked on it; keyword
    arguments go to that layer."""
    if getattr(layer, "nonlinearity", None) is not None:
        layer.nonlinearity = identity
    return ParametricRectifierLayer(layer, **kwargs)


class ExpressionLayer(Layer):
    """ExpressionLayer(incoming, function, output_shape=None, name=None)

    Applies any tensor function. `output_shape` is None (same as the input), a tuple, a
    callable mapping the input shape to the output shape, or 'auto' (found by running
    `function` on a small zero tensor).

    >>> ExpressionLayer((None, 3, 8, 8), lambda x: x.mean(1), 'auto').output_shape
    (None, 8, 8)
    """

    def __init__(self, incoming, function, output_shape=None, name=None):
        super().__init__(incoming, name)
        self.function = function
        if output_shape == "auto":
            probe = torch.zeros([1 if d is None else d for d in self.input_shape])
            shape = tuple(function(probe).shape)
            if self.input_shape and self.input_shape[0] is None and shape:
                shape = (None,) + shape[1:]
            output_shape = shape
        self._output_shape = output_shape

    def get_output_shape_for(self, input_shape):
        if self._output_shape is None:
            return input_shape
        if callable(self._output_shape):
            return tuple(self._output_shape(input_shape))
        return tuple(self._output_shape)

    def get_output_for(self, input, **kwargs):
        return self.function(input)
