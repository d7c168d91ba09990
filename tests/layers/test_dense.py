import numpy as np
import pytest
import torch

from sknet import init
from sknet.layers import DenseLayer, InputLayer, NINLayer, get_output, get_output_shape
from tests.conftest import as_numpy


def test_dense_flattens_trailing_axes_and_uses_the_num_inputs_by_num_units_layout():
    layer = DenseLayer((None, 2, 3, 4), 5, nonlinearity=None, b=init.Normal(1.0))
    W, b = as_numpy(layer.W), as_numpy(layer.b)
    assert W.shape == (24, 5) and b.shape == (5,)
    x = np.random.randn(7, 2, 3, 4).astype(np.float32)
    np.testing.assert_allclose(as_numpy(get_output(layer, x)), x.reshape(7, 24) @ W + b,
                               rtol=1e-5, atol=1e-5)


def test_dense_defaults_rectify_glorot_uniform_and_zero_bias():
    layer = DenseLayer(InputLayer((None, 784)), 100)
    W = as_numpy(layer.W)
    bound = np.sqrt(6.0 / (784 + 100))
    assert np.abs(W).max() <= bound and np.abs(W).max() > 0.99 * bound
    assert not as_numpy(layer.b).any()
    assert (as_numpy(get_output(layer, np.random.randn(5, 784))) >= 0).all()


def test_num_leading_axes_keeps_axes_and_may_count_from_the_end():
    x = np.random.randn(2, 3, 4).astype(np.float32)
    layer = DenseLayer((None, 3, 4), 6, num_leading_axes=-1, nonlinearity=None)
    assert layer.output_shape == (None, 3, 6)
    np.testing.assert_allclose(as_numpy(get_output(layer, x)), x @ as_numpy(layer.W), rtol=1e-5,
                               atol=1e-6)
    assert DenseLayer((None, 3, 4), 6, num_leading_axes=2).output_shape == (None, 3, 6)


def test_dense_errors_name_the_layer_and_the_shape():
    with pytest.raises(ValueError, match=r"DenseLayer 'hidden'.*num_leading_axes=2.*\(None, 5\), "
                                         "leaving no trailing axes for the dot product"):
        DenseLayer((None, 5), 3, num_leading_axes=2, name="hidden")
    with pytest.raises(ValueError, match=r"num_leading_axes=-3 for a 2-dimensional input "
                                         r"\(None, 5\), requesting more trailing axes"):
        DenseLayer((None, 5), 3, num_leading_axes=-3)
    with pytest.raises(ValueError, match=r"requires a fixed input shape \(except for the leading"):
        DenseLayer((None, None), 3)
    with pytest.raises(TypeError, match="nonlinearity must be a callable or None, got 'relu'"):
        DenseLayer((None, 5), 3, nonlinearity="relu")


def test_nin_layer_is_a_dense_layer_across_channels():
    layer = NINLayer((None, 3, 4, 5), 2, untie_biases=True, b=init.Normal(1.0), nonlinearity=None)
    W, b = as_numpy(layer.W), as_numpy(layer.b)
    assert W.shape == (3, 2) and b.shape == (2, 4, 5)
    x = np.random.randn(2, 3, 4, 5).astype(np.float32)
    expected = np.einsum("nchw,cu->nuhw", x, W) + b
    np.testing.assert_allclose(as_numpy(get_output(layer, x)), expected, rtol=1e-5, atol=1e-5)


def test_parameters_accept_arrays_tensors_callables_and_shared_parameters():
    W = np.arange(6, dtype=np.float32).reshape(3, 2)
    from_array = DenseLayer((None, 3), 2, W=W)
    from_callable = DenseLayer((None, 3), 2, W=lambda shape: np.ones(shape))
    shared = DenseLayer((None, 3), 2, W=from_array.W)
    assert as_numpy(from_array.W).tolist() == W.tolist()
    assert as_numpy(from_callable.W).tolist() == np.ones((3, 2)).tolist()
    assert shared.W is from_array.W
    assert DenseLayer((None, 3), 2, W=torch.zeros(3, 2)).W.requires_grad
    with pytest.raises(ValueError, match=r"must have shape \(3, 2\).*\(2, 3\)"):
        DenseLayer((None, 3), 2, W=np.zeros((2, 3)))
    with pytest.raises(TypeError, match="initializer"):
        DenseLayer((None, 3), 2, W="glorot")


def test_sizes_and_shapes_may_be_numpy_integers_and_become_python_ints():
    x = np.random.randn(2, 6).astype(np.float32)
    layer = DenseLayer((None, np.int64(6)), num_units=np.int64(3), nonlinearity=None)
    assert layer.output_shape == (None, 3) and type(layer.output_shape[1]) is int
    np.testing.assert_allclose(as_numpy(get_output(layer, x)), x @ as_numpy(layer.W), atol=1e-6)
    nin = NINLayer((None, 3, 4, 4), num_units=np.int32(2), untie_biases=True)
    assert nin.output_shape == (None, 2, 4, 4) and tuple(nin.b.shape) == (2, 4, 4)


@pytest.mark.parametrize("num_units, error", [(0, ValueError), (-2, ValueError),
                                               (2.0, TypeError), ("3", TypeError),
                                               (None, TypeError), (True, TypeError)])
def test_num_units_must_be_a_positive_int(num_units, error):
    with pytest.raises(error, match=f"DenseLayer: num_units must be a positive int, got "
                                    f"{num_units!r}"):
        DenseLayer((None, 4), num_units=num_units)


def test_a_negative_num_leading_axes_is_kept_and_counts_from_the_end_of_any_input():
    layer = DenseLayer(InputLayer((None, 3, 4)), 6, num_leading_axes=-1, nonlinearity=None)
    assert layer.num_leading_axes == -1  # as Lasagne keeps it
    x = np.random.randn(2, 7, 3, 4).astype(np.float32)  # one more leading axis than built for
    assert get_output_shape(layer, x.shape) == (2, 7, 3, 6)
    np.testing.assert_allclose(as_numpy(get_output(layer, x)), x @ as_numpy(layer.W) +
                               as_numpy(layer.b), rtol=1e-5, atol=1e-6)
