"""``lasagne.layers.dense`` under the legacy shim: fully connected layers, with Lasagne's names."""
from ._names import lasagne_names

__all__ = ["DenseLayer", "NINLayer"]
globals().update(lasagne_names(__name__, __all__))
