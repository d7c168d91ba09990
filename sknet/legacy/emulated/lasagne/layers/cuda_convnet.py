"""``lasagne.layers.cuda_convnet`` under the legacy shim: cuda-convnet's layers as sknet's
layers in the bc01 axis order, keeping their defaults."""
from ._names import lasagne_names as _lasagne_names

__all__ = ["Conv2DCCLayer", "MaxPool2DCCLayer", "ShuffleBC01ToC01BLayer", "bc01_to_c01b",
           "ShuffleC01BToBC01Layer", "c01b_to_bc01", "NINLayer_c01b"]
globals().update(_lasagne_names(
    __name__, __all__, aliases={"bc01_to_c01b": "ShuffleBC01ToC01BLayer",
                                "c01b_to_bc01": "ShuffleC01BToBC01Layer"},
    why="sknet's layers take the bc01 axis order only"))
