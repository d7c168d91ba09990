"""``lasagne.layers.special`` under the legacy shim: special-purpose layers."""
from ._names import lasagne_names as _lasagne_names

__all__ = ["NonlinearityLayer", "BiasLayer", "ScaleLayer", "standardize", "ExpressionLayer",
           "InverseLayer", "TransformerLayer", "TPSTransformerLayer", "ParametricRectifierLayer",
           "prelu", "RandomizedRectifierLayer", "rrelu"]
globals().update(_lasagne_names(__name__, __all__))
