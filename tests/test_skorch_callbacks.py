"""skorch's built-in callbacks on sknet nets (sknet/callbacks.py): each one's effect, checked
against an independent computation; the callbacks that cannot work are refused at fit."""
import io
import os
import pickle
import sys
import types

import numpy as np
import pytest
import skorch
import torch
from skorch import callbacks as cb
from skorch.dataset import Dataset, ValidSplit
from skorch.helper import SliceDict, predefined_split
from skorch.utils import to_numpy
from sklearn.base import clone
from sklearn.metrics import accuracy_score, f1_score, log_loss
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_score

import sknet.callbacks
from sknet import BatchIterator, NeuralNet, TrainSplit, nonlinearities, shared
from sknet.layers import ConcatLayer, DenseLayer, InputLayer

from .nets import classification_data, mlp


def validation_part(net, X, y):
    """The validation rows TrainSplit(0.2) holds out (computed by TrainSplit itself)."""
    _, X_valid, _, y_valid = TrainSplit(eval_size=0.2)(X, y, net)
    return X_valid, y_valid


def recorder(event, record):
    """A callback calling `record(net, **kwargs)` on `event`."""
    method = lambda self, net, **kwargs: record(net, **kwargs)  # noqa: E731
    return type("Record", (cb.Callback,), {event: method})()


# ---------------------------------------------------------------------------- progress bars

def test_skorchs_progress_bar_counts_an_epochs_batches_from_the_batch_iterators(capsys):
    X, y = classification_data()
    mlp(max_epochs=2, callbacks=[cb.ProgressBar()], batch_iterator_train=BatchIterator(50),
        batch_iterator_test=BatchIterator(32)).fit(X, y)
    err = capsys.readouterr().err
    # 240 training rows in batches of 50, 60 validation rows in batches of 32: 5 + 2
    assert err.count("| 0/7 [") == 2


def test_the_progress_bar_shows_each_batchs_train_and_valid_loss():
    X, y = classification_data()
    shown = []

    def record(net, training, loss, **kwargs):
        bar = dict(net.callbacks_)["progress_bar"].pbar_
        shown.append((training, float(loss.detach()), bar.postfix))

    mlp(max_epochs=2, progress=True, batch_iterator_train=BatchIterator(50),
        callbacks=[recorder("on_batch_end", record)]).fit(X, y)
    assert [training for training, _, _ in shown] == ([True] * 5 + [False]) * 2
    for training, loss, postfix in shown:
        key = "train_loss" if training else "valid_loss"
        name, value = postfix.split("=")
        assert name == key and float(value) == pytest.approx(loss, rel=5e-3)


def test_progress_true_shows_a_tqdm_bar_per_epoch_and_false_shows_none(capsys):
    X, y = classification_data()
    net = mlp(max_epochs=3, progress=True).fit(X, y)
    err = capsys.readouterr().err
    assert err.count("| 0/3 [") == 3  # 240 rows in batches of 128, 60 in one
    copy = pickle.loads(pickle.dumps(net))  # the bar itself is not pickled
    np.testing.assert_array_equal(copy.predict_proba(X), net.predict_proba(X))
    mlp(max_epochs=3).fit(X, y)
    assert capsys.readouterr().err == ""
    with pytest.raises(TypeError, match="progress must be True or False, got 'yes'"):
        mlp(progress="yes").fit(X, y)


