"""Nets built only to predict (layers + load_params_from + predict, no training settings),
device errors, and float16 mixed precision with loss scaling (issue 15, item 5)."""
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

import sknet.validation
from sknet import BatchIterator, NeuralNet, layers, nonlinearities
from sknet.params import SKNET_KEY

from .nets import MLP_LAYERS, classification_data, mlp, mlp_regressor, regression_data

X, y = classification_data(n=120)
CONV_LAYERS = [("input", layers.InputLayer), ("conv", layers.Conv2DLayer),
               ("output", layers.DenseLayer)]


def predict_only(**kwargs):
    """The trained `mlp`'s architecture, given without update_*, input_shape or
    output_num_units."""
    return NeuralNet(MLP_LAYERS, hidden_num_units=32,
                     output_nonlinearity=nonlinearities.softmax, **kwargs)


@pytest.fixture(scope="module")
def trained():
    return mlp(max_epochs=3, random_state=0).fit(X, y)


def test_a_net_without_training_settings_loads_a_saved_file_and_predicts_alike(trained,
                                                                             tmp_path):
    trained.save_params_to(tmp_path / "p.pkl")
    net = predict_only().load_params_from(tmp_path / "p.pkl")
    assert net.layers_["input"].shape == (None, 10) and net.layers_["output"].num_units == 3
    np.testing.assert_array_equal(net.predict_proba(X), trained.predict_proba(X))
    np.testing.assert_array_equal(net.predict(X), trained.predict(X))
    np.testing.assert_array_equal(net.classes_, trained.classes_)
    assert net.score(X, y) == trained.score(X, y)


def test_string_classes_of_a_label_encoded_net_are_saved_and_restored(tmp_path):
    labels = np.array(["cat", "dog", "emu"])[y]
    trained = mlp(max_epochs=3, use_label_encoder=True, random_state=0).fit(X, labels)
    trained.save_params_to(tmp_path / "p.pkl")
    net = predict_only(use_label_encoder=True).load_params_from(tmp_path / "p.pkl")
    assert net.classes_.tolist() == ["cat", "dog", "emu"]
    assert net.classes_.dtype == trained.classes_.dtype
    np.testing.assert_array_equal(net.predict(X), trained.predict(X))
    assert net.predict(X).dtype.kind == "U"


def test_a_regressor_round_trips_without_classes(tmp_path):
    Xr, yr = regression_data(n=80)
    trained = mlp_regressor(max_epochs=2).fit(Xr, yr)
    trained.save_params_to(tmp_path / "r.pkl")
    net = NeuralNet(MLP_LAYERS, hidden_num_units=32, output_nonlinearity=None,
                    regression=True).load_params_from(tmp_path / "r.pkl")
    assert not hasattr(net, "classes_")
    np.testing.assert_array_equal(net.predict(Xr), trained.predict(Xr))


def test_loading_values_that_record_no_classes_keeps_the_nets_own(trained):
    """RestoreBestWeights loads a dict of arrays into the net that made it: its classes stay."""
    net = mlp(max_epochs=1).fit(X, y)
    net.classes_ = np.array([10, 11, 12])  # labels the net was fit on
    net.load_params_from(trained.get_all_params_values())
    np.testing.assert_array_equal(net.classes_, [10, 11, 12])
    np.testing.assert_array_equal(net.predict_proba(X), trained.predict_proba(X))


@pytest.mark.parametrize("writer", ["nolearn", "lasagne"])
def test_old_files_give_the_shapes_their_dense_weights_tell(writer, trained, tmp_path):
    values = OrderedDict((name, [v.astype(np.float64) for v in arrays])
                         for name, arrays in trained.get_all_params_values().items())
    path = tmp_path / f"{writer}.params"
    if writer == "nolearn":  # save_params_to: an OrderedDict pickled by Python 2
        with open(path, "wb") as f:
            pickle.dump(values, f, protocol=2)
    else:  # np.savez(path, *get_all_param_values(output_layer))
        np.savez(path, *[v for arrays in values.values() for v in arrays])
        path = path.with_suffix(".params.npz")
    net = predict_only().load_params_from(path)
    W_hidden, W_output = values["hidden"][0], values["output"][0]
    assert net.layers_["input"].shape == (None, W_hidden.shape[0])
    assert net.layers_["output"].num_units == W_output.shape[1]
    np.testing.assert_allclose(net.predict_proba(X), trained.predict_proba(X), rtol=1e-6)
    np.testing.assert_array_equal(net.classes_, np.arange(3))  # nolearn's class ids


