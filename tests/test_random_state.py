"""NeuralNet's `random_state`: with an int, fits are reproducible across processes and
independent of the global generators; None keeps nolearn's global-generator behaviour."""
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from sknet import BatchIterator, NeuralNet, TrainSplit, layers, nonlinearities
from sknet.random import get_rng, set_rng, using_rng

ROOT = Path(__file__).resolve().parents[1]

# A net with every source of randomness: weight init, dropout masks, a shuffling training
# iterator and a shuffled TrainSplit.
FIT_IN_A_FRESH_PROCESS = """
import pickle, sys
from tests.test_random_state import data, noisy_net
net = noisy_net(int(sys.argv[1])).fit(*data())
with open(sys.argv[2], 'wb') as f:
    pickle.dump((net.get_all_params_values(), [h['train_loss'] for h in net.train_history_],
                 [h['valid_loss'] for h in net.train_history_]), f)
"""


def data():
    X = np.random.RandomState(1).rand(80, 6).astype(np.float32)
    return X, (X[:, 0] + X[:, 1] > 1).astype(np.int64) + (X[:, 2] > 0.5)


def noisy_net(random_state, **kwargs):
    params = dict(layers=[("input", layers.InputLayer), ("hidden", layers.DenseLayer),
                          ("dropout", layers.DropoutLayer), ("output", layers.DenseLayer)],
                  hidden_num_units=16, output_nonlinearity=nonlinearities.softmax,
                  update_learning_rate=0.1, max_epochs=4, random_state=random_state,
                  batch_iterator_train=BatchIterator(16, shuffle=True),
                  train_split=TrainSplit(0.25, shuffle=True))
    params.update(kwargs)
    return NeuralNet(**params)


def outcome(net):
    return (net.get_all_params_values(), [h["train_loss"] for h in net.train_history_],
            [h["valid_loss"] for h in net.train_history_])


def assert_same(a, b):
    (params_a, train_a, valid_a), (params_b, train_b, valid_b) = a, b
    assert list(params_a) == list(params_b)
    for name in params_a:
        for value_a, value_b in zip(params_a[name], params_b[name], strict=True):
            np.testing.assert_array_equal(value_a, value_b)
    assert train_a == train_b and valid_a == valid_b


def differs(a, b):
    return not np.array_equal(a[0]["hidden"][0], b[0]["hidden"][0]) and a[1] != b[1]


def test_the_same_int_gives_identical_fits_in_two_fresh_processes(tmp_path):
    runs = [subprocess.Popen([sys.executable, "-c", FIT_IN_A_FRESH_PROCESS, "7",
                              str(tmp_path / f"run{i}.pkl")], cwd=ROOT) for i in range(2)]
    assert [run.wait(timeout=120) for run in runs] == [0, 0]
    first, second = [pickle.loads((tmp_path / f"run{i}.pkl").read_bytes()) for i in range(2)]
    assert_same(first, second)
    # here, in a process whose global generators other tests have used, as in a fresh one
    assert_same(first, outcome(noisy_net(7).fit(*data())))
    assert differs(first, outcome(noisy_net(8).fit(*data())))


def test_an_int_draws_nothing_from_the_global_generators():
    np.random.seed(0)
    torch.manual_seed(0)
    numpy_state, torch_state = np.random.get_state(), torch.get_rng_state()
    first = outcome(noisy_net(3).fit(*data()))
    assert np.array_equal(np.random.get_state()[1], numpy_state[1])
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.random.seed(1)
    torch.manual_seed(1)
    assert_same(first, outcome(noisy_net(3).fit(*data())))


def test_each_fit_with_an_int_starts_again_from_it():
    net = noisy_net(5)
    first = outcome(net.fit(*data()))
    assert_same(first, outcome(net.fit(*data())))


def test_a_random_state_instance_is_drawn_from_and_advanced_by_each_fit():
    rng = np.random.RandomState(5)
    net = noisy_net(rng)
    first = outcome(net.fit(*data()))
    assert_same(first, outcome(noisy_net(5).fit(*data())))  # RandomState(5) draws as 5 does
    assert differs(first, outcome(net.fit(*data())))


