"""Counterparts of nolearn 0.6.1's own test suite (nolearn/lasagne/tests/), run through the
legacy shim: the same public behaviour, checked with our own code and small data (scikit-learn's
digits instead of full MNIST, synthetic sets instead of Boston). Each test names the nolearn
tests it stands for; docs/porting.md lists the mapping and the tests that do not apply."""
import io
import pickle
import sys
import types

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import accuracy_score, mean_absolute_error, r2_score
from sklearn.model_selection import GridSearchCV

from sknet import legacy
from sknet.layers import feeding
from sknet.legacy import renames

from ..nets import digits_data


@pytest.fixture(scope="module")
def nl():
    """The shim installed for this module; the old modules the tests import, as attributes.
    Torch runs on one thread meanwhile: these nets are tiny, and on a busy machine a second
    thread only waits."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    renames._warned.clear()
    legacy.install()
    import lasagne.layers
    import lasagne.nonlinearities
    import lasagne.objectives
    import lasagne.updates
    import nolearn.lasagne
    import nolearn.lasagne.base
    import nolearn.lasagne.handlers
    import nolearn.lasagne.visualize
    import theano.tensor
    yield types.SimpleNamespace(
        L=lasagne.layers, nonlin=lasagne.nonlinearities, objectives=lasagne.objectives,
        updates=lasagne.updates, nolearn=nolearn.lasagne, base=nolearn.lasagne.base,
        handlers=nolearn.lasagne.handlers, visualize=nolearn.lasagne.visualize,
        T=theano.tensor, NeuralNet=nolearn.lasagne.NeuralNet)
    legacy.uninstall()
    torch.set_num_threads(threads)


class StopAfter:
    """An on_epoch_finished handler that keeps the history it saw and stops at `epochs`."""

    def __init__(self, epochs):
        self.epochs = epochs
        self.train_history = None

    def __call__(self, nn, train_history):
        self.train_history = train_history
        if len(train_history) >= self.epochs:
            raise StopIteration()


@pytest.fixture(scope="module")
def digits():
    X, y = digits_data()
    return X.reshape(-1, 1, 8, 8), y.astype(np.int32)


def small_cnn(nl, **kwargs):
    """conftest's `net` at digit size: conv, pool, dense, softmax output, as layer instances."""
    L = nl.L
    l = L.InputLayer(shape=(None, 1, 8, 8))
    l = L.Conv2DLayer(l, name="conv1", filter_size=(3, 3), num_filters=8)
    l = L.MaxPool2DLayer(l, name="pool1", pool_size=(2, 2))
    l = L.DenseLayer(l, name="hidden1", num_units=32)
    l = L.DenseLayer(l, name="output", nonlinearity=nl.nonlin.softmax, num_units=10)
    params = dict(layers=l, update=nl.updates.nesterov_momentum, update_learning_rate=0.1,
                  update_momentum=0.9, max_epochs=20, on_epoch_finished=[StopAfter(8)])
    params.update(kwargs)
    return nl.NeuralNet(**params)


@pytest.fixture(scope="module")
def cnn(nl):
    return small_cnn(nl)


@pytest.fixture(scope="module")
def cnn_fitted(cnn, digits):
    np.random.seed(1)
    torch.manual_seed(1)
    X, y = digits
    return cnn.fit(X[:1300], y[:1300])


@pytest.fixture(scope="module")
def y_pred(cnn_fitted, digits):
    return cnn_fitted.predict(digits[0][1300:])


# ------------------------------------------------------------------------ test_base.py

def test_layers_index_by_key_position_and_slice_and_list_keys(nl):
    """TestLayers: getitem_with_key, _with_index, _with_slice, keys_returns_list,
    values_returns_list."""
    layers = nl.base.Layers([("one", 1), ("two", 2), ("three", 3)])
    assert layers["one"] == 1 and layers[0] == 1 and layers[-1] == 3
    sliced = layers[:2]
    assert isinstance(sliced, nl.base.Layers)
    assert sliced.keys() == ["one", "two"] and sliced.values() == [1, 2]
    assert layers.keys() == ["one", "two", "three"] and layers.values() == [1, 2, 3]
    assert layers.keys()[0] == "one"  # Python 2 scripts index keys()


@pytest.mark.parametrize("kind", ["two classes", "ten classes", "two classes, no valid",
                                  "one target", "ten targets"])
def test_toy_problems_fit_with_a_layer_instance(nl, kind):
    """TestFunctionalToy: classif_two_classes, classif_ten_classes,
    classif_no_valid_two_classes, regr_one_target, regr_ten_targets."""
    L = nl.L
    if "target" in kind:
        X, y = make_regression(200, 20, n_targets=10 if kind == "ten targets" else 1,
                               random_state=0)
        y = (y.reshape(len(y), -1) / y.std()).astype(np.float32)
        out = L.DenseLayer(L.InputLayer((None, 20)), num_units=y.shape[1], nonlinearity=None)
        net = nl.NeuralNet(out, regression=True, update_learning_rate=0.01, max_epochs=5)
    else:
        classes = 10 if kind == "ten classes" else 2
        X, y = make_classification(200, 20, n_informative=10, n_classes=classes,
                                   random_state=0)
        out = L.DenseLayer(L.InputLayer((None, 20)), num_units=classes,
                           nonlinearity=nl.nonlin.softmax)
        split = {"train_split": nl.nolearn.TrainSplit(0)} if "no valid" in kind else {}
        net = nl.NeuralNet(out, update_learning_rate=0.01, max_epochs=5, **split)
    net.fit(X.astype(np.float32), y)
    history = net.train_history_
    assert len(history) == 5 and history[-1]["train_loss"] < history[0]["train_loss"]
    assert np.isnan(history[-1]["valid_loss"]) == ("no valid" in kind)


def test_cnn_accuracy_score_and_history(cnn_fitted, digits, y_pred):
    """TestFunctionalMNIST: accuracy, train_history, early_stopping."""
    y_test = digits[1][1300:]
    accuracy = accuracy_score(y_test, y_pred)
    assert accuracy > 0.75  # ten classes; nolearn asked 0.85 of a bigger CNN on full MNIST
    assert cnn_fitted.score(digits[0][1300:], y_test) == accuracy
    history = cnn_fitted.train_history_
    assert len(history) == 8  # the handler stopped it
    assert history[-1]["valid_accuracy"] > 0.75
    assert history[-1]["valid_accuracy"] > history[0]["valid_accuracy"]
    assert set(history[0]) == {"dur", "epoch", "train_loss", "train_loss_best", "valid_loss",
                               "valid_loss_best", "valid_accuracy"}
    assert cnn_fitted.on_epoch_finished[0].train_history == history


