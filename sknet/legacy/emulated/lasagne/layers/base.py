"""``lasagne.layers.base`` under the legacy shim: the base classes, with Lasagne's names."""
from ._names import lasagne_names

__all__ = ["Layer", "MergeLayer"]
globals().update(lasagne_names(__name__, __all__))
