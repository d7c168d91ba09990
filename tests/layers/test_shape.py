import numpy as np
import pytest

from sknet.layers import (DimshuffleLayer, FlattenLayer, InputLayer, PadLayer, ReshapeLayer,
                          SliceLayer, get_output)
from tests.conftest import as_numpy


def _forward(layer, x):
    return as_numpy(get_output(layer, x))


def test_flatten_keeps_leading_axes():
    x = np.random.randn(2, 3, 4, 5).astype(np.float32)
    assert _forward(FlattenLayer((None, 3, 4, 5)), x).shape == (2, 60)
    layer = FlattenLayer((None, 3, 4, 5), outdim=3)
    assert layer.output_shape == (None, 3, 20)
    np.testing.assert_array_equal(_forward(layer, x), x.reshape(2, 3, 20))


def test_reshape_with_input_axis_references_and_minus_one():
    x = np.random.randn(6, 784).astype(np.float32)
    layer = ReshapeLayer(InputLayer((None, 784)), ([0], 1, 28, -1))
    assert layer.output_shape == (None, 1, 28, 28)
    np.testing.assert_array_equal(_forward(layer, x), x.reshape(6, 1, 28, 28))
    assert ReshapeLayer((None, 3, None), ([0], [2], [1])).output_shape == (None, None, 3)
    assert ReshapeLayer((None, 12), (-1, 4)).output_shape == (None, 4)


def test_reshape_rejects_mismatched_sizes_and_bad_specs():
    with pytest.raises(ValueError, match="cannot be reshaped"):
        ReshapeLayer((None, 3, 4), ([0], 5))
    with pytest.raises(ValueError, match="-1 only once"):
        ReshapeLayer((None, 12), (-1, -1))
    with pytest.raises(ValueError, match="refers to input axis 5"):
        ReshapeLayer((None, 12), ([5], 12))


def test_dimshuffle_permutes_inserts_and_drops_broadcastable_axes():
    x = np.random.randn(2, 3, 1, 5).astype(np.float32)
    layer = DimshuffleLayer((None, 3, 1, 5), (3, "x", 0, 1))
    assert layer.output_shape == (5, 1, None, 3)
    np.testing.assert_array_equal(_forward(layer, x), x[:, :, 0, :].transpose(2, 0, 1)[:, None])
    with pytest.raises(ValueError, match="drops axis 1 of size 3"):
        DimshuffleLayer((None, 3, 1, 5), (0, 3))


def test_pad_layer_pads_after_the_batch_axes_with_a_value():
    x = np.ones((1, 2, 2, 3), np.float32)
    layer = PadLayer((None, 2, 2, 3), [(1, 0), 2], val=-1)
    out = _forward(layer, x)
    assert layer.output_shape == (None, 2, 3, 7) and out.shape == (1, 2, 3, 7)
    np.testing.assert_array_equal(out, np.pad(x, [(0, 0), (0, 0), (1, 0), (2, 2)],
                                              constant_values=-1))


def test_slice_layer_with_index_and_slices_including_negative_steps():
    x = np.random.randn(2, 6, 3).astype(np.float32)
    assert _forward(SliceLayer((None, 6, 3), 1, axis=1), x).tolist() == x[:, 1].tolist()
    layer = SliceLayer((None, 6, 3), slice(None, None, -2), axis=1)
    assert layer.output_shape == (None, 3, 3)
    np.testing.assert_array_equal(_forward(layer, x), x[:, ::-2])


def test_pad_layer_takes_lasagnes_width_forms_and_keeps_width_as_given():
    x = np.random.randn(2, 3, 4, 5).astype(np.float32)
    pairs = [(1, 2), (0, 3)]
    layer = PadLayer((None, 3, 4, 5), width=pairs)
    assert layer.width is pairs and layer.output_shape == (None, 3, 7, 8)
    np.testing.assert_array_equal(_forward(layer, x), np.pad(x, [(0, 0), (0, 0), *pairs]))
    # fewer widths than padded axes: Lasagne pads the leading ones only
    layer = PadLayer((None, 3, 4, 5), width=[(1, 2)])
    assert layer.output_shape == (None, 3, 7, 5)
    np.testing.assert_array_equal(_forward(layer, x), np.pad(x, [(0, 0), (0, 0), (1, 2), (0, 0)]))
    # one (before, after) pair per axis given as arrays, NumPy integers, batch_ndim=1
    layer = PadLayer((None, 3, 4, 5), width=np.array([[0, 1], [1, 0], [2, 2]]), batch_ndim=1)
    assert layer.output_shape == (None, 4, 5, 9)
    layer = PadLayer((None, 3, 4, 5), width=np.int64(1))
    assert layer.output_shape == (None, 3, 6, 7)
    with pytest.raises(ValueError, match=r"width must be .* up to 2 .*got \[1, 1, 1\]"):
        PadLayer((None, 3, 4, 5), width=[1, 1, 1])
    with pytest.raises(ValueError, match="width must be"):
        PadLayer((None, 3, 4, 5), width=[(1, -1)])


def test_shape_layers_take_numpy_integers():
    i = np.int64
    x = np.random.randn(2, 12).astype(np.float32)
    layer = ReshapeLayer((None, 12), ([i(0)], i(3), i(-1)))
    assert layer.output_shape == (None, 3, 4) and layer.shape == ([0], 3, -1)
    np.testing.assert_array_equal(_forward(layer, x), x.reshape(2, 3, 4))
    layer = DimshuffleLayer((None, 12), (i(1), "x", i(0)))
    assert layer.output_shape == (12, 1, None)
    np.testing.assert_array_equal(_forward(layer, x), x.T[:, None, :])
    layer = SliceLayer((None, 12), indices=np.int32(5), axis=i(1))
    assert layer.output_shape == (None,) and layer.slice == 5
    np.testing.assert_array_equal(_forward(layer, x), x[:, 5])
    assert FlattenLayer((None, 3, 4), outdim=i(2)).output_shape == (None, 12)
    with pytest.raises(ValueError, match="pattern entries must be ints or 'x'"):
        DimshuffleLayer((None, 12), (True, 0))
