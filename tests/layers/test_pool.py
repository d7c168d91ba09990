import numpy as np
import pytest
import torch

from sknet.layers import (FeaturePoolLayer, FeatureWTALayer, GlobalPoolLayer, MaxPool1DLayer,
                          MaxPool2DLayer, MaxPool3DLayer, Pool1DLayer, Pool2DLayer,
                          SpatialPyramidPoolingLayer, Upscale2DLayer, get_output)
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


@pytest.mark.parametrize("layer_class,shape,expected", [
    (MaxPool1DLayer, (None, 784), r"Tried to create a 1D pooling layer with input shape "
                                  r"\(None, 784\)\. Expected 3 input dimensions"),
    (MaxPool2DLayer, (None, 784), r"Tried to create a 2D pooling layer with input shape "
                                  r"\(None, 784\)\. Expected 4 input dimensions \(batchsize, "
                                  r"channels, 2 spatial dimensions\)\."),
    (MaxPool3DLayer, (None, 1, 4, 4), r"Expected 5 input dimensions"),
])
def test_pooling_the_wrong_number_of_dimensions_gets_lasagnes_message(layer_class, shape,
                                                                      expected):
    with pytest.raises(ValueError, match=expected):
        layer_class(shape, 2)


def test_feature_wta_keeps_only_the_first_maximum_of_each_group():
    x = np.random.randn(2, 3, 6).astype(np.float32)
    x[0, 0, 1] = x[0, 0, 2] = 9.0  # a tie: the first one wins
    layer = FeatureWTALayer((None, 3, 6), 3, axis=2)
    assert layer.output_shape == (None, 3, 6)
    expected = reference.feature_wta(x, 3, 2)
    assert expected[0, 0, 1] == 9 and expected[0, 0, 2] == 0
    np.testing.assert_array_equal(_forward(layer, x), expected)
    x = np.random.randn(2, 6, 2, 2).astype(np.float32)
    np.testing.assert_array_equal(_forward(FeatureWTALayer((None, 6, 2, 2), 2), x),
                                  reference.feature_wta(x, 2, 1))
    with pytest.raises(ValueError, match=r"Number of input feature maps \(7\) is not a multiple "
                                         r"of the region size \(pool_size=3\)"):
        FeatureWTALayer((None, 7), 3)


@pytest.mark.parametrize("size", [(7, 5), (13, 9), (4, 4)])
@pytest.mark.parametrize("mode", ["max", "average_exc_pad"])
def test_spatial_pyramid_pooling_kaiming_matches_he_et_al_bins(size, mode):
    x = np.random.randn(2, 3, *size).astype(np.float32)
    layer = SpatialPyramidPoolingLayer((None, 3, None, None), [4, 2, 1], mode, "kaiming")
    assert layer.output_shape == (None, 3, 21)
    expected = reference.spatial_pyramid_pool(x, [4, 2, 1], np.max if mode == "max" else np.mean)
    np.testing.assert_allclose(_forward(layer, x), expected, rtol=1e-5, atol=1e-6)


def test_spatial_pyramid_pooling_fast_pools_windows_of_ceil_and_strides_of_floor():
    x = np.random.randn(2, 3, 8, 12).astype(np.float32)
    layer = SpatialPyramidPoolingLayer((None, 3, 8, 12), [4, 2, 1])
    assert layer.implementation == "fast" and layer.mode == "max"
    expected = np.concatenate([reference.pool(x, (8 // n, 12 // n), (8 // n, 12 // n), (0, 0),
                                              True, "max").reshape(2, 3, -1) for n in (4, 2, 1)],
                              axis=2)
    np.testing.assert_allclose(_forward(layer, x), expected)
    # 7 rows into 4 bins: windows of 2 with stride 1 give 6 bins, not 4
    with pytest.raises(ValueError, match="implementation='kaiming'"):
        _forward(SpatialPyramidPoolingLayer((None, 3, None, None), [4]),
                 np.zeros((1, 3, 7, 8), np.float32))
    with pytest.raises(ValueError, match=r"Tried to create a SPP layer with input shape "
                                         r"\(None, 3, 8\)\. Expected 4 input dimensions"):
        SpatialPyramidPoolingLayer((None, 3, 8))
    with pytest.raises(ValueError, match="Mode must be either 'max', 'average_inc_pad' or "
                                         "'average_exc_pad'. Got 'mean'"):
        SpatialPyramidPoolingLayer((None, 3, 8, 8), mode="mean")


def test_numpy_integer_pool_and_scale_sizes():
    pool = MaxPool2DLayer((None, 1, 6, 6), np.int64(2), stride=np.int32(2))
    upscale = Upscale2DLayer((None, 1, 3, 3), (np.int64(2), np.int64(3)))
    assert (pool.pool_size, pool.output_shape) == ((2, 2), (None, 1, 3, 3))
    assert upscale.output_shape == (None, 1, 6, 9)