def test_cnn_pickles_and_loads_parameters_from_net_values_and_path(
        nl, cnn, cnn_fitted, digits, y_pred, tmp_path):
    """TestFunctionalMNIST: pickle, load_params_from_net, load_params_from_params_values,
    save_params_to_path."""
    X_test = digits[0][1300:]
    assert np.array_equal(pickle.loads(pickle.dumps(cnn_fitted, -1)).predict(X_test), y_pred)
    from_net = clone(cnn).load_params_from(cnn_fitted)
    assert np.array_equal(from_net.predict(X_test), y_pred)
    from_values = clone(cnn).load_params_from(cnn_fitted.get_all_params_values())
    assert np.array_equal(from_values.predict(X_test), y_pred)
    cnn_fitted.save_params_to(str(tmp_path / "cnn.params"))
    from_path = clone(cnn_fitted).load_params_from(str(tmp_path / "cnn.params"))
    assert np.array_equal(from_path.predict(X_test), y_pred)


def test_load_params_from_reports_each_parameter(cnn, cnn_fitted, capsys):
    """TestFunctionalMNIST: load_params_from_message."""
    net = clone(cnn)
    net.verbose = 1
    capsys.readouterr()
    net.load_params_from(cnn_fitted)
    # hidden1 takes 8 filters x 3 x 3 pooled positions = 72 inputs
    shapes = [("conv1", "8x1x3x3"), ("conv1", "8"), ("hidden1", "72x32"), ("hidden1", "32"),
              ("output", "32x10"), ("output", "10")]
    expected = "".join(f"Loaded parameters to layer '{name}' (shape {shape}).\n"
                       for name, shape in shapes)
    assert capsys.readouterr().out == expected


def test_partial_fit_continues_one_epoch_at_a_time(cnn, digits):
    """TestFunctionalMNIST: partial_fit."""
    X, y = digits
    net = clone(cnn)
    net.on_epoch_finished = []
    assert net.partial_fit(X[:1300], y[:1300]) is net
    net.partial_fit(X[:1300], y[:1300])
    history = net.train_history_
    assert [h["epoch"] for h in history] == [1, 2]
    assert history[1]["valid_loss"] < history[0]["valid_loss"]


def test_grid_search_over_more_params_and_update_momentum(nl):
    """test_lasagne_functional_grid_search (real fits instead of a mocked fit)."""
    X, y = make_classification(120, 8, n_informative=5, random_state=0)
    L = nl.L
    net = nl.NeuralNet(
        layers=[("input", L.InputLayer), ("hidden", L.DenseLayer), ("output", L.DenseLayer)],
        input_shape=(None, 8), output_num_units=2, output_nonlinearity=nl.nonlin.softmax,
        update_learning_rate=0.05, max_epochs=1)
    grid = {"more_params": [{"hidden_num_units": 4}, {"hidden_num_units": 6}],
            "update_momentum": [0.9, 0.98]}
    search = GridSearchCV(net, grid, cv=2, refit=True).fit(X.astype(np.float32), y)
    assert [(p["more_params"]["hidden_num_units"], p["update_momentum"])
            for p in search.cv_results_["params"]] == [(4, 0.9), (4, 0.98), (6, 0.9), (6, 0.98)]
    best = search.best_estimator_
    assert best.layers_["hidden"].num_units == best.more_params["hidden_num_units"]
    assert best.optimizer_.param_groups[0]["momentum"] == pytest.approx(best.update_momentum)


def test_clone_keeps_every_parameter(nl):
    """test_clone (with eval_size, nolearn's old name, and a Theano y_tensor_type)."""
    L = nl.L
    params = dict(
        layers=[("input", L.InputLayer), ("hidden", L.DenseLayer), ("output", L.DenseLayer)],
        input_shape=(100, 784), output_num_units=10, output_nonlinearity=nl.nonlin.softmax,
        more_params={"hidden_num_units": 100}, update=nl.updates.nesterov_momentum,
        update_learning_rate=0.01, update_momentum=0.9, regression=False,
        objective=nl.nolearn.objective,
        objective_loss_function=nl.objectives.categorical_crossentropy,
        batch_iterator_train=nl.nolearn.BatchIterator(batch_size=100),
        y_tensor_type=nl.T.ivector, use_label_encoder=False, on_epoch_finished=None,
        on_training_finished=None, max_epochs=100, eval_size=0.1, check_input=True, verbose=0)
    net = nl.NeuralNet(**params)
    twin = clone(net)
    assert type(twin) is type(net)
    # deep=False: sknet's deep parameters add skorch's callbacks__* entries
    params1, params2 = net.get_params(deep=False), twin.get_params(deep=False)
    assert params1["train_split"].eval_size == params2["train_split"].eval_size == 0.1
    assert params2["batch_iterator_train"].batch_size == 100
    # deep copies, as scikit-learn's clone makes them: the same update and type, new objects
    assert repr(params1.pop("update")) == repr(params2.pop("update")) == repr(params["update"])
    assert repr(params1.pop("y_tensor_type")) == repr(params2.pop("y_tensor_type")) == repr(
        params.pop("y_tensor_type"))
    params.pop("update")
    for ignore in ("batch_iterator_train", "batch_iterator_test", "output_nonlinearity",
                   "objective", "train_split", "eval_size", "on_epoch_finished",
                   "on_batch_finished", "on_training_started", "on_training_finished",
                   "custom_scores", "scores_train", "scores_valid"):
        for p in (params, params1, params2):
            p.pop(ignore, None)
    for p in (params1, params2):  # sknet's own settings, which nolearn's params lack
        for name in ("callbacks", "warm_start", "device", "compile", "mixed_precision",
                 "random_state", "distributed", "progress", "class_weight"):
            p.pop(name)
    assert params == params1 == params2


def test_regression_with_a_layer_instance_and_score_in_sklearns_order(nl):
    """test_lasagne_functional_regression (synthetic data instead of Boston; the score is
    scikit-learn's r2_score(y_true, y_pred), nolearn passed the arguments swapped)."""
    X, y = make_regression(400, 13, noise=5.0, random_state=0)
    X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    y = (y / y.std()).reshape(-1, 1).astype(np.float32)
    L = nl.L
    out = L.DenseLayer(L.DenseLayer(L.InputLayer((128, 13)), num_units=100), num_units=1,
                       nonlinearity=nl.nonlin.identity)
    net = nl.NeuralNet(layers=out, update_learning_rate=0.01, update_momentum=0.1,
                       regression=True, max_epochs=50)
    net.fit(X[:300], y[:300])
    prediction = net.predict(X[300:])
    assert mean_absolute_error(y[300:], prediction) < 0.3 * np.abs(y[300:]).mean() + 0.1
    assert net.score(X[300:], y[300:]) == pytest.approx(r2_score(y[300:], prediction))
    assert net.score(X[300:], y[300:]) != pytest.approx(r2_score(prediction, y[300:]))


