"""NeuralNet: layer formats, training, targets, attributes and methods."""
import pickle

import numpy as np
import pytest
import torch
from sklearn.model_selection import train_test_split

from sknet import BatchIterator, NeuralNet, TrainSplit, layers, nonlinearities, objectives
from sknet.layers import ConcatLayer, DenseLayer, InputLayer, get_output
from tests.nets import (MLP_LAYERS, classification_data, digits_data, mlp, mlp_regressor,
                        regression_data)


def test_classifier_learns_digits():
    X_train, X_test, y_train, y_test = train_test_split(*digits_data(), test_size=0.25,
                                                        stratify=digits_data()[1],
                                                        random_state=0)
    net = mlp(features=64, classes=10, hidden_num_units=64, max_epochs=20)
    net.fit(X_train, y_train)
    assert net.score(X_test, y_test) > 0.9


def test_regressor_learns_and_reshapes_1d_targets():
    X, y = regression_data()
    net = mlp_regressor().fit(X[:250], y[:250])
    assert net.predict(X).shape == (300, 1)
    assert net.score(X[250:], y[250:]) > 0.9


def test_second_layers_format_with_named_incomings_builds_a_two_branch_graph():
    X, y = classification_data()
    net = NeuralNet(
        layers=[(InputLayer, {"shape": (None, 10), "name": "input"}),
                (DenseLayer, {"num_units": 8, "name": "left"}),
                (DenseLayer, {"num_units": 4, "name": "right", "incoming": "input"}),
                (ConcatLayer, {"incomings": ["left", "right"], "name": "both"}),
                (DenseLayer, {"num_units": 3, "nonlinearity": nonlinearities.softmax})],
        update_learning_rate=0.1, max_epochs=5)
    net.fit(X, y)
    assert list(net.layers_) == ["input", "left", "right", "both", "dense4"]
    assert net.layers_["both"].output_shape == (None, 12)
    assert net.layers_["right"].input_layer is net.layers_["input"]


def test_third_format_takes_a_graph_built_the_lasagne_way():
    X, y = classification_data()
    l_in = InputLayer((None, 10), name="input")
    l_out = DenseLayer(DenseLayer(l_in, 16, name="hidden"), 3,
                       nonlinearity=nonlinearities.softmax, name="output")
    for spec in (l_out, [l_out], [l_in, l_out]):
        net = NeuralNet(spec, update_learning_rate=0.1, max_epochs=3).fit(X, y)
        assert list(net.layers_) == ["input", "hidden", "output"]
    with pytest.raises(ValueError, match="cannot apply to layer instances"):
        NeuralNet(l_out, hidden_num_units=3).initialize()


def test_layer_classes_as_dotted_strings_and_more_params():
    X, y = classification_data()
    net = NeuralNet(layers=[("input", "sknet.layers.InputLayer"), ("hidden", "DenseLayer"),
                            ("output", "sknet.layers.dense.DenseLayer")],
                    input_shape=(None, 10), more_params={"hidden_num_units": 7},
                    output_num_units=3, output_nonlinearity=nonlinearities.softmax,
                    max_epochs=1, update_learning_rate=0.1).fit(X, y)
    assert net.layers_["hidden"].W.shape == (10, 7)


def test_unnamed_layers_get_nolearns_names():
    net = NeuralNet([(InputLayer, {"shape": (None, 4)}), (DenseLayer, {"num_units": 3}),
                     (layers.DropoutLayer, {}), (DenseLayer, {"num_units": 2})],
                    update_learning_rate=0.1).initialize()
    assert list(net.layers_) == ["input0", "dense1", "dropout2", "dense3"]


def test_layers_are_indexable_by_name_position_and_slice():
    net = mlp().initialize()
    assert net.layers_["hidden"] is net.layers_[1]
    assert list(net.layers_[1:]) == ["hidden", "output"]
    assert net.layers_[-1].name == "output"


