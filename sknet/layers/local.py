"""Locally connected layers: convolutions without weight sharing."""
import torch
import torch.nn.functional as F

from .. import init
from ..nonlinearities import rectify
from .conv import Conv2DLayer


class LocallyConnected2DLayer(Conv2DLayer):
    """LocallyConnected2DLayer(incoming, num_filters, filter_size, stride=(1, 1), pad='same',
    untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.),
    nonlinearity=nonlinearities.rectify, flip_filters=True, channelwise=False, name=None)

    A 2-D convolution whose filters differ at every output position, as in Lasagne: stride 1
    and ``pad='same'`` only, and a fixed input shape (but the batch size).
    ``W.shape == (num_filters, num_input_channels, filter_rows, filter_cols, out_rows,
    out_cols)``; with `channelwise` each filter sees only the channel of its own index
    (num_filters must equal the channels) and ``W.shape == (num_filters, filter_rows,
    filter_cols, out_rows, out_cols)``. `flip_filters` and `untie_biases` as in Conv2DLayer.

    >>> layer = LocallyConnected2DLayer((None, 3, 8, 8), num_filters=4, filter_size=3)
    >>> layer.output_shape, tuple(layer.W.shape)
    ((None, 4, 8, 8), (4, 3, 3, 3, 8, 8))
    """

    def __init__(self, incoming, num_filters, filter_size, stride=(1, 1), pad="same",
                 untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.0),
                 nonlinearity=rectify, flip_filters=True, channelwise=False, name=None):
        self.channelwise = channelwise
        super().__init__(incoming, num_filters, filter_size, stride, pad, untie_biases, W, b,
                         nonlinearity, flip_filters, name=name)
        if self.stride != (1, 1):
            raise NotImplementedError(
                f"LocallyConnected2DLayer requires stride=1 / (1, 1), but got {stride!r}.")
        if self.pad != "same":
            raise NotImplementedError(
                f"LocallyConnected2DLayer requires pad='same', but got {pad!r}.")

    def get_W_shape(self):
        if any(s is None for s in self.input_shape[1:]):
            raise ValueError("A LocallyConnected2DLayer requires a fixed input shape (except "
                             f"for the batch size). Got {self.input_shape!r}.")
        channels = self.input_shape[1]
        positions = self.get_output_shape_for(self.input_shape)[2:]
        if not self.channelwise:
            return (self.num_filters, channels) + self.filter_size + positions
        if self.num_filters != channels:
            raise ValueError("num_filters and the number of input channels should match when "
                             f"channelwise is true, but got num_filters={self.num_filters!r} "
                             f"and {channels} input channels")
        return (self.num_filters,) + self.filter_size + positions

    def convolve(self, input, bias=None):
        batch, channels, rows, cols = input.shape
        # Every output position's receptive field, (batch, channels, filter rows, cols, rows, cols)
        patches = F.unfold(input, self.filter_size, padding=self.padding()).view(
            batch, channels, *self.filter_size, rows, cols)
        filter_axes = [1, 2] if self.channelwise else [2, 3]
        W = self.W.flip(filter_axes) if self.flip_filters else self.W
        if self.channelwise:
            output = torch.einsum("ncijyx,cijyx->ncyx", patches, W)
        else:
            output = torch.einsum("ncijyx,fcijyx->nfyx", patches, W)
        return output if bias is None else output + bias.view(1, -1, 1, 1)
