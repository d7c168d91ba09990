"""Layer classes of Theano-era scripts, run by sknet's layers.

Lasagne's cuDNN (``dnn``), cuda-convnet (``cuda_convnet``) and GEMM (``corrmm``) layers were
GPU-specific spellings of the plain layers. They keep their own defaults here, above all
``flip_filters=False`` (they computed cross-correlations), so that weights trained with them
compute the same function. Lasagne 0.1's old argument names (``ds``, ``strides``,
``border_mode``) are accepted with a warning.
"""
import functools
import inspect

from .. import init, layers
from ..nonlinearities import rectify
from .renames import not_supported, rename_kwargs, warn_renamed


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

@accepts_old_names({"border_mode": "pad"})
class Conv2DCCLayer(layers.Conv2DLayer):
    """Conv2DCCLayer(incoming, num_filters, filter_size, stride=(1, 1), pad=0,
    untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.), nonlinearity=rectify,
    dimshuffle=True, flip_filters=False, partial_sum=1, name=None)

    cuda-convnet's convolution: a Conv2DLayer that cross-correlates by default. cuda-convnet's
    restrictions (square filters, num_filters a multiple of 16) do not apply; `partial_sum`
    (a speed setting) is ignored; ``dimshuffle=False`` (c01b axis order) is not supported."""

    def __init__(self, incoming, num_filters, filter_size, stride=(1, 1), pad=0,
                 untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.0),
                 nonlinearity=rectify, dimshuffle=True, flip_filters=False, partial_sum=1,
                 name=None):
        if not dimshuffle:
            raise not_supported("Conv2DCCLayer(dimshuffle=False)",
                                "sknet's layers take the bc01 axis order only")
        warn_renamed("lasagne.layers.cuda_convnet.Conv2DCCLayer",
                     "sknet.layers.Conv2DLayer(flip_filters=False)")
        super().__init__(incoming, num_filters, filter_size, stride, pad, untie_biases, W, b,
                         nonlinearity, flip_filters, name=name)
        self.dimshuffle = dimshuffle
        self.partial_sum = partial_sum


@accepts_old_names({"ds": "pool_size"})
class MaxPool2DCCLayer(layers.MaxPool2DLayer):
    """MaxPool2DCCLayer(incoming, pool_size, stride=None, ignore_border=False,
    dimshuffle=True, name=None)

    cuda-convnet's max-pooling: a MaxPool2DLayer that keeps partial border windows by
    default (cuda-convnet never ignored them)."""

    def __init__(self, incoming, pool_size, stride=None, ignore_border=False, dimshuffle=True,
                 name=None):
        if not dimshuffle:
            raise not_supported("MaxPool2DCCLayer(dimshuffle=False)",
                                "sknet's layers take the bc01 axis order only")
        warn_renamed("lasagne.layers.cuda_convnet.MaxPool2DCCLayer",
                     "sknet.layers.MaxPool2DLayer(ignore_border=False)")
        super().__init__(incoming, pool_size, stride, 0, ignore_border, name)
        self.dimshuffle = dimshuffle


# ------------------------------------------------------------------ lasagne.layers.corrmm

@accepts_old_names({"border_mode": "pad"})
class Conv2DMMLayer(_CrossCorrelatingConv2DLayer):
    """Conv2DMMLayer(incoming, num_filters, filter_size, stride=(1, 1), pad=0,
    untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.), nonlinearity=rectify,
    flip_filters=False, num_groups=1, name=None)

    Lasagne's GEMM convolution: a Conv2DLayer that cross-correlates by default."""

    lasagne_name = "lasagne.layers.corrmm.Conv2DMMLayer"
