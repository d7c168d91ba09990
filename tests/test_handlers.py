"""Handlers and the printed tables."""
import re

import numpy as np
import pytest

from sknet import BatchIterator, shared
from sknet.handlers import (AdjustVariable, EarlyStopping, PrintLayerInfo, PrintLog,
                            RememberBestWeights, SaveWeights, WeightLog)
from sknet.objectives import aggregate, categorical_accuracy
from tests.nets import classification_data, mlp, mlp_regressor, regression_data

SEED_HEADER = ["# Neural Network with 79510 learnable parameters", "", "## Layer information",
               "", "  #  name      size", "---  ------  ------", "  0  input      784",
               "  1  hidden     100", "  2  output      10", ""]
ROW = re.compile(r"^ {0,6}\d+ {7}\d\.\d{5} {7}\d\.\d{5} {6}\d\.\d{5}  \d+\.\d\ds$")


def test_verbose_output_matches_the_seeds_format_line_by_line(capsys):
    X = np.random.rand(200, 784).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[np.arange(200) % 10]
    net = mlp_regressor(features=784, hidden_num_units=100, output_num_units=10, max_epochs=3,
                        verbose=1)
    net.fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines[:10] == SEED_HEADER
    assert lines[10] == "  epoch    train loss    valid loss    train/val  dur"
    assert lines[11] == "-------  ------------  ------------  -----------  -----"
    assert len(lines) == 15
    for epoch, line in enumerate(lines[12:], start=1):
        assert ROW.match(line), line
        assert line.split()[0] == str(epoch)
        info = net.train_history_[epoch - 1]
        assert line.split()[1] == f"{info['train_loss']:.5f}"
        assert line.split()[3] == f"{info['train_loss'] / info['valid_loss']:.5f}"


def test_a_classifier_adds_valid_acc_then_score_columns(capsys):
    X, y = classification_data()
    net = mlp(max_epochs=2, verbose=1,
              scores_train=[("trn acc", lambda p, t: aggregate(categorical_accuracy(p, t)))],
              scores_valid=[("val acc2", lambda p, t: aggregate(categorical_accuracy(p, t)))],
              custom_scores=[("mean prob", lambda t, p: p.max(axis=1).mean())])
    net.fit(X, y)
    header = [l for l in capsys.readouterr().out.splitlines() if l.startswith("  epoch")][0]
    assert header.split("  ") == ["", "epoch", "", "train loss", "", "valid loss", "",
                                  "train/val", "", "valid acc", "", "trn acc", "", "val acc2",
                                  "", "mean prob", "dur"]
    info = net.train_history_[-1]
    assert info["val acc2"] == pytest.approx(info["valid_accuracy"])
    assert 0.3 < info["mean prob"] <= 1 and 0 < info["trn acc"] <= 1


def test_best_losses_are_coloured_only_on_a_terminal(monkeypatch):
    X, y = classification_data()
    net = mlp(max_epochs=1).fit(X, y)
    plain = PrintLog().table(net, net.train_history_)
    assert "\033[" not in plain
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    colored = PrintLog().table(net, net.train_history_)
    assert "\033[36m" in colored and "\033[32m" in colored


def test_verbose_2_prints_the_convolution_table(capsys):
    from sknet.layers import Conv2DLayer, DenseLayer, InputLayer, MaxPool2DLayer
    from tests.nets import NeuralNet
    net = NeuralNet([("input", InputLayer), ("conv1", Conv2DLayer), ("pool1", MaxPool2DLayer),
                     ("output", DenseLayer)], input_shape=(None, 1, 12, 12),
                    conv1_num_filters=2, conv1_filter_size=3, pool1_pool_size=2,
                    output_num_units=2, verbose=2, update_learning_rate=0.1)
    net.initialize()
    PrintLayerInfo()(net, [])
    out = capsys.readouterr().out
    assert "| name   | size    |   total |   cap. Y [%] |" in out
    # conv1 sees 3x3 of a 12x12 image: capacity 100%, coverage 25%
    assert re.search(r"\| conv1 +\| 2x10x10 \| +200 \| +100\.00 \| +100\.00 \| +25\.00", out)
    assert "Explanation" in out


def test_handlers_run_in_nolearns_order_with_the_history():
    calls = []

    def record(event):
        return lambda net, history: calls.append((event, len(history)))

    X, y = classification_data()  # 240 training rows: 2 batches of 128
    mlp(max_epochs=2, on_training_started=record("start"), on_batch_finished=record("batch"),
        on_epoch_finished=[record("epoch")], on_training_finished=record("end")).fit(X, y)
    assert calls == [("start", 0), ("batch", 0), ("batch", 0), ("epoch", 1), ("batch", 1),
                     ("batch", 1), ("epoch", 2), ("end", 2)]


def test_stop_iteration_ends_training_cleanly():
    def stop_at_three(net, history):
        if history[-1]["epoch"] == 3:
            raise StopIteration

    X, y = classification_data()
    finished = []
    net = mlp(max_epochs=10, on_epoch_finished=stop_at_three,
              on_training_finished=lambda n, h: finished.append(len(h))).fit(X, y)
    assert len(net.train_history_) == 3 and finished == [3]


