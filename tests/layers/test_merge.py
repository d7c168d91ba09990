import numpy as np
import pytest
import torch

from sknet.layers import (ConcatLayer, DenseLayer, ElemwiseMergeLayer, ElemwiseSumLayer,
                          InputLayer, autocrop, autocrop_array_shapes, get_output)
from tests.conftest import as_numpy


def test_concat_joins_along_the_axis_and_checks_the_other_axes():
    a, b = InputLayer((None, 3, 5)), InputLayer((None, 2, 5))
    layer = ConcatLayer([a, b])
    assert layer.output_shape == (None, 5, 5)
    xa, xb = np.random.randn(4, 3, 5), np.random.randn(4, 2, 5)
    out = as_numpy(get_output(layer, {a: xa, b: xb}))
    np.testing.assert_allclose(out, np.concatenate([xa, xb], axis=1), rtol=1e-6)
    with pytest.raises(ValueError, match="ConcatLayer 'join' cannot take input shape"):
        ConcatLayer([(None, 3, 5), (None, 2, 4)], name="join")


def test_concat_cropping_aligns_inputs_of_different_sizes():
    layer = ConcatLayer([(None, 1, 6), (None, 1, 4)], axis=1, cropping=[None, None, "center"])
    assert layer.output_shape == (None, 2, 4)
    a, b = torch.arange(6.0).view(1, 1, 6), torch.zeros(1, 1, 4)
    out = layer.get_output_for([a, b])
    assert out[0, 0].tolist() == [1, 2, 3, 4]


def test_elemwise_sum_weights_each_input():
    a, b = InputLayer((None, 3)), InputLayer((None, 3))
    xa, xb = np.random.randn(2, 3), np.random.randn(2, 3)
    out = get_output(ElemwiseSumLayer([a, b], coeffs=[2, -1]), {a: xa, b: xb})
    np.testing.assert_allclose(as_numpy(out), 2 * xa - xb, rtol=1e-6)
    with pytest.raises(ValueError, match="got 1 coeffs for 2 inputs"):
        ElemwiseSumLayer([a, b], coeffs=[1])


def test_elemwise_merge_applies_the_function_and_rejects_shape_mismatch():
    a, b = InputLayer((None, 3)), InputLayer((None, 3))
    xa, xb = np.random.randn(2, 3), np.random.randn(2, 3)
    out = get_output(ElemwiseMergeLayer([a, b], torch.maximum), {a: xa, b: xb})
    np.testing.assert_allclose(as_numpy(out), np.maximum(xa, xb), rtol=1e-6)
    with pytest.raises(ValueError, match="not all the same"):
        ElemwiseMergeLayer([(None, 3), (None, 4)], torch.maximum)


def test_a_residual_graph_computes_once_per_shared_ancestor():
    l_in = InputLayer((None, 4))
    hidden = DenseLayer(l_in, 4, nonlinearity=None)
    out = ElemwiseSumLayer([hidden, DenseLayer(hidden, 4, nonlinearity=None)])
    x = np.random.randn(3, 4).astype(np.float32)
    h = x @ as_numpy(hidden.W)
    expected = h + h @ as_numpy(out.input_layers[1].W)
    np.testing.assert_allclose(as_numpy(get_output(out, x)), expected, rtol=1e-5, atol=1e-6)


def test_autocrop_follows_lasagnes_documented_example():
    a, b, c = (np.random.random(shape) for shape in [(1, 2, 3, 4), (5, 4, 4, 2), (7, 1, 8, 9)])
    cropping = [None, "lower", "center", "upper"]
    xa, xb, xc = (as_numpy(x) for x in autocrop([torch.as_tensor(v) for v in (a, b, c)],
                                                cropping))
    np.testing.assert_array_equal(xa, a[:, :1, :3, -2:])
    np.testing.assert_array_equal(xb, b[:, :1, :3, -2:])
    np.testing.assert_array_equal(xc, c[:, :1, 2:5, -2:])
    assert autocrop_array_shapes([a.shape, b.shape, c.shape], cropping) == [
        (1, 1, 3, 2), (5, 1, 3, 2), (7, 1, 3, 2)]
    # cropping modes beyond the inputs' axes are ignored, as Lasagne's zip did
    assert autocrop_array_shapes([(2, 3), (4, 5)], [None, "lower", "upper"]) == [(2, 3), (4, 3)]


def test_inputs_of_different_dimensionality_cannot_be_cropped():
    message = r"Not all inputs are of the same dimensionality. Got 2 inputs of .*\[2, 3\]"
    with pytest.raises(ValueError, match=message):
        autocrop_array_shapes([(2, 3), (2, 3, 4)], [None, "lower"])
    with pytest.raises(ValueError, match=message):
        autocrop([torch.zeros(2, 3), torch.zeros(2, 3, 4)], [None, "lower"])