def test_default_objective_is_the_mean_loss_of_the_last_layer_with_get_output_kw(nl):
    """TestDefaultObjective: with_defaults, with_get_output_kw (a real graph instead of a
    mocked get_output)."""
    L = nl.L
    seen = []

    class Recording(L.DenseLayer):
        def get_output_for(self, input, **kwargs):
            seen.append(kwargs)
            return super().get_output_for(input)

    l_in = L.InputLayer((None, 3))
    layers = nl.base.Layers([("input", l_in), ("out", Recording(l_in, 2))])
    x = torch.arange(12, dtype=torch.float32).reshape(4, 3)
    per_sample = torch.tensor([1.0, 2.0, 3.0, 6.0])
    with feeding({l_in: x}):  # what NeuralNet does for each batch
        loss = nl.nolearn.objective(layers, loss_function=lambda out, t: out.sum(1) * 0 + t,
                                    target=per_sample)
        nl.nolearn.objective(layers, loss_function=lambda out, t: out.sum(), target=None,
                             get_output_kw={"i_was": "here"})
    assert float(loss) == pytest.approx(3.0)  # the mean of 1, 2, 3, 6
    assert seen[0].get("deterministic") is False
    assert seen[1].get("i_was") == "here"


@pytest.mark.parametrize("case", ["reproducible", "eval_size 0", "eval_size 0.51",
                                  "regression", "stratified", "not stratified", "dict X",
                                  "dict X, eval_size 0"])
def test_train_split(nl, case):
    """TestTrainSplit: reproducable, eval_size_zero, eval_size_half, regression, stratified,
    not_stratified, X_is_dict, X_is_dict_eval_size_0."""
    TrainSplit = nl.nolearn.TrainSplit
    net = nl.NeuralNet([("input", nl.L.InputLayer)], input_shape=(None, 10))
    X, y = np.random.random((100, 10)), np.repeat([0, 1, 2, 3], 25)
    if case == "reproducible":
        first, second = TrainSplit(0.2)(X, y, net), TrainSplit(0.2)(X, y, net)
        assert all(np.array_equal(a, b) for a, b in zip(first, second))
    elif case == "eval_size 0":
        X_train, X_valid, y_train, y_valid = TrainSplit(0.0)(X, y, net)
        assert (len(X_train), len(y_train), len(X_valid), len(y_valid)) == (100, 100, 0, 0)
    elif case == "eval_size 0.51":  # round(1 / 0.51) = 2 folds
        X_train, X_valid, y_train, y_valid = TrainSplit(0.51)(X, y, net)
        assert (len(X_train), len(X_valid), len(y_train), len(y_valid)) == (50, 50, 50, 50)
    elif case == "regression":
        net.regression = True
        X_train, X_valid, y_train, y_valid = TrainSplit(0.2)(X, np.random.random(100), net)
        assert len(X_train) == len(y_train) == 80 and len(X_valid) == len(y_valid) == 20
    elif case in ("stratified", "not stratified"):
        y = np.hstack([np.zeros(75, int), np.ones(25, int)])
        split = TrainSplit(0.2, stratify=case == "stratified")
        X_train, X_valid, y_train, y_valid = split(X, y, net)
        # stratified: a fifth of each class held out; otherwise the first fifth of the rows
        expected = (20, 5) if case == "stratified" else (25, 0)
        assert (y_train.sum(), y_valid.sum()) == expected
    else:
        X = {"1": np.random.random((100, 10)), "2": np.random.random((100, 10))}
        size, n_train = (0.2, 80) if case == "dict X" else (0, 100)
        X_train, X_valid, y_train, y_valid = TrainSplit(size)(X, y, net)
        assert len(X_train["1"]) == len(X_train["2"]) == len(y_train) == n_train
        assert len(X_valid["1"]) == len(X_valid["2"]) == len(y_valid) == 100 - n_train


def test_eval_size_is_the_train_splits(nl):
    """TestTrainTestSplitBackwardCompatibility: legacy_eval_size."""
    net = nl.NeuralNet([], eval_size=0.3, max_epochs=0)
    assert net.train_split.eval_size == 0.3


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("data", ["X and y", "X only", "dict X"])
def test_batch_iterator(nl, data, shuffle):
    """TestBatchIterator: simple_x_and_y, simple_x_no_y, X_is_dict (each shuffled and not)."""
    X = np.arange(200).reshape((10, 20)).T.astype(float)
    y = np.arange(20)
    if data == "dict X":
        X = {"one": X, "two": np.arange(200).reshape((20, 10)).astype(float)}
    batches = list(nl.nolearn.BatchIterator(2, shuffle=shuffle)(
        X, y if data == "X and y" else None))
    assert len(batches) == 10
    X0, y0 = batches[0]
    if data == "dict X":
        assert X0["one"].shape == X0["two"].shape == (2, 10) and y0 is None
        one = np.vstack([b[0]["one"] for b in batches])
        two = np.vstack([b[0]["two"] for b in batches])
        np.testing.assert_equal(one[:, 0], two[:, 0] / 10)  # rows stay together
        assert sorted(one[:, 0]) == list(range(20))
        if not shuffle:
            np.testing.assert_equal(X0["one"], X["one"][:2])
        return
    assert X0.shape == (2, 10)
    Xt = np.vstack([b[0] for b in batches])
    assert Xt.shape == X.shape and sorted(Xt[:, 0]) == list(range(20))
    if data == "X and y":
        np.testing.assert_equal(Xt[:, 0], np.hstack([b[1] for b in batches]))
    else:
        assert y0 is None
    if not shuffle:
        np.testing.assert_equal(X0, X[:2])


def test_shuffled_batches_leave_the_data_alone(nl):
    """TestBatchIterator: shuffle_no_copy. nolearn shuffled X in place and sliced views of
    it; sknet leaves X in place and gathers each shuffled batch (a copy)."""
    X = np.arange(40.0).reshape(20, 2)
    batches = list(nl.nolearn.BatchIterator(2, shuffle=True)(X, np.arange(20)))
    np.testing.assert_equal(X, np.arange(40.0).reshape(20, 2))
    assert sorted(np.vstack([b[0] for b in batches])[:, 0]) == list(range(0, 40, 2))


