"""Convolution layers with Lasagne's weight layouts, padding modes and ``flip_filters``."""
import torch.nn.functional as F

from .. import init
from ..nonlinearities import rectify
from ..utils import as_tuple
from .base import Layer, nonlinearity_or_identity, window_misfit

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_TRANSPOSE = {2: F.conv_transpose2d, 3: F.conv_transpose3d}


def conv_output_length(input_length, filter_size, stride, pad=0):
    """Output length of a convolution along one axis; `pad` is an int, 'valid', 'full' or
    'same'. None (unknown) stays None.

    >>> conv_output_length(28, 5, 1, 'valid'), conv_output_length(28, 5, 1, 'full')
    (24, 32)
    >>> conv_output_length(28, 5, 2, 'same')
    14
    """
    if input_length is None:
        return None
    if pad == "valid":
        length = input_length - filter_size + 1
    elif pad == "full":
        length = input_length + filter_size - 1
    elif pad == "same":
        length = input_length
    elif isinstance(pad, int):
        length = input_length + 2 * pad - filter_size + 1
    else:
        raise ValueError(f"invalid pad {pad!r}: expected an int, 'valid', 'full' or 'same'")
    return (length + stride - 1) // stride  # ceil(length / stride)


def conv_input_length(output_length, filter_size, stride, pad=0):
    """The input length a convolution maps to `output_length` (the shape rule of a transposed
    convolution); `pad` as in `conv_output_length`.

    >>> conv_input_length(12, 5, 2)
    27
    """
    if output_length is None:
        return None
    pad = _pad_amount(pad, filter_size)
    return (output_length - 1) * stride - 2 * pad + filter_size


def _pad_amount(pad, filter_size):
    """The zeros added on each side for a pad mode."""
    if pad == "valid":
        return 0
    if pad == "full":
        return filter_size - 1
    if pad == "same":
        return filter_size // 2
    return pad


