"""A classifier's labels, sample and class weights, and feature names, against scikit-learn's
own estimators on the same data (sknet/targets.py and its hooks)."""
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.datasets import make_blobs, make_classification
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, get_scorer, recall_score
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import EpochScoring

from sknet import BatchIterator, NeuralNet, TrainSplit, layers, nonlinearities, objectives
from tests.nets import MLP_LAYERS

X_BLOBS, Y_BLOBS = make_blobs(150, n_features=4, centers=3, cluster_std=0.5, random_state=0)
X_BLOBS = StandardScaler().fit_transform(X_BLOBS).astype(np.float32)


def net(**kwargs):
    """A small softmax MLP that takes its input shape and output units from the data."""
    params = dict(layers=MLP_LAYERS, hidden_num_units=16, update_learning_rate=0.1,
                  output_nonlinearity=nonlinearities.softmax, max_epochs=6, random_state=0)
    params.update(kwargs)
    return NeuralNet(**params)


def all_params(model):
    return [p.detach().numpy().copy() for p in model.get_all_params()]


# ------------------------------------------------------------------------------- labels

THREE = Y_BLOBS
TWO = (Y_BLOBS == 1).astype(int)
LABELS = {
    "ints 10, 11, 12": THREE + 10,
    "negative ints": THREE - 1,
    "int32": THREE.astype(np.int32),
    "strings": np.array(["cat", "dog", "emu"])[THREE],
    "object strings": np.array(["cat", "dog", "emu"], dtype=object)[THREE],
    "bools": TWO.astype(bool),
    "binary ints": TWO,
    "pandas categorical": pd.Series(pd.Categorical(np.array(["lo", "mid", "hi"])[THREE])),
    "a list of strings": list(np.array(["b", "a", "c"])[THREE]),
}


@pytest.mark.parametrize("case", LABELS)
def test_labels_classes_and_predictions_are_logistic_regressions(case):
    labels = LABELS[case]
    reference = LogisticRegression().fit(X_BLOBS, labels)
    model = net().fit(X_BLOBS, labels)
    assert model.classes_.dtype == reference.classes_.dtype
    np.testing.assert_array_equal(model.classes_, reference.classes_)
    assert model.layers_["output"].num_units == len(reference.classes_)
    predicted, expected = model.predict(X_BLOBS), reference.predict(X_BLOBS)
    assert type(predicted) is type(expected) and predicted.dtype == expected.dtype
    np.testing.assert_array_equal(predicted, expected)  # separable blobs: both are right
    assert model.predict_proba(X_BLOBS).shape == reference.predict_proba(X_BLOBS).shape
    assert model.score(X_BLOBS, labels) == reference.score(X_BLOBS, labels) == 1.0


def test_nolearns_class_ids_are_all_the_output_units_even_when_absent():
    two_of_three = Y_BLOBS < 2
    model = net(output_num_units=3).fit(X_BLOBS[two_of_three], Y_BLOBS[two_of_three])
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    assert model.predict_proba(X_BLOBS).shape == (150, 3)
    model = net().fit(X_BLOBS, Y_BLOBS)  # 0..k-1 without output_num_units: k units
    np.testing.assert_array_equal(model.classes_, np.arange(3))
    assert model.layers_["output"].num_units == 3
    # ids with a gap and no output_num_units: the labels, as scikit-learn's classifiers
    gap = np.where(Y_BLOBS == 1, 2, Y_BLOBS)
    np.testing.assert_array_equal(net().fit(X_BLOBS, gap).classes_,
                                  LogisticRegression().fit(X_BLOBS, gap).classes_)


def test_more_classes_than_units_are_named():
    with pytest.raises(ValueError, match=r"y holds 3 classes \[10, 11, 12\], but the output "
                                         r"layer has 2 unit\(s\); set output_num_units=3"):
        net(output_num_units=2).fit(X_BLOBS, Y_BLOBS + 10)


def test_use_label_encoder_keeps_enc_for_old_code():
    labels = np.array(["x", "y", "z"])[Y_BLOBS]
    model = net(use_label_encoder=True, max_epochs=2).fit(X_BLOBS, labels)
    np.testing.assert_array_equal(model.enc_.classes_, model.classes_)
    ids = model.predict_proba(X_BLOBS).argmax(axis=1)
    np.testing.assert_array_equal(model.enc_.inverse_transform(ids), model.predict(X_BLOBS))
    assert not hasattr(net().fit(X_BLOBS, labels), "enc_")  # nolearn set it only on request


