"""``lasagne.layers.noise`` under the legacy shim: dropout and Gaussian noise."""
from ._names import lasagne_names as _lasagne_names

__all__ = ["DropoutLayer", "dropout", "dropout_channels", "spatial_dropout", "dropout_locations",
           "GaussianNoiseLayer"]
globals().update(_lasagne_names(__name__, __all__))
