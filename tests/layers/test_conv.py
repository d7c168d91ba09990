import numpy as np
import pytest
import torch

from sknet import init
from sknet.layers import (Conv1DLayer, Conv2DLayer, Conv3DLayer, Deconv2DLayer, Deconv3DLayer,
                          DilatedConv2DLayer, TransposedConv2DLayer, TransposedConv3DLayer,
                          get_output)
from tests import reference
from tests.conftest import as_numpy


def _forward(layer, x):
    return as_numpy(get_output(layer, torch.from_numpy(x)))


@pytest.mark.parametrize("flip", [True, False])
@pytest.mark.parametrize("pad", [0, 1, (2, 1), "valid", "full", "same"])
@pytest.mark.parametrize("stride", [(1, 1), (2, 3)])
def test_conv2d_matches_reference_for_every_pad_mode_and_stride(flip, pad, stride):
    x = np.random.randn(2, 3, 9, 8).astype(np.float32)
    layer = Conv2DLayer((None, 3, 9, 8), 4, (3, 5) if pad != "same" else (3, 3), stride=stride,
                        pad=pad, flip_filters=flip, b=np.random.randn(4).astype(np.float32),
                        nonlinearity=None)
    W, b = as_numpy(layer.W), as_numpy(layer.b)
    pads = (pad, pad) if isinstance(pad, (int, str)) else pad
    expected = reference.conv(x, W, stride, pads, flip) + b[None, :, None, None]
    actual = _forward(layer, x)
    assert actual.shape == expected.shape
    assert layer.output_shape[1:] == expected.shape[1:]
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4)


def test_flip_filters_true_is_a_true_convolution():
    # One tap at the filter's top-left: correlation reads x[y - 1] (the image moves down-right),
    # convolution flips the filter and reads x[y + 1] (the image moves up-left).
    x = np.zeros((1, 1, 5, 5), np.float32)
    x[0, 0, 2, 2] = 1
    W = np.zeros((1, 1, 3, 3), np.float32)
    W[0, 0, 0, 0] = 1
    conv = _forward(Conv2DLayer((None, 1, 5, 5), 1, 3, pad="same", W=W, nonlinearity=None), x)
    corr = _forward(Conv2DLayer((None, 1, 5, 5), 1, 3, pad="same", W=W, nonlinearity=None,
                                flip_filters=False), x)
    assert conv[0, 0, 1, 1] == 1 and conv.sum() == 1
    assert corr[0, 0, 3, 3] == 1 and corr.sum() == 1


def test_untied_biases_have_one_value_per_output_position():
    layer = Conv2DLayer((None, 2, 6, 6), 3, 3, untie_biases=True, nonlinearity=None,
                        b=init.Normal(1.0))
    assert tuple(layer.b.shape) == (3, 4, 4)
    x = np.random.randn(2, 2, 6, 6).astype(np.float32)
    expected = reference.conv(x, as_numpy(layer.W), (1, 1), (0, 0), True) + as_numpy(layer.b)
    np.testing.assert_allclose(_forward(layer, x), expected, rtol=1e-4, atol=1e-4)


def test_default_nonlinearity_is_rectify_and_b_none_removes_the_bias():
    layer = Conv2DLayer((None, 1, 4, 4), 2, 3, b=None)
    assert layer.b is None and [n for n in layer.params] == ["W"]
    x = np.random.randn(3, 1, 4, 4).astype(np.float32)
    np.testing.assert_allclose(_forward(layer, x),
                               np.maximum(reference.conv(x, as_numpy(layer.W), (1, 1), (0, 0),
                                                         True), 0), rtol=1e-4, atol=1e-5)


def test_conv2d_weights_use_glorot_uniform_over_the_receptive_field():
    layer = Conv2DLayer((None, 3, 28, 28), 64, (5, 5))
    bound = np.sqrt(6.0 / ((64 + 3) * 25))
    W = as_numpy(layer.W)
    assert W.shape == (64, 3, 5, 5)
    assert np.abs(W).max() <= bound and np.abs(W).max() > 0.95 * bound
    assert not as_numpy(layer.b).any()


