"""EmbeddingLayer: a lookup table from integer ids to learned vectors."""
from .. import init
from .base import Layer, as_size


class EmbeddingLayer(Layer):
    """EmbeddingLayer(incoming, input_size, output_size, W=init.Normal(), name=None)

    Maps integer ids in ``[0, input_size)`` to rows of ``W.shape == (input_size, output_size)``;
    the output gains a trailing axis of `output_size`.

    >>> EmbeddingLayer((None, 20), input_size=1000, output_size=50).output_shape
    (None, 20, 50)
    """

    def __init__(self, incoming, input_size, output_size, W=init.Normal(), name=None):
        super().__init__(incoming, name)
        self.input_size = as_size(input_size, "input_size", self.describe())
        self.output_size = as_size(output_size, "output_size", self.describe())
        self.W = self.add_param(W, (self.input_size, self.output_size), name="W")

    def get_output_shape_for(self, input_shape):
        return tuple(input_shape) + (self.output_size,)

    def get_output_for(self, input, **kwargs):
        return self.W[input.long()]
