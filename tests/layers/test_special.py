import numpy as np
import torch

from sknet import init, nonlinearities
from sknet.layers import (BiasLayer, DenseLayer, ExpressionLayer, NonlinearityLayer,
                          ParametricRectifierLayer, ScaleLayer, get_output, prelu)
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
