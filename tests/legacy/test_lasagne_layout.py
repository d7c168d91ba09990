"""Lasagne's module layout under the legacy shim: every module of Lasagne imports as a module
and defines the public names Lasagne's module defines (its ``__all__``, copied below from
Lasagne's source), each one sknet's object or a stand-in that raises LegacyFeatureError."""
import importlib
import types

import pytest

import sknet.layers
import sknet.legacy.layers
import sknet.legacy.symbolic
from sknet.legacy import renames

LASAGNE_LAYERS_ALL = {
    "base": ["Layer", "MergeLayer"],
    "helper": ["get_all_layers", "get_output", "get_output_shape", "get_all_params",
               "count_params", "get_all_param_values", "set_all_param_values"],
    "input": ["InputLayer"],
    "dense": ["DenseLayer", "NINLayer"],
    "noise": ["DropoutLayer", "dropout", "dropout_channels", "spatial_dropout",
              "dropout_locations", "GaussianNoiseLayer"],
    "conv": ["Conv1DLayer", "Conv2DLayer", "Conv3DLayer", "TransposedConv2DLayer",
             "Deconv2DLayer", "DilatedConv2DLayer", "TransposedConv3DLayer", "Deconv3DLayer"],
    "local": ["LocallyConnected2DLayer"],
    "pool": ["MaxPool1DLayer", "MaxPool2DLayer", "MaxPool3DLayer", "Pool1DLayer", "Pool2DLayer",
             "Pool3DLayer", "Upscale1DLayer", "Upscale2DLayer", "Upscale3DLayer",
             "FeaturePoolLayer", "FeatureWTALayer", "GlobalPoolLayer",
             "SpatialPyramidPoolingLayer"],
    "shape": ["FlattenLayer", "flatten", "ReshapeLayer", "reshape", "DimshuffleLayer",
              "dimshuffle", "PadLayer", "pad", "SliceLayer"],
    "merge": ["autocrop", "autocrop_array_shapes", "ConcatLayer", "concat",
              "ElemwiseMergeLayer", "ElemwiseSumLayer"],
    "normalization": ["LocalResponseNormalization2DLayer", "BatchNormLayer", "batch_norm",
                      "StandardizationLayer", "instance_norm", "layer_norm"],
    "embedding": ["EmbeddingLayer"],
    "recurrent": ["CustomRecurrentLayer", "RecurrentLayer", "Gate", "LSTMLayer", "GRULayer"],
    "special": ["NonlinearityLayer", "BiasLayer", "ScaleLayer", "standardize",
                "ExpressionLayer", "InverseLayer", "TransformerLayer", "TPSTransformerLayer",
                "ParametricRectifierLayer", "prelu", "RandomizedRectifierLayer", "rrelu"],
}
LASAGNE_GPU_LAYERS_ALL = {
    "dnn": ["Pool2DDNNLayer", "MaxPool2DDNNLayer", "Pool3DDNNLayer", "MaxPool3DDNNLayer",
            "Conv2DDNNLayer", "Conv3DDNNLayer", "SpatialPyramidPoolingDNNLayer",
            "BatchNormDNNLayer", "batch_norm_dnn"],
    "corrmm": ["Conv2DMMLayer"],
    "cuda_convnet": ["Conv2DCCLayer", "MaxPool2DCCLayer", "ShuffleBC01ToC01BLayer",
                     "bc01_to_c01b", "ShuffleC01BToBC01Layer", "c01b_to_bc01", "NINLayer_c01b"],
}
# Lasagne's init, nonlinearities and random have no __all__: their public module-level names.
LASAGNE_PUBLIC_NAMES = {
    "init": ["Initializer", "Normal", "Uniform", "Glorot", "GlorotNormal", "GlorotUniform", "He",
             "HeNormal", "HeUniform", "Constant", "Sparse", "Orthogonal"],
    "nonlinearities": ["sigmoid", "softmax", "tanh", "ScaledTanH", "ScaledTanh", "rectify",
                       "LeakyRectify", "leaky_rectify", "very_leaky_rectify", "elu", "SELU",
                       "selu", "softplus", "linear", "identity"],
    "random": ["get_rng", "set_rng"],
}
# Public names Lasagne's modules define beyond their __all__, which scripts import too.
EXTRAS = {"conv": ["BaseConvLayer", "conv_output_length", "conv_input_length"],
          "pool": ["pool_output_length"]}
# Lasagne's modules that define a name under another module's name (aliases Lasagne keeps).
ALIASES = {("cuda_convnet", "bc01_to_c01b"): "ShuffleBC01ToC01BLayer",
           ("cuda_convnet", "c01b_to_bc01"): "ShuffleC01BToBC01Layer",
           ("dnn", "SpatialPyramidPoolingDNNLayer"): "SpatialPyramidPoolingLayer"}


def _sknet_object(name):
    if name == "get_output":  # symbolic inputs build an expression, as in Theano
        return sknet.legacy.symbolic.get_output
    for source in (sknet.legacy.layers, sknet.layers):
        if name in vars(source):
            return vars(source)[name]
    return None


