"""``lasagne.layers.recurrent`` under the legacy shim: recurrent layers, with Lasagne's names."""
from ._names import lasagne_names

__all__ = ["CustomRecurrentLayer", "RecurrentLayer", "Gate", "LSTMLayer", "GRULayer"]
globals().update(lasagne_names(__name__, __all__))
