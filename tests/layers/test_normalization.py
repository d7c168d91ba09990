import numpy as np
import pytest
import torch

from sknet import init, nonlinearities
from sknet.layers import (BatchNormLayer, Conv2DLayer, DenseLayer, InputLayer,
                          LocalResponseNormalization2DLayer, NonlinearityLayer,
                          StandardizationLayer, batch_norm, get_all_layers, get_all_params,
                          get_output, instance_norm, layer_norm)
from tests import reference
from tests.conftest import as_numpy


def test_batch_norm_trains_on_batch_statistics_and_updates_lasagnes_running_averages():
    x = (3 * np.random.randn(8, 4, 5, 5) + 2).astype(np.float32)
    layer = BatchNormLayer((None, 4, 5, 5), beta=init.Normal(1.0), gamma=init.Normal(1.0),
                           mean=init.Normal(1.0), inv_std=init.Uniform((0.5, 1.5)))
    shape = (1, 4, 1, 1)
    p = {name: as_numpy(getattr(layer, name)).copy() for name in ("beta", "gamma", "mean",
                                                                   "inv_std")}
    out, new_mean, new_inv_std = reference.batch_norm_train(
        x, (0, 2, 3), 1e-4, p["gamma"].reshape(shape), p["beta"].reshape(shape), p["mean"],
        p["inv_std"], 0.1)
    np.testing.assert_allclose(as_numpy(get_output(layer, x)), out, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(as_numpy(layer.mean), new_mean, rtol=1e-5)
    np.testing.assert_allclose(as_numpy(layer.inv_std), new_inv_std, rtol=1e-5)


def test_batch_norm_deterministic_uses_the_averages_and_leaves_them_alone():
    x = np.random.randn(6, 3).astype(np.float32)
    layer = BatchNormLayer((None, 3), mean=np.array([1, 2, 3], np.float32),
                           inv_std=np.array([0.5, 1, 2], np.float32),
                           gamma=np.array([1, 2, 1], np.float32),
                           beta=np.array([0, 1, 0], np.float32))
    expected = (x - [1, 2, 3]) * np.array([0.5, 2, 2]) + [0, 1, 0]
    np.testing.assert_allclose(as_numpy(get_output(layer, x, deterministic=True)), expected,
                               rtol=1e-5)
    assert as_numpy(layer.mean).tolist() == [1, 2, 3]


def test_batch_norm_parameters_and_tags():
    layer = BatchNormLayer((None, 16, 8, 8))
    assert (layer.epsilon, layer.alpha) == (1e-4, 0.1)
    assert {id(p) for p in layer.get_params(trainable=True)} == {id(layer.beta), id(layer.gamma)}
    assert [id(p) for p in layer.get_params(regularizable=True)] == [id(layer.gamma)]
    assert {n for n, _ in layer.named_buffers()} == {"mean", "inv_std"}
    assert [id(p) for p in layer.get_params(batch_norm_stat=True)] == [id(layer.mean),
                                                                      id(layer.inv_std)]


def test_batch_norm_helper_moves_bias_and_nonlinearity_as_lasagne_does():
    conv = Conv2DLayer(InputLayer((None, 1, 8, 8)), 4, 3, name="conv1")
    out = batch_norm(conv)
    assert isinstance(out, NonlinearityLayer) and out.name == "conv1_bn_nonlin"
    assert out.nonlinearity is nonlinearities.rectify
    assert out.input_layer.name == "conv1_bn" and conv.b is None
    assert conv.nonlinearity is nonlinearities.identity
    assert "b" not in conv.params and len(get_all_params(out, trainable=True)) == 3
    linear = batch_norm(DenseLayer((None, 5), 3, nonlinearity=None))
    assert isinstance(linear, BatchNormLayer)


def test_local_response_normalization_matches_reference():
    x = np.random.randn(2, 7, 3, 3).astype(np.float32)
    layer = LocalResponseNormalization2DLayer((None, 7, 3, 3), alpha=0.1, k=2, beta=0.75, n=5)
    np.testing.assert_allclose(as_numpy(get_output(layer, x)),
                               reference.local_response_norm(x, 0.1, 2, 0.75, 5), rtol=1e-5)
    with pytest.raises(NotImplementedError, match="odd"):
        LocalResponseNormalization2DLayer((None, 7, 3, 3), n=4)


@pytest.mark.parametrize("axes,expected_axes", [("auto", (2, 3)), ("spatial", (2, 3)),
                                                ("features", (1, 2, 3)), (1, (1,))])
def test_standardization_normalizes_each_example_over_its_axes(axes, expected_axes):
    x = np.random.randn(3, 4, 5, 2).astype(np.float32) * 3 + 1
    layer = StandardizationLayer((None, 4, 5, 2), axes=axes, epsilon=1e-2)
    mean = x.mean(axis=expected_axes, keepdims=True)
    var = x.var(axis=expected_axes, keepdims=True)
    np.testing.assert_allclose(as_numpy(get_output(layer, x, deterministic=True)),
                               (x - mean) / np.sqrt(var + 1e-2), rtol=1e-4, atol=1e-5)
    assert StandardizationLayer((None, 6)).axes == (1,)
    assert layer.epsilon == 1e-2 and StandardizationLayer((None, 6)).epsilon == 1e-4


def test_instance_norm_and_layer_norm_stack_lasagnes_layers_with_per_channel_scale_and_shift():
    conv = Conv2DLayer((None, 2, 5, 5), 3, 3, name="conv", nonlinearity=nonlinearities.tanh)
    out = instance_norm(conv)
    assert [l.name for l in get_all_layers(out)] == [
        "conv", "conv_in", "conv_in_scale", "conv_in_bias", "conv_in_nonlin"]
    assert conv.b is None and conv.nonlinearity is nonlinearities.identity
    scale, bias = get_all_layers(out)[2:4]
    assert tuple(scale.scales.shape) == tuple(bias.b.shape) == (3,)
    with torch.no_grad():
        scale.scales.copy_(torch.tensor([1.0, 2.0, 0.5]))
        bias.b.copy_(torch.tensor([0.1, -0.2, 0.3]))
    x = np.random.randn(2, 2, 5, 5).astype(np.float32)
    pre = reference.conv(x, as_numpy(conv.W), (1, 1), (0, 0), True)
    standardized = (pre - pre.mean(axis=(2, 3), keepdims=True)) / np.sqrt(
        pre.var(axis=(2, 3), keepdims=True) + 1e-4)
    scales, shifts = np.array([1.0, 2.0, 0.5]), np.array([0.1, -0.2, 0.3])
    expected = np.tanh(standardized * scales[:, None, None] + shifts[:, None, None])
    np.testing.assert_allclose(as_numpy(get_output(out, x)), expected, rtol=1e-4, atol=1e-5)
    bare = instance_norm(Conv2DLayer((None, 2, 5, 5), 3, 3), learn_scale=False, learn_bias=False)
    assert [type(l).__name__ for l in get_all_layers(bare)] == [
        "Conv2DLayer", "StandardizationLayer", "NonlinearityLayer"]
    with pytest.raises(ValueError, match="axes must name axes"):
        instance_norm(DenseLayer((None, 4), 2))  # no spatial axes to standardize over

    dense = DenseLayer((None, 6), 4, name="hidden")
    out = layer_norm(dense, epsilon=1e-3)
    assert [type(l).__name__ for l in get_all_layers(out)] == [
        "DenseLayer", "StandardizationLayer", "ScaleLayer", "BiasLayer", "NonlinearityLayer"]
    assert get_all_layers(out)[1].axes == (1,) and get_all_layers(out)[1].epsilon == 1e-3
    x = np.random.randn(5, 6).astype(np.float32)
    pre = x @ as_numpy(dense.W)
    expected = np.maximum(0, (pre - pre.mean(1, keepdims=True))
                          / np.sqrt(pre.var(1, keepdims=True) + 1e-3))
    np.testing.assert_allclose(as_numpy(get_output(out, x)), expected, rtol=1e-4, atol=1e-5)
    assert len(get_all_params(out, trainable=True)) == 3  # W, scales, b: the dense bias is gone