def test_unknown_kwargs_name_the_kwarg_and_the_closest_valid_names():
    with pytest.raises(ValueError, match=r"Unused kwarg: hiden_num_units \(did you mean "
                                         r"hidden_num_units"):
        mlp(hiden_num_units=5).initialize()
    with pytest.raises(ValueError, match=r"Unused kwarg: hidden_num_unit \(did you mean "
                                         r"hidden_num_units"):
        mlp(hidden_num_unit=5).initialize()
    with pytest.raises(ValueError, match=r"Unused kwarg: update_learning_rat \(did you mean "
                                         r"update_learning_rate"):
        mlp(update_learning_rat=5).initialize()
    with pytest.raises(ValueError, match="Unused kwarg: objective_l3"):
        mlp(objective_l3=5).initialize()


def test_a_layer_parameter_left_out_is_named():
    net = NeuralNet(MLP_LAYERS, input_shape=(None, 4), output_num_units=2,
                    update_learning_rate=0.1)
    with pytest.raises(ValueError, match="hidden_num_units"):
        net.initialize()


def test_fit_epochs_partial_fit_and_history_keys():
    X, y = classification_data()
    net = mlp(max_epochs=4)
    net.fit(X, y, epochs=2)
    assert [h["epoch"] for h in net.train_history_] == [1, 2]
    assert set(net.train_history_[-1]) == {"epoch", "train_loss", "train_loss_best",
                                           "valid_loss", "valid_loss_best", "valid_accuracy",
                                           "dur"}
    net.partial_fit(X, y)
    assert len(net.train_history_) == 3
    net.fit(X, y)  # a new fit starts over
    assert len(net.train_history_) == 4 and net.train_history_[0]["epoch"] == 1


def test_history_values_are_nolearns_averages():
    X, y = classification_data(n=100)
    net = mlp(max_epochs=1, update_learning_rate=0.0, train_split=TrainSplit(0.2),
              batch_iterator_test=BatchIterator(15))
    net.fit(X, y)
    # With a zero learning rate the weights do not move: recompute the epoch's numbers.
    _, X_valid, _, y_valid = TrainSplit(0.2)(X, y, net)
    probabilities = net.predict_proba(X_valid)
    expected_loss = -np.log(probabilities[np.arange(len(y_valid)), y_valid]).mean()
    info = net.train_history_[-1]
    assert info["valid_loss"] == pytest.approx(expected_loss, rel=1e-5)
    assert info["valid_accuracy"] == pytest.approx((probabilities.argmax(1) == y_valid).mean())
    assert info["train_loss_best"] and info["valid_loss_best"]


def test_softmax_with_crossentropy_trains_on_logits_stably():
    X = np.array([[1.0], [-1.0]], np.float32)
    W = np.array([[200.0, -200.0]], np.float32)  # softmax saturates: p(wrong class) == 0
    net = NeuralNet([(InputLayer, {"shape": (None, 1), "name": "input"}),
                     (DenseLayer, {"num_units": 2, "W": W, "name": "output",
                                   "nonlinearity": nonlinearities.softmax})],
                    update_learning_rate=0.0, max_epochs=1, train_split=TrainSplit(0))
    net.fit(X, np.array([1, 0]))  # every prediction is confidently wrong
    assert net.train_history_[-1]["train_loss"] == pytest.approx(400.0)
    naive = objectives.categorical_crossentropy(
        torch.softmax(torch.tensor([[200.0, -200.0]]), -1), torch.tensor([1]))
    assert torch.isinf(naive).all()
    np.testing.assert_allclose(net.predict_proba(X).sum(1), 1, rtol=1e-6)


def test_objective_l2_adds_the_weight_penalty():
    X, y = classification_data(n=60)
    plain = mlp(max_epochs=1, update_learning_rate=0.0, train_split=TrainSplit(0))
    plain.fit(X, y)
    penalized = mlp(max_epochs=1, update_learning_rate=0.0, train_split=TrainSplit(0),
                    objective_l2=0.01)
    penalized.initialize()
    penalized.load_params_from(plain)
    penalized.fit(X, y)
    weights = sum((p ** 2).sum().item() for p in plain.get_all_params(regularizable=True))
    assert penalized.train_history_[-1]["train_loss"] == pytest.approx(
        plain.train_history_[-1]["train_loss"] + 0.01 * weights, rel=1e-5)


