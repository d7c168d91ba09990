"""``lasagne.layers.merge`` under the legacy shim: layers that merge several inputs, with Lasagne's names."""
from ._names import lasagne_names

__all__ = ["autocrop", "autocrop_array_shapes", "ConcatLayer", "concat", "ElemwiseMergeLayer",
           "ElemwiseSumLayer"]
globals().update(lasagne_names(__name__, __all__))
