import numpy as np
import pytest
import torch

from sknet.layers import (FeaturePoolLayer, GlobalPoolLayer, MaxPool1DLayer, MaxPool2DLayer,
                          MaxPool3DLayer, Pool1DLayer, Pool2DLayer, Upscale2DLayer, get_output)
from tests import reference
from tests.conftest import as_numpy


def _forward(layer, x):
    return as_numpy(get_output(layer, torch.from_numpy(x)))


@pytest.mark.parametrize("mode", ["max", "average_inc_pad", "average_exc_pad"])
@pytest.mark.parametrize("pool_size,stride,pad,ignore_border", [
    ((2, 2), None, (0, 0), True),
    ((3, 3), (2, 2), (1, 1), True),
    ((3, 2), (1, 2), (0, 0), True),
    ((2, 2), None, (0, 0), False),
    ((3, 3), (2, 2), (0, 0), False),
    ((2, 3), (3, 1), (0, 0), False),
    ((3, 3), (1, 1), (2, 2), True),   # padding wider than half the window
])
def test_pool2d_matches_theano_semantics(mode, pool_size, stride, pad, ignore_border):
    x = np.random.randn(2, 3, 7, 6).astype(np.float32)
    layer = Pool2DLayer((None, 3, 7, 6), pool_size, stride, pad, ignore_border, mode)
    expected = reference.pool(x, pool_size, stride or pool_size, pad, ignore_border, mode)
    actual = _forward(layer, x)
    assert layer.output_shape[2:] == expected.shape[2:]
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)


def test_ignore_border_false_keeps_the_partial_windows():
    x = np.arange(25, dtype=np.float32).reshape(1, 1, 5, 5)
    assert _forward(MaxPool2DLayer((None, 1, 5, 5), 2), x).tolist() == [[[[6, 8], [16, 18]]]]
    assert _forward(MaxPool2DLayer((None, 1, 5, 5), 2, ignore_border=False), x).tolist() == \
        [[[[6, 8, 9], [16, 18, 19], [21, 23, 24]]]]


@pytest.mark.parametrize("mode", ["max", "average_exc_pad"])
def test_pool1d_and_3d_match_reference(mode):
    x1 = np.random.randn(2, 3, 9).astype(np.float32)
    layer1 = Pool1DLayer((None, 3, 9), 4, 3, ignore_border=False, mode=mode)
    np.testing.assert_allclose(_forward(layer1, x1),
                               reference.pool(x1, (4,), (3,), (0,), False, mode), rtol=1e-5)
    x3 = np.random.randn(1, 2, 5, 4, 6).astype(np.float32)
    layer3 = MaxPool3DLayer((None, 2, 5, 4, 6), 2, pad=1)
    np.testing.assert_allclose(_forward(layer3, x3),
                               reference.pool(x3, (2,) * 3, (2,) * 3, (1,) * 3, True, "max"))


def test_max_pool_1d_defaults_stride_to_pool_size():
    layer = MaxPool1DLayer((None, 2, 10), 3)
    assert layer.stride == (3,) and layer.output_shape == (None, 2, 3)


def test_pad_with_ignore_border_false_is_rejected():
    with pytest.raises(ValueError, match="ignore_border=False"):
        Pool2DLayer((None, 1, 5, 5), 2, pad=1, ignore_border=False)


def test_unknown_mode_is_rejected_with_the_choices():
    with pytest.raises(ValueError, match="average_inc_pad"):
        Pool2DLayer((None, 1, 5, 5), 2, mode="mean")


def test_global_pool_reduces_all_spatial_axes():
    x = np.random.randn(2, 3, 4, 5).astype(np.float32)
    np.testing.assert_allclose(_forward(GlobalPoolLayer((None, 3, 4, 5)), x),
                               x.mean(axis=(2, 3)), rtol=1e-5)
    np.testing.assert_allclose(_forward(GlobalPoolLayer((None, 3, 4, 5), torch.max), x),
                               x.max(axis=(2, 3)))


def test_feature_pool_takes_the_max_of_consecutive_groups():
    x = np.random.randn(2, 6, 3).astype(np.float32)
    layer = FeaturePoolLayer((None, 6, 3), 3)
    np.testing.assert_allclose(_forward(layer, x), x.reshape(2, 2, 3, 3).max(axis=2))
    with pytest.raises(ValueError, match="not a multiple"):
        FeaturePoolLayer((None, 7, 3), 3)


def test_upscale_repeat_and_dilate():
    x = np.array([[[[1, 2], [3, 4]]]], np.float32)
    repeat = _forward(Upscale2DLayer((None, 1, 2, 2), (2, 1)), x)
    assert repeat.tolist() == [[[[1, 2], [1, 2], [3, 4], [3, 4]]]]
    dilate = _forward(Upscale2DLayer((None, 1, 2, 2), 2, mode="dilate"), x)
    assert dilate.tolist() == [[[[1, 0, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]]]]
