import numpy as np
import torch

from sknet import nonlinearities as nl

X = torch.tensor([-2.0, -0.5, 0.0, 1.5])


def _values(f):
    return f(X).numpy()


def test_each_nonlinearity_on_hand_checked_values():
    x = X.numpy()
    np.testing.assert_allclose(_values(nl.rectify), [0, 0, 0, 1.5])
    np.testing.assert_allclose(_values(nl.leaky_rectify), [-0.02, -0.005, 0, 1.5], rtol=1e-6)
    np.testing.assert_allclose(_values(nl.very_leaky_rectify), [-2 / 3, -0.5 / 3, 0, 1.5],
                               rtol=1e-6)
    np.testing.assert_allclose(_values(nl.LeakyRectify(0.2)), [-0.4, -0.1, 0, 1.5], rtol=1e-6)
    np.testing.assert_allclose(_values(nl.sigmoid), 1 / (1 + np.exp(-x)), rtol=1e-6)
    np.testing.assert_allclose(_values(nl.tanh), np.tanh(x), rtol=1e-6)
    np.testing.assert_allclose(_values(nl.ScaledTanH(2.0, 3.0)), 3 * np.tanh(2 * x), rtol=1e-6)
    np.testing.assert_allclose(_values(nl.elu), np.where(x > 0, x, np.exp(x) - 1), rtol=1e-6)
    np.testing.assert_allclose(_values(nl.selu),
                               1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772
                                                             * (np.exp(x) - 1)), rtol=1e-6)
    np.testing.assert_allclose(_values(nl.softplus), np.log1p(np.exp(x)), rtol=1e-6)
    np.testing.assert_array_equal(_values(nl.linear), x)
    assert nl.identity is nl.linear


def test_softmax_rows_sum_to_one():
    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    expected = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(nl.softmax(torch.tensor(x)).numpy(), expected, rtol=1e-6)


def test_selu_class_defaults_are_lasagnes_an_elu_and_selu_has_the_constants():
    x = X.numpy()
    np.testing.assert_allclose(_values(nl.SELU()), np.where(x > 0, x, np.exp(x) - 1), rtol=1e-6)
    np.testing.assert_allclose(_values(nl.SELU(scale=2, scale_neg=3)),
                               2 * np.where(x > 0, x, 3 * (np.exp(x) - 1)), rtol=1e-6)
    assert (nl.selu.scale, nl.selu.scale_neg) == (1.0507009873554805, 1.6732632423543772)
