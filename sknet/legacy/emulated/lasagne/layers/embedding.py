"""``lasagne.layers.embedding`` under the legacy shim: the embedding layer."""
from ._names import lasagne_names as _lasagne_names

__all__ = ["EmbeddingLayer"]
globals().update(_lasagne_names(__name__, __all__))
