"""Normalization layers: batch normalization, standardization (instance and layer
normalization) and local response normalization."""
import torch
import torch.nn.functional as F

from .. import init
from ..nonlinearities import identity
from .base import Layer
from .special import BiasLayer, NonlinearityLayer, ScaleLayer


class BatchNormLayer(Layer):
    """BatchNormLayer(incoming, axes='auto', epsilon=1e-4, alpha=0.1, beta=init.Constant(0),
    gamma=init.Constant(1), mean=init.Constant(0), inv_std=init.Constant(1), name=None)

    Batch normalization as Lasagne computes it: ``(x - mean) * gamma * inv_std + beta`` with
    ``inv_std = 1 / sqrt(var + epsilon)``. While training it uses the batch statistics over
    `axes` ('auto': all but the channel axis 1) and updates the running averages
    ``mean = (1 - alpha) * mean + alpha * batch_mean`` and likewise for ``inv_std`` (Lasagne
    averages the inverse standard deviation, not the variance); when deterministic it uses the
    running averages. ``beta=None`` or ``gamma=None`` leaves that parameter out.

    >>> layer = BatchNormLayer((None, 16, 8, 8))
    >>> layer.output_shape, tuple(layer.mean.shape), layer.epsilon, layer.alpha
    ((None, 16, 8, 8), (16,), 0.0001, 0.1)
    """

    def __init__(self, incoming, axes="auto", epsilon=1e-4, alpha=0.1, beta=init.Constant(0.0),
                 gamma=init.Constant(1.0), mean=init.Constant(0.0), inv_std=init.Constant(1.0),
                 name=None):
        super().__init__(incoming, name)
        ndim = len(self.input_shape)
        if axes == "auto":
            axes = (0,) + tuple(range(2, ndim))
        elif isinstance(axes, int):
            axes = (axes,)
        self.axes = tuple(a % ndim for a in axes)
        self.epsilon = epsilon
        self.alpha = alpha
        shape = tuple(size for axis, size in enumerate(self.input_shape) if axis not in self.axes)
        if any(size is None for size in shape):
            raise ValueError(f"{self.describe()} needs fixed sizes on the axes it does not "
                             f"normalize over; got input shape {self.input_shape}, axes "
                             f"{self.axes}")
        self.beta = None if beta is None else self.add_param(
            beta, shape, "beta", trainable=True, regularizable=False)
        self.gamma = None if gamma is None else self.add_param(
            gamma, shape, "gamma", trainable=True, regularizable=True)
        # Lasagne tags the running statistics batch_norm_stat, for get_all_params(...) filters
        self.mean = self.add_param(mean, shape, "mean", trainable=False, regularizable=False,
                                   batch_norm_stat=True)
        self.inv_std = self.add_param(inv_std, shape, "inv_std", trainable=False,
                                      regularizable=False, batch_norm_stat=True)

    def _broadcast(self, param, ndim):
        """View a parameter so that it broadcasts over the normalized axes."""
        shape = [1 if axis in self.axes else -1 for axis in range(ndim)]
        return param.view(shape) if len(self.axes) < ndim else param

    def get_output_for(self, input, deterministic=False, batch_norm_use_averages=None,
                       batch_norm_update_averages=None, **kwargs):
        use_averages = deterministic if batch_norm_use_averages is None else batch_norm_use_averages
        update_averages = (not deterministic if batch_norm_update_averages is None
                           else batch_norm_update_averages)
        per_channel = input.numel() // input.shape[1] if input.dim() > 1 else 0
        channel_axes = self.axes == (0,) + tuple(range(2, input.dim()))
        if channel_axes and use_averages and not update_averages:
            # (x - mean) * inv_std as torch's fused kernel: var + epsilon = 1 / inv_std**2
            variance = self.inv_std.pow(-2) - self.epsilon
            return F.batch_norm(input, self.mean, variance, self.gamma, self.beta,
                                training=False, eps=self.epsilon)
        if channel_axes and not use_averages and per_channel > 1:
            return self._fused_batch_statistics(input, update_averages, per_channel)
        if update_averages or not use_averages:
            batch_var, batch_mean = torch.var_mean(input, self.axes, unbiased=False)
            batch_inv_std = torch.rsqrt(batch_var + self.epsilon)
        if update_averages:
            with torch.no_grad():
                self.mean.lerp_(batch_mean, self.alpha)
                self.inv_std.lerp_(batch_inv_std, self.alpha)
        mean, inv_std = ((self.mean, self.inv_std) if use_averages
                         else (batch_mean, batch_inv_std))
        ndim = input.dim()
        scale = self._broadcast(inv_std, ndim)
        if self.gamma is not None:
            scale = scale * self._broadcast(self.gamma, ndim)
        output = (input - self._broadcast(mean, ndim)) * scale
        if self.beta is not None:
            output = output + self._broadcast(self.beta, ndim)
        return output


    def _fused_batch_statistics(self, input, update_averages, per_channel):
        """Normalize with batch statistics over all axes but the channels in torch's fused
        kernel, which computes the same (x - mean) / sqrt(var + epsilon) * gamma + beta and,
        into scratch buffers, the batch mean and unbiased variance for Lasagne's averages."""
        batch_mean, batch_var = torch.zeros_like(self.mean), torch.ones_like(self.inv_std)
        output = F.batch_norm(input, batch_mean, batch_var, self.gamma, self.beta,
                              training=True, momentum=1.0, eps=self.epsilon)
        if update_averages:
            with torch.no_grad():
                biased_var = batch_var * ((per_channel - 1) / per_channel)
                self.mean.lerp_(batch_mean, self.alpha)
                self.inv_std.lerp_(torch.rsqrt(biased_var + self.epsilon), self.alpha)
        return output


