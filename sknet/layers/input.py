"""InputLayer: where data enters a network."""
import numbers
from collections import OrderedDict

from torch import nn

from .base import Layer


class InputLayer(Layer):
    """InputLayer(shape, input_var=None, name=None)

    Holds the shape of the network's input, ``None`` for axes of any size (the batch axis).
    `input_var` may be a tensor that `get_output` uses when it is given no input, or a symbolic
    variable (``T.matrix('x')`` under the legacy shim); read without one given, it is a new
    symbolic variable named ``'<name>.input'``, as in Lasagne.

    >>> InputLayer((None, 1, 28, 28)).output_shape
    (None, 1, 28, 28)
    """

    def __init__(self, shape, input_var=None, name=None):
        nn.Module.__init__(self)
        shape = tuple(shape)
        if any(d is not None and (not isinstance(d, numbers.Integral) or isinstance(d, bool)
                                  or d <= 0) for d in shape):
            raise ValueError(
                f"InputLayer {name!r}: shape must hold positive integers or None, got {shape}")
        ndim = getattr(input_var, "ndim", len(shape))
        if ndim != len(shape):
            raise ValueError(f"InputLayer {name!r}: shape {shape} has {len(shape)} dimensions, "
                             f"but input_var {input_var!r} has {ndim}")
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self._input_var = input_var
        self.name = name
        self.params = OrderedDict()
        object.__setattr__(self, "input_layer", None)

    @property
    def input_var(self):
        if self._input_var is None:  # made on first use, so that plain sknet never needs it
            from ..legacy.symbolic import input_variable
            self._input_var = input_variable(self.shape, self.name)
        return self._input_var

    @input_var.setter
    def input_var(self, value):
        self._input_var = value

    @property
    def input_shape(self):
        return self.shape

    @property
    def output_shape(self):
        return self.shape

    def get_output_for(self, input, **kwargs):
        return input
