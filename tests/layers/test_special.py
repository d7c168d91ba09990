import numpy as np
import pytest
import torch

from sknet import init, nonlinearities
from sknet.layers import (BiasLayer, Conv2DLayer, DenseLayer, ExpressionLayer, InputLayer,
                          InverseLayer, MaxPool2DLayer, Network, NonlinearityLayer,
                          ParametricRectifierLayer, RandomizedRectifierLayer, ScaleLayer,
                          get_all_params, get_output, prelu, rrelu, standardize)
from sknet.random import get_rng, set_rng
from tests import reference
from tests.conftest import as_numpy


def test_bias_and_scale_are_shared_over_all_but_the_channel_axis():
    x = np.random.randn(2, 3, 4, 4).astype(np.float32)
    bias = BiasLayer((None, 3, 4, 4), b=init.Normal(1.0))
    scale = ScaleLayer((None, 3, 4, 4), scales=init.Normal(1.0))
    b, s = as_numpy(bias.b), as_numpy(scale.scales)
    assert b.shape == s.shape == (3,)
    np.testing.assert_allclose(as_numpy(get_output(bias, x)), x + b[:, None, None], rtol=1e-6)
    np.testing.assert_allclose(as_numpy(get_output(scale, x)), x * s[:, None, None], rtol=1e-6)
    assert BiasLayer((None, 3, 4, 4), shared_axes=(0, 1)).b.shape == (4, 4)
    assert bias.get_params(regularizable=True) == []


def test_prelu_learns_one_slope_per_channel_and_replaces_the_nonlinearity():
    x = np.random.randn(5, 3).astype(np.float32)
    layer = ParametricRectifierLayer((None, 3), alpha=np.array([0.1, 0.2, 0.3], np.float32))
    np.testing.assert_allclose(as_numpy(get_output(layer, x)),
                               np.where(x > 0, x, x * [0.1, 0.2, 0.3]), rtol=1e-6)
    dense = DenseLayer((None, 4), 3)
    out = prelu(dense)
    assert dense.nonlinearity is nonlinearities.identity
    assert as_numpy(out.alpha).tolist() == [0.25] * 3
    assert ParametricRectifierLayer((None, 3, 2, 2), shared_axes="all").alpha.shape == ()


def test_nonlinearity_and_expression_layers():
    x = np.random.randn(2, 3).astype(np.float32)
    np.testing.assert_allclose(as_numpy(get_output(NonlinearityLayer((None, 3), torch.tanh), x)),
                               np.tanh(x), rtol=1e-6)
    layer = ExpressionLayer((None, 3), lambda t: t.sum(1, keepdim=True), lambda s: (s[0], 1))
    assert layer.output_shape == (None, 1)
    np.testing.assert_allclose(as_numpy(get_output(layer, x)), x.sum(1, keepdims=True),
                               rtol=1e-6)


def test_expression_layer_auto_shape_keeps_the_dimensions_that_follow_none_inputs():
    layer = ExpressionLayer((None, 3, None), lambda t: t[:, :, ::2].sum(1), "auto")
    assert layer.output_shape == (None, None)
    assert ExpressionLayer((32, 100, 20), lambda t: t.mean(-1), "auto").output_shape == (32, 100)
    flat = ExpressionLayer((None, 4, 5), lambda t: t.reshape(t.shape[0], -1), "auto")
    assert flat.output_shape == (None, 20)
    x = np.random.randn(2, 4, 5).astype(np.float32)
    np.testing.assert_allclose(as_numpy(get_output(flat, x)), x.reshape(2, 20))
    with pytest.raises(ValueError, match="output_shape must be None, a tuple, a callable or "
                                         "'auto', got 'same'"):
        ExpressionLayer((None, 3), torch.abs, "same")


def test_standardize_subtracts_and_divides_by_fixed_statistics():
    data = np.random.randn(50, 3).astype(np.float32) * [1, 2, 3] + [4, 5, 6]
    offset, scale = data.mean(0), data.std(0)
    out = standardize(InputLayer((None, 3)), offset, scale, shared_axes=0)
    np.testing.assert_allclose(as_numpy(get_output(out, data)), (data - offset) / scale,
                               rtol=1e-5, atol=1e-5)
    assert get_all_params(out, trainable=True) == []
    assert len(get_all_params(out)) == 2
    assert dict(Network(out).named_parameters()) == {}


