import pickle

import numpy as np
import pytest
import torch

from sknet import BatchIterator, TrainSplit


class _Classifier:
    regression = False


class _Regressor:
    regression = True


def test_batches_cover_the_data_in_order_without_shuffle():
    X, y = np.arange(10), np.arange(10) * 2
    batches = list(BatchIterator(4)(X, y))
    assert [xb.tolist() for xb, _ in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[2][1].tolist() == [16, 18]
    assert len(BatchIterator(4)(X)) == 3
    assert BatchIterator(4) and BatchIterator(4)(X[:0])  # truthy bound or not, even if empty


def test_shuffle_changes_order_each_pass_reproducibly_and_keeps_pairs():
    X, y = np.arange(100), np.arange(100) * 2
    first = np.concatenate([xb for xb, _ in BatchIterator(30, shuffle=True)(X)])
    again = np.concatenate([xb for xb, _ in BatchIterator(30, shuffle=True)(X)])
    iterator = BatchIterator(30, shuffle=True)(X, y)
    passes = [np.concatenate([xb for xb, _ in iterator]) for _ in range(2)]
    assert sorted(first) == list(range(100)) and not np.array_equal(first, np.arange(100))
    assert np.array_equal(first, again) and not np.array_equal(*passes)
    assert all((yb == 2 * xb).all() for xb, yb in iterator)
    np.testing.assert_array_equal(X, np.arange(100))  # the data itself is left alone


def test_dicts_and_tensors_are_sliced_alike():
    X = {"a": np.arange(6), "b": torch.arange(6)}
    (first, _), (second, _) = BatchIterator(3)(X)
    assert first["a"].tolist() == [0, 1, 2] and second["b"].tolist() == [3, 4, 5]


def test_batch_size_must_be_positive():
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        BatchIterator(0)


def test_train_split_holds_out_the_first_stratified_fold():
    y = np.array([0] * 50 + [1] * 50)
    X = np.arange(100)
    X_train, X_valid, y_train, y_valid = TrainSplit(0.2)(X, y, _Classifier())
    assert len(X_valid) == 20 and (y_valid == 0).sum() == 10
    assert sorted(np.concatenate([X_train, X_valid]).tolist()) == list(range(100))
    _, X_valid, _, _ = TrainSplit(0.2)(X, y, _Regressor())
    assert X_valid.tolist() == list(range(20))


def test_train_split_shuffle_and_zero_and_bad_sizes():
    X, y = np.arange(100), np.arange(100) % 2
    _, X_valid, _, _ = TrainSplit(0.2, shuffle=True, stratify=False)(X, y, _Classifier())
    assert X_valid.tolist() != list(range(20))
    X_train, X_valid, _, y_valid = TrainSplit(0)(X, y, _Classifier())
    assert len(X_train) == 100 and len(X_valid) == 0 and len(y_valid) == 0
    for bad in (1, 1.5, -0.1):
        with pytest.raises(ValueError, match=r"eval_size must be in \[0, 1\)"):
            TrainSplit(bad)


def test_each_call_returns_its_own_iterator_and_leaves_others_alone():
    iterator = BatchIterator(4)
    first, second = iterator(np.arange(10)), iterator(np.arange(100, 106))
    assert first is not iterator and second is not first
    assert [xb.tolist() for xb, _ in first] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert [xb.tolist() for xb, _ in second] == [[100, 101, 102, 103], [104, 105]]
    assert len(iterator) == 2  # nolearn's len(): the data bound last


def test_successive_calls_draw_new_orders_from_the_configured_random_state():
    iterator, X = BatchIterator(10, shuffle=True, seed=3), np.arange(10)
    orders = [np.concatenate([xb for xb, _ in iterator(X)]) for _ in range(2)]
    expected = np.random.RandomState(3)
    assert [o.tolist() for o in orders] == [expected.permutation(10).tolist() for _ in "ab"]


class Flipping(BatchIterator):
    """nolearn-style augmentation: flips the sign of training batches, counts the batches."""

    batches_seen = 0

    def transform(self, Xb, yb):
        self.batches_seen += 1
        return (Xb if self.test else -Xb), yb


class EveryOtherRow(BatchIterator):
    """nolearn-era iterator that reads self.X and wraps the parent's __iter__."""

    def __iter__(self):
        assert len(self.X) >= 1
        for Xb, yb in super().__iter__():
            yield Xb[::2], yb


def test_subclasses_see_the_bound_data_test_flag_and_keep_their_state():
    training, testing = Flipping(3), Flipping(3)
    testing.test = True
    X = np.arange(5)
    assert [xb.tolist() for xb, _ in training(X)] == [[0, -1, -2], [-3, -4]]
    assert [xb.tolist() for xb, _ in testing(X)] == [[0, 1, 2], [3, 4]]
    list(training(X))
    assert training.batches_seen == 4  # counted on the configured iterator across calls
    assert [xb.tolist() for xb, _ in EveryOtherRow(3)(X)] == [[0, 2], [3]]


def test_a_pickled_iterator_keeps_its_configuration_not_the_data():
    iterator = Flipping(3, shuffle=True)
    bound = iterator(np.arange(1000))
    restored = pickle.loads(pickle.dumps(bound))
    assert not hasattr(restored, "X") and "_configured" not in vars(restored)
    assert (restored.batch_size, restored.shuffle) == (3, True)