def test_a_custom_objective_can_read_any_layer_without_inputs():
    seen = []

    def objective(layers, loss_function, target, deterministic=False, **kwargs):
        hidden = get_output(layers["hidden"], deterministic=deterministic)
        seen.append(tuple(hidden.shape))
        output = get_output(layers[-1], deterministic=deterministic)
        return objectives.aggregate(loss_function(output, target)) + 0 * hidden.sum()

    X, y = classification_data(n=50)
    mlp(objective=objective, max_epochs=1, batch_iterator_train=BatchIterator(25),
        train_split=TrainSplit(0)).fit(X, y)
    assert seen == [(25, 32), (25, 32)]


def test_objective_loss_function_replaces_the_loss():
    X, y = regression_data(n=80)
    net = mlp_regressor(objective_loss_function=objectives.huber_loss, max_epochs=30)
    net.fit(X, y)
    assert net.train_history_[-1]["train_loss"] < net.train_history_[0]["train_loss"]


def test_label_encoder_maps_any_labels_and_back():
    X, y = classification_data()
    labels = np.array(["cat", "dog", "emu"])[y]
    net = mlp(use_label_encoder=True).fit(X, labels)
    assert list(net.classes_) == ["cat", "dog", "emu"]
    assert set(net.predict(X)) <= {"cat", "dog", "emu"}
    assert net.score(X, labels) > 0.7


def test_classes_default_to_the_output_units():
    X, y = classification_data()
    assert list(mlp(max_epochs=1).fit(X, y).classes_) == [0, 1, 2]


def test_batch_iterator_transform_changes_training_batches_only():
    class AllClassTwo(BatchIterator):
        def transform(self, Xb, yb):
            return Xb, np.full_like(yb, 2)

    X, y = classification_data()
    net = mlp(batch_iterator_train=AllClassTwo(64), max_epochs=5).fit(X, y)
    assert (net.predict(X) == 2).mean() > 0.95  # it learned the transformed labels
    # validation batches come from batch_iterator_test, untransformed: a third are class 2
    assert net.train_history_[-1]["valid_accuracy"] == pytest.approx(1 / 3, abs=0.05)


def test_train_split_zero_trains_on_everything_without_validation():
    X, y = classification_data()
    net = mlp(train_split=TrainSplit(0), max_epochs=2).fit(X, y)
    assert np.isnan(net.train_history_[-1]["valid_loss"])
    assert net.history[-1, "train_batch_count"] == 3  # 300 rows in batches of 128


def test_dict_input_for_a_net_with_two_input_layers():
    X, y = classification_data()
    left, right = InputLayer((None, 6), name="left"), InputLayer((None, 4), name="right")
    out = DenseLayer(ConcatLayer([DenseLayer(left, 8), right]), 3,
                     nonlinearity=nonlinearities.softmax, name="output")
    net = NeuralNet(out, update_learning_rate=0.1, max_epochs=10)
    data = {"left": X[:, :6], "right": X[:, 6:]}
    net.fit(data, y)
    assert net.predict_proba(data).shape == (300, 3)
    assert net.score(data, y) > 0.6