def _check_name(module, module_name, name):
    value = getattr(module, name)
    expected = _sknet_object(ALIASES.get((module_name, name), name))
    if expected is not None:
        assert value is expected, f"lasagne.layers.{module_name}.{name}"
    else:  # sknet lacks it: a stand-in that names it and fails when used
        spelled = module_name if module_name in LASAGNE_GPU_LAYERS_ALL else "layers"
        with pytest.raises(renames.LegacyFeatureError, match=f"{spelled}.{name} is not"):
            value()


@pytest.mark.parametrize("module_name", sorted({**LASAGNE_LAYERS_ALL, **LASAGNE_GPU_LAYERS_ALL}))
def test_each_lasagne_layers_module_defines_lasagnes_names(shim, module_name):
    names = {**LASAGNE_LAYERS_ALL, **LASAGNE_GPU_LAYERS_ALL}[module_name]
    module = importlib.import_module(f"lasagne.layers.{module_name}")
    assert list(module.__all__) == names
    namespace = {}
    exec(f"from lasagne.layers.{module_name} import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(names)
    for name in names:
        _check_name(module, module_name, name)
    public = {name for name, value in vars(module).items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType)}
    assert public == set(names) | set(EXTRAS.get(module_name, ()))
    with pytest.raises(AttributeError, match=f"lasagne.layers.{module_name}.*NoSuchLayer"):
        module.NoSuchLayer


def test_lasagne_layers_gathers_its_submodules_names(shim):
    import lasagne.layers
    for module_name, names in LASAGNE_LAYERS_ALL.items():
        module = importlib.import_module(f"lasagne.layers.{module_name}")
        assert getattr(lasagne.layers, module_name) is module
        for name in names:
            assert getattr(lasagne.layers, name) is getattr(module, name), name
    # what Lasagne's own code and scripts write
    from lasagne.layers import helper
    from lasagne.layers.input import InputLayer
    import lasagne.layers.base
    assert lasagne.layers.base.Layer is sknet.layers.Layer and helper.get_all_layers(
        lasagne.layers.DenseLayer(InputLayer((None, 3)), 2))[0].output_shape == (None, 3)


@pytest.mark.parametrize("module_name", sorted(LASAGNE_GPU_LAYERS_ALL))
def test_gpu_modules_are_attributes_without_an_import(shim, module_name):
    import lasagne.layers
    module = importlib.import_module(f"lasagne.layers.{module_name}")
    vars(lasagne.layers).pop(module_name, None)  # as before any `import lasagne.layers.dnn`
    assert getattr(lasagne.layers, module_name) is module


@pytest.mark.parametrize("module_name", sorted(LASAGNE_PUBLIC_NAMES))
def test_init_nonlinearities_and_random_define_lasagnes_names(shim, module_name):
    module = importlib.import_module(f"lasagne.{module_name}")
    modern = importlib.import_module(f"sknet.{module_name}")
    for name in LASAGNE_PUBLIC_NAMES[module_name]:
        value = getattr(module, name)
        assert value is getattr(modern, name, None) or (
            name == "ScaledTanh" and value is modern.ScaledTanH), name
    public = {name for name, value in vars(module).items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType)}
    assert public == set(LASAGNE_PUBLIC_NAMES[module_name])


def test_every_lasagne_module_imports_as_a_module(shim):
    for name in ["lasagne", "lasagne.init", "lasagne.nonlinearities", "lasagne.objectives",
                 "lasagne.regularization", "lasagne.updates", "lasagne.utils", "lasagne.random",
                 "lasagne.layers"]:
        assert importlib.import_module(name).__name__.endswith(name)
    import lasagne
    assert lasagne.__version__ == "0.2.dev1"  # Lasagne's master, whose layout this is
    assert {name for name in vars(lasagne) if not name.startswith("_")} == {
        "init", "layers", "nonlinearities", "objectives", "random", "regularization", "updates",
        "utils"}


def test_a_name_sknet_lacks_becomes_a_stand_in_and_a_name_it_gains_replaces_it():
    from sknet.legacy.emulated.lasagne.layers._names import lasagne_names
    names = lasagne_names("sknet.legacy.emulated.lasagne.layers.special",
                          ["NonlinearityLayer", "LayerSknetLacks"])
    assert names["NonlinearityLayer"] is sknet.layers.NonlinearityLayer
    with pytest.raises(renames.LegacyFeatureError,
                       match=r"lasagne\.layers\.LayerSknetLacks is not supported.*porting\.md"):
        names["LayerSknetLacks"]((None, 3))
    gpu = lasagne_names("sknet.legacy.emulated.lasagne.layers.dnn", ["LayerSknetLacks"])
    with pytest.raises(renames.LegacyFeatureError, match=r"layers\.dnn\.LayerSknetLacks is not"):
        gpu["LayerSknetLacks"]()
    with pytest.raises(AttributeError, match="lasagne.layers.dnn' has no attribute 'Other'"):
        gpu["__getattr__"]("Other")
