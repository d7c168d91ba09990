"""``lasagne.layers.input`` under the legacy shim: the input layer, with Lasagne's names."""
from ._names import lasagne_names

__all__ = ["InputLayer"]
globals().update(lasagne_names(__name__, __all__))
