"""``lasagne.layers.shape`` under the legacy shim: layers that change shape, with Lasagne's names."""
from ._names import lasagne_names

__all__ = ["FlattenLayer", "flatten", "ReshapeLayer", "reshape", "DimshuffleLayer", "dimshuffle",
           "PadLayer", "pad", "SliceLayer"]
globals().update(lasagne_names(__name__, __all__))
