"""Theano-era layer classes of sknet/legacy/layers.py: cuda-convnet's c01b helpers and layers,
and MaxPool2DCCLayer's `pad`."""
import numpy as np
import pytest
import torch

from sknet import init
from sknet.layers import InputLayer, get_output
from sknet.legacy.layers import (Conv2DCCLayer, MaxPool2DCCLayer, NINLayer_c01b,
                                 ShuffleBC01ToC01BLayer, ShuffleC01BToBC01Layer, bc01_to_c01b,
                                 c01b_to_bc01)
from tests import reference
from tests.conftest import as_numpy


def test_shuffles_move_the_batch_axis_last_and_back():
    assert bc01_to_c01b is ShuffleBC01ToC01BLayer and c01b_to_bc01 is ShuffleC01BToBC01Layer
    l_in = InputLayer((None, 3, 5, 4))
    to_c01b = ShuffleBC01ToC01BLayer(l_in)
    back = ShuffleC01BToBC01Layer(to_c01b)
    assert to_c01b.output_shape == (3, 5, 4, None) and back.output_shape == (None, 3, 5, 4)
    x = np.random.randn(2, 3, 5, 4).astype(np.float32)
    c01b, bc01 = get_output([to_c01b, back], x)
    np.testing.assert_array_equal(as_numpy(c01b), x.transpose(1, 2, 3, 0))
    np.testing.assert_array_equal(as_numpy(bc01), x)


@pytest.mark.parametrize("untie_biases", [False, True])
def test_nin_c01b_mixes_the_channels_of_every_position(untie_biases):
    x = np.random.randn(3, 4, 5, 2).astype(np.float32)  # c01b
    layer = NINLayer_c01b((3, 4, 5, None), 6, untie_biases=untie_biases, b=init.Normal(1.0),
                          nonlinearity=None)
    W, b = as_numpy(layer.W), as_numpy(layer.b)
    assert W.shape == (6, 3) and b.shape == ((6, 4, 5) if untie_biases else (6,))
    assert layer.output_shape == (6, 4, 5, None)
    bias = b[..., None] if untie_biases else b[:, None, None, None]
    expected = np.einsum("uc,cxyb->uxyb", W, x) + bias
    out = get_output(layer, x)
    np.testing.assert_allclose(as_numpy(out), expected, rtol=1e-5, atol=1e-5)
    g = np.random.randn(*expected.shape).astype(np.float32)
    (out * torch.from_numpy(g)).sum().backward()
    np.testing.assert_allclose(as_numpy(layer.W.grad), np.einsum("uxyb,cxyb->uc", g, x),
                               rtol=1e-4, atol=1e-4)
    rectified = NINLayer_c01b((3, 4, 5, None), 6)
    assert as_numpy(get_output(rectified, x)).min() >= 0


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_max_pool_cc_takes_pad_zero_only_as_lasagne_did():
    layer = MaxPool2DCCLayer((None, 1, 5, 5), 2, pad=(0, 0))
    assert layer.output_shape == (None, 1, 3, 3)
    with pytest.raises(NotImplementedError, match="MaxPool2DCCLayer does not support padding"):
        MaxPool2DCCLayer((None, 1, 5, 5), 2, pad=1)



@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("untie_biases", [False, True])
def test_cuda_convnet_layers_without_dimshuffle_compute_in_c01b(untie_biases):
    """A c01b pipeline (bc01_to_c01b, convolution, pooling, NIN, c01b_to_bc01) against the
    bc01 references; cuda-convnet's W is (channels, rows, cols, filters)."""
    l_in = InputLayer((None, 2, 7, 6))
    c01b = bc01_to_c01b(l_in)
    conv = Conv2DCCLayer(c01b, 3, 3, pad=1, stride=(1, 2), untie_biases=untie_biases,
                         dimshuffle=False, b=init.Normal(1.0), nonlinearity=None)
    assert conv.input_shape == (2, 7, 6, None) and conv.output_shape == (3, 7, 3, None)
    assert tuple(conv.W.shape) == (2, 3, 3, 3)
    assert tuple(conv.b.shape) == ((3, 7, 3) if untie_biases else (3,))
    pool = MaxPool2DCCLayer(conv, 2, dimshuffle=False)
    assert pool.output_shape == (3, 4, 2, None)
    out = c01b_to_bc01(pool)
    x = np.random.randn(2, 2, 7, 6).astype(np.float32)
    W = as_numpy(conv.W).transpose(3, 0, 1, 2)
    b = as_numpy(conv.b)
    conved = reference.conv(x, W, (1, 2), (1, 1), flip=False) + (
        b if untie_biases else b[:, None, None])
    expected = reference.pool(conved, (2, 2), (2, 2), (0, 0), False, "max")
    np.testing.assert_allclose(as_numpy(get_output(out, x)), expected, rtol=1e-4, atol=1e-4)
    flipped = Conv2DCCLayer((2, 7, 6, None), 3, 3, dimshuffle=False, flip_filters=True, W=conv.W,
                            nonlinearity=None, b=None)
    np.testing.assert_allclose(
        as_numpy(get_output(flipped, x.transpose(1, 2, 3, 0))).transpose(3, 0, 1, 2),
        reference.conv(x, W, (1, 1), (0, 0), flip=True), rtol=1e-4, atol=1e-4)
