"""Layers that apply a function, a bias, a scale, a learned or randomized rectifier, or the
gradient of another layer to their input."""
import torch

from .. import init
from ..nonlinearities import identity, rectify
from ..utils import as_float_tensor
from .base import Layer, MergeLayer, nonlinearity_or_identity
from .noise import NoiseLayer
from .parameters import NamedBuffer


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
    return _stack_rectifier(layer, ParametricRectifierLayer, kwargs)


def _stack_rectifier(layer, rectifier_class, kwargs):
    """`layer` without its nonlinearity, under a new `rectifier_class` layer (prelu, rrelu)."""
    if getattr(layer, "nonlinearity", None) is not None:
        layer.nonlinearity = identity
    return rectifier_class(layer, **kwargs)


class ExpressionLayer(Layer):
    """ExpressionLayer(incoming, function, output_shape=None, name=None)

    Applies any tensor function. `output_shape` is None (same as the input), a tuple, a
    callable mapping the input shape to the output shape, or 'auto': found by running
    `function` on zero tensors, twice when the input has None dimensions (of two sizes), so
    that output dimensions which follow them stay None. (Lasagne probed once with those
    dimensions empty; torch's reductions refuse empty tensors.)

    >>> ExpressionLayer((None, 3, 8, 8), lambda x: x.mean(1), 'auto').output_shape
    (None, 8, 8)
    >>> ExpressionLayer((None, 3, None), lambda x: x[:, :, ::2], 'auto').output_shape
    (None, 3, None)
    """

    def __init__(self, incoming, function, output_shape=None, name=None):
        super().__init__(incoming, name)
        self.function = function
        if isinstance(output_shape, str) and output_shape != "auto":
            raise ValueError(f"{self.describe()}: output_shape must be None, a tuple, a callable "
                             f"or 'auto', got {output_shape!r}")
        keep = output_shape is None or isinstance(output_shape, str) or callable(output_shape)
        self._output_shape = output_shape if keep else tuple(output_shape)
        self._probed_shapes = {}

    def get_output_shape_for(self, input_shape):
        if self._output_shape is None:
            return input_shape
        if isinstance(self._output_shape, str):  # 'auto'
            input_shape = tuple(input_shape)
            if input_shape not in self._probed_shapes:
                self._probed_shapes[input_shape] = self._probe_output_shape(input_shape)
            return self._probed_shapes[input_shape]
        if callable(self._output_shape):
            return tuple(self._output_shape(input_shape))
        return self._output_shape

    def _probe_output_shape(self, input_shape):
        def run(size):
            probe = torch.zeros([size if d is None else d for d in input_shape])
            with torch.no_grad():
                return tuple(self.function(probe).shape)
        if None not in input_shape:
            return run(None)
        small, large = run(2), run(3)
        if len(small) != len(large):
            raise ValueError(f"{self.describe()}: output_shape='auto' found outputs of "
                             f"{len(small)} and {len(large)} dimensions for input shape "
                             f"{input_shape}; give output_shape explicitly")
        return tuple(a if a == b else None for a, b in zip(small, large))

    def get_output_for(self, input, **kwargs):
        return self.function(input)


def _freeze(layer, name):
    """Make parameter `name` of `layer` a fixed buffer, keeping its Lasagne name (Lasagne:
    remove its 'trainable' tag)."""
    param = getattr(layer, name)
    delattr(layer, name)
    layer.register_buffer(name, NamedBuffer.of(param.detach(), param.name))
    layer.params[name].discard("trainable")


def standardize(layer, offset, scale, shared_axes="auto"):
    """Subtract a fixed `offset` and divide by a fixed `scale` (arrays, e.g. a training set's
    mean and standard deviation), shared along `shared_axes` as in BiasLayer: a BiasLayer
    holding ``-offset`` and a ScaleLayer holding ``1 / scale``, both not trainable.

    >>> import numpy as np
    >>> out = standardize((None, 3), np.array([1., 2., 3.]), np.array([2., 2., 2.]), 0)
    >>> out(torch.tensor([[3., 2., 1.]]))
    tensor([[ 1.,  0., -1.]])
    """
    layer = BiasLayer(layer, -as_float_tensor(offset), shared_axes)
    _freeze(layer, "b")
    layer = ScaleLayer(layer, 1.0 / as_float_tensor(scale), shared_axes)
    _freeze(layer, "scales")
    return layer