def test_sknet_files_hold_one_extra_key_that_names_no_layer(trained, tmp_path):
    """nolearn's load_params_from loads keys naming a layer and skips the others."""
    trained.save_params_to(tmp_path / "p.pkl")
    with open(tmp_path / "p.pkl", "rb") as f:
        saved = pickle.load(f)
    assert set(saved) - set(trained.layers_) == {SKNET_KEY}
    assert saved[SKNET_KEY]["input_shapes"] == {"input": (None, 10)}


def test_dropout_between_input_and_dense_still_tells_the_input_width(tmp_path):
    with_dropout = [MLP_LAYERS[0], ("drop", layers.DropoutLayer), *MLP_LAYERS[1:]]
    trained = NeuralNet(with_dropout, input_shape=(None, 10), hidden_num_units=8,
                        output_num_units=3, output_nonlinearity=nonlinearities.softmax,
                        update_learning_rate=0.1, max_epochs=1).fit(X, y)
    net = NeuralNet(with_dropout, hidden_num_units=8,
                    output_nonlinearity=nonlinearities.softmax)
    net.load_params_from(dict(trained.get_all_params_values()))
    np.testing.assert_array_equal(net.predict_proba(X), trained.predict_proba(X))


def test_a_conv_net_needs_its_input_shape_unless_the_file_records_it(tmp_path):
    images = np.random.RandomState(0).rand(12, 1, 6, 6).astype(np.float32)
    kwargs = dict(conv_num_filters=2, conv_filter_size=3,
                  output_nonlinearity=nonlinearities.softmax)
    trained = NeuralNet(CONV_LAYERS, input_shape=(None, 1, 6, 6), output_num_units=3,
                        update_learning_rate=0.1, max_epochs=1, **kwargs).fit(images, y[:12])
    values = dict(trained.get_all_params_values())
    net = NeuralNet(CONV_LAYERS, **kwargs)
    with pytest.raises(ValueError, match=r"layer 'input' \(InputLayer\) needs input_shape="
                                         r"\(None, \.\.\.\): there is no record"):
        net.load_params_from(values)
    net.set_params(input_shape=(None, 1, 6, 6)).load_params_from(values)  # then it loads
    np.testing.assert_array_equal(net.predict(images), trained.predict(images))
    trained.save_params_to(tmp_path / "conv.pkl")  # sknet's own file records the shape
    again = NeuralNet(CONV_LAYERS, **kwargs).load_params_from(tmp_path / "conv.pkl")
    np.testing.assert_array_equal(again.predict_proba(images), trained.predict_proba(images))


def test_missing_update_arguments_are_named_when_training_starts(trained, tmp_path, capsys):
    trained.save_params_to(tmp_path / "p.pkl")
    batches = []
    net = predict_only(max_epochs=1, on_batch_finished=[lambda nn, h: batches.append(1)],
                       verbose=1)
    net.load_params_from(tmp_path / "p.pkl")
    for train in (net.fit, net.partial_fit):
        with pytest.raises(ValueError, match=r"nesterov_momentum needs learning_rate "
                                             r"\(no default\)"):
            train(X, y)
    assert batches == []  # not one batch ran
    np.testing.assert_array_equal(net.predict_proba(X), trained.predict_proba(X))
    net.set_params(update_learning_rate=0.1).fit(X, y)  # fixed: trains from the loaded weights
    assert batches and not np.array_equal(net.predict_proba(X), trained.predict_proba(X))
    out = capsys.readouterr().out
    assert "valid loss" in out and "Re-initializing" not in out  # no skorch notice
    assert net.optimizer_.param_groups[0]["lr"] == 0.1
    with pytest.raises(ValueError, match="nesterov_momentum needs learning_rate"):
        predict_only().fit(X, y)  # and without a loaded file, as before


def test_a_bad_update_value_stops_fit_but_not_prediction(trained):
    net = predict_only(update_learning_rate=-1).load_params_from(trained)
    np.testing.assert_array_equal(net.predict(X), trained.predict(X))
    with pytest.raises(ValueError, match="update_learning_rate must be a finite number >= 0, "
                                         "got -1"):
        net.partial_fit(X, y)


