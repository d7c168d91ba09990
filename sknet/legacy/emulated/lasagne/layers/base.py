"""``lasagne.layers.base`` under the legacy shim: the base classes."""
from ._names import lasagne_names as _lasagne_names

__all__ = ["Layer", "MergeLayer"]
globals().update(_lasagne_names(__name__, __all__))