def test_ranks_other_than_0_show_no_bar_and_write_no_checkpoint(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(sknet.callbacks, "is_main_process", lambda net=None: False)
    X, y = classification_data()
    postfixes = []  # no bar: no loss read from the device for it
    shown = recorder("on_batch_end", lambda net, **kwargs: postfixes.append(
        dict(net.callbacks_)["progress_bar"].pbar_.postfix))
    net = mlp(max_epochs=2, progress=True,
              callbacks=[cb.Checkpoint(monitor=None, f_pickle="net.pkl", dirname=str(tmp_path)),
                         cb.TrainEndCheckpoint(f_pickle="net.pkl", dirname=str(tmp_path)),
                         shown])
    net.fit(X, y)
    assert capsys.readouterr().err == ""
    assert len(postfixes) == 6 and not any(postfixes)
    assert os.listdir(tmp_path) == []
    assert len(net.history) == 2


# ---------------------------------------------------------------------------------- scoring

@pytest.mark.parametrize("use_caching", [True, False])
def test_epoch_scoring_f1_macro_equals_sklearns_f1_on_the_validation_predictions(use_caching):
    X, y = classification_data()
    labels = np.array(["ant", "bee", "cat"])[y]
    net = mlp(max_epochs=3, use_label_encoder=True, callbacks=[
        cb.EpochScoring("f1_macro", lower_is_better=False, use_caching=use_caching),
        cb.EpochScoring("neg_log_loss", lower_is_better=False, use_caching=use_caching)])
    net.fit(X, labels)
    X_valid, y_valid = validation_part(net, X, labels)
    expected = f1_score(y_valid, net.predict(X_valid), average="macro")
    assert net.history[-1, "f1_macro"] == pytest.approx(expected, abs=1e-12)
    expected = -log_loss(y_valid, net.predict_proba(X_valid), labels=net.classes_)
    assert net.history[-1, "neg_log_loss"] == pytest.approx(expected, rel=1e-5)
    assert net.history[-1, "neg_log_loss"] == pytest.approx(-net.history[-1, "valid_loss"],
                                                            rel=1e-5)
    assert net.train_history_[-1]["f1_macro"] == net.history[-1, "f1_macro"]


def test_batch_scoring_with_caching_averages_the_validation_batches_accuracy():
    X, y = classification_data()
    net = mlp(max_epochs=2, batch_iterator_test=BatchIterator(25),
              callbacks=[cb.BatchScoring("accuracy", lower_is_better=False)]).fit(X, y)
    X_valid, y_valid = validation_part(net, X, y)
    predicted = net.predict(X_valid)
    per_batch = [accuracy_score(y_valid[i:i + 25], predicted[i:i + 25]) for i in (0, 25, 50)]
    expected = np.average(per_batch, weights=[25, 25, 10])
    assert net.history[-1, "accuracy"] == pytest.approx(expected, abs=1e-12)
    assert net.history[-1, "batches", -1, "accuracy"] == pytest.approx(per_batch[-1])


def test_passthrough_scoring_averages_a_batch_value_by_batch_size_and_refuses_losses():
    X, y = classification_data()

    def count_class_zero(net, batch, training, **kwargs):
        if not training:
            net.history.record_batch("zeros", float((to_numpy(batch[1]) == 0).mean()))

    net = mlp(max_epochs=1, batch_iterator_test=BatchIterator(25), callbacks=[
        recorder("on_batch_end", count_class_zero), cb.PassthroughScoring("zeros")]).fit(X, y)
    _, y_valid = validation_part(net, X, y)
    assert net.history[-1, "zeros"] == pytest.approx((y_valid == 0).mean(), abs=1e-12)
    with pytest.raises(ValueError, match="'train_loss' per epoch itself"):
        mlp(callbacks=[cb.PassthroughScoring("train_loss")]).fit(X, y)


def test_skorchs_print_log_prints_the_history_values():
    X, y = classification_data()
    lines = []
    net = mlp(max_epochs=2, callbacks=[cb.PrintLog(sink=lines.append)]).fit(X, y)
    text = "\n".join(lines)
    for row in net.history:
        assert f"{row['train_loss']:.4f}" in text and f"{row['valid_loss']:.4f}" in text


# ----------------------------------------------------------------------------- train_split

def test_valid_split_holds_out_the_rows_its_cross_validator_gives():
    X, y = classification_data()
    net = mlp(max_epochs=2, train_split=ValidSplit(5, stratified=True)).fit(X, y)
    _, valid = next(StratifiedKFold(5).split(np.arange(len(y)), y))
    loss = log_loss(y[valid], net.predict_proba(X[valid]), labels=[0, 1, 2])
    assert net.history[-1, "valid_loss"] == pytest.approx(loss, rel=1e-5)
    assert net.history[-1, "train_batch_count"] == 2  # 240 rows in batches of 128


def test_predefined_split_validates_on_the_given_set_checked_and_encoded_like_fits():
    X, y = classification_data()
    labels = np.array(["ant", "bee", "cat"])[y]
    X_valid, y_valid = X[:60].astype(np.float64), labels[:60]
    net = mlp(max_epochs=2, use_label_encoder=True,
              train_split=predefined_split(Dataset(X_valid, y_valid))).fit(X, labels)
    proba = net.predict_proba(X_valid)
    assert net.history[-1, "valid_loss"] == pytest.approx(
        log_loss(y_valid, proba, labels=net.classes_), rel=1e-5)
    assert net.history[-1, "valid_accuracy"] == pytest.approx(
        accuracy_score(y_valid, net.predict(X_valid)))
    assert net.history[-1, "train_batch_count"] == 3  # all 300 rows train


def test_a_nolearn_style_train_split_callable_still_gets_x_y_and_the_net():
    X, y = classification_data()
    calls = []

    def last_fifty_rows(X, y, net):
        calls.append(net)
        return X[:-50], X[-50:], y[:-50], y[-50:]

    net = mlp(max_epochs=1, train_split=last_fifty_rows).fit(X, y)
    assert calls == [net]
    assert net.history[-1, "valid_loss"] == pytest.approx(
        log_loss(y[-50:], net.predict_proba(X[-50:]), labels=[0, 1, 2]), rel=1e-5)


# ------------------------------------------------------------------------------ checkpoints

def test_checkpoint_files_round_trip_to_the_same_predictions_and_history(tmp_path):
    X, y = classification_data()
    checkpoint = cb.Checkpoint(monitor=None, dirname=str(tmp_path))
    trained = mlp(max_epochs=3, callbacks=[checkpoint]).fit(X, y)
    assert sorted(os.listdir(tmp_path)) == ["criterion.pt", "history.json", "optimizer.pt",
                                            "params.pt"]  # no temporary files left
    restored = mlp(max_epochs=3).initialize()
    restored.load_params(checkpoint=checkpoint)
    np.testing.assert_array_equal(restored.predict_proba(X), trained.predict_proba(X))
    assert restored.history.to_list() == trained.history.to_list()
    saved, loaded = (n.optimizer_.state_dict()["state"] for n in (trained, restored))
    assert saved and saved.keys() == loaded.keys()  # the momentum buffers
    for key, state in saved.items():
        for name, value in state.items():
            assert torch.equal(torch.as_tensor(loaded[key][name]), torch.as_tensor(value))


PICKLE_ONLY = dict(f_params=None, f_optimizer=None, f_criterion=None, f_history=None,
                   f_pickle="net.pkl")


@pytest.mark.parametrize("checkpoint", [
    lambda folder: cb.Checkpoint(monitor=None, dirname=folder, **PICKLE_ONLY),
    lambda folder: cb.TrainEndCheckpoint(fn_prefix="", dirname=folder, **PICKLE_ONLY)],
    ids=["Checkpoint", "TrainEndCheckpoint"])
def test_a_checkpoint_pickle_failing_half_way_keeps_the_previous_one(tmp_path, monkeypatch,
                                                                     checkpoint):
    X, y = classification_data()
    net = mlp(max_epochs=1, callbacks=[checkpoint(str(tmp_path))]).fit(X, y)
    path = tmp_path / "net.pkl"
    before = path.read_bytes()
    np.testing.assert_array_equal(pickle.loads(before).predict_proba(X), net.predict_proba(X))

    def broken_dump(obj, f, *args, **kwargs):
        f.write(b"half a pickle")
        raise OSError("disk full")

    monkeypatch.setattr(pickle, "dump", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        net.partial_fit(X, y)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["net.pkl"]  # no temporary file left


def test_load_init_state_starts_training_from_the_checkpoint(tmp_path):
    X, y = classification_data()
    checkpoint = cb.Checkpoint(monitor=None, dirname=str(tmp_path))
    trained = mlp(max_epochs=2, callbacks=[checkpoint]).fit(X, y)
    resumed = mlp(max_epochs=2, callbacks=[cb.LoadInitState(checkpoint)]).fit(X, y, epochs=0)
    np.testing.assert_array_equal(resumed.predict_proba(X), trained.predict_proba(X))
    assert len(resumed.history) == 2


def test_train_end_checkpoint_saves_the_final_net(tmp_path):
    X, y = classification_data()
    trained = mlp(max_epochs=2, callbacks=[cb.TrainEndCheckpoint(dirname=str(tmp_path))])
    trained.fit(X, y)
    restored = mlp().initialize()
    restored.load_params(f_params=str(tmp_path / "train_end_params.pt"))
    np.testing.assert_array_equal(restored.predict_proba(X), trained.predict_proba(X))


def test_save_params_keeps_the_previous_file_when_a_write_fails(tmp_path, monkeypatch):
    X, y = classification_data()
    net = mlp(max_epochs=1).fit(X, y)
    path = tmp_path / "params.pt"
    net.save_params(f_params=str(path))
    before = path.read_bytes()

    def broken_save(obj, f, *args, **kwargs):
        f.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        net.save_params(f_params=str(path))
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["params.pt"]


@pytest.mark.parametrize("labels", [["cat", "dog", "emu"], [3, 7, 9]])
def test_save_params_files_keep_the_classes_and_plain_skorch_reads_them(tmp_path, labels):
    X, y = classification_data()
    trained = mlp(max_epochs=2).fit(X, np.asarray(labels)[y])
    path = str(tmp_path / "params.pt")
    trained.save_params(f_params=path)
    in_memory = io.BytesIO()
    trained.save_params(f_params=in_memory)
    for source in (path, io.BytesIO(in_memory.getvalue())):
        restored = mlp().initialize()
        restored.load_params(f_params=source)
        np.testing.assert_array_equal(restored.classes_, labels)
        np.testing.assert_array_equal(restored.predict(X), trained.predict(X))
    plain = skorch.NeuralNet(mlp().initialize().module_, torch.nn.NLLLoss).initialize()
    plain.load_params(f_params=path)  # torch.load(weights_only=True), load_state_dict(strict)
    for name, value in trained.module_.state_dict().items():
        assert torch.equal(plain.module_.state_dict()[name], value)


def test_a_checkpoint_loaded_into_a_net_not_yet_initialized_keeps_the_classes(tmp_path):
    X, y = classification_data()
    checkpoint = cb.Checkpoint(monitor=None, dirname=str(tmp_path))
    trained = mlp(max_epochs=2, callbacks=[checkpoint]).fit(X, np.array(["a", "b", "c"])[y])
    restored = mlp()
    restored.load_params(checkpoint=checkpoint)
    np.testing.assert_array_equal(restored.predict(X), trained.predict(X))


def test_safetensors_files_are_written_atomically_and_hold_only_the_weights(tmp_path,
                                                                            monkeypatch):
    pytest.importorskip("safetensors")
    X, y = classification_data()
    trained = mlp(max_epochs=1).fit(X, np.array([3, 7, 9])[y])
    path = tmp_path / "params.safetensors"
    trained.save_params(f_params=str(path), use_safetensors=True)
    restored = mlp().initialize()
    restored.load_params(f_params=str(path), use_safetensors=True)
    np.testing.assert_array_equal(restored.predict_proba(X), trained.predict_proba(X))
    assert "classes_" not in vars(restored)  # predicts class ids 0, 1, 2
    before = path.read_bytes()
    trained.partial_fit(X, np.array([3, 7, 9])[y])

    def no_space_left(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space_left)
    with pytest.raises(OSError, match="the previous file is left as it was"):
        trained.save_params(f_params=str(path), use_safetensors=True)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["params.safetensors"]


# ---------------------------------------------------------------------------- learning rate

def test_lr_scheduler_steps_the_optimizers_learning_rate_every_epoch():
    X, y = classification_data()
    rates = []
    mlp(max_epochs=4, callbacks=[
        cb.LRScheduler(torch.optim.lr_scheduler.StepLR, step_size=2, gamma=0.5),
        recorder("on_epoch_begin", lambda net, **kw: rates.append(
            net.optimizer_.param_groups[0]["lr"]))]).fit(X, y)
    np.testing.assert_allclose(rates, [0.1 * 0.5 ** (epoch // 2) for epoch in range(4)])


def test_lr_scheduler_steps_every_training_batch():
    X, y = classification_data()
    rates = []

    def record(net, training, **kwargs):
        if training:
            rates.append(net.optimizer_.param_groups[0]["lr"])

    mlp(max_epochs=2, batch_iterator_train=BatchIterator(60), callbacks=[
        cb.LRScheduler(torch.optim.lr_scheduler.LambdaLR, lr_lambda=lambda step: 1 / (1 + step),
                       step_every="batch"),
        recorder("on_batch_begin", record)]).fit(X, y)
    np.testing.assert_allclose(rates, [0.1 / (1 + step) for step in range(8)])  # 4 per epoch


def test_warm_restart_lr_follows_its_cosine_cycles():
    X, y = classification_data()
    rates = []
    mlp(max_epochs=5, callbacks=[
        cb.LRScheduler(cb.WarmRestartLR, min_lr=0.001, max_lr=0.1, base_period=2,
                       period_mult=2),
        recorder("on_epoch_begin", lambda net, **kw: rates.append(
            net.optimizer_.param_groups[0]["lr"]))]).fit(X, y)

    def cosine(step, period):
        return 0.001 + 0.5 * (0.1 - 0.001) * (1 + np.cos(np.pi * step / period))

    # a first cycle of period 2 (epochs 1-3), then one of period 4 from epoch 4
    expected = [cosine(0, 2), cosine(1, 2), cosine(2, 2), cosine(0, 4), cosine(1, 4)]
    np.testing.assert_allclose(rates, expected)


def test_lr_scheduler_with_a_shared_learning_rate_is_refused():
    X, y = classification_data()
    with pytest.raises(ValueError, match="update_learning_rate is a shared value"):
        mlp(update_learning_rate=shared(0.1),
            callbacks=[cb.LRScheduler(torch.optim.lr_scheduler.StepLR, step_size=1)]).fit(X, y)


# --------------------------------------------------------------------------- early stopping

def expected_stop(values, patience, lower_is_better, threshold=1e-4):
    """The epoch skorch's EarlyStopping (relative threshold) stops after, or None."""
    best, misses = (np.inf if lower_is_better else -np.inf), 0
    for epoch, value in enumerate(values, 1):
        improved = (value < best * (1 - threshold) if lower_is_better
                    else value > best * (1 + threshold))
        best, misses = (value, 0) if improved else (best, misses + 1)
        if misses == patience:
            return epoch
    return None


def test_early_stopping_on_valid_loss_stops_when_it_stops_improving():
    X, y = classification_data()
    net = mlp(max_epochs=20, update_learning_rate=0.0,
              callbacks=[cb.EarlyStopping(patience=3, sink=lambda *a: None)]).fit(X, y)
    assert len(net.history) == 4  # a constant loss: epoch 1 is best, 3 misses follow
    assert len(net.train_history_) == 4


def test_early_stopping_on_a_score_stops_where_skorchs_rule_says():
    X, y = classification_data()
    net = mlp(max_epochs=25, update_learning_rate=0.5, random_state=0, callbacks=[
        cb.EpochScoring("f1_macro", lower_is_better=False),
        cb.EarlyStopping(monitor="f1_macro", lower_is_better=False, patience=2,
                         sink=lambda *a: None)]).fit(X, y)
    stop = expected_stop(net.history[:, "f1_macro"], 2, lower_is_better=False)
    assert stop is not None and len(net.history) == stop < 25


# ------------------------------------------------------------------------------- gradients

def test_gradient_norm_clipping_bounds_the_gradient_norm_the_step_uses():
    X, y = classification_data()

    def run(callbacks):
        norms = []

        def record(net, named_parameters, **kwargs):
            grads = [p.grad for _, p in named_parameters]
            norms.append(float(torch.linalg.vector_norm(torch.stack(
                [torch.linalg.vector_norm(g) for g in grads]))))

        mlp(max_epochs=2, random_state=0,
            callbacks=callbacks + [recorder("on_grad_computed", record)]).fit(X, y)
        return np.array(norms)

    assert run([]).max() > 0.2  # without clipping the norm exceeds the bound
    assert run([cb.GradientNormClipping(0.05)]).max() <= 0.05 * (1 + 1e-5)


def test_freezer_leaves_the_frozen_weights_bit_identical():
    X, y = classification_data()
    net = mlp(max_epochs=1).initialize()
    W, b = (p.detach().clone() for p in net.layers_["hidden"].get_params())
    net = mlp(max_epochs=3, warm_start=True, callbacks=[cb.Freezer("hidden.W")])
    net.initialize()
    net.layers_["hidden"].W.data.copy_(W)
    net.layers_["hidden"].b.data.copy_(b)
    net.fit(X, y)
    assert torch.equal(net.layers_["hidden"].W.detach(), W)
    assert not torch.equal(net.layers_["hidden"].b.detach(), b)


def test_unfreezer_lets_frozen_weights_train_from_its_epoch():
    X, y = classification_data()
    snapshots = []
    net = mlp(max_epochs=4, callbacks=[
        cb.Freezer("hidden.*"), cb.Unfreezer("hidden.*", at=3),
        recorder("on_epoch_end", lambda net, **kw: snapshots.append(
            net.layers_["hidden"].W.detach().clone()))])
    net.fit(X, y)
    assert torch.equal(snapshots[0], snapshots[1])
    assert not torch.equal(snapshots[1], snapshots[2])


def test_a_parameter_pattern_matching_nothing_is_refused_with_the_names():
    X, y = classification_data()
    with pytest.raises(ValueError, match=r"'layers.hidden.W' matches no parameter.*hidden\.W, "
                                         r"hidden\.b, output\.W, output\.b"):
        mlp(callbacks=[cb.Freezer("layers.hidden.W")]).fit(X, y)


def test_initializer_sets_the_named_weights():
    X, y = classification_data()
    net = mlp(max_epochs=1, update_learning_rate=0.0,
              callbacks=[cb.Initializer("hidden.W", torch.nn.init.ones_)]).fit(X, y)
    assert torch.equal(net.layers_["hidden"].W.detach(), torch.ones(10, 32))


def test_input_shape_setter_is_refused_with_the_reason():
    X, y = classification_data()
    with pytest.raises(ValueError, match="InputShapeSetter.*takes its shape from X"):
        mlp(callbacks=[cb.InputShapeSetter()]).fit(X, y)


# -------------------------------------------------------------------------------- loggers

class Recorder:
    """A stand-in for a Neptune run / TensorBoard writer / W&B run / Sacred experiment: keeps
    what the logger sends."""

    def __init__(self, store=None, path=""):
        self.store = {} if store is None else store
        self.path = path
        self.calls = []

    def __getitem__(self, key):
        return Recorder(self.store, f"{self.path}/{key}".strip("/"))

    def __setitem__(self, key, value):
        self.store[f"{self.path}/{key}".strip("/")] = value

    def append(self, value):
        self.store.setdefault(self.path, []).append(value)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.calls.append((name, args, kwargs))


def test_tensorboard_writes_each_epochs_history_values_to_the_writer():
    X, y = classification_data()
    writer = Recorder()
    net = mlp(max_epochs=3, callbacks=[cb.TensorBoard(writer)]).fit(X, y)
    scalars = {}
    for name, _, kwargs in writer.calls:
        if name == "add_scalar":
            scalars.setdefault(kwargs["tag"], []).append((kwargs["global_step"],
                                                           kwargs["scalar_value"]))
    assert scalars["Loss/train_loss"] == [(r["epoch"], r["train_loss"]) for r in net.history]
    assert scalars["Loss/valid_loss"] == [(r["epoch"], r["valid_loss"]) for r in net.history]
    assert writer.calls[-1][0] == "close"


def test_wandb_logger_logs_the_history_and_saves_the_best_model(tmp_path):
    X, y = classification_data()
    run = Recorder()
    run.dir = str(tmp_path)
    net = mlp(max_epochs=3, update_learning_rate=0.05, random_state=0,
              callbacks=[cb.WandbLogger(run)]).fit(X, y)
    logged = [args[0] for name, args, _ in run.calls if name == "log"]
    keys = ["train_loss", "valid_loss", "valid_accuracy", "dur"]  # not epoch, counts, bests
    assert logged == [{k: row[k] for k in keys} for row in net.history]
    assert [args[0] for name, args, _ in run.calls if name == "watch"] == [net.module_]
    assert net.history[-1, "valid_loss_best"]  # so the saved model is the final one
    restored = mlp().initialize()
    restored.load_params(f_params=str(tmp_path / "best_model.pth"))
    np.testing.assert_array_equal(restored.predict_proba(X), net.predict_proba(X))


def test_neptune_logger_logs_sknets_settings_and_the_history(monkeypatch):
    X, y = classification_data()
    neptune = types.ModuleType("neptune")
    neptune.types = types.SimpleNamespace(File=types.SimpleNamespace(
        from_content=lambda content, extension: ("file", extension, content)))
    monkeypatch.setitem(sys.modules, "neptune", neptune)
    monkeypatch.setitem(sys.modules, "neptune.types", neptune.types)
    run = Recorder()
    net = mlp(max_epochs=2, callbacks=[cb.NeptuneLogger(run, close_after_train=False)])
    net.fit(X, y)
    store = run.store
    assert store["training/config/lr"] == 0.1
    assert store["training/config/batch_size"] == 128
    assert store["training/config/criterion"] == "objective"
    assert store["training/config/optimizer"] == type(net.optimizer_).__name__
    assert store["training/train/epoch/loss"] == list(net.history[:, "train_loss"])
    assert store["training/validation/epoch/loss"] == list(net.history[:, "valid_loss"])


def test_mlflow_logger_logs_metrics_and_artifacts_that_restore_the_net():
    X, y = classification_data()
    artifacts = {}
    client = Recorder()
    client.log_artifact = lambda run_id, path: artifacts.update(
        {os.path.basename(path): open(path, "rb").read()})
    run = types.SimpleNamespace(info=types.SimpleNamespace(run_id="run-1"))
    net = mlp(max_epochs=2, callbacks=[cb.MlflowLogger(run, client)]).fit(X, y)
    metrics = [args for name, args, _ in client.calls if name == "log_metric"]
    assert ("run-1", "train_loss", net.history[-1, "train_loss"]) in metrics
    assert sorted(artifacts) == ["criterion.pth", "history.json", "optimizer.pth",
                                 "params.pth"]
    restored = mlp().initialize()
    restored.load_params(f_params=io.BytesIO(artifacts["params.pth"]))
    np.testing.assert_array_equal(restored.predict_proba(X), net.predict_proba(X))
    assert ("set_terminated", ("run-1",), {}) in client.calls


def test_sacred_logger_logs_each_epochs_values():
    X, y = classification_data()
    experiment = Recorder()
    net = mlp(max_epochs=2, callbacks=[cb.SacredLogger(experiment)]).fit(X, y)
    logged = [args for name, args, _ in experiment.calls if name == "log_scalar"]
    assert ("valid_loss", net.history[1, "valid_loss"], 2) in logged


# -------------------------------------------------------------- several inputs in a search

def two_input_net(**kwargs):
    return NeuralNet(
        layers=[(InputLayer, {"shape": (None, 6), "name": "left"}),
                (InputLayer, {"shape": (None, 4), "name": "right"}),
                (ConcatLayer, {"incomings": ["left", "right"], "name": "both"}),
                (DenseLayer, {"num_units": 3, "nonlinearity": nonlinearities.softmax,
                              "name": "output"})],
        **{"update_learning_rate": 0.1, "max_epochs": 2, "random_state": 0, **kwargs})


def test_cross_val_score_and_grid_search_take_a_slice_dict_for_several_inputs():
    X, y = classification_data()
    X = SliceDict(left=X[:, :6], right=X[:, 6:])
    net = two_input_net()
    scores = cross_val_score(net, X, y, cv=KFold(2))
    manual = [clone(net).fit(X[train], y[train]).score(X[test], y[test])
              for train, test in KFold(2).split(y)]
    np.testing.assert_array_equal(scores, manual)
    search = GridSearchCV(net, {"update_learning_rate": [0.1, 0.3]}, cv=KFold(2)).fit(X, y)
    means = [scores.mean(), cross_val_score(two_input_net(update_learning_rate=0.3), X, y,
                                            cv=KFold(2)).mean()]
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], means)
    assert search.best_params_ == {"update_learning_rate": [0.1, 0.3][int(np.argmax(means))]}