def batch_norm(layer, **kwargs):
    """Add batch normalization to `layer` the Lasagne way: remove its bias (now redundant) and
    nonlinearity, stack a BatchNormLayer on it, then the nonlinearity again. Keyword arguments
    go to the BatchNormLayer; it is named ``<layer name>_bn`` unless `name` is given.

    >>> from sknet.layers import DenseLayer
    >>> out = batch_norm(DenseLayer((None, 10), 5, name='hidden'))
    >>> [type(l).__name__ for l in (out, out.input_layer, out.input_layer.input_layer)]
    ['NonlinearityLayer', 'BatchNormLayer', 'DenseLayer']
    >>> out.input_layer.input_layer.b is None
    True
    """
    nonlinearity = getattr(layer, "nonlinearity", None)
    if nonlinearity is not None:
        layer.nonlinearity = identity
    if getattr(layer, "b", None) is not None:
        layer.remove_param("b")
    bn_name = kwargs.pop("name", None) or (layer.name and layer.name + "_bn")
    layer = BatchNormLayer(layer, name=bn_name, **kwargs)
    if nonlinearity is not None and nonlinearity is not identity:
        layer = NonlinearityLayer(layer, nonlinearity, name=bn_name and bn_name + "_nonlin")
    return layer


class LocalResponseNormalization2DLayer(Layer):
    """LocalResponseNormalization2DLayer(incoming, alpha=1e-4, k=2, beta=0.75, n=5, name=None)

    Cross-channel normalization (AlexNet): ``x / (k + alpha * sum of x**2 over the n
    neighbouring channels) ** beta``. Note alpha multiplies the sum (not the mean, as torch's
    LocalResponseNorm does). `n` must be odd.

    >>> LocalResponseNormalization2DLayer((None, 16, 8, 8)).output_shape
    (None, 16, 8, 8)
    """

    def __init__(self, incoming, alpha=1e-4, k=2, beta=0.75, n=5, name=None):
        super().__init__(incoming, name)
        if len(self.input_shape) != 4:
            raise ValueError(f"{self.describe()} expects 4-dimensional input, got "
                             f"{self.input_shape}")
        if n % 2 == 0:
            raise NotImplementedError(f"{self.describe()}: n must be odd, got n={n}")
        self.alpha, self.k, self.beta, self.n = alpha, k, beta, n

    def get_output_for(self, input, **kwargs):
        return F.local_response_norm(input, self.n, alpha=self.alpha * self.n, beta=self.beta,
                                     k=self.k)


