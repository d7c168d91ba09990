"""``lasagne.layers.shape`` under the legacy shim: layers that change shape."""
from ._names import lasagne_names as _lasagne_names

__all__ = ["FlattenLayer", "flatten", "ReshapeLayer", "reshape", "DimshuffleLayer", "dimshuffle",
           "PadLayer", "pad", "SliceLayer"]
globals().update(_lasagne_names(__name__, __all__))
