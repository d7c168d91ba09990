"""``lasagne.layers.pool`` under the legacy shim: pooling and upscaling."""
from ._names import lasagne_names as _lasagne_names

__all__ = ["MaxPool1DLayer", "MaxPool2DLayer", "MaxPool3DLayer", "Pool1DLayer", "Pool2DLayer",
           "Pool3DLayer", "Upscale1DLayer", "Upscale2DLayer", "Upscale3DLayer", "FeaturePoolLayer",
           "FeatureWTALayer", "GlobalPoolLayer", "SpatialPyramidPoolingLayer"]
globals().update(_lasagne_names(__name__, __all__, extras=("pool_output_length",)))