def test_rrelu_uses_the_mean_slope_when_deterministic_and_random_slopes_per_channel_otherwise():
    x = -np.ones((64, 3, 2, 2), np.float32)
    layer = RandomizedRectifierLayer((None, 3, 2, 2))
    assert (layer.lower, layer.upper, layer.shared_axes) == (0.3, 0.8, (0, 2, 3))
    np.testing.assert_allclose(as_numpy(get_output(layer, x, deterministic=True)), -0.55 * -x,
                               rtol=1e-6)
    slopes = -as_numpy(get_output(layer, x))
    assert np.all(slopes == slopes[:1, :, :1, :1])  # shared over batch and spatial axes
    assert np.all((slopes >= 0.3) & (slopes <= 0.8)) and len(np.unique(slopes)) == 3
    x = np.random.randn(4000, 1).astype(np.float32)
    slopes = as_numpy(get_output(RandomizedRectifierLayer((None, 1), 0.1, 0.5,
                                                          shared_axes=1), -np.abs(x)))
    slopes = slopes / -np.abs(x)
    assert len(np.unique(slopes.round(5))) > 100 and abs(slopes.mean() - 0.3) < 0.01
    one_slope = RandomizedRectifierLayer((None, 1), shared_axes="all")
    np.testing.assert_array_equal(as_numpy(get_output(one_slope, np.abs(x))), np.abs(x))
    dense = DenseLayer((None, 4), 3)
    out = rrelu(dense, lower=0.2, upper=0.4)
    assert dense.nonlinearity is nonlinearities.identity and out.upper == 0.4
    with pytest.raises(ValueError, match="Upper bound for RandomizedRectifierLayer needs to be "
                                         "higher than lower bound"):
        RandomizedRectifierLayer((None, 3), lower=0.5, upper=0.2)


def test_inverse_of_a_dense_layer_is_the_product_with_the_transposed_derivative():
    l_in = InputLayer((None, 5))
    dense = DenseLayer(l_in, 3, b=init.Normal(1.0), nonlinearity=nonlinearities.tanh)
    inverse = InverseLayer(dense, dense)
    assert inverse.output_shape == (None, 5)
    x = np.random.randn(4, 5).astype(np.float32)
    W, b = as_numpy(dense.W), as_numpy(dense.b)
    y = np.tanh(x @ W + b)
    expected = (y * (1 - y ** 2)) @ W.T  # d tanh(xW + b) / dx applied to y
    np.testing.assert_allclose(as_numpy(get_output(inverse, x)), expected, rtol=1e-4, atol=1e-5)
    with torch.no_grad():  # inference: the layer is recomputed for its gradient
        np.testing.assert_allclose(as_numpy(Network(inverse).eval()(torch.from_numpy(x))),
                                   expected, rtol=1e-4, atol=1e-5)
    # tied weights: the inverse's output is differentiable with respect to W
    grad = torch.autograd.grad(get_output(inverse, x).sum(), dense.W)[0]
    assert grad.shape == dense.W.shape and torch.isfinite(grad).all() and grad.abs().sum() > 0


def test_inverse_of_a_convolution_is_the_transposed_convolution():
    conv = Conv2DLayer((None, 2, 6, 6), 3, 3, stride=2, nonlinearity=None)
    inverse = InverseLayer((None, 3, 2, 2), conv)
    assert inverse.output_shape == (None, 2, 6, 6)
    x = np.random.randn(2, 2, 6, 6).astype(np.float32)
    g = np.random.randn(2, 3, 2, 2).astype(np.float32)
    # the transpose of a true convolution: Lasagne's transposed convolution with the same W
    # and flip_filters=False; it reaches 5x5, the sixth row and column get no gradient
    expected = reference.transposed_conv(g, as_numpy(conv.W), (2, 2), (0, 0), False)
    expected = np.pad(expected, [(0, 0), (0, 0), (0, 1), (0, 1)])
    actual = inverse.get_output_for([torch.from_numpy(g), None, torch.from_numpy(x)])
    np.testing.assert_allclose(as_numpy(actual), expected, rtol=1e-4, atol=1e-5)


def test_inverse_of_max_pooling_routes_each_value_to_its_window_maximum():
    l_in = InputLayer((None, 1, 4, 4))
    pool = MaxPool2DLayer(l_in, 2)
    inverse = InverseLayer(pool, pool)
    x = np.random.randn(1, 1, 4, 4).astype(np.float32)
    expected = np.zeros_like(x)
    for r in range(2):
        for c in range(2):
            window = x[0, 0, 2 * r:2 * r + 2, 2 * c:2 * c + 2]
            i, j = np.unravel_index(window.argmax(), (2, 2))
            expected[0, 0, 2 * r + i, 2 * c + j] = window.max()
    np.testing.assert_array_equal(as_numpy(get_output(inverse, x)), expected)


def test_rrelu_slopes_follow_lasagne_random_like_the_noise_layers():
    previous = get_rng()
    try:
        slopes = []
        for seed in (3, 3, 4):
            set_rng(np.random.RandomState(seed))
            layer = RandomizedRectifierLayer((None, 5))
            assert layer.seed == np.random.RandomState(seed).randint(1, 2147462579)
            slopes.append(-as_numpy(layer.get_output_for(-torch.ones(2, 5))))
    finally:
        set_rng(previous)
    np.testing.assert_array_equal(slopes[0], slopes[1])
    assert not np.array_equal(slopes[0], slopes[2])
