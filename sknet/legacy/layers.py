"""Layer classes of Theano-era scripts, run by sknet's layers.

Lasagne's cuDNN (``dnn``), cuda-convnet (``cuda_convnet``) and GEMM (``corrmm``) layers were
GPU-specific spellings of the plain layers. They keep their own defaults here, above all
``flip_filters=False`` (they computed cross-correlations), so that weights trained with them
compute the same function. Lasagne 0.1's old argument names (``ds``, ``strides``,
``border_mode``) are accepted with a warning.
"""
import functools
import inspect

import torch
import torch.nn.functional as F

from .. import init, layers
from ..layers.base import nonlinearity_or_identity, window_misfit
from ..nonlinearities import rectify
from ..utils import as_tuple
from .renames import rename_kwargs, warn_renamed


def accepts_old_names(renames):
    """Class decorator: the constructor also takes the old keyword names in `renames`
    (``{old: new}``), and its signature lists them so NeuralNet's kwarg checks accept them."""
    def decorate(cls):
        base_init = cls.__init__

        @functools.wraps(base_init)
        def __init__(self, *args, **kwargs):
            base_init(self, *args, **rename_kwargs(cls.__name__, kwargs, renames))

        signature = inspect.signature(base_init)
        old = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None)
               for name in renames]
        __init__.__signature__ = signature.replace(
            parameters=list(signature.parameters.values()) + old)
        cls.__init__ = __init__
        cls.old_argument_names = dict(renames)
        return cls
    return decorate


# ----------------------------------------------------------------- Lasagne 0.1's arguments

@accepts_old_names({"strides": "stride", "border_mode": "pad"})
class Conv1DLayer(layers.Conv1DLayer):
    """sknet.layers.Conv1DLayer, also taking Lasagne 0.1's strides, border_mode."""


@accepts_old_names({"strides": "stride", "border_mode": "pad"})
class Conv2DLayer(layers.Conv2DLayer):
    """sknet.layers.Conv2DLayer, also taking Lasagne 0.1's strides, border_mode."""


@accepts_old_names({"ds": "pool_size", "strides": "stride"})
class MaxPool2DLayer(layers.MaxPool2DLayer):
    """sknet.layers.MaxPool2DLayer, also taking Lasagne 0.1's ds, strides."""


@accepts_old_names({"ds": "pool_size"})
class FeaturePoolLayer(layers.FeaturePoolLayer):
    """sknet.layers.FeaturePoolLayer, also taking Lasagne 0.1's ds."""


# -------------------------------------------------------------------- lasagne.layers.dnn

class _CrossCorrelatingConv2DLayer(layers.Conv2DLayer):
    """A Lasagne GPU convolution: a Conv2DLayer that cross-correlates by default
    (``flip_filters=False``); `lasagne_name` is the name the warning gives."""

    lasagne_name = None

    def __init__(self, incoming, num_filters, filter_size, stride=(1, 1), pad=0,
                 untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.0),
                 nonlinearity=rectify, flip_filters=False, num_groups=1, name=None):
        warn_renamed(self.lasagne_name, "sknet.layers.Conv2DLayer(flip_filters=False)")
        super().__init__(incoming, num_filters, filter_size, stride, pad, untie_biases, W, b,
                         nonlinearity, flip_filters, num_groups, name)


@accepts_old_names({"border_mode": "pad"})
class Conv2DDNNLayer(_CrossCorrelatingConv2DLayer):
    """Conv2DDNNLayer(incoming, num_filters, filter_size, stride=(1, 1), pad=0,
    untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.), nonlinearity=rectify,
    flip_filters=False, num_groups=1, name=None)

    Lasagne's cuDNN convolution: a Conv2DLayer that cross-correlates by default."""

    lasagne_name = "lasagne.layers.dnn.Conv2DDNNLayer"


