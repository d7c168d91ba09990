import numpy as np
import pytest
import torch

from sknet import objectives as obj

P = torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])


def test_categorical_crossentropy_from_ids_and_from_one_hot():
    expected = [-np.log(0.7), -np.log(0.3)]
    np.testing.assert_allclose(obj.categorical_crossentropy(P, torch.tensor([0, 1])), expected,
                               rtol=1e-6)
    one_hot = torch.tensor([[1.0, 0, 0], [0, 1.0, 0]])
    np.testing.assert_allclose(obj.categorical_crossentropy(P, one_hot), expected, rtol=1e-6)


def test_binary_crossentropy_and_accuracy():
    p, t = torch.tensor([0.9, 0.2, 0.6]), torch.tensor([1.0, 0.0, 0.0])
    np.testing.assert_allclose(obj.binary_crossentropy(p, t),
                               [-np.log(0.9), -np.log(0.8), -np.log(0.4)], rtol=1e-6)
    assert obj.binary_accuracy(p, t).tolist() == [1, 1, 0]
    assert obj.binary_accuracy(p.view(3, 1), t).shape == (3, 1)


def test_squared_error_and_huber_loss():
    a, b = torch.tensor([1.0, 2.0, 5.0]), torch.tensor([1.5, 2.0, 1.0])
    assert obj.squared_error(a, b).tolist() == [0.25, 0.0, 16.0]
    # |d| = 0.5, 0, 4 with delta = 1: 0.5 * 0.25, 0, 1 * (4 - 0.5)
    assert obj.huber_loss(a, b).tolist() == [0.125, 0.0, 3.5]


def test_hinge_losses():
    scores = torch.tensor([[2.0, 1.5, -1.0], [0.0, 3.0, 1.0]])
    # sample 0: best wrong 1.5, correct 2.0 -> max(0, 1.5 - 2 + 1) = 0.5; sample 1: 3 - 1 + 1
    assert obj.multiclass_hinge_loss(scores, torch.tensor([0, 2])).tolist() == [0.5, 3.0]
    assert obj.multiclass_hinge_loss(scores, torch.tensor([[1.0, 0, 0], [0, 0, 1.0]])).tolist() \
        == [0.5, 3.0]
    log_odds, targets = torch.tensor([2.0, -0.5, 0.3]), torch.tensor([1.0, 0.0, 0.0])
    assert obj.binary_hinge_loss(log_odds, targets, log_odds=True).tolist() == \
        pytest.approx([0.0, 0.5, 1.3])
    with pytest.warns(FutureWarning, match="log_odds"):
        obj.binary_hinge_loss(log_odds, targets)


def test_categorical_accuracy_top_k():
    assert obj.categorical_accuracy(P, torch.tensor([0, 0])).tolist() == [1, 0]
    assert obj.categorical_accuracy(P, torch.tensor([1, 0]), top_k=2).tolist() == [1, 0]


def test_aggregate_modes():
    loss, weights = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 0.0, 1.0])
    assert obj.aggregate(loss).item() == 2.0
    assert obj.aggregate(loss, mode="sum").item() == 6.0
    assert obj.aggregate(loss, weights, mode="mean").item() == pytest.approx(4 / 3)
    assert obj.aggregate(loss, weights, mode="normalized_sum").item() == 2.0
    with pytest.raises(ValueError, match="needs weights"):
        obj.aggregate(loss, mode="normalized_sum")
    with pytest.raises(ValueError, match="'mean', 'sum' or 'normalized_sum', got 'avg'"):
        obj.aggregate(loss, mode="avg")
