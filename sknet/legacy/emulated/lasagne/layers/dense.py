"""``lasagne.layers.dense`` under the legacy shim: fully connected layers."""
from ._names import lasagne_names as _lasagne_names

__all__ = ["DenseLayer", "NINLayer"]
globals().update(_lasagne_names(__name__, __all__))
