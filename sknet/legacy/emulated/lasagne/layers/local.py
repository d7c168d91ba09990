"""``lasagne.layers.local`` under the legacy shim: locally connected layers, with Lasagne's names."""
from ._names import lasagne_names

__all__ = ["LocallyConnected2DLayer"]
globals().update(lasagne_names(__name__, __all__))
