"""``lasagne.layers.embedding`` under the legacy shim: the embedding layer, with Lasagne's names."""
from ._names import lasagne_names

__all__ = ["EmbeddingLayer"]
globals().update(lasagne_names(__name__, __all__))
