"""``lasagne.layers`` under the legacy shim: sknet's layers and helpers, with the classes whose
Lasagne 0.1 arguments changed name taking the old names too. The GPU-specific modules
(``dnn``, ``cuda_convnet``, ``corrmm``) are submodules, imported on request as in Lasagne."""
import types as _types

import sknet.layers as _modern
from sknet.legacy.renames import missing_attributes, stand_ins

globals().update({name: value for name, value in vars(_modern).items()
                  if not name.startswith("_") and not isinstance(value, _types.ModuleType)})

from sknet.legacy.layers import (Conv1DLayer, Conv2DLayer, FeaturePoolLayer,  # noqa: E402
                                 MaxPool2DLayer)

globals().update(stand_ins("lasagne.layers", [
    "TransposedConv3DLayer", "Deconv3DLayer", "LocallyConnected2DLayer", "FeatureWTALayer",
    "SpatialPyramidPoolingLayer", "StandardizationLayer", "standardize", "instance_norm",
    "layer_norm", "CustomRecurrentLayer", "InverseLayer", "TransformerLayer",
    "TPSTransformerLayer", "RandomizedRectifierLayer", "rrelu"],
    "not emulated yet; write it as an ExpressionLayer or a Layer subclass in torch"))
__getattr__ = missing_attributes("lasagne.layers")
