"""Faults during training: a diverging loss, Ctrl-C, checkpoints and resumption, pickling a
net mid-training."""
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from sknet import BatchIterator, layers, shared
from sknet.handlers import AdjustVariable, EarlyStopping, SaveWeights

from .nets import classification_data, mlp

ROOT = Path(__file__).resolve().parents[1]


class PoisonedBatches(BatchIterator):
    """Training batches as usual, except that batch `batch` of epoch `epoch` (both counted
    from 1) gets an infinite input: its loss, and every later one, is not finite."""

    def __init__(self, batch_size, epoch, batch):
        super().__init__(batch_size)
        self.epoch, self.batch, self.count = epoch, batch, 0

    def transform(self, Xb, yb):
        self.count += 1
        per_epoch = len(self)
        if self.count == (self.epoch - 1) * per_epoch + self.batch:
            Xb = Xb.copy()
            Xb[0, 0] = np.inf
        return Xb, yb


def test_a_non_finite_loss_stops_training_naming_epoch_and_batch():
    X, y = classification_data(n=300)  # 240 training rows: 5 batches of 50
    net = mlp(max_epochs=10, batch_iterator_train=PoisonedBatches(50, epoch=3, batch=4))
    with pytest.raises(FloatingPointError, match=r"in epoch 3, batch 4 of 5; training stopped "
                                                 r"\(train_history_ keeps the 2 epoch") as error:
        net.fit(X, y)
    assert "lower update_learning_rate (now 0.1)" in str(error.value)
    assert [h["epoch"] for h in net.train_history_] == [1, 2]
    assert all(np.isfinite(h["train_loss"]) for h in net.train_history_)

    net.set_params(batch_iterator_train=BatchIterator(50))  # usable again with good input
    assert len(net.fit(X, y).train_history_) == 10 and net.score(X, y) > 0.8


def test_a_learning_rate_far_too_high_diverges_with_the_advice_to_lower_it():
    X, y = classification_data()
    net = mlp(update_learning_rate=1e4, update_momentum=0.99, max_epochs=50)
    with pytest.raises(FloatingPointError, match=r"lower update_learning_rate \(now 10000\)"):
        net.fit(X * 1000, y)
    assert len(net.train_history_) < 50


class InterruptAt:
    """An on_batch_finished handler that presses Ctrl-C after batch `batch` of epoch `epoch`,
    keeping a copy of the weights as they were then."""

    def __init__(self, epoch, batch):
        self.epoch, self.batch, self.seen, self.weights = epoch, batch, 0, None

    def __call__(self, nn, train_history):
        self.seen += 1
        if self.seen == (self.epoch - 1) * len(nn.batch_iterator_train_) + self.batch:
            self.weights = nn.get_all_params_values()
            raise KeyboardInterrupt


def test_ctrl_c_returns_the_net_as_of_the_last_finished_batch():
    X, y = classification_data(n=300)
    interrupt = InterruptAt(epoch=3, batch=2)
    finished = []
    net = mlp(max_epochs=10, batch_iterator_train=BatchIterator(50), verbose=0,
              on_batch_finished=[interrupt],
              on_training_finished=[lambda nn, history: finished.append(len(history))])
    assert net.fit(X, y) is net
    assert [h["epoch"] for h in net.train_history_] == [1, 2] and finished == [2]
    for name, values in net.get_all_params_values().items():
        for value, expected in zip(values, interrupt.weights[name]):
            np.testing.assert_array_equal(value, expected)
    assert net.predict(X).shape == (300,)


class Unchanged(BatchIterator):
    """Overrides transform (doing nothing), so batches take the host path."""

    def transform(self, Xb, yb):
        return Xb, yb


