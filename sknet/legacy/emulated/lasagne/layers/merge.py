"""``lasagne.layers.merge`` under the legacy shim: layers that merge several inputs."""
from ._names import lasagne_names as _lasagne_names

__all__ = ["autocrop", "autocrop_array_shapes", "ConcatLayer", "concat", "ElemwiseMergeLayer",
           "ElemwiseSumLayer"]
globals().update(_lasagne_names(__name__, __all__))