def test_none_follows_the_global_generators_as_nolearn_did():
    def fit(numpy_seed, torch_seed):
        np.random.seed(numpy_seed)
        torch.manual_seed(torch_seed)
        return outcome(noisy_net(None).fit(*data()))

    first = fit(0, 0)
    assert_same(first, fit(0, 0))
    weights_differ = fit(1, 0)  # other initial weights
    assert not np.array_equal(first[0]["hidden"][0], weights_differ[0]["hidden"][0])
    masks_differ = fit(0, 1)  # the same initial weights, other dropout masks
    assert first[1][0] != masks_differ[1][0]


def test_none_keeps_a_generator_set_with_set_rng():
    try:
        set_rng(np.random.RandomState(0))
        first = noisy_net(None, max_epochs=0).fit(*data()).get_all_params_values()
        set_rng(np.random.RandomState(0))
        second = noisy_net(None, max_epochs=0).fit(*data()).get_all_params_values()
    finally:
        set_rng(np.random)
    np.testing.assert_array_equal(first["hidden"][0], second["hidden"][0])


def test_the_users_iterator_and_split_are_left_as_they_were():
    iterator, split = BatchIterator(16, shuffle=True, seed=11), TrainSplit(0.25, shuffle=True)
    before = iterator.random.get_state()[1].copy()
    net = noisy_net(3, batch_iterator_train=iterator, train_split=split).fit(*data())
    assert iterator.seed == 11 and np.array_equal(iterator.random.get_state()[1], before)
    assert split.seed == 42
    assert net.batch_iterator_train_.seed != 11  # the net's copy shuffles from random_state


def test_the_generator_is_restored_after_building_also_on_error():
    noisy_net(3, max_epochs=0).fit(*data())
    assert get_rng() is np.random
    with pytest.raises(ValueError, match="hidden_num_unit"):
        noisy_net(3, hidden_num_unit=3).fit(*data())
    assert get_rng() is np.random


def test_random_state_is_a_parameter_that_clone_and_grid_search_carry():
    net = noisy_net(3, max_epochs=1)
    assert net.get_params()["random_state"] == 3
    assert clone(net).random_state == 3
    assert net.set_params(random_state=4).random_state == 4
    search = GridSearchCV(net, {"random_state": [0, 1]}, cv=2).fit(*data())
    assert search.best_estimator_.random_state in (0, 1)
    assert [p["random_state"] for p in search.cv_results_["params"]] == [0, 1]


@pytest.mark.parametrize("bad", ["7", 1.5, True, -1, 2 ** 32, np.random.default_rng(0)])
def test_a_random_state_of_the_wrong_kind_is_an_error_naming_it(bad):
    with pytest.raises(ValueError, match=r"random_state must be None, an integer in "
                                         r"\[0, 2\*\*32 - 1\] or a numpy.random.RandomState, got"):
        noisy_net(bad).fit(*data())


def test_a_net_building_in_another_thread_keeps_its_own_generator():
    with using_rng(np.random.RandomState(0)):
        seen = []
        other = threading.Thread(target=lambda: seen.append(get_rng()))
        other.start()
        other.join()
    assert seen == [np.random]


class RecordingSplit(TrainSplit):
    """A TrainSplit that keeps the validation rows it held out (in a list its copies share)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.held_out = []

    def __call__(self, X, y, net):
        parts = super().__call__(X, y, net)
        self.held_out.append(parts[1])
        return parts


def test_the_int_chooses_the_shuffled_batches_and_the_held_out_rows():
    def first_order_and_held_out(random_state):
        split = RecordingSplit(0.25, shuffle=True)
        net = noisy_net(random_state, max_epochs=0, train_split=split).fit(*data())
        return net.batch_iterator_train_.random.permutation(20), split.held_out[-1]

    order, held_out = first_order_and_held_out(1)
    same_order, same_held_out = first_order_and_held_out(1)
    other_order, other_held_out = first_order_and_held_out(2)
    assert np.array_equal(order, same_order) and np.array_equal(held_out, same_held_out)
    assert not np.array_equal(order, other_order)
    assert not np.array_equal(held_out, other_held_out)
