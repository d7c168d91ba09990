import numpy as np
import pytest

from sknet.layers import DropoutLayer, GaussianNoiseLayer, dropout_channels, get_output
from tests.conftest import as_numpy


def test_dropout_zeros_a_fraction_p_and_rescales_the_rest():
    x = np.ones((200, 500), np.float32)
    out = as_numpy(get_output(DropoutLayer((None, 500), p=0.3), x))
    kept = out != 0
    assert abs(1 - kept.mean() - 0.3) < 0.01
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)


def test_dropout_without_rescale_keeps_values():
    out = as_numpy(get_output(DropoutLayer((None, 100), p=0.5, rescale=False), np.ones((5, 100))))
    assert set(np.unique(out)) == {0.0, 1.0}


def test_deterministic_dropout_and_noise_pass_the_input_through():
    x = np.random.randn(4, 10).astype(np.float32)
    for layer in (DropoutLayer((None, 10)), GaussianNoiseLayer((None, 10))):
        np.testing.assert_array_equal(as_numpy(get_output(layer, x, deterministic=True)), x)


def test_dropout_channels_drops_whole_feature_maps():
    out = as_numpy(get_output(dropout_channels((None, 50, 4, 4), p=0.5), np.ones((8, 50, 4, 4))))
    per_map = out.reshape(8, 50, 16)
    assert (per_map.min(-1) == per_map.max(-1)).all()
    assert 0 < (per_map[..., 0] == 0).mean() < 1


def test_gaussian_noise_has_the_given_sigma():
    out = as_numpy(get_output(GaussianNoiseLayer((None, 1000), sigma=0.5), np.zeros((100, 1000))))
    assert abs(out.std() - 0.5) < 0.01 and abs(out.mean()) < 0.01


def test_dropout_probability_must_be_below_one():
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\), got 1.5"):
        DropoutLayer((None, 10), p=1.5)
