"""``lasagne.layers.conv`` under the legacy shim: convolutions."""
from ._names import lasagne_names as _lasagne_names

__all__ = ["Conv1DLayer", "Conv2DLayer", "Conv3DLayer", "TransposedConv2DLayer", "Deconv2DLayer",
           "DilatedConv2DLayer", "TransposedConv3DLayer", "Deconv3DLayer"]
globals().update(_lasagne_names(__name__, __all__, extras=(
    "BaseConvLayer", "conv_output_length", "conv_input_length")))