def test_unused_kwargs(nl):
    """TestCheckForUnusedKwargs: okay, unused (real layers instead of mocks)."""
    L = nl.L
    params = dict(layers=[("input", L.InputLayer), ("mylayer", L.DenseLayer)],
                  input_shape=(None, 10), mylayer_num_units=3, update_learning_rate=0.1,
                  update_momentum=0.8)
    nl.NeuralNet(**params).initialize()
    with pytest.raises(ValueError, match=r"^Unused kwarg: yourlayer_ho"):
        nl.NeuralNet(yourlayer_ho="ho", **params).initialize()


def test_layer_instance_gets_default_names_and_rejects_keyword_params(nl):
    """TestInitializeLayers: initialization_with_layer_instance, _with_layer_instance_bad_params
    (through initialize; nolearn's initialize_layers is internal)."""
    L = nl.L
    layer1 = L.InputLayer(shape=(128, 13))
    layer2 = L.DenseLayer(layer1, name="output", num_units=2)
    net = nl.NeuralNet(layers=layer2, update_learning_rate=0.1).initialize()
    assert net.layers_["output"] is layer2 and net.layers_["input0"] is layer1
    unnamed = L.DenseLayer(L.InputLayer(shape=(128, 13)), num_units=2)
    with pytest.raises(ValueError, match="dense1"):
        nl.NeuralNet(layers=unnamed, dense1_num_units=3, update_learning_rate=0.1).initialize()


def recording_layer_class(nl, calls):
    """A DenseLayer subclass that records the keyword arguments each instance was made with."""
    class MockLayer(nl.L.DenseLayer):
        def __init__(self, incoming, num_units=3, some=None, another=None, **kwargs):
            calls.append(dict(kwargs, incoming=incoming, some=some, another=another))
            super().__init__(incoming, num_units, **kwargs)
    return MockLayer


def test_dict_format_names_unnamed_layers_and_routes_kwargs(nl):
    """TestInitializeLayers: initialization_with_tuples."""
    calls = []
    Mock = recording_layer_class(nl, calls)
    net = nl.NeuralNet(
        layers=[(nl.L.InputLayer, {"shape": (None, 10), "name": "input"}),
                (Mock, {"some": "param", "another": "param"}), (Mock, {}),
                (Mock, {"name": "output"})],
        mock1_some="iwin", update_learning_rate=0.1).initialize()
    assert list(net.layers_) == ["input", "mock1", "mock2", "output"]
    assert [c["name"] for c in calls] == ["mock1", "mock2", "output"]
    assert (calls[0]["some"], calls[0]["another"]) == ("iwin", "param")
    assert calls[0]["incoming"] is net.layers_["input"]
    assert calls[1]["incoming"] is net.layers_["mock1"] and calls[1]["some"] is None
    assert calls[2]["incoming"] is net.layers_["mock2"]


@pytest.mark.parametrize("name_type", [str, lambda s: u"%s" % s])
def test_name_format_routes_kwargs(nl, name_type):
    """TestInitializeLayers: initialization_legacy, _legacy_with_unicode_names."""
    calls = []
    Mock = recording_layer_class(nl, calls)
    net = nl.NeuralNet(
        layers=[(name_type("input"), nl.L.InputLayer), (name_type("hidden1"), Mock),
                (name_type("hidden2"), Mock), (name_type("output"), Mock)],
        input_shape=(None, 10), hidden1_some="param", update_learning_rate=0.1).initialize()
    assert list(net.layers_) == ["input", "hidden1", "hidden2", "output"]
    assert net.layers_["input"].shape == (None, 10)
    assert [(c["name"], c["some"]) for c in calls] == [
        ("hidden1", "param"), ("hidden2", None), ("output", None)]
    assert calls[1]["incoming"] is net.layers_["hidden1"]


@pytest.mark.parametrize("form", ["dict format", "name format"])
def test_layer_classes_may_be_dotted_names(nl, form):
    """TestInitializeLayers: initializtion_with_tuples_resolve_layers,
    initializtion_legacy_resolve_layers."""
    if form == "dict format":
        net = nl.NeuralNet(layers=[("lasagne.layers.InputLayer", {"shape": (None, 10)}),
                                   ("lasagne.layers.DenseLayer", {"num_units": 33})],
                           update_learning_rate=0.1)
    else:
        net = nl.NeuralNet(layers=[("input", "lasagne.layers.InputLayer"),
                                   ("output", "lasagne.layers.DenseLayer")],
                           input_shape=(None, 10), output_num_units=33, update_learning_rate=0.1)
    out = net.initialize().layers_[-1]
    assert out.num_units == 33 and out.W.shape == (10, 33)


def test_diamond_graph_from_incoming_and_incomings_names(nl):
    """TestInitializeLayers: diamond."""
    L = nl.L
    net = nl.NeuralNet(
        layers=[("input", L.InputLayer), ("hidden1", L.DenseLayer), ("hidden2", L.DenseLayer),
                ("concat", L.ConcatLayer), ("output", L.DenseLayer)],
        input_shape=(None, 10), hidden1_num_units=3, hidden2_num_units=4, output_num_units=2,
        hidden2_incoming="input", concat_incomings=["hidden1", "hidden2"],
        update_learning_rate=0.1).initialize()
    layers = net.layers_
    assert layers["hidden1"].input_layer is layers["hidden2"].input_layer is layers["input"]
    assert layers["concat"].input_layers == [layers["hidden1"], layers["hidden2"]]
    assert layers["output"].input_layer is layers["concat"]
    assert layers["concat"].output_shape == (None, 7)


