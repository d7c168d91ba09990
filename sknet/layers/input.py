"""InputLayer: where data enters a network."""
from collections import OrderedDict

from torch import nn

from .base import Layer


class InputLayer(Layer):
    """InputLayer(shape, input_var=None, name=None)

    Holds the shape of the network's input, ``None`` for axes of any size (the batch axis).
    `input_var` may be a tensor that `get_output` uses when it is given no input; a Theano-era
    symbolic type passed here is accepted and ignored.

    >>> InputLayer((None, 1, 28, 28)).output_shape
    (None, 1, 28, 28)
    """

    def __init__(self, shape, input_var=None, name=None):
        nn.Module.__init__(self)
        shape = tuple(shape)
        if any(d is not None and (not isinstance(d, int) or d <= 0) for d in shape):
            raise ValueError(
                f"InputLayer {name!r}: shape must hold positive integers or None, got {shape}")
        self.shape = shape
        self.input_var = input_var
        self.name = name
        self.params = OrderedDict()
        object.__setattr__(self, "input_layer", None)

    @property
    def input_shape(self):
        return self.shape

    @property
    def output_shape(self):
        return self.shape

    def get_output_for(self, input, **kwargs):
        return input
