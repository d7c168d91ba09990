"""``lasagne.layers.dnn`` under the legacy shim: cuDNN layers as sknet's layers (torch picks
cuDNN by itself on a GPU). They keep Lasagne's cross-correlation default."""
from ._names import lasagne_names as _lasagne_names

__all__ = ["Pool2DDNNLayer", "MaxPool2DDNNLayer", "Pool3DDNNLayer", "MaxPool3DDNNLayer",
           "Conv2DDNNLayer", "Conv3DDNNLayer", "SpatialPyramidPoolingDNNLayer",
           "BatchNormDNNLayer", "batch_norm_dnn"]
globals().update(_lasagne_names(
    __name__, __all__, aliases={"SpatialPyramidPoolingDNNLayer": "SpatialPyramidPoolingLayer"},
    why="not emulated yet"))