@pytest.mark.parametrize("form", ["dict format", "name format"])
def test_mask_input_names_an_earlier_layer(nl, form):
    """TestInitializeLayers: initialization_with_mask_input,
    legacy_initialization_with_mask_input (the mask's effect checked instead of the index)."""
    L = nl.L
    if form == "dict format":
        net = nl.NeuralNet(layers=[
            (L.InputLayer, {"shape": (None, 20, 32), "name": "l_in"}),
            (L.InputLayer, {"shape": (None, 20), "name": "l_mask"}),
            (L.RecurrentLayer, {"incoming": "l_in", "mask_input": "l_mask", "num_units": 2,
                                "name": "l_rec"})], update_learning_rate=0.1)
    else:
        net = nl.NeuralNet(
            layers=[("l_in", L.InputLayer), ("l_mask", L.InputLayer),
                    ("l_rec", L.RecurrentLayer)],
            l_in_shape=(None, 20, 32), l_in_name="l_in", l_mask_shape=(None, 20),
            l_mask_name="l_mask", l_rec_incoming="l_in", l_rec_mask_input="l_mask",
            l_rec_num_units=2, l_rec_name="l_rec", update_learning_rate=0.1)
    net.initialize()
    assert net.layers_["l_rec"].input_layers[-1] is net.layers_["l_mask"]
    mask = np.ones((3, 20), np.float32)
    mask[:, 12:] = 0
    out = net.get_output("l_rec", {"l_in": np.random.rand(3, 20, 32).astype(np.float32),
                                   "l_mask": mask})
    np.testing.assert_array_equal(out[:, 12:], np.repeat(out[:, 11:12], 8, axis=1))
    assert np.abs(out[:, 11] - out[:, 10]).max() > 0


@pytest.mark.parametrize("case", ["X", "X and y", "X and y, regression"])
def test_good_input_trains(nl, case):
    """TestCheckGoodInput: X_OK, X_and_y_OK, X_and_y_OK_regression (through fit and predict;
    nolearn's _check_good_input is internal)."""
    L = nl.L
    X = np.arange(100).reshape(10, 10).astype(np.float32) / 100
    regression = case.endswith("regression")
    out = L.DenseLayer(L.InputLayer((None, 10)), num_units=1 if regression else 10,
                       nonlinearity=None if regression else nl.nonlin.softmax)
    net = nl.NeuralNet(out, regression=regression, update_learning_rate=0.01, max_epochs=1,
                       train_split=nl.nolearn.TrainSplit(0))
    y = (np.arange(10).reshape(-1, 1).astype(np.float32) if regression
         else np.arange(10).astype(np.int32))
    if case == "X":
        net.initialize()
    else:
        net.fit(X, y)
    assert net.predict_proba(X).shape == (10, out.num_units)


@pytest.mark.parametrize("case", ["X and y lengths", "dict X and y lengths",
                                  "dict X lengths"])
def test_mismatched_lengths_are_a_value_error(nl, case):
    """TestCheckGoodInput: X_and_y_length_mismatch, X_dict_and_y_length_mismatch,
    X_dict_length_mismatch (through fit)."""
    L = nl.L
    X = np.arange(100).reshape(10, 10).astype(np.float32)
    y = np.arange(10).astype(np.int32) % 2
    if case == "X and y lengths":
        out = L.DenseLayer(L.InputLayer((None, 10)), 2, nonlinearity=nl.nonlin.softmax)
        X_fit, y_fit = X[:9], y
    else:
        out = L.DenseLayer(L.ConcatLayer([L.InputLayer((None, 10), name="one"),
                                          L.InputLayer((None, 10), name="two")]),
                           2, nonlinearity=nl.nonlin.softmax)
        X_fit = {"one": X, "two": X if case != "dict X lengths" else X[:9]}
        y_fit = y[:9] if case == "dict X and y lengths" else y
    net = nl.NeuralNet(out, update_learning_rate=0.01, max_epochs=1)
    with pytest.raises(ValueError, match="9"):
        net.fit(X_fit, y_fit)


@pytest.mark.parametrize("shape", [(-1,), (-1, 1)])
def test_regression_targets_as_vector_or_column(nl, shape):
    """TestCheckGoodInput: y_regression_1dim, y_regression_2dim."""
    L = nl.L
    X = np.random.rand(40, 3).astype(np.float32)
    y = X.sum(axis=1).reshape(shape)
    out = L.DenseLayer(L.InputLayer((None, 3)), 1, nonlinearity=None)
    net = nl.NeuralNet(out, regression=True, update_learning_rate=0.05, max_epochs=3,
                       train_split=nl.nolearn.TrainSplit(0)).fit(X, y)
    assert net.predict(X).shape == (40, 1)
    assert net.train_history_[-1]["train_loss"] < net.train_history_[0]["train_loss"]


def test_get_output_by_layer_name_and_of_the_last_layer(nl, cnn_fitted, digits):
    """TestGetOutput: layer_object, layer_name, get_output_last_layer, no_conv."""
    X = digits[0][:129]
    by_layer = cnn_fitted.get_output(cnn_fitted.layers_["conv1"], X[:3])
    assert by_layer.shape == (3, 8, 6, 6)
    np.testing.assert_array_equal(cnn_fitted.get_output("conv1", X[:3]), by_layer)
    np.testing.assert_allclose(cnn_fitted.get_output(cnn_fitted.layers_[-1], X),
                               cnn_fitted.predict_proba(X), rtol=1e-6)
    L = nl.L
    no_conv = nl.NeuralNet(L.DenseLayer(L.InputLayer((None, 100)), name="output",
                                        nonlinearity=nl.nonlin.softmax, num_units=10),
                           update_learning_rate=0.01, max_epochs=1).initialize()
    X = np.random.random((10, 100)).astype(np.float32)
    np.testing.assert_allclose(no_conv.get_output("output", X), no_conv.predict_proba(X),
                               rtol=1e-6)


def test_two_inputs_from_a_dict(nl, digits):
    """TestMultiInputFunctional: accuracy."""
    L = nl.L
    X, y = digits[0].reshape(-1, 64), digits[1]
    net = nl.NeuralNet(
        layers=[(L.InputLayer, {"name": "input1", "shape": (None, 32)}),
                (L.DenseLayer, {"name": "hidden1", "num_units": 32}),
                (L.InputLayer, {"name": "input2", "shape": (None, 32)}),
                (L.DenseLayer, {"name": "hidden2", "num_units": 32}),
                (L.ConcatLayer, {"incomings": ["hidden1", "hidden2"]}),
                (L.DenseLayer, {"name": "hidden3", "num_units": 32}),
                (L.DenseLayer, {"name": "output", "num_units": 10,
                                "nonlinearity": nl.nonlin.softmax})],
        update=nl.updates.nesterov_momentum, update_learning_rate=0.05, update_momentum=0.9,
        max_epochs=8)
    net.fit({"input1": X[:1300, :32], "input2": X[:1300, 32:]}, y[:1300])
    y_pred = net.predict({"input1": X[1300:, :32], "input2": X[1300:, 32:]})
    assert accuracy_score(y[1300:], y_pred) > 0.85