class Conv3DDNNLayer(layers.Conv3DLayer):
    """Conv3DDNNLayer(incoming, num_filters, filter_size, stride=(1, 1, 1), pad=0,
    untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.), nonlinearity=rectify,
    flip_filters=False, num_groups=1, name=None)

    Lasagne's cuDNN 3-D convolution: a Conv3DLayer that cross-correlates by default."""

    def __init__(self, incoming, num_filters, filter_size, stride=(1, 1, 1), pad=0,
                 untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.0),
                 nonlinearity=rectify, flip_filters=False, num_groups=1, name=None):
        warn_renamed("lasagne.layers.dnn.Conv3DDNNLayer",
                     "sknet.layers.Conv3DLayer(flip_filters=False)")
        super().__init__(incoming, num_filters, filter_size, stride, pad, untie_biases, W, b,
                         nonlinearity, flip_filters, num_groups, name)


class Pool2DDNNLayer(layers.Pool2DLayer):
    """Pool2DDNNLayer(incoming, pool_size, stride=None, pad=(0, 0), ignore_border=True,
    mode='max', name=None): Lasagne's cuDNN pooling, as Pool2DLayer."""

    def __init__(self, incoming, pool_size, stride=None, pad=(0, 0), ignore_border=True,
                 mode="max", name=None):
        warn_renamed(f"lasagne.layers.dnn.{type(self).__name__}",
                     f"sknet.layers.{type(self).__name__.replace('DNN', '')}")
        super().__init__(incoming, pool_size, stride, pad, ignore_border, mode, name)


class MaxPool2DDNNLayer(Pool2DDNNLayer):
    """MaxPool2DDNNLayer(incoming, pool_size, stride=None, pad=(0, 0), ignore_border=True,
    name=None): Lasagne's cuDNN max-pooling, as MaxPool2DLayer."""

    def __init__(self, incoming, pool_size, stride=None, pad=(0, 0), ignore_border=True,
                 name=None):
        super().__init__(incoming, pool_size, stride, pad, ignore_border, "max", name)


class Pool3DDNNLayer(layers.Pool3DLayer):
    """Pool3DDNNLayer(incoming, pool_size, stride=None, pad=(0, 0, 0), ignore_border=True,
    mode='max', name=None): Lasagne's cuDNN 3-D pooling, as Pool3DLayer."""

    def __init__(self, incoming, pool_size, stride=None, pad=(0, 0, 0), ignore_border=True,
                 mode="max", name=None):
        warn_renamed(f"lasagne.layers.dnn.{type(self).__name__}",
                     f"sknet.layers.{type(self).__name__.replace('DNN', '')}")
        super().__init__(incoming, pool_size, stride, pad, ignore_border, mode, name)


class MaxPool3DDNNLayer(Pool3DDNNLayer):
    """MaxPool3DDNNLayer(incoming, pool_size, stride=None, pad=(0, 0, 0),
    ignore_border=True, name=None): Lasagne's cuDNN 3-D max-pooling, as MaxPool3DLayer."""

    def __init__(self, incoming, pool_size, stride=None, pad=(0, 0, 0), ignore_border=True,
                 name=None):
        super().__init__(incoming, pool_size, stride, pad, ignore_border, "max", name)


class BatchNormDNNLayer(layers.BatchNormLayer):
    """Lasagne's cuDNN batch normalization, as BatchNormLayer (same arguments)."""

    def __init__(self, *args, **kwargs):
        warn_renamed("lasagne.layers.dnn.BatchNormDNNLayer", "sknet.layers.BatchNormLayer")
        super().__init__(*args, **kwargs)


def batch_norm_dnn(layer, **kwargs):
    """Lasagne's ``batch_norm_dnn``: `sknet.layers.batch_norm` with a BatchNormDNNLayer."""
    warn_renamed("lasagne.layers.dnn.batch_norm_dnn", "sknet.layers.batch_norm")
    return layers.batch_norm(layer, **kwargs)


# ------------------------------------------------------------ lasagne.layers.cuda_convnet

