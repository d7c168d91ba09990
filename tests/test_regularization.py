import numpy as np
import pytest

from sknet.layers import DenseLayer, InputLayer
from sknet.regularization import (l1, l2, regularize_layer_params,
                                  regularize_layer_params_weighted, regularize_network_params)


def test_penalties_cover_weights_but_not_biases():
    hidden = DenseLayer(InputLayer((None, 2)), 2, W=np.array([[1, -2], [3, 0]], np.float32),
                        b=np.array([5, 5], np.float32))
    out = DenseLayer(hidden, 1, W=np.array([[1], [1]], np.float32))
    assert regularize_layer_params(hidden, l2).item() == 14
    assert regularize_layer_params(hidden, l1).item() == 6
    assert regularize_network_params(out, l2).item() == 16
    assert regularize_layer_params_weighted({hidden: 0.5, out: 2.0}, l1).item() == \
        pytest.approx(0.5 * 6 + 2 * 2)
    assert regularize_layer_params(hidden, l1, tags={"regularizable": False}).item() == 10