@pytest.fixture(scope="module")
def two_headed(nl):
    """TestMultiOutput's net at digit size: a shared trunk, a softmax head for the digit and
    a sigmoid head for 'digit >= 5', trained by an objective that splits y's two columns."""
    L, T = nl.L, nl.T
    from lasagne.layers import get_output
    from lasagne.objectives import aggregate, binary_crossentropy, categorical_crossentropy

    def objective(layers_, target, **kwargs):
        out_a, out_b = get_output([layers_["output_a"], layers_["output_b"]])
        digit, high = T.cast(target[:, 0], "int32"), target[:, 1].reshape((-1, 1))
        return (aggregate(categorical_crossentropy(out_a, digit))
                + aggregate(binary_crossentropy(out_b, high)))

    np.random.seed(0)  # the layers draw their weights now
    l = L.InputLayer(shape=(None, 1, 8, 8), name="input")
    l = L.Conv2DLayer(l, name="conv1", filter_size=(3, 3), num_filters=8)
    l = L.Conv2DLayer(l, name="conv2", filter_size=(3, 3), num_filters=8)
    la = L.DenseLayer(L.DenseLayer(l, name="hidden_a", num_units=32), name="output_a",
                      nonlinearity=nl.nonlin.softmax, num_units=10)
    lb = L.DenseLayer(L.DenseLayer(l, name="hidden_b", num_units=32), name="output_b",
                      nonlinearity=nl.nonlin.sigmoid, num_units=1)
    # at 0.1 (with nolearn's momentum 0.9) the valid loss of this small net swings from epoch
    # to epoch, so whether it ends lower hung on rounding; 0.03 descends on every seed tried
    return nl.NeuralNet(layers=[la, lb], update_learning_rate=0.03, y_tensor_type=None,
                        regression=True, objective=objective, max_epochs=6,
                        batch_iterator_train=nl.nolearn.BatchIterator(32))


def test_several_output_layers_are_built_once_each(two_headed):
    """TestMultiOutput: layers_included."""
    net = two_headed.initialize()
    assert sorted(net.layers_) == sorted(["input", "conv1", "conv2", "hidden_a", "output_a",
                                          "hidden_b", "output_b"])
    assert net.layers_["hidden_a"].input_layer is net.layers_["hidden_b"].input_layer


def test_several_output_layers_train_and_predict_one_array_each(two_headed, digits):
    """TestMultiOutput: predict (after training on both heads' targets)."""
    net = two_headed.initialize()
    torch.manual_seed(0)
    p_cls, p_reg = net.predict(np.zeros((2, 1, 8, 8), np.float32))
    assert p_cls.shape == (2, 10) and p_reg.shape == (2, 1)
    np.testing.assert_allclose(p_cls.sum(axis=1), 1, rtol=1e-5)
    X, digit = digits
    y = np.column_stack([digit, digit >= 5]).astype(np.float32)
    net.fit(X[:1300], y[:1300])
    history = net.train_history_
    assert history[-1]["valid_loss"] < history[0]["valid_loss"]
    p_cls, p_reg = net.predict(X[1300:])
    # both heads learned (chance: 0.1 and 0.5), in six short epochs
    assert accuracy_score(digit[1300:], p_cls.argmax(axis=1)) > 0.4
    assert accuracy_score(digit[1300:] >= 5, p_reg[:, 0] > 0.5) > 0.8


# --------------------------------------------------------------------- test_handlers.py

def test_print_log_table_columns(nl):
    """test_print_log: the row, with nolearn's column order (score columns: scores_train,
    scores_valid, custom_scores); sknet's headers are the seeds' ('train loss' ...)."""
    L = nl.L
    net = nl.NeuralNet([("input", L.InputLayer)], custom_scores=[("my1", None)],
                       scores_train=[("my2", None)], scores_valid=[("my3", None)])
    history = [{"epoch": 1, "train_loss": 0.8, "valid_loss": 0.7, "train_loss_best": False,
                "valid_loss_best": False, "valid_accuracy": 0.9, "my1": 0.99, "my2": 0.98,
                "my3": 0.33, "dur": 1.0}]
    header, rule, row = nl.nolearn.PrintLog().table(net, history).split("\n")
    assert header.split() == ["epoch", "train", "loss", "valid", "loss", "train/val", "valid",
                              "acc", "my2", "my3", "my1", "dur"]
    assert row.split() == ["1", "0.80000", "0.70000", "1.14286", "0.90000", "0.98000",
                           "0.33000", "0.99000", "1.00s"]
    assert len(rule.split()) == 9


class RecordingNet:
    """Just enough of a net for the weight handlers: parameter values that hold the current
    epoch, and the paths and values it was asked to save or load."""

    def __init__(self):
        self.saved, self.loaded, self.epoch = [], [], 0

    def get_all_params_values(self):
        return {"layer": [np.array([float(self.epoch)])]}

    def save_params_to(self, path):
        self.saved.append(path)

    def load_params_from(self, values):
        self.loaded.append(values)


@pytest.mark.parametrize("kwargs, history, saves", [
    ({"every_n_epochs": 3}, [1.1], 1),
    ({"every_n_epochs": 4}, [1.1], 0),
    ({"only_best": True}, [1.1], 1),
    ({"only_best": True}, [1.2, 1.1], 1),
    ({"only_best": True}, [1.2, 1.3], 0),
])
def test_save_weights_when(nl, kwargs, history, saves):
    """TestSaveWeights: every_n_epochs_true, every_n_epochs_false, only_best_true_single_entry,
    only_best_true_two_entries, only_best_false_two_entries."""
    net = RecordingNet()
    train_history = [{"epoch": 9 + i, "valid_loss": loss} for i, loss in enumerate(history)]
    nl.nolearn.SaveWeights("mypath", **kwargs)(net, train_history)
    assert net.saved == ["mypath"] * saves


def test_save_weights_path_interpolation(nl):
    """TestSaveWeights: with_path_interpolation."""
    net = RecordingNet()
    nl.nolearn.SaveWeights("mypath-{epoch}-{timestamp}-{loss}.pkl")(
        net, [{"epoch": 9, "valid_loss": 1.1}])
    (path,) = net.saved
    assert path.startswith("mypath-0009-2") and path.endswith("-1.1.pkl")


def test_save_weights_pickles_the_whole_net(nl, tmp_path):
    """TestSaveWeights: pickle (a real file instead of mocked open and pickle)."""
    net = nl.nolearn.BatchIterator(7)  # any picklable object stands for the net
    path = str(tmp_path / "net.pkl")
    nl.nolearn.SaveWeights(path, every_n_epochs=3, pickle=True)(
        net, [{"epoch": 9, "valid_loss": 1.1}])
    with open(path, "rb") as f:
        assert pickle.load(f).batch_size == 7


