"""NeuralNet as a scikit-learn estimator and a skorch net."""
import pytest
from scipy.stats import randint
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import Checkpoint, LRScheduler, ProgressBar

from sknet import shared
from tests.nets import classification_data, mlp, mlp_regressor, regression_data


def test_get_params_uses_nolearns_flat_names_and_set_params_changes_the_next_fit():
    net = mlp()
    params = net.get_params()
    assert params["hidden_num_units"] == 32 and params["update_learning_rate"] == 0.1
    net.set_params(hidden_num_units=5)
    net.fit(*classification_data(), epochs=1)
    assert net.layers_["hidden"].W.shape == (10, 5)
    net.set_params(hidden_b=None)  # a parameter that was not given before
    net.fit(*classification_data(), epochs=1)
    assert net.layers_["hidden"].b is None


def test_clone_gives_an_unfitted_copy_with_equal_params():
    net = mlp(update_learning_rate=shared(0.1))
    net.fit(*classification_data(), epochs=1)
    copy = clone(net)
    assert not copy.initialized_
    assert copy.get_params()["hidden_num_units"] == 32
    assert copy.update_learning_rate is not net.update_learning_rate


def test_estimator_type_follows_regression():
    assert is_classifier(mlp()) and not is_regressor(mlp())
    assert is_regressor(mlp_regressor()) and not is_classifier(mlp_regressor())


def test_grid_search_refits_with_different_layer_sizes():
    X, y = classification_data()
    search = GridSearchCV(mlp(max_epochs=5), {"hidden_num_units": [2, 24],
                                              "update_learning_rate": [0.001, 0.1]}, cv=3)
    search.fit(X, y)
    scores = dict(zip(map(lambda p: (p["hidden_num_units"], p["update_learning_rate"]),
                          search.cv_results_["params"]), search.cv_results_["mean_test_score"]))
    assert scores[(24, 0.1)] > scores[(2, 0.001)] + 0.2
    best = search.best_estimator_
    assert best.layers_["hidden"].W.shape == (10, best.hidden_num_units)


def test_randomized_search_over_layer_sizes():
    X, y = classification_data()
    search = RandomizedSearchCV(mlp(max_epochs=3), {"hidden_num_units": randint(4, 400)},
                                n_iter=3, cv=2, random_state=0).fit(X, y)
    sizes = [p["hidden_num_units"] for p in search.cv_results_["params"]]
    assert len(set(sizes)) == 3
    assert search.best_estimator_.layers_["hidden"].output_shape == (None,
                                                                    search.best_params_[
                                                                        "hidden_num_units"])


def test_pipeline_with_a_scaler_and_cross_val_score():
    X, y = classification_data()
    X = X * 100 + 50  # badly scaled without the scaler
    scaled = cross_val_score(make_pipeline(StandardScaler(), mlp(max_epochs=30)), X, y, cv=3)
    linear = cross_val_score(make_pipeline(StandardScaler(), LogisticRegression()), X, y, cv=3)
    assert scaled.mean() > linear.mean()
    with pytest.raises(FloatingPointError, match="training loss became"):  # diverges unscaled
        cross_val_score(mlp(max_epochs=30), X, y, cv=3, error_score="raise")
    X_reg, y_reg = regression_data()
    assert cross_val_score(mlp_regressor(), X_reg, y_reg, cv=3).mean() > 0.8


def test_skorch_callbacks_run_alongside_the_handlers(tmp_path):
    X, y = classification_data()
    net = mlp(max_epochs=3, callbacks=[
        ("lr", LRScheduler(policy="StepLR", step_size=1, gamma=0.5)),
        ("checkpoint", Checkpoint(dirname=str(tmp_path), monitor="valid_loss_best")),
        ("progress", ProgressBar(batches_per_epoch="count"))])
    net.fit(X, y)
    assert net.optimizer_.param_groups[0]["lr"] == pytest.approx(0.1 * 0.5 ** 3)
    assert (tmp_path / "params.pt").exists()
    assert [row["epoch"] for row in net.history] == [1, 2, 3]
    assert net.history[-1, "valid_loss"] == net.train_history_[-1]["valid_loss"]


def test_skorch_component_params_that_do_not_apply_are_rejected():
    with pytest.raises(ValueError, match="Unused kwarg: iterator_train__batch_size"):
        mlp(iterator_train__batch_size=64).initialize()
    net = mlp(callbacks=[("lr", LRScheduler(policy="StepLR", step_size=5, gamma=0.5))],
              callbacks__lr__step_size=1, max_epochs=1)
    net.fit(*classification_data())
    assert net.optimizer_.param_groups[0]["lr"] == pytest.approx(0.05)