class BaseConvLayer(Layer):
    """BaseConvLayer(incoming, num_filters, filter_size, stride=1, pad=0, untie_biases=False,
    W=init.GlorotUniform(), b=init.Constant(0.), nonlinearity=nonlinearities.rectify,
    flip_filters=True, n=None, num_groups=1, name=None)

    The shared part of the n-dimensional convolutions. `pad` is an int or n ints, ``'valid'``
    (0), ``'full'`` (filter_size - 1) or ``'same'`` (filter_size // 2, odd filters only).
    ``flip_filters=True`` performs a true convolution (filters flipped, as Theano did and as
    Theano-era weights assume); False a cross-correlation. `untie_biases` gives one bias per
    output position. ``W.shape == (num_filters, num_input_channels // num_groups) + filter_size``.
    """

    def __init__(self, incoming, num_filters, filter_size, stride=1, pad=0, untie_biases=False,
                 W=init.GlorotUniform(), b=init.Constant(0.0), nonlinearity=rectify,
                 flip_filters=True, n=None, num_groups=1, name=None):
        super().__init__(incoming, name)
        if n is None:
            n = len(self.input_shape) - 2
        elif len(self.input_shape) != n + 2:
            raise ValueError(
                f"{self.describe()}: Tried to create a {n}D convolution layer with input shape "
                f"{self.input_shape}. Expected {n + 2} input dimensions (batchsize, channels, "
                f"{n} spatial dimensions).")
        self.n = n
        self.nonlinearity = nonlinearity_or_identity(nonlinearity, self.describe())
        self.num_filters = num_filters
        self.filter_size = as_tuple(filter_size, n, "filter_size")
        self.stride = as_tuple(stride, n, "stride")
        self.flip_filters = flip_filters
        self.untie_biases = untie_biases
        self.num_groups = num_groups
        if isinstance(pad, str) and pad not in ("valid", "full", "same"):
            raise ValueError(f"{self.describe()}: pad must be an int, {n} ints, 'valid', 'full' "
                             f"or 'same', got {pad!r}")
        if pad == "same" and any(s % 2 == 0 for s in self.filter_size):
            raise NotImplementedError(
                f"{self.describe()}: pad='same' needs odd filter sizes, got {self.filter_size}")
        if pad in ("full", "same"):
            self.pad = pad
        else:
            self.pad = as_tuple(0 if pad == "valid" else pad, n, "pad")
        channels = self.input_shape[1]
        if channels is None:
            raise ValueError(f"{self.describe()} needs a known number of input channels, got "
                             f"input shape {self.input_shape}")
        if num_groups < 1 or channels % num_groups or num_filters % num_groups:
            raise ValueError(
                f"{self.describe()}: num_groups={num_groups} must divide both the input "
                f"channels ({channels}) and num_filters ({num_filters})")
        self.W = self.add_param(W, self.get_W_shape(), name="W")
        if b is None:
            self.b = None
        else:
            if untie_biases:
                self.check_output_shape()
                b_shape = (num_filters,) + tuple(self.output_shape[2:])
            else:
                b_shape = (num_filters,)
            self.b = self.add_param(b, b_shape, name="b", regularizable=False)

    def get_W_shape(self):
        return (self.num_filters, self.input_shape[1] // self.num_groups) + self.filter_size

    def empty_output_reason(self):
        return window_misfit("filter", self.filter_size, self.stride, self.pad,
                             self.input_shape)

    def pads(self):
        """The pad mode or amount of each spatial axis."""
        return (self.pad,) * self.n if isinstance(self.pad, str) else self.pad

    def padding(self):
        """Zeros added on each side of each spatial axis."""
        return tuple(_pad_amount(p, f) for p, f in zip(self.pads(), self.filter_size))

    def get_output_shape_for(self, input_shape):
        spatial = tuple(conv_output_length(length, f, s, p) for length, f, s, p
                        in zip(input_shape[2:], self.filter_size, self.stride, self.pads()))
        return (input_shape[0], self.num_filters) + spatial

    def convolve(self, input, bias=None):
        W = self.W.flip(list(range(2, 2 + self.n))) if self.flip_filters else self.W
        return _CONV[self.n](input, W, bias, stride=self.stride, padding=self.padding(),
                             groups=self.num_groups)

    def get_preactivation_for(self, input):
        """The convolution plus bias, before the nonlinearity."""
        if self.b is None or self.untie_biases:
            activation = self.convolve(input)
            return activation if self.b is None else activation + self.b
        return self.convolve(input, self.b)  # a shared bias is added inside torch's kernel

    def get_output_for(self, input, **kwargs):
        return self.nonlinearity(self.get_preactivation_for(input))


class Conv1DLayer(BaseConvLayer):
    """Conv1DLayer(incoming, num_filters, filter_size, stride=1, pad=0, untie_biases=False,
    W=init.GlorotUniform(), b=init.Constant(0.), nonlinearity=nonlinearities.rectify,
    flip_filters=True, num_groups=1, name=None)

    1-D convolution over inputs shaped (batch, channels, length); see `BaseConvLayer`.

    >>> Conv1DLayer((None, 3, 100), num_filters=8, filter_size=5).output_shape
    (None, 8, 96)
    """

    def __init__(self, incoming, num_filters, filter_size, stride=1, pad=0, untie_biases=False,
                 W=init.GlorotUniform(), b=init.Constant(0.0), nonlinearity=rectify,
                 flip_filters=True, num_groups=1, name=None):
        super().__init__(incoming, num_filters, filter_size, stride, pad, untie_biases, W, b,
                         nonlinearity, flip_filters, 1, num_groups, name)


class Conv2DLayer(BaseConvLayer):
    """Conv2DLayer(incoming, num_filters, filter_size, stride=(1, 1), pad=0,
    untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.),
    nonlinearity=nonlinearities.rectify, flip_filters=True, num_groups=1, name=None)

    2-D convolution over inputs shaped (batch, channels, rows, columns); see `BaseConvLayer`.

    >>> layer = Conv2DLayer((None, 1, 28, 28), num_filters=20, filter_size=(5, 5))
    >>> layer.output_shape, tuple(layer.W.shape)
    ((None, 20, 24, 24), (20, 1, 5, 5))
    """

    def __init__(self, incoming, num_filters, filter_size, stride=(1, 1), pad=0,
                 untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.0),
                 nonlinearity=rectify, flip_filters=True, num_groups=1, name=None):
        super().__init__(incoming, num_filters, filter_size, stride, pad, untie_biases, W, b,
                         nonlinearity, flip_filters, 2, num_groups, name)