def test_conv1d_and_conv3d_match_reference():
    x1 = np.random.randn(2, 3, 11).astype(np.float32)
    layer1 = Conv1DLayer((None, 3, 11), 4, 3, stride=2, pad="full", nonlinearity=None)
    np.testing.assert_allclose(_forward(layer1, x1),
                               reference.conv(x1, as_numpy(layer1.W), (2,), ("full",), True),
                               rtol=1e-4, atol=1e-4)
    x3 = np.random.randn(1, 2, 5, 6, 4).astype(np.float32)
    layer3 = Conv3DLayer((None, 2, 5, 6, 4), 3, 3, pad="same", nonlinearity=None)
    np.testing.assert_allclose(_forward(layer3, x3),
                               reference.conv(x3, as_numpy(layer3.W), (1, 1, 1),
                                              ("same",) * 3, True), rtol=1e-4, atol=1e-4)


def test_grouped_convolution_has_a_smaller_weight_and_splits_the_channels():
    layer = Conv2DLayer((None, 4, 5, 5), 6, 3, num_groups=2, nonlinearity=None)
    assert tuple(layer.W.shape) == (6, 2, 3, 3)
    x = np.random.randn(1, 4, 5, 5).astype(np.float32)
    W = as_numpy(layer.W)
    expected = np.concatenate([reference.conv(x[:, :2], W[:3], (1, 1), (0, 0), True),
                               reference.conv(x[:, 2:], W[3:], (1, 1), (0, 0), True)], axis=1)
    np.testing.assert_allclose(_forward(layer, x), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("crop,stride", [(0, (2, 2)), (1, (2, 3)), ("same", (1, 1)),
                                         ("full", (2, 2))])
def test_transposed_conv_matches_the_documented_dilate_pad_correlate(flip, crop, stride):
    x = np.random.randn(2, 3, 5, 4).astype(np.float32)
    layer = TransposedConv2DLayer((None, 3, 5, 4), 2, 3, stride=stride, crop=crop,
                                  flip_filters=flip, nonlinearity=None)
    assert tuple(layer.W.shape) == (3, 2, 3, 3)
    crops = (crop, crop)
    expected = reference.transposed_conv2d(x, as_numpy(layer.W), stride, crops, flip)
    assert layer.output_shape[2:] == expected.shape[2:]
    np.testing.assert_allclose(_forward(layer, x), expected, rtol=1e-4, atol=1e-4)


def test_transposed_conv_with_shared_W_is_the_adjoint_of_the_convolution():
    conv = Conv2DLayer((None, 3, 9, 9), 5, 3, stride=2, b=None, nonlinearity=None)
    deconv = Deconv2DLayer((None, 5, 4, 4), 3, 3, stride=2, W=conv.W, b=None,
                           nonlinearity=None, flip_filters=not conv.flip_filters)
    assert deconv.W is conv.W
    x = torch.randn(2, 3, 9, 9)
    y = torch.randn(2, 5, 4, 4)
    lhs = (get_output(conv, x) * y).sum()
    rhs = (x * get_output(deconv, y)).sum()
    assert deconv.output_shape == (None, 3, 9, 9)
    assert torch.allclose(lhs, rhs, rtol=1e-4)


def test_transposed_conv_output_size_selects_among_possible_sizes():
    layer = TransposedConv2DLayer((None, 2, 4, 4), 1, 3, stride=2, output_size=10)
    assert layer.output_shape == (None, 1, 10, 10)
    assert get_output(layer, torch.randn(1, 2, 4, 4)).shape == (1, 1, 10, 10)


def test_dilated_conv_matches_reference_and_uses_the_transposed_weight_layout():
    x = np.random.randn(2, 3, 12, 11).astype(np.float32)
    layer = DilatedConv2DLayer((None, 3, 12, 11), 4, (3, 2), dilation=(2, 3), nonlinearity=None)
    assert tuple(layer.W.shape) == (3, 4, 3, 2)
    expected = reference.dilated_conv2d(x, as_numpy(layer.W), (2, 3))
    assert layer.output_shape[2:] == expected.shape[2:] == (8, 8)
    np.testing.assert_allclose(_forward(layer, x), expected, rtol=1e-4, atol=1e-4)


def test_dilated_conv_refuses_padding_and_flipping():
    with pytest.raises(NotImplementedError, match="PadLayer"):
        DilatedConv2DLayer((None, 3, 12, 12), 4, 3, pad=1)
    with pytest.raises(NotImplementedError, match="flip_filters"):
        DilatedConv2DLayer((None, 3, 12, 12), 4, 3, flip_filters=True)


def test_a_filter_larger_than_the_map_fails_at_construction_naming_layer_and_shapes():
    with pytest.raises(ValueError, match=r"Conv2DLayer 'conv1' cannot take input shape "
                                         r"\(None, 1, 4, 4\).*\(None, 8, 0, 0\)"):
        Conv2DLayer((None, 1, 4, 4), 8, 5, name="conv1")


def test_same_padding_needs_odd_filters_and_bad_pad_is_rejected():
    with pytest.raises(NotImplementedError, match="odd"):
        Conv2DLayer((None, 1, 8, 8), 2, 4, pad="same")
    with pytest.raises(ValueError, match="pad must be an int, 2 ints, 'valid', 'full' or 'same', "
                                         "got 'half'"):
        Conv2DLayer((None, 1, 8, 8), 2, 3, pad="half")


def test_wrong_input_rank_gets_lasagnes_message():
    with pytest.raises(ValueError, match=r"Conv2DLayer 'conv1': Tried to create a 2D convolution "
                                         r"layer with input shape \(None, 784\)\. Expected 4 "
                                         r"input dimensions \(batchsize, channels, 2 spatial "
                                         r"dimensions\)\."):
        Conv2DLayer((None, 784), 2, 3, name="conv1")
    with pytest.raises(ValueError, match="Tried to create a 3D convolution layer"):
        TransposedConv3DLayer((None, 3, 8, 8), 2, 3)


@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("crop,stride", [(0, (2, 1, 2)), ("same", (1, 1, 1)), (1, (2, 2, 2))])
def test_transposed_conv3d_matches_the_documented_dilate_pad_correlate(flip, crop, stride):
    x = np.random.randn(2, 3, 3, 4, 2).astype(np.float32)
    layer = TransposedConv3DLayer((None, 3, 3, 4, 2), 2, 3, stride=stride, crop=crop,
                                  flip_filters=flip, nonlinearity=None, b=init.Normal(1.0))
    assert tuple(layer.W.shape) == (3, 2, 3, 3, 3) and Deconv3DLayer is TransposedConv3DLayer
    expected = reference.transposed_conv(x, as_numpy(layer.W), stride, (crop,) * 3, flip)
    expected = expected + as_numpy(layer.b)[None, :, None, None, None]
    assert layer.output_shape[2:] == expected.shape[2:]
    np.testing.assert_allclose(_forward(layer, x), expected, rtol=1e-4, atol=1e-4)


def test_transposed_conv3d_weight_gradient_matches_finite_differences_of_the_reference():
    x = np.random.randn(1, 2, 2, 3, 2).astype(np.float32)
    layer = TransposedConv3DLayer((None, 2, 2, 3, 2), 2, 2, stride=2, b=None, nonlinearity=None,
                                  output_size=(5, 6, 4))
    assert layer.output_shape == (None, 2, 5, 6, 4)
    weights = np.random.randn(1, 2, 5, 6, 4)
    (get_output(layer, x) * torch.from_numpy(weights).float()).sum().backward()
    indices = [(0, 0, 0, 0, 0), (1, 1, 1, 0, 1), (0, 1, 1, 1, 0)]

    def loss(W):  # output_size adds a row of zeros at the end of each axis (stride 2 > 1)
        out = reference.transposed_conv(x, W, (2, 2, 2), (0, 0, 0), False)
        return (np.pad(out, [(0, 0), (0, 0), (0, 1), (0, 0), (0, 0)]) * weights).sum()
    numeric = reference.numeric_gradient(loss, as_numpy(layer.W), indices)
    np.testing.assert_allclose(as_numpy(layer.W.grad)[tuple(zip(*indices))], numeric,
                               rtol=1e-4, atol=1e-4)


def test_numpy_integer_sizes_build_the_same_layer_as_python_ints():
    # Lasagne took any of its int_types; the sizes are stored as Python ints
    sizes = dict(num_filters=np.int64(4), filter_size=(np.int32(3), np.int64(2)),
                 stride=np.int64(2), pad=np.int16(1))
    layer = Conv2DLayer((None, 3, 9, 8), **sizes)
    assert layer.filter_size == (3, 2) and layer.stride == (2, 2) and layer.pad == (1, 1)
    assert all(type(v) is int for v in layer.filter_size + layer.stride + layer.pad)
    assert layer.output_shape == Conv2DLayer((None, 3, 9, 8), 4, (3, 2), 2, 1).output_shape
    with pytest.raises(TypeError, match="filter_size"):
        Conv2DLayer((None, 3, 9, 8), 4, (3.0, 2))
