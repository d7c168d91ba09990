"""``lasagne.layers.input`` under the legacy shim: the input layer."""
from ._names import lasagne_names as _lasagne_names

__all__ = ["InputLayer"]
globals().update(_lasagne_names(__name__, __all__))