class Conv3DLayer(BaseConvLayer):
    """Conv3DLayer(incoming, num_filters, filter_size, stride=(1, 1, 1), pad=0,
    untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.),
    nonlinearity=nonlinearities.rectify, flip_filters=True, num_groups=1, name=None)

    3-D convolution over inputs shaped (batch, channels, depth, rows, columns).

    >>> Conv3DLayer((None, 1, 10, 10, 10), num_filters=4, filter_size=3, pad='same').output_shape
    (None, 4, 10, 10, 10)
    """

    def __init__(self, incoming, num_filters, filter_size, stride=(1, 1, 1), pad=0,
                 untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.0),
                 nonlinearity=rectify, flip_filters=True, num_groups=1, name=None):
        super().__init__(incoming, num_filters, filter_size, stride, pad, untie_biases, W, b,
                         nonlinearity, flip_filters, 3, num_groups, name)


class _TransposedConvLayer(BaseConvLayer):
    """The shared part of the n-dimensional transposed convolutions."""

    def __init__(self, incoming, num_filters, filter_size, stride, crop, untie_biases, W, b,
                 nonlinearity, flip_filters, output_size, n, name):
        self.crop = crop
        self.output_size = None if output_size is None else as_tuple(output_size, n,
                                                                    "output_size")
        super().__init__(incoming, num_filters, filter_size, stride, crop, untie_biases, W, b,
                         nonlinearity, flip_filters, n, 1, name)

    def get_W_shape(self):
        return (self.input_shape[1], self.num_filters) + self.filter_size

    def _default_size(self, input_shape):
        return tuple(conv_input_length(length, f, s, p) for length, f, s, p
                     in zip(input_shape[2:], self.filter_size, self.stride, self.pads()))

    def get_output_shape_for(self, input_shape):
        size = self.output_size or self._default_size(input_shape)
        return (input_shape[0], self.num_filters) + tuple(size)

    def convolve(self, input, bias=None):
        default = self._default_size(tuple(input.shape))
        target = self.output_size or default
        extra = tuple(t - d for t, d in zip(target, default))
        if any(e < 0 or e >= s for e, s in zip(extra, self.stride)):
            raise ValueError(f"{self.describe()}: output_size {target} cannot come from input "
                             f"shape {tuple(input.shape)} (default size {default})")
        # conv_transpose scatters the filters, i.e. convolves: unflipped filters need a flip.
        W = self.W if self.flip_filters else self.W.flip(list(range(2, 2 + self.n)))
        return _CONV_TRANSPOSE[self.n](input, W, bias, stride=self.stride,
                                       padding=self.padding(), output_padding=extra)


