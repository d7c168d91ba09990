"""``lasagne.layers.local`` under the legacy shim: locally connected layers."""
from ._names import lasagne_names as _lasagne_names

__all__ = ["LocallyConnected2DLayer"]
globals().update(_lasagne_names(__name__, __all__))