class RandomizedRectifierLayer(NoiseLayer):
    """RandomizedRectifierLayer(incoming, lower=0.3, upper=0.8, shared_axes='auto', name=None)

    RReLU: x for x > 0 and ``slope * x`` otherwise. While training each slope is drawn from
    U(lower, upper), shared along `shared_axes` ('auto': all axes but the channel axis 1, so
    one slope per channel; 'all': a single slope; or a tuple); when deterministic the slope is
    ``(lower + upper) / 2``. The slopes are drawn as the noise layers draw (see
    `sknet.layers.noise`: a seed from ``get_rng()`` at construction).

    >>> layer = RandomizedRectifierLayer((None, 2))
    >>> layer.get_output_for(torch.tensor([[-1.0, 2.0]]), deterministic=True)
    tensor([[-0.5500,  2.0000]])
    """

    def __init__(self, incoming, lower=0.3, upper=0.8, shared_axes="auto", name=None):
        super().__init__(incoming, name)
        if lower > upper:
            raise ValueError("Upper bound for RandomizedRectifierLayer needs to be higher than "
                             f"lower bound; got lower={lower}, upper={upper}")
        self.lower = lower
        self.upper = upper
        self.shared_axes = _shared_axes(shared_axes, len(self.input_shape))

    def get_output_for(self, input, deterministic=False, **kwargs):
        if deterministic or self.upper == self.lower:
            slope = (self.lower + self.upper) / 2.0
        else:
            shape = [1 if axis in self.shared_axes else size
                     for axis, size in enumerate(input.shape)]
            slope = torch.empty(shape, dtype=input.dtype, device=input.device).uniform_(
                self.lower, self.upper, generator=self.generator(input.device))
        return input.clamp(min=0) + slope * input.clamp(max=0)


def rrelu(layer, **kwargs):
    """Replace the nonlinearity of `layer` by a RandomizedRectifierLayer stacked on it; keyword
    arguments go to that layer."""
    return _stack_rectifier(layer, RandomizedRectifierLayer, kwargs)


class InverseLayer(MergeLayer):
    """InverseLayer(incoming, layer, name=None)

    Backpropagates `incoming` through `layer`: the output is the gradient of ``layer``'s
    output with respect to its input, with ``incoming``'s output as the gradient that arrives
    (Theano's ``known_grads``). For a DenseLayer that is the product with the transposed
    weights, for a convolution a transposed convolution, for max-pooling unpooling to the
    maxima; a nonlinearity or bias of `layer` takes part through its derivative. Handy for
    autoencoders with tied weights. The output has the shape of `layer`'s input.

    >>> from sknet.layers import DenseLayer
    >>> hidden = DenseLayer((None, 10), num_units=3)
    >>> InverseLayer(hidden, hidden).output_shape
    (None, 10)
    """

    def __init__(self, incoming, layer, name=None):
        if not hasattr(layer, "input_layer"):
            raise TypeError(f"InverseLayer inverts a layer with one input, got {layer!r}")
        super().__init__([incoming, layer, layer.input_layer or layer.input_shape], name)

    def get_output_shape_for(self, input_shapes):
        return input_shapes[2]

    def get_output_for(self, inputs, **kwargs):
        incoming, layer_output, layer_input = inputs
        keep_graph = torch.is_grad_enabled()
        if keep_graph and layer_input.requires_grad and layer_output.grad_fn is not None:
            # The graph that computed the layer's output is at hand: differentiate it.
            output, wrt = layer_output, layer_input
        else:  # no graph (inference, or input data): recompute the layer from a leaf
            with torch.enable_grad():
                wrt = layer_input.detach().requires_grad_()
                output = self.input_layers[1].get_output_for(wrt, **kwargs)
        with torch.enable_grad():
            (gradient,) = torch.autograd.grad(output, wrt, grad_outputs=incoming,
                                              create_graph=keep_graph)
        return gradient