def test_early_stopping_restores_the_best_weights(capsys):
    X, y = classification_data()
    stopper = EarlyStopping(patience=2)
    net = mlp(max_epochs=200, update_learning_rate=0.5, on_epoch_finished=[stopper]).fit(X, y)
    epochs = len(net.train_history_)
    assert epochs < 200 and epochs == stopper.best_valid_epoch + 3
    out = capsys.readouterr().out
    assert "Early stopping." in out and "Loaded parameters" not in out
    assert net.get_all_params_values()["hidden"][0] == pytest.approx(
        stopper.best_weights["hidden"][0])


class NumberedNet:
    """Parameter values that hold the current epoch; what was loaded back."""

    def __init__(self):
        self.epoch, self.verbose, self.layers_ = 0, 0, {}

    def get_all_params_values(self):
        return {"layer": [np.array([float(self.epoch)])]}


@pytest.mark.parametrize("criterion, smaller, values, best_epoch, stops_at", [
    ("valid_loss", True, [0.5, 0.4, 0.45, 0.41, 0.42], 2, 5),
    ("valid_accuracy", False, [0.5, 0.7, 0.6, 0.69, 0.65], 2, 5),
    ("valid_accuracy", False, [0.5, 0.6, 0.7, 0.8, 0.9], 5, None),
])
def test_early_stopping_on_any_criterion(monkeypatch, criterion, smaller, values, best_epoch,
                                         stops_at):
    loaded = []
    monkeypatch.setattr("sknet.handlers.load_into_layers",
                        lambda layers, values: loaded.append(values))
    stopper = EarlyStopping(patience=2, criterion=criterion,
                            criterion_smaller_is_better=smaller, verbose=0)
    net, history, stopped = NumberedNet(), [], None
    for epoch, value in enumerate(values, start=1):
        net.epoch = epoch
        history.append({"epoch": epoch, criterion: value})
        try:
            stopper(net, history)
        except StopIteration:
            stopped = epoch
            break
    assert (stopper.best_valid_epoch, stopper.best_valid, stopped) == (
        best_epoch, values[best_epoch - 1], stops_at)
    # on stopping, the weights of the best epoch come back; load_best_weights loads them too
    assert [v["layer"][0][0] for v in loaded] == ([best_epoch] if stops_at else [])
    loaded.clear()
    stopper.load_best_weights(net, history)
    assert [v["layer"][0][0] for v in loaded] == [best_epoch]


def test_early_stopping_names_a_missing_criterion():
    with pytest.raises(KeyError, match="criterion='valid_acc'.*valid_accuracy"):
        EarlyStopping(criterion="valid_acc")(NumberedNet(), [{"epoch": 1, "valid_loss": 1.0,
                                                               "valid_accuracy": 0.5}])


def test_remember_and_restore_best_weights():
    X, y = classification_data()
    remember = RememberBestWeights(verbose=0)
    net = mlp(max_epochs=8, update_learning_rate=0.5, on_epoch_finished=[remember],
              on_training_finished=[remember.restore]).fit(X, y)
    best = min(h["valid_loss"] for h in net.train_history_)
    assert remember.best_weights_loss == best
    np.testing.assert_array_equal(net.get_all_params_values()["output"][0],
                                  remember.best_weights["output"][0])


def test_save_weights_writes_every_n_epochs(tmp_path):
    X, y = classification_data()
    path = str(tmp_path / "weights-{epoch}.pkl")
    mlp(max_epochs=4, on_epoch_finished=[SaveWeights(path, every_n_epochs=2)]).fit(X, y)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights-0002.pkl",
                                                         "weights-0004.pkl"]


def test_adjust_variable_anneals_a_shared_learning_rate_in_the_running_optimizer():
    X, y = classification_data()
    used = []
    net = mlp(max_epochs=5, update_learning_rate=shared(0.1), update_momentum=shared(0.9),
              on_epoch_finished=[AdjustVariable("update_learning_rate", start=0.1, stop=0.01),
                                 AdjustVariable("update_momentum", start=0.9, stop=0.99)],
              on_batch_finished=lambda n, h: used.append(
                  (n.optimizer_.param_groups[0]["lr"], n.optimizer_.param_groups[0]["momentum"])))
    net.fit(X, y)  # 2 batches per epoch
    rates, momenta = np.array(used).T
    # after epoch k the handlers set the k-th value; epoch k + 1 trains with it
    np.testing.assert_allclose(rates[::2], [0.1, *np.linspace(0.1, 0.01, 5)[:4]], rtol=1e-6)
    np.testing.assert_allclose(momenta[::2], [0.9, *np.linspace(0.9, 0.99, 5)[:4]], rtol=1e-6)
    assert net.update_momentum.get_value() == pytest.approx(0.99)


def test_adjust_variable_needs_a_shared_value():
    X, y = classification_data()
    with pytest.raises(TypeError, match="update_learning_rate=sknet.shared"):
        mlp(max_epochs=1, on_epoch_finished=[AdjustVariable("update_learning_rate")]).fit(X, y)


def test_weight_log_records_changes_per_batch(tmp_path):
    X, y = regression_data()
    log = WeightLog(save_to=str(tmp_path / "log.csv"), write_every=2)
    mlp_regressor(max_epochs=2, on_batch_finished=[log],
                  batch_iterator_train=BatchIterator(60)).fit(X, y)
    assert len(log.history) == 8  # 240 rows in batches of 60, for two epochs
    assert log.history[0]["hidden_0 wdiff"] == 0 and log.history[1]["hidden_0 wdiff"] > 0
    assert len((tmp_path / "log.csv").read_text().splitlines()) == 9