def _bc01(shape):
    """A c01b (channels, rows, columns, batch) shape in the bc01 order."""
    return (shape[3],) + tuple(shape[:3])


def _c01b(shape):
    return tuple(shape[1:]) + (shape[0],)


class _C01BMixin:
    """cuda-convnet's ``dimshuffle=False``: the layer takes and gives c01b tensors and computes
    as its bc01 base class in between."""

    input_is_c01b = False

    def get_output_shape_for(self, input_shape):
        if not self.input_is_c01b:
            return super().get_output_shape_for(input_shape)
        return _c01b(super().get_output_shape_for(_bc01(input_shape)))

    def get_output_for(self, input, **kwargs):
        if not self.input_is_c01b:
            return super().get_output_for(input, **kwargs)
        return super().get_output_for(input.permute(3, 0, 1, 2), **kwargs).permute(1, 2, 3, 0)

    def empty_output_reason(self):
        return window_misfit(self.window_kind, self.window_size(), self.stride, self.pad,
                             _bc01(self.input_shape) if self.input_is_c01b else self.input_shape)


@accepts_old_names({"border_mode": "pad"})
class Conv2DCCLayer(_C01BMixin, layers.Conv2DLayer):
    """Conv2DCCLayer(incoming, num_filters, filter_size, stride=(1, 1), pad=0,
    untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.), nonlinearity=rectify,
    dimshuffle=True, flip_filters=False, partial_sum=1, name=None)

    cuda-convnet's convolution: a Conv2DLayer that cross-correlates by default. cuda-convnet's
    restrictions (square filters, num_filters a multiple of 16) do not apply; `partial_sum`
    (a speed setting) is ignored. ``dimshuffle=False`` takes and gives c01b tensors
    (channels, rows, columns, batch) with ``W.shape == (channels, rows, cols, num_filters)``,
    as cuda-convnet did."""

    window_kind = "filter"

    def __init__(self, incoming, num_filters, filter_size, stride=(1, 1), pad=0,
                 untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.0),
                 nonlinearity=rectify, dimshuffle=True, flip_filters=False, partial_sum=1,
                 name=None):
        warn_renamed("lasagne.layers.cuda_convnet.Conv2DCCLayer",
                     "sknet.layers.Conv2DLayer(flip_filters=False)")
        self.dimshuffle = dimshuffle
        c01b_incoming = incoming
        if not dimshuffle:  # check and create the parameters on the bc01 view of the input
            incoming = _bc01(getattr(incoming, "output_shape", incoming))
        super().__init__(incoming, num_filters, filter_size, stride, pad, untie_biases, W, b,
                         nonlinearity, flip_filters, name=name)
        if not dimshuffle:
            is_shape = isinstance(c01b_incoming, (tuple, list))
            self._set_incoming(None if is_shape else c01b_incoming)
            self.input_shape = tuple(getattr(c01b_incoming, "output_shape", c01b_incoming))
            self.input_is_c01b = True
        self.partial_sum = partial_sum

    def window_size(self):
        return self.filter_size

    def get_W_shape(self):
        shape = super().get_W_shape()
        return shape if self.dimshuffle else shape[1:] + shape[:1]

    def convolve(self, input, bias=None):
        if self.dimshuffle:
            return super().convolve(input, bias)
        W = self.W.permute(3, 0, 1, 2)  # c01b filters to bc01
        W = W.flip([2, 3]) if self.flip_filters else W
        return F.conv2d(input, W, bias, stride=self.stride, padding=self.padding())