def test_predict_maps_the_argmax_through_classes_alone():
    model = net(max_epochs=2).fit(X_BLOBS, Y_BLOBS)
    ids = model.predict(X_BLOBS)
    model.classes_ = np.array(["a", "b", "c"])  # as restored from a parameter file
    np.testing.assert_array_equal(model.predict(X_BLOBS), model.classes_[ids])
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(model)).predict(X_BLOBS),
                                  model.classes_[ids])


def test_partial_fit_fixes_the_classes_on_the_first_call():
    first = Y_BLOBS < 2
    labels = np.array(["a", "b", "c"])[Y_BLOBS]
    model = net(max_epochs=1)
    model.partial_fit(X_BLOBS[first], labels[first], classes=["c", "b", "a"])
    np.testing.assert_array_equal(model.classes_, ["a", "b", "c"])
    assert model.layers_["output"].num_units == 3
    model.partial_fit(X_BLOBS, labels)  # a later batch with the third class
    model.partial_fit(X_BLOBS[first], labels[first], classes=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"y holds label\(s\) \['d'\] that are not among the "
                                         r"classes \['a', 'b', 'c'\]"):
        model.partial_fit(X_BLOBS[:5], ["a", "b", "d", "d", "a"])
    with pytest.raises(ValueError, match=r"classes=\['a', 'b'\] is not the same as on the "
                                         r"first call"):
        model.partial_fit(X_BLOBS[first], labels[first], classes=["a", "b"])
    assert len(model.train_history_) == 3
    inferred = net(max_epochs=1).partial_fit(X_BLOBS[first], Y_BLOBS[first])
    np.testing.assert_array_equal(inferred.classes_, [0, 1])  # no classes: those of y


def test_one_sigmoid_unit_is_a_binary_classifier_with_two_probability_columns():
    labels = np.array(["no", "yes"])[(Y_BLOBS == 2).astype(int)]
    model = net(output_num_units=1, output_nonlinearity=nonlinearities.sigmoid,
                objective_loss_function=objectives.binary_crossentropy, max_epochs=40,
                train_split=TrainSplit(0.2))
    model.fit(X_BLOBS, labels)
    proba = model.predict_proba(X_BLOBS)
    p = model.get_output("output", X_BLOBS)[:, 0]
    np.testing.assert_allclose(proba, np.column_stack([1 - p, p]), rtol=1e-6)
    np.testing.assert_array_equal(model.predict(X_BLOBS), np.where(p > 0.5, "yes", "no"))
    assert model.score(X_BLOBS, labels) > 0.95
    _, valid = next(StratifiedKFold(5).split(X_BLOBS, labels))  # TrainSplit(0.2)'s rows
    assert model.train_history_[-1]["valid_accuracy"] == pytest.approx(
        accuracy_score(labels[valid], model.predict(X_BLOBS[valid])))


@pytest.mark.parametrize("refused", [np.linspace(0, 1, 150), np.eye(3)[Y_BLOBS]],
                         ids=["continuous", "one-hot"])
def test_a_label_type_scikit_learn_refuses_gets_its_message_and_the_hint(refused):
    with pytest.raises(ValueError) as reference:
        LogisticRegression().fit(X_BLOBS, refused)
    model = net(max_epochs=1)
    with pytest.raises(ValueError, match="use regression=True") as ours:
        model.fit(X_BLOBS, refused)
    assert str(ours.value).startswith(str(reference.value))
    assert model.fit(X_BLOBS, Y_BLOBS).score(X_BLOBS, Y_BLOBS) > 0.5  # still usable


# ------------------------------------------------------------------------------ weights

def one_step(**kwargs):
    """A net whose fit is full-batch steps on all rows in order, without validation."""
    return net(**{"max_epochs": 3, "train_split": None,
                  "batch_iterator_train": BatchIterator(10_000), **kwargs})


