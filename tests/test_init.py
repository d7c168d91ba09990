import numpy as np
import pytest

from sknet import init
from sknet.random import get_rng, set_rng


@pytest.mark.parametrize("shape,fan_sum", [((300, 200), 500), ((32, 16, 3, 3), 48 * 9)])
def test_glorot_uniform_bound_uses_fan_in_plus_fan_out_times_receptive_field(shape, fan_sum):
    W = init.GlorotUniform()(shape)
    bound = np.sqrt(6.0 / fan_sum)
    assert W.dtype == np.float32 and np.abs(W).max() <= bound
    assert np.abs(W).max() > 0.98 * bound
    assert abs(W.std() - bound / np.sqrt(3)) < 0.02 * bound


def test_glorot_normal_and_relu_gain():
    W = init.GlorotNormal(gain="relu")((400, 600))
    assert abs(W.std() - np.sqrt(2) * np.sqrt(2.0 / 1000)) < 1e-3


@pytest.mark.parametrize("shape,fan_in", [((500, 100), 500), ((64, 32, 3, 3), 288)])
def test_he_initializers_use_fan_in(shape, fan_in):
    assert abs(init.HeNormal()(shape).std() - np.sqrt(1.0 / fan_in)) < 0.03 * np.sqrt(1 / fan_in)
    bound = np.sqrt(2) * np.sqrt(3.0 / fan_in)
    W = init.HeUniform(gain="relu")(shape)
    assert np.abs(W).max() <= bound and np.abs(W).max() > 0.98 * bound


def test_normal_uniform_constant():
    assert abs(init.Normal()((1000, 100)).std() - 0.01) < 1e-4
    W = init.Uniform((2.0, 3.0))((1000,))
    assert W.min() >= 2 and W.max() <= 3
    W = init.Uniform(std=2.0, mean=1.0)((100000,))
    assert abs(W.std() - 2.0) < 0.02 and abs(W.mean() - 1.0) < 0.02
    assert np.abs(init.Uniform()((1000,))).max() <= 0.01
    assert (init.Constant(0.5)((2, 3)) == 0.5).all()


def test_sparse_puts_a_fixed_number_of_nonzeros_in_each_column():
    W = init.Sparse(sparsity=0.2)((50, 30))
    assert ((W != 0).sum(axis=0) == 10).all()


def test_orthogonal_gives_orthonormal_rows_times_the_gain():
    W = init.Orthogonal(gain=2.0)((20, 50))
    np.testing.assert_allclose(W @ W.T, 4 * np.eye(20), atol=1e-4)
    W = init.Orthogonal()((8, 2, 3, 3)).reshape(8, 18)
    np.testing.assert_allclose(W @ W.T, np.eye(8), atol=1e-5)


def test_initializers_draw_from_numpys_global_generator_so_seeding_repeats_them():
    np.random.seed(42)
    first = init.GlorotUniform()((10, 10))
    np.random.seed(42)
    np.testing.assert_array_equal(first, init.GlorotUniform()((10, 10)))
    previous = get_rng()
    try:
        set_rng(np.random.RandomState(1))
        a = init.Normal()((5,))
        set_rng(np.random.RandomState(1))
        np.testing.assert_array_equal(a, init.Normal()((5,)))
    finally:
        set_rng(previous)


@pytest.mark.parametrize("initializer, shape, message", [
    (init.GlorotUniform(), (10,), r"only works with shapes of length >= 2, got \(10,\)"),
    (init.GlorotNormal(), (), "only works with shapes of length >= 2"),
    (init.HeUniform(), (10,), "only works with shapes of length >= 2"),
    (init.HeNormal(c01b=True), (3, 3, 3), r"c01b is True, only shapes of length 4 .*\(3, 3, 3"),
    (init.GlorotUniform(c01b=True), (3, 3), "If c01b is True, only shapes of length 4"),
    (init.Sparse(), (3, 3, 3), "sparse initializer only works with shapes of length 2"),
    (init.Orthogonal(), (4,), "Only shapes of length 2 or more are supported"),
])
def test_shape_requirements_raise_lasagnes_runtime_error_which_is_also_a_value_error(
        initializer, shape, message):
    for caught in (RuntimeError, ValueError):  # Lasagne raised RuntimeError, sknet ValueError
        with pytest.raises(caught, match=message):
            initializer(shape)