@accepts_old_names({"ds": "pool_size"})
class MaxPool2DCCLayer(_C01BMixin, layers.MaxPool2DLayer):
    """MaxPool2DCCLayer(incoming, pool_size, stride=None, ignore_border=False,
    dimshuffle=True, name=None)

    cuda-convnet's max-pooling: a MaxPool2DLayer that keeps partial border windows by
    default (cuda-convnet never ignored them). A `pad` other than 0 is refused, as Lasagne
    did; ``dimshuffle=False`` takes and gives c01b tensors."""

    window_kind = "pool"

    def __init__(self, incoming, pool_size, stride=None, ignore_border=False, dimshuffle=True,
                 name=None, pad=0):
        if as_tuple(pad, 2, "pad") != (0, 0):
            raise NotImplementedError("MaxPool2DCCLayer does not support padding")
        warn_renamed("lasagne.layers.cuda_convnet.MaxPool2DCCLayer",
                     "sknet.layers.MaxPool2DLayer(ignore_border=False)")
        self.dimshuffle = dimshuffle
        self.input_is_c01b = not dimshuffle
        super().__init__(incoming, pool_size, stride, 0, ignore_border, name)

    def window_size(self):
        return self.pool_size


class ShuffleBC01ToC01BLayer(layers.DimshuffleLayer):
    """ShuffleBC01ToC01BLayer(incoming, name=None): bc01 (batch first) to cuda-convnet's c01b
    (batch last) axis order; also called ``bc01_to_c01b``."""

    def __init__(self, incoming, name=None):
        super().__init__(incoming, (1, 2, 3, 0), name)


class ShuffleC01BToBC01Layer(layers.DimshuffleLayer):
    """ShuffleC01BToBC01Layer(incoming, name=None): c01b (batch last) to bc01 (batch first);
    also called ``c01b_to_bc01``."""

    def __init__(self, incoming, name=None):
        super().__init__(incoming, (3, 0, 1, 2), name)


bc01_to_c01b = ShuffleBC01ToC01BLayer
c01b_to_bc01 = ShuffleC01BToBC01Layer


class NINLayer_c01b(layers.Layer):
    """NINLayer_c01b(incoming, num_units, untie_biases=False, W=init.GlorotUniform(),
    b=init.Constant(0.), nonlinearity=rectify, name=None)

    NINLayer for c01b inputs: mixes the channels (axis 0) at every position, with
    ``W.shape == (num_units, num_input_channels)`` (the transpose of NINLayer's) and, with
    `untie_biases`, ``b.shape == (num_units, rows, cols)``."""

    def __init__(self, incoming, num_units, untie_biases=False, W=init.GlorotUniform(),
                 b=init.Constant(0.0), nonlinearity=rectify, name=None):
        super().__init__(incoming, name)
        self.nonlinearity = nonlinearity_or_identity(nonlinearity, self.describe())
        self.num_units = num_units
        self.untie_biases = untie_biases
        self.W = self.add_param(W, (num_units, self.input_shape[0]), name="W")
        if b is None:
            self.b = None
        else:
            shape = (num_units,) + tuple(self.input_shape[1:-1]) if untie_biases else (num_units,)
            self.b = self.add_param(b, shape, name="b", regularizable=False)

    def get_output_shape_for(self, input_shape):
        return (self.num_units,) + tuple(input_shape[1:])

    def get_output_for(self, input, **kwargs):
        activation = torch.tensordot(self.W, input, dims=([1], [0]))
        if self.b is not None:
            bias = self.b.unsqueeze(-1) if self.untie_biases else self.b.view(
                (-1,) + (1,) * (input.dim() - 1))
            activation = activation + bias
        return self.nonlinearity(activation)


# ------------------------------------------------------------------ lasagne.layers.corrmm

@accepts_old_names({"border_mode": "pad"})
class Conv2DMMLayer(_CrossCorrelatingConv2DLayer):
    """Conv2DMMLayer(incoming, num_filters, filter_size, stride=(1, 1), pad=0,
    untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.), nonlinearity=rectify,
    flip_filters=False, num_groups=1, name=None)

    Lasagne's GEMM convolution: a Conv2DLayer that cross-correlates by default."""

    lasagne_name = "lasagne.layers.corrmm.Conv2DMMLayer"