@pytest.mark.parametrize("call", ["load_params_from", "predict", "fit", "initialize"])
def test_a_cuda_device_without_cuda_is_a_value_error_naming_device(call, trained,
                                                                   monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    net = predict_only(device="cuda", update_learning_rate=0.1)
    arguments = {"load_params_from": (trained,), "predict": (X,), "fit": (X, y),
                 "initialize": ()}[call]
    with pytest.raises(ValueError, match=r"device='cuda', but this machine has 0 CUDA "
                                         r"device\(s\) that torch can use; use device='cpu'"):
        getattr(net, call)(*arguments)
    net.set_params(device="cpu").load_params_from(trained)  # the same net, fixed
    np.testing.assert_array_equal(net.predict(X), trained.predict(X))


def test_a_cuda_index_beyond_the_gpus_is_named(trained, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(ValueError, match=r"device='cuda:3', but this machine has 1 CUDA "
                                         r"device\(s\) .*or an index below 1"):
        predict_only(device="cuda:3").load_params_from(trained)


# ------------------------------------------------------------------ float16 mixed precision

@pytest.mark.parametrize("call", ["fit", "partial_fit"])
def test_fp16_training_on_the_cpu_is_refused_before_the_first_batch(call, trained):
    batches = []
    net = mlp(mixed_precision="fp16", device="cpu", max_epochs=1,
              on_batch_finished=[lambda nn, h: batches.append(1)])
    with pytest.raises(ValueError, match=r"mixed_precision='fp16' needs a CUDA device to train "
                                         r".*got device='cpu'; use mixed_precision='bf16' or "
                                         "None there"):
        getattr(net, call)(X, y)
    assert batches == []
    assert len(net.set_params(mixed_precision=None).fit(X, y).train_history_) == 1


def test_a_net_trained_in_fp16_predicts_on_the_cpu_in_float16(trained):
    """As a net trained on a GPU and unpickled on a machine without one does."""
    net = predict_only(mixed_precision="fp16", device="cpu").load_params_from(trained)
    half = net.predict_proba(X)
    assert half.dtype == np.float32
    np.testing.assert_allclose(half, trained.predict_proba(X), atol=5e-3)
    assert not np.array_equal(half, trained.predict_proba(X))  # computed in float16


class GradientNorms(Callback):
    """Records the gradient norm that callbacks see after each backward pass."""

    def initialize(self):
        self.norms = []
        return self

    def on_grad_computed(self, net, named_parameters, **kwargs):
        self.norms.append(float(torch.norm(torch.stack(
            [p.grad.norm() for _, p in named_parameters]))))


@pytest.fixture
def fp16_on_cpu(monkeypatch):
    """GradScaler also runs on the CPU: lifting the refusal runs the CUDA code path here."""
    monkeypatch.setattr(sknet.validation, "check_mixed_precision", lambda mode, device: None)


def test_fp16_scales_the_loss_and_callbacks_see_true_gradients(fp16_on_cpu, tmp_path):
    runs = {}
    for mode in (None, "fp16"):
        norms = GradientNorms()
        net = mlp(mixed_precision=mode, device="cpu", random_state=0, max_epochs=2,
                  callbacks=[norms], batch_iterator_train=BatchIterator(32))
        runs[mode] = net.fit(X, y), norms.norms
    (net, fp16_norms), (_, fp32_norms) = runs["fp16"], runs[None]
    scaler = net.grad_scaler_
    assert isinstance(scaler, torch.amp.GradScaler) and runs[None][0].grad_scaler_ is None
    steps = 2 * int(np.ceil(0.8 * len(X) / 32))
    assert len(fp16_norms) == steps
    # the same gradients up to float16 rounding, not 65536 (the loss scale) times larger
    np.testing.assert_allclose(fp16_norms, fp32_norms, rtol=2e-2)
    assert scaler.state_dict()["scale"] == 65536.0  # no overflow: the scale stays ...
    assert scaler.state_dict()["_growth_tracker"] == steps  # ... and counts every good step
    assert pickle.loads(pickle.dumps(net)).grad_scaler_.state_dict() == scaler.state_dict()
    net.save_params(f_grad_scaler=tmp_path / "scaler.pt")  # skorch's Checkpoint files too
    other = mlp(mixed_precision="fp16", device="cpu").initialize()
    other.load_params(f_grad_scaler=tmp_path / "scaler.pt")
    assert other.grad_scaler_.state_dict() == scaler.state_dict()


def test_fp16_skips_steps_whose_gradients_overflow_and_backs_off(fp16_on_cpu):
    net = mlp(mixed_precision="fp16", device="cpu", train_split=None,
              batch_iterator_train=BatchIterator(40)).initialize()
    net.grad_scaler_ = torch.amp.GradScaler("cpu", init_scale=2.0 ** 100)  # overflows
    before = net.get_all_params_values()
    net.partial_fit(X, y)  # 3 batches, every one overflowing float16
    after = net.get_all_params_values()
    assert all(np.array_equal(b, a) for name in before
               for b, a in zip(before[name], after[name]))
    assert net.grad_scaler_.get_scale() == 2.0 ** 97  # halved once per skipped step
