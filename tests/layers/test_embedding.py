import numpy as np
import pytest
import torch

from sknet.layers import EmbeddingLayer, InputLayer, get_output
from tests.conftest import as_numpy


def test_embedding_looks_up_rows_of_W_and_keeps_integer_input():
    layer = EmbeddingLayer(InputLayer((None, 3)), input_size=10, output_size=4)
    W = as_numpy(layer.W)
    assert W.shape == (10, 4) and abs(W.std() - 0.01) < 0.005
    ids = np.array([[1, 2, 9], [0, 0, 3]])
    out = as_numpy(get_output(layer, ids))
    assert layer.output_shape == (None, 3, 4)
    np.testing.assert_array_equal(out, W[ids])


def test_embedding_gradient_reaches_only_the_looked_up_rows():
    layer = EmbeddingLayer((None, 2), 5, 3)
    get_output(layer, torch.tensor([[1, 3]])).sum().backward()
    assert as_numpy(layer.W.grad).any(axis=1).tolist() == [False, True, False, True, False]


def test_sizes_may_be_numpy_integers_and_must_be_positive():
    layer = EmbeddingLayer((None, 3), input_size=np.int64(10), output_size=np.int64(4))
    assert layer.output_shape == (None, 3, 4) and type(layer.output_shape[-1]) is int
    with pytest.raises(ValueError, match="output_size must be a positive int, got 0"):
        EmbeddingLayer((None, 3), input_size=10, output_size=0)