@pytest.mark.parametrize("key", ["valid_loss", "my_loss", "score myscr"])
def test_remember_best_weights(nl, key):
    """TestRememberBestWeights: simple (valid_loss, my_loss), custom_score."""
    score = key.startswith("score")
    name = key.split()[-1]
    remember = (nl.handlers.RememberBestWeights(score=name, verbose=0) if score
                else nl.handlers.RememberBestWeights(loss=name, verbose=0))
    net, history, kept = RecordingNet(), [], []
    for epoch, value in enumerate([1.0, 1.1, 0.9], start=1):
        history.append({"epoch": epoch, name: value})
        net.epoch = epoch
        remember(net, history)
        kept.append(remember.best_weights["layer"][0][0])
    # a loss keeps the weights of epochs 1, 1, 3; a score (higher is better) of 1, 2, 2
    assert kept == ([1.0, 2.0, 2.0] if score else [1.0, 1.0, 3.0])


def test_restore_best_weights_loads_what_was_remembered(nl):
    """TestRememberBestWeights: restore."""
    net = RecordingNet()
    remember = nl.handlers.RememberBestWeights(verbose=0)
    restore = nl.handlers.RestoreBestWeights(remember=remember)
    history = [{"epoch": 1, "valid_loss": 1.0}]
    remember(net, history)
    restore(net, history)
    assert net.loaded == [remember.best_weights]


@pytest.fixture(scope="module")
def info_nets(nl):
    L = nl.L
    common = dict(input_shape=(None, 1, 28, 28), output_num_units=10,
                  output_nonlinearity=nl.nonlin.softmax, update=nl.updates.nesterov_momentum,
                  update_learning_rate=0.01, update_momentum=0.9, max_epochs=3)
    mlp = nl.NeuralNet(
        layers=[("input", L.InputLayer), ("dense0", L.DenseLayer), ("dense1", L.DenseLayer),
                ("output", L.DenseLayer)],
        more_params=dict(dense0_num_units=16, dense1_num_units=16), **common).initialize()
    cnn = nl.NeuralNet(
        layers=[("input", L.InputLayer), ("conv1", L.Conv2DLayer), ("conv2", L.Conv2DLayer),
                ("pool2", L.MaxPool2DLayer), ("conv3", L.Conv2DLayer), ("output", L.DenseLayer)],
        more_params=dict(conv1_filter_size=5, conv1_num_filters=16, conv2_filter_size=3,
                         conv2_num_filters=16, pool2_pool_size=8, pool2_ignore_border=False,
                         conv3_filter_size=3, conv3_num_filters=16,
                         hidden1_num_units=16),  # no such layer: more_params may hold extras
        **common).initialize()
    return mlp, cnn


def test_print_layer_info_greeting_and_plain_tables(nl, info_nets, capsys):
    """TestPrintLayerInfo: print_layer_info_greeting, _plain_nn, _plain_cnn."""
    mlp, cnn = info_nets
    nl.handlers.PrintLayerInfo()(mlp)
    out = capsys.readouterr().out
    # weights + biases: 28 * 28 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10
    assert out.startswith("# Neural Network with 13002 learnable parameters\n")
    assert "\n".join(["  #  name    size", "---  ------  -------", "  0  input   1x28x28",
                      "  1  dense0  16", "  2  dense1  16", "  3  output  10"]) in out
    nl.handlers.PrintLayerInfo()(cnn)
    # 28-5+1 = 24, 24-3+1 = 22, ceil(22 / 8) = 3 (ignore_border=False), 3-3+1 = 1
    assert "\n".join(["  #  name    size", "---  ------  --------", "  0  input   1x28x28",
                      "  1  conv1   16x24x24", "  2  conv2   16x22x22", "  3  pool2   16x3x3",
                      "  4  conv3   16x1x1", "  5  output  10"]) in capsys.readouterr().out


def test_print_layer_info_conv_table(nl, info_nets, capsys):
    """TestPrintLayerInfo: print_layer_info_conv_cnn (verbose=2). Values by hand: the field
    grows 5 -> 5+2 = 7 -> (pool x8) 7 + 8*2 = 23; capacity = filter / field, coverage =
    field / 28."""
    _, cnn = info_nets
    cnn.verbose = 2
    try:
        nl.handlers.PrintLayerInfo()(cnn)
    finally:
        cnn.verbose = 0
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in capsys.readouterr().out.splitlines()
            if line.startswith("|") and not line.startswith("| name") and "---" not in line}
    assert rows == {
        "input": ["1x28x28", "784", "100.00", "100.00", "100.00", "100.00"],
        "conv1": ["16x24x24", "9216", "100.00", "100.00", "17.86", "17.86"],
        "conv2": ["16x22x22", "7744", "42.86", "42.86", "25.00", "25.00"],
        "pool2": ["16x3x3", "144", "42.86", "42.86", "25.00", "25.00"],
        "conv3": ["16x1x1", "16", "104.35", "104.35", "82.14", "82.14"],
        "output": ["10", "10", "100.00", "100.00", "100.00", "100.00"]}


def test_print_layer_info_with_a_vector_input_beside_images(nl, capsys):
    """TestPrintLayerInfo: print_layer_info_with_empty_shape. A DenseLayer cannot sit on an
    InputLayer((None,)) (Lasagne >= 0.2 refuses it too: no axis to multiply); (None, 1) is
    the vector input that works."""
    L = nl.L
    with pytest.raises(ValueError, match="num_leading_axes=1 for a 1-dimensional input"):
        L.DenseLayer(L.InputLayer(shape=(None,)), num_units=10)
    l_img = L.InputLayer(shape=(None, 1, 28, 28))
    l0 = L.DenseLayer(L.Conv2DLayer(l_img, num_filters=3, filter_size=3), num_units=10)
    l1 = L.DenseLayer(L.InputLayer(shape=(None, 1)), num_units=10)
    net = nl.NeuralNet(L.ConcatLayer([l0, l1]), update_learning_rate=0.1, verbose=2)
    nl.handlers.PrintLayerInfo()(net.initialize())
    out = capsys.readouterr().out
    assert "Neural Network with" in out and "concat" in out


class WeightSequence:
    """A net whose parameter values are two fixed snapshots, in turn."""

    def __init__(self):
        self.values = iter([{"layer1": [np.array([[-1, -2]])], "layer2": [np.array([[3, 4]])]},
                            {"layer1": [np.array([[-2, -3]])], "layer2": [np.array([[5, 7]])]}])

    def get_all_params_values(self):
        return next(self.values)


