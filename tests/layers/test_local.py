import numpy as np
import pytest
import torch

from sknet import init
from sknet.layers import LocallyConnected2DLayer, get_output
from tests import reference
from tests.conftest import as_numpy


@pytest.mark.parametrize("flip", [True, False])
@pytest.mark.parametrize("channelwise", [False, True])
def test_locally_connected_matches_the_per_position_reference(flip, channelwise):
    x = np.random.randn(2, 3, 5, 4).astype(np.float32)
    layer = LocallyConnected2DLayer((None, 3, 5, 4), 3, (3, 1), flip_filters=flip,
                                    channelwise=channelwise, nonlinearity=None,
                                    b=init.Normal(1.0))
    expected_W = (3, 3, 1, 5, 4) if channelwise else (3, 3, 3, 1, 5, 4)
    assert tuple(layer.W.shape) == expected_W and layer.output_shape == (None, 3, 5, 4)
    expected = (reference.locally_connected2d(x, as_numpy(layer.W), flip, channelwise)
                + as_numpy(layer.b)[None, :, None, None])
    np.testing.assert_allclose(as_numpy(get_output(layer, x)), expected, rtol=1e-5, atol=1e-5)


def test_locally_connected_weight_gradient_matches_finite_differences_of_the_reference():
    x = np.random.randn(2, 2, 4, 4).astype(np.float32)
    layer = LocallyConnected2DLayer((None, 2, 4, 4), 2, 3, untie_biases=True, nonlinearity=None)
    assert tuple(layer.b.shape) == (2, 4, 4)
    weights = np.random.randn(2, 4, 4)
    loss = (get_output(layer, x) * torch.from_numpy(weights).float()).sum()
    loss.backward()
    b = as_numpy(layer.b)
    indices = [(0, 0, 0, 0, 0, 0), (1, 1, 2, 1, 3, 2), (0, 1, 1, 1, 2, 2), (1, 0, 0, 2, 1, 3)]
    numeric = reference.numeric_gradient(
        lambda W: ((reference.locally_connected2d(x, W, True, False) + b) * weights).sum(),
        as_numpy(layer.W), indices)
    np.testing.assert_allclose(as_numpy(layer.W.grad)[tuple(zip(*indices))], numeric,
                               rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(as_numpy(layer.b.grad), 2 * weights, rtol=1e-5)  # 2 examples


def test_locally_connected_refuses_what_lasagne_refuses():
    with pytest.raises(NotImplementedError, match=r"requires stride=1 / \(1, 1\), but got 2"):
        LocallyConnected2DLayer((None, 3, 6, 6), 3, 3, stride=2)
    with pytest.raises(NotImplementedError, match="requires pad='same', but got 'valid'"):
        LocallyConnected2DLayer((None, 3, 6, 6), 3, 3, pad="valid")
    with pytest.raises(ValueError, match="num_filters=4 and 3 input channels"):
        LocallyConnected2DLayer((None, 3, 6, 6), 4, 3, channelwise=True)
    with pytest.raises(ValueError, match="requires a fixed input shape"):
        LocallyConnected2DLayer((None, 3, None, 6), 4, 3)