class StandardizationLayer(Layer):
    """StandardizationLayer(incoming, axes='auto', epsilon=1e-4, name=None)

    Standardizes each example on its own, in training and evaluation alike:
    ``(x - mean) / sqrt(var + epsilon)`` with the statistics taken over `axes`: 'auto' (the
    last axis of 2-D inputs, the spatial axes otherwise), 'spatial' (all axes after the second),
    'features' (all axes after the first), an int or a tuple of ints. The building block of
    `instance_norm` and `layer_norm`.

    >>> layer = StandardizationLayer((None, 16, 8, 8))
    >>> layer.output_shape, layer.axes, StandardizationLayer((None, 10)).axes
    ((None, 16, 8, 8), (2, 3), (1,))
    """

    def __init__(self, incoming, axes="auto", epsilon=1e-4, name=None):
        super().__init__(incoming, name)
        ndim = len(self.input_shape)
        if axes == "auto":
            axes = (1,) if ndim == 2 else tuple(range(2, ndim))
        elif axes == "spatial":
            axes = tuple(range(2, ndim))
        elif axes == "features":
            axes = tuple(range(1, ndim))
        elif isinstance(axes, int):
            axes = (axes,)
        self.axes = tuple(axes)
        if not self.axes or any(not -ndim <= a < ndim for a in self.axes):
            raise ValueError(f"{self.describe()}: axes must name axes of the {ndim}-dimensional "
                             f"input {self.input_shape}, got {self.axes}")
        self.epsilon = epsilon

    def get_output_for(self, input, **kwargs):
        var, mean = torch.var_mean(input, self.axes, unbiased=False, keepdim=True)
        return (input - mean) * torch.rsqrt(var + self.epsilon)


def _standardize_before_nonlinearity(layer, axes, name, learn_scale, learn_bias, **kwargs):
    """Lasagne's recipe of `instance_norm` and `layer_norm`: take the layer's nonlinearity and
    bias away, standardize over `axes`, optionally scale and shift per channel, then apply the
    nonlinearity again. The new layers are named `name`, `name`_scale, _bias and _nonlin."""
    nonlinearity = getattr(layer, "nonlinearity", None)
    if nonlinearity is not None:
        layer.nonlinearity = identity
    if getattr(layer, "b", None) is not None:
        layer.remove_param("b")
    layer = StandardizationLayer(layer, axes=axes, name=name, **kwargs)
    if learn_scale:
        layer = ScaleLayer(layer, shared_axes="auto", name=name and name + "_scale")
    if learn_bias:
        layer = BiasLayer(layer, shared_axes="auto", name=name and name + "_bias")
    if nonlinearity is not None:
        layer = NonlinearityLayer(layer, nonlinearity, name=name and name + "_nonlin")
    return layer


def instance_norm(layer, learn_scale=True, learn_bias=True, **kwargs):
    """Add instance normalization to `layer` the Lasagne way: standardize each feature map of
    each example (a StandardizationLayer over the spatial axes), then a learned scale and
    shift per channel (unless `learn_scale` / `learn_bias` is False), then the layer's
    nonlinearity; the layer loses its bias and nonlinearity. Keyword arguments go to the
    StandardizationLayer, named ``<layer name>_in`` unless `name` is given.

    >>> from sknet.layers import Conv2DLayer, get_all_layers
    >>> out = instance_norm(Conv2DLayer((None, 3, 28, 28), 64, 3))
    >>> [type(l).__name__ for l in get_all_layers(out)]
    ['Conv2DLayer', 'StandardizationLayer', 'ScaleLayer', 'BiasLayer', 'NonlinearityLayer']
    """
    name = kwargs.pop("name", None) or (layer.name and layer.name + "_in")
    return _standardize_before_nonlinearity(layer, "spatial", name, learn_scale, learn_bias,
                                            **kwargs)


def layer_norm(layer, **kwargs):
    """Add layer normalization to `layer` the Lasagne way: standardize each example over all
    its features and positions, then a learned scale and shift per channel, then the layer's
    nonlinearity; the layer loses its bias and nonlinearity. Keyword arguments go to the
    StandardizationLayer, named ``<layer name>_ln`` unless `name` is given.

    >>> from sknet.layers import DenseLayer, get_all_layers
    >>> out = layer_norm(DenseLayer((None, 28), 64, name='hidden'))
    >>> [l.name for l in get_all_layers(out)]
    ['hidden', 'hidden_ln', 'hidden_ln_scale', 'hidden_ln_bias', 'hidden_ln_nonlin']
    """
    name = kwargs.pop("name", None) or (layer.name and layer.name + "_ln")
    return _standardize_before_nonlinearity(layer, "features", name, True, True, **kwargs)
