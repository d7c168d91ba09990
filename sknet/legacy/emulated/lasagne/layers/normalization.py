"""``lasagne.layers.normalization`` under the legacy shim: normalization layers."""
from ._names import lasagne_names as _lasagne_names

__all__ = ["LocalResponseNormalization2DLayer", "BatchNormLayer", "batch_norm",
           "StandardizationLayer", "instance_norm", "layer_norm"]
globals().update(_lasagne_names(__name__, __all__))