def test_integer_sample_weights_equal_duplicated_rows():
    weights = np.arange(150) % 3  # 0, 1 and 2 copies
    weighted = one_step().fit(X_BLOBS, Y_BLOBS, sample_weight=weights)
    copied = one_step().fit(np.repeat(X_BLOBS, weights, axis=0), np.repeat(Y_BLOBS, weights))
    for a, b in zip(all_params(weighted), all_params(copied)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert weighted.train_history_[-1]["train_loss"] == pytest.approx(
        copied.train_history_[-1]["train_loss"], rel=1e-5)


def test_weights_reach_any_objective_and_loss_that_takes_them():
    """Regression through the objective (squared error over two columns): the weighted mean
    of the elementwise losses, as with duplicated rows."""
    rng = np.random.RandomState(0)
    X, y = rng.rand(60, 4).astype(np.float32), rng.rand(60, 2).astype(np.float32)
    weights = rng.randint(1, 4, 60)
    params = dict(output_nonlinearity=None, regression=True)
    weighted = one_step(**params).fit(X, y, sample_weight=weights)
    copied = one_step(**params).fit(np.repeat(X, weights, axis=0), np.repeat(y, weights, 0))
    for a, b in zip(all_params(weighted), all_params(copied)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_class_weight_dict_equals_duplicating_that_class():
    doubled = np.where(Y_BLOBS == 1, 2, 1)
    weighted = one_step(class_weight={1: 2.0}).fit(X_BLOBS, Y_BLOBS)
    copied = one_step().fit(np.repeat(X_BLOBS, doubled, axis=0), np.repeat(Y_BLOBS, doubled))
    for a, b in zip(all_params(weighted), all_params(copied)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_balanced_class_weight_raises_the_minority_recall():
    X, y = make_classification(300, 6, n_informative=3, weights=[0.9], class_sep=0.5,
                               flip_y=0, random_state=0)
    X = X.astype(np.float32)
    recalls = {cw: recall_score(y, net(class_weight=cw).fit(X, y).predict(X))
               for cw in (None, "balanced")}
    reference = {cw: recall_score(y, LogisticRegression(class_weight=cw).fit(X, y).predict(X))
                 for cw in (None, "balanced")}
    assert reference["balanced"] > reference[None]  # scikit-learn's effect on this data
    assert recalls["balanced"] > recalls[None] + 0.2


def test_weights_follow_their_rows_through_the_split_shuffling_and_transforms():
    seen = []

    def objective(layers_, loss_function, target, weights=None, **kwargs):
        seen.append((target[:, 0].numpy().copy(), weights.numpy().copy()))
        output = layers.get_output(layers_[-1])
        return objectives.aggregate(loss_function(output, target), weights[:, None],
                                    mode="normalized_sum")

    class Negate(BatchIterator):
        def transform(self, Xb, yb):
            assert type(yb) is np.ndarray  # nolearn's transform sees the plain targets
            return -Xb, yb

    row = np.arange(100, dtype=np.float32)
    weights = 1 + row % 7
    model = net(output_nonlinearity=None, regression=True, objective=objective, max_epochs=2,
                batch_iterator_train=Negate(16, shuffle=True),
                train_split=TrainSplit(0.25, shuffle=True), random_state=None)
    model.fit(np.random.rand(100, 3).astype(np.float32), row[:, None], sample_weight=weights)
    assert len(seen) == 2 * (5 + 1)  # per epoch 75 training rows in 5 batches, 25 held out
    for targets, batch_weights in seen:
        np.testing.assert_array_equal(batch_weights, 1 + targets % 7)
    train_rows = np.sort(np.concatenate([targets for targets, _ in seen[:5]]))
    _, valid_rows = next(KFold(4, shuffle=True, random_state=42).split(row))  # TrainSplit's
    np.testing.assert_array_equal(train_rows, np.setdiff1d(row, valid_rows))


def test_skorch_scoring_callbacks_see_the_plain_targets_of_a_weighted_fit():
    scoring = EpochScoring("accuracy", use_caching=False, lower_is_better=False)
    model = net(callbacks=[("acc", scoring)], max_epochs=2)
    model.fit(X_BLOBS, Y_BLOBS, sample_weight=np.arange(150) % 3 + 1)
    assert model.history[-1]["accuracy"] == model.history[-1]["valid_accuracy"]  # unweighted


def test_partial_fit_takes_sample_weight():
    weights = np.arange(150) % 3
    weighted = one_step(max_epochs=1).partial_fit(X_BLOBS, Y_BLOBS, sample_weight=weights)
    copied = one_step(max_epochs=1).partial_fit(np.repeat(X_BLOBS, weights, axis=0),
                                                np.repeat(Y_BLOBS, weights))
    for a, b in zip(all_params(weighted), all_params(copied)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_sample_weight_through_a_pipeline():
    weights = np.arange(150) % 3
    pipeline = Pipeline([("scale", StandardScaler()), ("net", one_step())])
    pipeline.fit(X_BLOBS, Y_BLOBS, net__sample_weight=weights)
    scaled = StandardScaler().fit_transform(X_BLOBS).astype(np.float32)
    direct = one_step().fit(scaled, Y_BLOBS, sample_weight=weights)
    for a, b in zip(all_params(pipeline["net"]), all_params(direct)):
        np.testing.assert_array_equal(a, b)


def test_grid_search_routes_sample_weight_when_requested():
    weights = np.where(Y_BLOBS == 0, 0.1, 1.0)
    grid = {"hidden_num_units": [4, 8]}
    folds = list(KFold(2, shuffle=True, random_state=0).split(X_BLOBS))
    with sklearn.config_context(enable_metadata_routing=True):
        with pytest.raises(UnsetMetadataPassedError, match="sample_weight"):
            GridSearchCV(net(max_epochs=3), grid, cv=folds).fit(X_BLOBS, Y_BLOBS,
                                                               sample_weight=weights)
        routed = net(max_epochs=3).set_fit_request(sample_weight=True)
        scorer = get_scorer("neg_log_loss").set_score_request(sample_weight=False)
        search = GridSearchCV(routed, grid, cv=folds, scoring=scorer)
        search.fit(X_BLOBS, Y_BLOBS, sample_weight=weights)
    for units, score in zip([4, 8], search.cv_results_["mean_test_score"]):
        expected, unweighted = [], []
        for train, test in folds:  # weighted fits, unweighted scores (as the scorer asks)
            for fit_weights, scores in ((weights[train], expected), (None, unweighted)):
                fitted = net(max_epochs=3, hidden_num_units=units).fit(
                    X_BLOBS[train], Y_BLOBS[train], sample_weight=fit_weights)
                proba = fitted.predict_proba(X_BLOBS[test]).astype(np.float64)
                scores.append(np.log(proba[np.arange(len(test)), Y_BLOBS[test]]).mean())
        assert score == pytest.approx(np.mean(expected), rel=1e-5)
        assert score != pytest.approx(np.mean(unweighted), rel=1e-3)


@pytest.mark.parametrize("kwargs, pattern", [
    ({"class_weight": "balance"}, r"class_weight must be None, 'balanced' or a dict "
                                  r"\{label: weight\}, got 'balance'"),
    ({"class_weight": {5: 2.0}}, r"The classes, \[0, 1, 2\], are not in class_weight"),
    ({"class_weight": "balanced", "regression": True, "output_nonlinearity": None},
     r"class_weight applies to classifiers"),
    ({"objective": lambda layers, loss_function, target, **kwargs: 0,
      "class_weight": "balanced"}, r"sample_weight and class_weight need an objective that "
                                   r"takes `weights`"),
])
def test_bad_class_weight_is_named_before_training(kwargs, pattern):
    model = net(max_epochs=1, **kwargs)
    with pytest.raises(ValueError, match=pattern):
        model.fit(X_BLOBS, Y_BLOBS)
    assert not len(model.train_history_)


# ------------------------------------------------------------------------ feature names

def frame(X, columns):
    return pd.DataFrame(X, columns=columns)


def test_feature_names_are_recorded_and_checked_as_scikit_learn_does():
    columns = ["a", "b", "c", "d"]
    data = frame(X_BLOBS, columns)
    model = net(max_epochs=1).fit(data, Y_BLOBS)
    reference = LogisticRegression().fit(data, Y_BLOBS)
    np.testing.assert_array_equal(model.feature_names_in_, reference.feature_names_in_)
    assert model.n_features_in_ == reference.n_features_in_ == 4
    for other in (columns[::-1], ["a", "b", "c", "e"]):
        with pytest.raises(ValueError) as expected:
            reference.predict(frame(X_BLOBS, other))
        with pytest.raises(ValueError, match="feature_names_in_") as got:
            model.predict(frame(X_BLOBS, other))
        assert str(expected.value) in str(got.value)
    with pytest.warns(UserWarning, match="X does not have valid feature names, but "
                                         "NeuralNet was fitted with feature names"):
        model.predict(X_BLOBS[:3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(data)
    model.fit(X_BLOBS, Y_BLOBS)  # a refit without names forgets them
    assert not hasattr(model, "feature_names_in_")
    with pytest.raises(ValueError, match="feature_names_in_"):  # partial_fit keeps fit's
        net(max_epochs=1).fit(data, Y_BLOBS).partial_fit(frame(X_BLOBS, columns[::-1]),
                                                         Y_BLOBS)
