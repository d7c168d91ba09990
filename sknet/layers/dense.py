"""Fully connected layers: DenseLayer and NINLayer."""
import numpy as np
import torch

from .. import init
from ..nonlinearities import rectify
from .base import Layer, as_size, nonlinearity_or_identity


class DenseLayer(Layer):
    """DenseLayer(incoming, num_units, W=init.GlorotUniform(), b=init.Constant(0.),
    nonlinearity=nonlinearities.rectify, num_leading_axes=1, name=None)

    A fully connected layer: ``nonlinearity(x.flatten(num_leading_axes) @ W + b)``. All axes
    after the first `num_leading_axes` are flattened into the ``num_inputs`` of
    ``W.shape == (num_inputs, num_units)`` (Lasagne's layout, the transpose of torch's Linear).
    A negative `num_leading_axes` counts from the end. ``b=None`` gives no bias.

    >>> layer = DenseLayer((None, 1, 28, 28), num_units=50)
    >>> layer.output_shape, tuple(layer.W.shape)
    ((None, 50), (784, 50))
    """

    def __init__(self, incoming, num_units, W=init.GlorotUniform(), b=init.Constant(0.0),
                 nonlinearity=rectify, num_leading_axes=1, name=None):
        super().__init__(incoming, name)
        self.nonlinearity = nonlinearity_or_identity(nonlinearity, self.describe())
        self.num_units = as_size(num_units, "num_units", self.describe())
        ndim = len(self.input_shape)
        if num_leading_axes >= ndim:
            raise ValueError(
                f"{self.describe()}: Got num_leading_axes={num_leading_axes} for a "
                f"{ndim}-dimensional input {self.input_shape}, leaving no trailing axes for "
                "the dot product.")
        if num_leading_axes < -ndim:
            raise ValueError(
                f"{self.describe()}: Got num_leading_axes={num_leading_axes} for a "
                f"{ndim}-dimensional input {self.input_shape}, requesting more trailing axes "
                "than there are input dimensions.")
        self.num_leading_axes = num_leading_axes  # as given: a negative one counts from the end
        trailing = self.input_shape[num_leading_axes:]
        if any(d is None for d in trailing):
            raise ValueError(
                f"{self.describe()}: A DenseLayer requires a fixed input shape (except for the "
                f"leading axes). Got {self.input_shape} for num_leading_axes={num_leading_axes}.")
        num_inputs = int(np.prod(trailing))
        self.W = self.add_param(W, (num_inputs, self.num_units), name="W")
        self.b = None if b is None else self.add_param(b, (self.num_units,), name="b",
                                                       regularizable=False)

    def get_output_shape_for(self, input_shape):
        return tuple(input_shape[:self.num_leading_axes]) + (self.num_units,)

    def get_preactivation_for(self, input):
        """``x @ W + b``: the output before the nonlinearity."""
        b, ndim = self.b, input.dim()
        leading = self.num_leading_axes % ndim
        if ndim > leading + 1:
            input = input.flatten(leading)
        if b is not None and input.dim() == 2:
            return torch.addmm(b, input, self.W)
        activation = input @ self.W
        return activation if b is None else activation + b

    def get_output_for(self, input, **kwargs):
        return self.nonlinearity(self.get_preactivation_for(input))


class NINLayer(Layer):
    """NINLayer(incoming, num_units, untie_biases=False, W=init.GlorotUniform(),
    b=init.Constant(0.), nonlinearity=nonlinearities.rectify, name=None)

    Network-in-network: a DenseLayer applied across the channel axis (axis 1) at every position,
    i.e. a 1x1 convolution with ``W.shape == (num_input_channels, num_units)``. With
    `untie_biases` each position has its own bias, ``b.shape == (num_units,) + spatial shape``.

    >>> NINLayer((None, 3, 8, 8), num_units=16).output_shape
    (None, 16, 8, 8)
    """

    def __init__(self, incoming, num_units, untie_biases=False, W=init.GlorotUniform(),
                 b=init.Constant(0.0), nonlinearity=rectify, name=None):
        super().__init__(incoming, name)
        self.nonlinearity = nonlinearity_or_identity(nonlinearity, self.describe())
        self.num_units = as_size(num_units, "num_units", self.describe())
        self.untie_biases = untie_biases
        num_input_channels = self.input_shape[1]
        if num_input_channels is None:
            raise ValueError(f"{self.describe()} needs a known number of input channels, got "
                             f"input shape {self.input_shape}")
        self.W = self.add_param(W, (num_input_channels, self.num_units), name="W")
        if b is None:
            self.b = None
        else:
            b_shape = (self.num_units,) + (self.input_shape[2:] if untie_biases else ())
            self.b = self.add_param(b, b_shape, name="b", regularizable=False)

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], self.num_units) + tuple(input_shape[2:])

    def get_preactivation_for(self, input):
        """The output before the nonlinearity."""
        # Move channels last, multiply, move the units back to axis 1.
        activation = torch.movedim(torch.movedim(input, 1, -1) @ self.W, -1, 1)
        if self.b is not None:
            bias = self.b if self.untie_biases else self.b.view((-1,) + (1,) * (input.dim() - 2))
            activation = activation + bias
        return activation

    def get_output_for(self, input, **kwargs):
        return self.nonlinearity(self.get_preactivation_for(input))