CSV = ["layer1_0 wdiff,layer1_0 wabsmean,layer1_0 wmean,"
       "layer2_0 wdiff,layer2_0 wabsmean,layer2_0 wmean\n",
       "0.0,1.5,-1.5,0.0,3.5,3.5\n", "1.0,2.5,-2.5,2.5,6.0,6.0\n"]


def test_weight_log_history(nl):
    """TestWeightLog: history (values by hand: |(-1,-2) - (-2,-3)| = 1, mean of 1.5 ...)."""
    log, net = nl.nolearn.WeightLog(), WeightSequence()
    log(net, None)
    log(net, None)
    assert log.history[0] == {"layer1_0 wdiff": 0, "layer1_0 wabsmean": 1.5,
                              "layer1_0 wmean": -1.5, "layer2_0 wdiff": 0,
                              "layer2_0 wabsmean": 3.5, "layer2_0 wmean": 3.5}
    assert log.history[1]["layer1_0 wdiff"] == 1.0 and log.history[1]["layer2_0 wdiff"] == 2.5


@pytest.mark.parametrize("pickled", [False, True])
def test_weight_log_csv(nl, tmp_path, pickled):
    """TestWeightLog: save_to, pickle (the log goes on writing after a pickle round trip)."""
    path = tmp_path / "hello.csv"
    log, net = nl.nolearn.WeightLog(save_to=str(path), write_every=1), WeightSequence()
    log(net, None)
    if pickled:
        log = pickle.loads(pickle.dumps(log))
    log(net, None)
    assert path.read_text().splitlines(keepends=True) == CSV


# -------------------------------------------------------------------- test_visualize.py

@pytest.fixture(scope="module")
def color_cnn(nl):
    """conftest's net_color_non_square at half its size: 3 channels, 10 x 14."""
    L = nl.L
    l = L.InputLayer(shape=(None, 3, 10, 14))
    l = L.Conv2DLayer(l, name="conv1", filter_size=(5, 5), num_filters=1)
    l = L.MaxPool2DLayer(l, name="pool1", pool_size=(2, 2))
    l = L.DenseLayer(l, name="output", nonlinearity=nl.nonlin.softmax, num_units=10)
    return nl.NeuralNet(layers=l, update_learning_rate=0.01, max_epochs=1).initialize()


@pytest.fixture
def pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    yield plt
    plt.close("all")


def test_plot_loss(nl, cnn_fitted, pyplot):
    """test_plot_loss."""
    figure = nl.visualize.plot_loss(cnn_fitted)
    lines = figure.axes[0].get_lines()
    np.testing.assert_allclose(lines[0].get_ydata(),
                               [h["train_loss"] for h in cnn_fitted.train_history_])


@pytest.mark.parametrize("kwargs", [{}, {"figsize": (3, 4)}])
def test_plot_conv_weights_and_activity(nl, cnn_fitted, color_cnn, digits, pyplot, kwargs):
    """test_plot_conv_weights, test_plot_conv_activity (each with and without figsize)."""
    v = nl.visualize
    for net in (cnn_fitted, color_cnn):
        figure = v.plot_conv_weights(net.layers_["conv1"], **kwargs)
        assert len([a for a in figure.axes if a.images]) == net.layers_["conv1"].num_filters
        if kwargs:
            assert tuple(figure.get_size_inches()) == (3, 4)
    X_color = np.random.rand(2, 3, 10, 14).astype(np.float32)
    for net, x in [(cnn_fitted, digits[0][:1]), (cnn_fitted, digits[0][10:11]),
                   (color_cnn, X_color[:1]), (color_cnn, X_color[1:2])]:
        figure = v.plot_conv_activity(net.layers_["conv1"], x, **kwargs)
        assert len([a for a in figure.axes if a.images]) == net.layers_["conv1"].num_filters + 1


@pytest.mark.parametrize("kwargs", [{}, {"square_length": 3, "figsize": (3, 4)}])
def test_plot_occlusion(nl, cnn_fitted, color_cnn, digits, pyplot, kwargs):
    """test_plot_occlusion (with and without square_length / figsize)."""
    X_color = np.random.rand(5, 3, 10, 14).astype(np.float32)
    for net, X, targets in [(cnn_fitted, digits[0][3:4], [0]),
                            (cnn_fitted, digits[0][2:5], [1, 2, 3]),
                            (color_cnn, X_color[3:4], [0]), (color_cnn, X_color[2:5], [1, 2, 3])]:
        figure = nl.visualize.plot_occlusion(net, X, targets, **kwargs)
        assert len([a for a in figure.axes if a.images]) == 3 * len(targets)


class FakeIPythonImage:
    """Stands in for IPython.display.Image where IPython is not installed."""

    def __init__(self, data=None, format=None):
        self.data, self.format = data, format


@pytest.fixture
def ipython_display(monkeypatch):
    """IPython.display, or our stand-in for its Image where IPython is absent."""
    try:
        import IPython.display
        return IPython.display
    except ImportError:
        module = types.ModuleType("IPython.display")
        module.Image = FakeIPythonImage
        package = types.ModuleType("IPython")  # outside a notebook, as matplotlib probes it
        package.display, package.get_ipython, package.version_info = module, lambda: None, (0,)
        monkeypatch.setitem(sys.modules, "IPython", package)
        monkeypatch.setitem(sys.modules, "IPython.display", module)
        return module


@pytest.mark.parametrize("what", ["net", "layers"])
def test_draw_to_file_and_to_notebook(nl, cnn_fitted, tmp_path, pyplot, ipython_display, what):
    """test_draw_to_file_net, test_draw_to_notebook_net, test_draw_to_file_layers,
    test_draw_to_notebook_layers: the notebook's image is the file's drawing."""
    import matplotlib.image
    source = cnn_fitted if what == "net" else cnn_fitted.get_all_layers()
    figure = nl.visualize.draw_to_file(source, str(tmp_path / "network.png"), output_shape=False)
    labels = [t.get_text() for t in figure.axes[0].texts if t.get_text()]
    names = list(cnn_fitted.layers_) if what == "net" else [
        "InputLayer", "conv1", "pool1", "hidden1", "output"]  # unnamed: the class name
    assert [label.split("\n")[0] for label in labels] == names
    assert not any("(None" in label for label in labels)  # output_shape=False
    image = nl.visualize.draw_to_notebook(source, output_shape=False)
    assert isinstance(image, ipython_display.Image)
    np.testing.assert_array_equal(matplotlib.image.imread(io.BytesIO(image.data)),
                                  matplotlib.image.imread(str(tmp_path / "network.png")))
