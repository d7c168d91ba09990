"""Theano-era layer classes of sknet/legacy/layers.py: cuda-convnet's c01b helpers and
MaxPool2DCCLayer's `pad`."""
import numpy as np
import pytest
import torch

from sknet import init
from sknet.layers import InputLayer, get_output
from sknet.legacy.layers import (MaxPool2DCCLayer, NINLayer_c01b, ShuffleBC01ToC01BLayer,
                                 ShuffleC01BToBC01Layer, bc01_to_c01b, c01b_to_bc01)
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

