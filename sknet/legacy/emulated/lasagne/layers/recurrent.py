"""``lasagne.layers.recurrent`` under the legacy shim: recurrent layers."""
from ._names import lasagne_names as _lasagne_names

__all__ = ["CustomRecurrentLayer", "RecurrentLayer", "Gate", "LSTMLayer", "GRULayer"]
globals().update(_lasagne_names(__name__, __all__))