class TransposedConv2DLayer(_TransposedConvLayer):
    """TransposedConv2DLayer(incoming, num_filters, filter_size, stride=(1, 1), crop=0,
    untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.),
    nonlinearity=nonlinearities.rectify, flip_filters=False, output_size=None, name=None)

    The transpose of a Conv2DLayer (also called deconvolution): the input is dilated by
    `stride`, padded with ``filter_size - 1 - crop`` zeros and cross-correlated with the filters
    (convolved if `flip_filters`, note the default is the opposite of Conv2DLayer's).
    ``W.shape == (num_input_channels, num_filters, rows, cols)``, so the W of a Conv2DLayer
    mapping num_filters to num_input_channels channels can be shared. `crop` takes the same
    values as Conv2DLayer's `pad`; `output_size` picks one of the sizes a strided
    convolution could have come from.

    >>> TransposedConv2DLayer((None, 8, 12, 12), 3, 5, stride=2).output_shape
    (None, 3, 27, 27)
    """

    def __init__(self, incoming, num_filters, filter_size, stride=(1, 1), crop=0,
                 untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.0),
                 nonlinearity=rectify, flip_filters=False, output_size=None, name=None):
        super().__init__(incoming, num_filters, filter_size, stride, crop, untie_biases, W, b,
                         nonlinearity, flip_filters, output_size, 2, name)


class TransposedConv3DLayer(_TransposedConvLayer):
    """TransposedConv3DLayer(incoming, num_filters, filter_size, stride=(1, 1, 1), crop=0,
    untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.),
    nonlinearity=nonlinearities.rectify, flip_filters=False, output_size=None, name=None)

    The transpose of a Conv3DLayer, as TransposedConv2DLayer over three spatial axes;
    ``W.shape == (num_input_channels, num_filters, depth, rows, cols)``.

    >>> layer = TransposedConv3DLayer((None, 16, 16, 16, 16), 1, 3, stride=2, crop=2)
    >>> layer.output_shape, tuple(layer.W.shape)
    ((None, 1, 29, 29, 29), (16, 1, 3, 3, 3))
    """

    def __init__(self, incoming, num_filters, filter_size, stride=(1, 1, 1), crop=0,
                 untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.0),
                 nonlinearity=rectify, flip_filters=False, output_size=None, name=None):
        super().__init__(incoming, num_filters, filter_size, stride, crop, untie_biases, W, b,
                         nonlinearity, flip_filters, output_size, 3, name)


Deconv2DLayer = TransposedConv2DLayer
Deconv3DLayer = TransposedConv3DLayer


class DilatedConv2DLayer(BaseConvLayer):
    """DilatedConv2DLayer(incoming, num_filters, filter_size, dilation=(1, 1), pad=0,
    untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.),
    nonlinearity=nonlinearities.rectify, flip_filters=False, name=None)

    A cross-correlation whose filter taps are `dilation` apart (atrous convolution), without
    padding (add a PadLayer for that) and with ``flip_filters=False`` only, as in Lasagne.
    ``W.shape == (num_input_channels, num_filters, rows, cols)``.

    >>> DilatedConv2DLayer((None, 3, 32, 32), 8, 3, dilation=2).output_shape
    (None, 8, 28, 28)
    """

    def __init__(self, incoming, num_filters, filter_size, dilation=(1, 1), pad=0,
                 untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.0),
                 nonlinearity=rectify, flip_filters=False, name=None):
        self.dilation = as_tuple(dilation, 2, "dilation")
        if pad not in (0, (0, 0), "valid"):
            raise NotImplementedError(
                f"DilatedConv2DLayer needs pad=0, got {pad!r}; add a PadLayer before it instead")
        if flip_filters:
            raise NotImplementedError("DilatedConv2DLayer supports flip_filters=False only")
        super().__init__(incoming, num_filters, filter_size, 1, 0, untie_biases, W, b,
                         nonlinearity, False, 2, 1, name)

    def get_W_shape(self):
        return (self.input_shape[1], self.num_filters) + self.filter_size

    def get_output_shape_for(self, input_shape):
        spatial = tuple(conv_output_length(length, (f - 1) * d + 1, 1, 0) for length, f, d
                        in zip(input_shape[2:], self.filter_size, self.dilation))
        return (input_shape[0], self.num_filters) + spatial

    def convolve(self, input, bias=None):
        return F.conv2d(input, self.W.transpose(0, 1), bias, dilation=self.dilation)

