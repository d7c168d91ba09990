"""``lasagne.layers.noise`` under the legacy shim: dropout and Gaussian noise, with Lasagne's names."""
from ._names import lasagne_names

__all__ = ["DropoutLayer", "dropout", "dropout_channels", "spatial_dropout", "dropout_locations",
           "GaussianNoiseLayer"]
globals().update(lasagne_names(__name__, __all__))