@pytest.mark.parametrize("iterator", [BatchIterator, Unchanged], ids=["device", "host"])
@pytest.mark.parametrize("batch", [1, 3, 5])
def test_after_ctrl_c_the_history_holds_finished_epochs_and_training_goes_on(
        tmp_path, iterator, batch):
    X, y = classification_data(n=300)  # 240 training rows: 5 batches of 50
    net = mlp(max_epochs=10, batch_iterator_train=iterator(50),
              on_batch_finished=[InterruptAt(epoch=3, batch=batch)])
    assert (net._device_resident(net.initialize().batch_iterator_train_, X)[0] is X) == (
        iterator is Unchanged)
    net.fit(X, y)
    assert [h["epoch"] for h in net.history] == [1, 2]
    net.on_batch_finished = []
    net.handlers_["on_batch_finished"] = []
    stopping = EarlyStopping(patience=100, verbose=0)
    net.handlers_["on_epoch_finished"] = [stopping]
    net.partial_fit(X, y, epochs=2)
    rows = list(net.train_history_)
    assert [h["epoch"] for h in rows] == [1, 2, 3, 4] and len(net.history) == 4
    assert all(np.isfinite(h["train_loss"]) and np.isfinite(h["valid_loss"]) for h in rows)
    assert stopping.best_valid == min(h["valid_loss"] for h in rows)
    SaveWeights(str(tmp_path / "best.pkl"), only_best=True)(net, net.train_history_)
    assert (tmp_path / "best.pkl").exists() == (rows[-1]["valid_loss"] == stopping.best_valid)
    pytest.importorskip("matplotlib")
    from sknet.visualize import plot_loss
    line = plot_loss(net).axes[0].lines[0]
    assert line.get_xdata().tolist() == [1, 2, 3, 4]


def _checkpointed_net(tmp_path, epochs):
    """An MLP with dropout, shuffled batches and an annealed learning rate that pickles
    itself every 2 epochs and keeps its epoch-4 predictions for X_probe."""
    return mlp(
        layers=[("input", layers.InputLayer), ("hidden", layers.DenseLayer),
                ("dropout", layers.DropoutLayer), ("output", layers.DenseLayer)],
        update_learning_rate=shared(0.1), max_epochs=epochs, verbose=0,
        batch_iterator_train=BatchIterator(32, shuffle=True),
        on_epoch_finished=[
            AdjustVariable("update_learning_rate", start=0.1, stop=0.01),
            SaveWeights(str(tmp_path / "checkpoint-{epoch}.pkl"), every_n_epochs=2,
                        pickle=True),
            KeepPredictions(epoch=4)])


class KeepPredictions:
    """Keeps the net's class probabilities for X_probe after epoch `epoch`."""

    def __init__(self, epoch):
        self.epoch, self.probabilities = epoch, None

    def __call__(self, nn, train_history):
        if train_history[-1]["epoch"] == self.epoch:
            self.probabilities = nn.predict_proba(classification_data()[0][:20])


RESUME = """
import pickle, sys
import numpy as np
import torch
from tests.nets import classification_data
torch.set_num_threads(int(sys.argv[4]))  # the parent's: summation order depends on it
with open(sys.argv[1], 'rb') as f:
    net = pickle.load(f)
X, y = classification_data()
np.save(sys.argv[2], net.predict_proba(X[:20]))
net.partial_fit(X, y, epochs=4)  # epochs 5 to 8
np.savez(sys.argv[3], *[p.detach().numpy() for p in net.get_all_params()])
"""


def test_a_checkpoint_resumed_in_a_new_process_ends_with_the_same_weights(tmp_path):
    X, y = classification_data()
    np.random.seed(0)
    torch.manual_seed(0)
    net = _checkpointed_net(tmp_path, epochs=8).fit(X, y)  # uninterrupted
    checkpoint = tmp_path / "checkpoint-0004.pkl"
    subprocess.run([sys.executable, "-c", RESUME, str(checkpoint), str(tmp_path / "p.npy"),
                    str(tmp_path / "w.npz"), str(torch.get_num_threads())], check=True,
                   cwd=ROOT, timeout=120)

    probabilities = net.on_epoch_finished[2].probabilities  # as predicted at epoch 4
    np.testing.assert_array_equal(np.load(tmp_path / "p.npy"), probabilities)
    resumed = np.load(tmp_path / "w.npz")
    final = [p.detach().numpy() for p in net.get_all_params()]
    assert len(resumed.files) == len(final) == 4
    for index, value in enumerate(final):  # bit for bit: same momentum, batches, dropout
        np.testing.assert_array_equal(resumed[f"arr_{index}"], value)


def test_resuming_without_the_random_state_would_differ(tmp_path):
    """The control for the test above: dropout masks matter, so the equality is not luck."""
    X, y = classification_data()
    np.random.seed(0)
    torch.manual_seed(0)
    net = _checkpointed_net(tmp_path, epochs=8).fit(X, y)
    with open(tmp_path / "checkpoint-0004.pkl", "rb") as f:
        resumed = pickle.load(f)
    resumed.__dict__.pop("random_state_at_pickling_")
    torch.manual_seed(1)
    resumed.partial_fit(X, y, epochs=4)
    assert not np.array_equal(resumed.get_all_params_values()["hidden"][0],
                              net.get_all_params_values()["hidden"][0])