def test_get_output_of_an_inner_layer_matches_the_layer_math():
    X, y = classification_data()
    net = mlp(max_epochs=1).fit(X, y)
    hidden = net.get_output("hidden", X)
    W, b = (p.detach().numpy() for p in net.layers_["hidden"].get_params())
    np.testing.assert_allclose(hidden, np.maximum(X @ W + b, 0), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(net.get_output(net.layers_[-1], X), net.predict_proba(X),
                               rtol=1e-5, atol=1e-6)


def test_params_save_and_load_by_layer_name_with_nolearns_messages(tmp_path, capsys):
    X, y = classification_data()
    trained = mlp(max_epochs=2).fit(X, y)
    path = tmp_path / "params.pkl"
    trained.save_params_to(str(path))
    with open(path, "rb") as f:
        saved = pickle.load(f)
    # nolearn's load_params_from skips the key that names no layer
    assert list(saved) == ["input", "hidden", "output", "__sknet__"]
    assert [v.shape for v in saved["hidden"]] == [(10, 32), (32,)]
    for source in (str(path), trained, saved):
        fresh = mlp(verbose=1)
        fresh.load_params_from(source)
        np.testing.assert_array_equal(fresh.predict_proba(X), trained.predict_proba(X))
    assert "Loaded parameters to layer 'hidden' (shape 10x32)." in capsys.readouterr().out
    wider = mlp(hidden_num_units=40, verbose=1)
    wider.load_params_from(saved, skip_mismatched=True)  # nolearn's lenient rule, on request
    out = capsys.readouterr().out
    assert ("Could not load parameters to layer 'hidden' because shapes did not match: 10x40 "
            "vs 10x32.") in out
    assert "Loaded parameters to layer 'output' (shape 3)." in out  # its b still fits


def test_fit_after_load_params_from_continues_from_the_loaded_weights():
    X, y = classification_data()
    trained = mlp(max_epochs=10).fit(X, y)
    resumed = mlp(max_epochs=1, update_learning_rate=0.0)
    resumed.load_params_from(trained)
    resumed.fit(X, y)
    np.testing.assert_allclose(resumed.predict_proba(X), trained.predict_proba(X), rtol=1e-5)


def test_get_all_params_and_values():
    net = mlp().initialize()
    assert [tuple(p.shape) for p in net.get_all_params()] == [(10, 32), (32,), (32, 3), (3,)]
    assert len(net.get_all_params(regularizable=True)) == 2
    values = net.get_all_params_values()
    assert list(values) == ["input", "hidden", "output"] and values["input"] == []


def test_predict_before_fit_is_a_clear_error():
    from skorch.exceptions import NotInitializedError
    with pytest.raises(NotInitializedError, match="not initialized"):
        mlp().predict(np.zeros((2, 10), np.float32))


def test_ctrl_c_returns_the_net_trained_so_far():
    def interrupt(net, history):
        if len(history) == 2:
            raise KeyboardInterrupt

    X, y = classification_data()
    net = mlp(max_epochs=10, on_batch_finished=[interrupt]).fit(X, y)
    assert len(net.train_history_) == 2
    assert net.predict(X).shape == (300,)


def test_pickle_round_trip_predicts_identically_and_keeps_training():
    X, y = classification_data()
    net = mlp(max_epochs=3).fit(X, y)
    copy = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(copy.predict_proba(X), net.predict_proba(X))
    assert copy.layers_["hidden"] is copy.module_.layers["hidden"]
    copy.partial_fit(X, y)
    assert len(copy.train_history_) == 4
    assert not np.array_equal(copy.predict_proba(X), net.predict_proba(X))


def test_device_defaults_to_cuda_when_available():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert mlp().device == expected


def test_tensors_pandas_and_float64_inputs_are_accepted():
    import pandas as pd
    X, y = classification_data()

    def fitted_probabilities(X_in, y_in):
        np.random.seed(0)  # the same initial weights for each
        return mlp(max_epochs=2).fit(X_in, y_in).predict_proba(X_in)

    reference = fitted_probabilities(X, y)
    for X_in, y_in in ((torch.from_numpy(X), torch.from_numpy(y)),
                       (pd.DataFrame(X), pd.Series(y)), (X.astype(np.float64), y.tolist())):
        np.testing.assert_allclose(fitted_probabilities(X_in, y_in), reference, rtol=1e-5,
                                   atol=1e-6)


def test_a_net_pickled_for_cuda_loads_on_a_cpu_only_machine():
    X, y = classification_data()
    net = mlp(max_epochs=2).fit(X, y)
    net.device = "cuda"  # as if trained on a GPU; this machine has none
    if torch.cuda.is_available():
        copy = pickle.loads(pickle.dumps(net))
    else:
        with pytest.warns(UserWarning) as caught:
            copy = pickle.loads(pickle.dumps(net))
        messages = " ".join(str(w.message) for w in caught)
        assert "Setting self.device = cpu" in messages and str(copy.device) == "cpu"
    net.device = "cpu"
    np.testing.assert_array_equal(copy.predict_proba(X), net.predict_proba(X))
