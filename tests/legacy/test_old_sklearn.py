"""scikit-learn 0.17's ``sklearn.cross_validation`` and ``sklearn.grid_search`` under the legacy
shim: the old signatures give the folds 0.17 gave, work as ``cv=``, and the searches report
``grid_scores_``; a 2015-style script (Python 2, a nolearn net) runs through them."""
import sys
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge

from sknet import legacy
from sknet.legacy import LegacyFeatureError, LegacyNameWarning

from .test_scripts import run_legacy


def classification_data(n=60, seed=0):
    rng = np.random.RandomState(seed)
    y = np.arange(n) % 3
    return rng.normal(size=(n, 4)) + y[:, None], y


def test_kfold_gives_0_17s_consecutive_folds(shim):
    from sklearn.cross_validation import KFold

    kf = KFold(7, n_folds=3)
    # 0.17: the first n % n_folds folds hold one more sample
    assert len(kf) == 3 and (kf.n, kf.n_folds) == (7, 3)
    folds = [(train.tolist(), test.tolist()) for train, test in kf]
    assert folds == [([3, 4, 5, 6], [0, 1, 2]), ([0, 1, 2, 5, 6], [3, 4]),
                     ([0, 1, 2, 3, 4], [5, 6])]
    shuffled = [test for _, test in KFold(7, 3, shuffle=True, random_state=0)]
    assert sorted(np.concatenate(shuffled).tolist()) == list(range(7))
    assert [t.tolist() for t in shuffled] != [t for _, t in folds]
    # 0.17 ignored random_state without shuffle; today's KFold refuses it
    assert [t.tolist() for _, t in KFold(7, 3, random_state=0)] == [t for _, t in folds]
    with pytest.raises(ValueError, match="n_folds must be an integer; got n_folds=2.5"):
        KFold(7, n_folds=2.5)


def test_stratified_kfold_keeps_class_proportions(shim):
    from sklearn.cross_validation import StratifiedKFold

    y = np.array([0] * 6 + [1] * 3)
    skf = StratifiedKFold(y, n_folds=3)
    assert len(skf) == 3
    tests = [test for _, test in skf]
    assert [np.bincount(y[test], minlength=2).tolist() for test in tests] == [[2, 1]] * 3
    assert sorted(np.concatenate(tests).tolist()) == list(range(9))


def test_old_splitters_as_cv_match_a_loop_over_the_folds(shim):
    from sklearn.cross_validation import (LeaveOneOut, ShuffleSplit, StratifiedKFold,
                                          StratifiedShuffleSplit, cross_val_score)

    X, y = classification_data()
    model = LogisticRegression()
    for cv in (StratifiedKFold(y, n_folds=4), ShuffleSplit(len(y), n_iter=3, random_state=0),
               StratifiedShuffleSplit(y, n_iter=2, test_size=0.25, random_state=0)):
        expected = [model.fit(X[train], y[train]).score(X[test], y[test]) for train, test in cv]
        np.testing.assert_allclose(cross_val_score(model, X, y, cv=cv), expected)
    assert len(LeaveOneOut(5)) == 5 and [t.tolist() for _, t in LeaveOneOut(3)] == [[0], [1],
                                                                                    [2]]
    # 0.17's default: 3 folds
    assert cross_val_score(model, X, y).shape == (3,)
    with pytest.raises(ValueError, match="made for n=60 samples; got X with 30"):
        cross_val_score(model, X[:30], y[:30], cv=StratifiedKFold(y, n_folds=3))


def test_old_negated_scorer_names_are_the_neg_ones(shim):
    from sklearn.cross_validation import KFold, cross_val_score

    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(30, 3)), rng.normal(size=30)
    cv = KFold(30, n_folds=3)
    expected = [-np.mean((Ridge().fit(X[tr], y[tr]).predict(X[te]) - y[te]) ** 2)
                for tr, te in cv]
    with pytest.warns(LegacyNameWarning, match="scoring='neg_mean_squared_error'"):
        scores = cross_val_score(Ridge(), X, y, scoring="mean_squared_error", cv=cv)
    np.testing.assert_allclose(scores, expected)


def test_grid_search_takes_old_arguments_and_reports_grid_scores(shim):
    from sklearn.cross_validation import StratifiedKFold
    from sklearn.grid_search import GridSearchCV

    X, y = classification_data()
    weights = np.linspace(1, 2, len(y))
    cv = StratifiedKFold(y, n_folds=3)
    grid = GridSearchCV(LogisticRegression(), {"C": [0.01, 1.0]}, cv=cv,
                        fit_params={"sample_weight": weights}, iid=True)
    with pytest.warns(LegacyNameWarning, match=r"fit\(X, y, \*\*fit_params\)"):
        assert grid.fit(X, y) is grid
    assert [entry.parameters for entry in grid.grid_scores_] == [{"C": 0.01}, {"C": 1.0}]
    for entry in grid.grid_scores_:
        model = LogisticRegression(**entry.parameters)
        # today's scikit-learn also weights the fold's score with a fit's sample_weight
        expected = [model.fit(X[tr], y[tr], sample_weight=weights[tr])
                    .score(X[te], y[te], sample_weight=weights[te]) for tr, te in cv]
        np.testing.assert_allclose(entry.cv_validation_scores, expected)
        assert entry.mean_validation_score == pytest.approx(np.mean(expected))
        params, mean, scores = entry  # how 2015 scripts unpack it
        assert repr(entry).startswith(f"mean: {mean:.5f}, std: {np.std(scores):.5f}, params:")
    best = max(grid.grid_scores_, key=lambda entry: entry.mean_validation_score)
    assert grid.best_params_ == best.parameters
    assert grid.best_score_ == pytest.approx(best.mean_validation_score)
    assert grid.score(X, y) == grid.best_estimator_.score(X, y)
    assert grid.get_params()["fit_params"] is not None and grid.get_params()["iid"] is True


def test_randomized_search_draws_n_iter_candidates(shim):
    from sklearn.grid_search import RandomizedSearchCV

    X, y = classification_data()
    search = RandomizedSearchCV(LogisticRegression(), {"C": [0.01, 0.1, 1.0, 10.0]}, n_iter=3,
                                random_state=0).fit(X, y)
    assert len(search.grid_scores_) == 3
    assert all(len(entry.cv_validation_scores) == 3 for entry in search.grid_scores_)


def test_old_modules_warn_once_and_leave_with_the_shim(shim):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from sklearn.cross_validation import train_test_split
        from sklearn.cross_validation import KFold  # noqa: F401
    messages = [str(w.message) for w in caught if w.category is LegacyNameWarning]
    assert messages == ["sklearn.cross_validation is an old name: sknet runs it as "
                        "sklearn.model_selection"]
    assert caught[0].filename == __file__
    a, b = train_test_split(np.arange(8), test_size=0.25, random_state=0)
    assert (len(a), len(b)) == (6, 2)
    with pytest.raises(LegacyFeatureError, match="sklearn.cross_validation.LeavePLabelOut is "
                                                 "not supported.*section 'The 2015 scikit-learn "
                                                 "and NumPy'.*docs/porting.md"):
        from sklearn.cross_validation import LeavePLabelOut  # noqa: F401
    import sklearn
    legacy.uninstall()
    assert "sklearn.cross_validation" not in sys.modules
    assert not hasattr(sklearn, "cross_validation")
    with pytest.raises(ModuleNotFoundError):
        import sklearn.cross_validation  # noqa: F401


def test_2015_script_with_old_sklearn_around_a_nolearn_net():
    out, err = run_legacy("sklearn2015_grid.py")
    assert out[:2] == ["split: 72 24", "folds: 3"]
    assert out[2:5] == ["fold class counts: [12 12] train size: 48"] * 3
    assert out[5].startswith("cv scores: 3, mean ")
    grid = [line.split()[1:] for line in out if line.startswith("grid:")]
    assert [row[0] for row in grid] == ["2", "8"]
    means = [float(row[1]) for row in grid]
    for row, mean in zip(grid, means):
        assert mean == pytest.approx(np.mean([float(s) for s in row[2:]]), abs=2e-6)
    best = out[-2].split()
    assert best[1] == grid[int(np.argmax(means))][0]
    assert float(best[2]) == max(means)
    assert float(out[-1].split(":")[1]) > 0.85  # two Gaussian classes, Bayes accuracy ~0.98
    for old in ("sklearn.cross_validation", "sklearn.grid_search",
                "sklearn.cross_validation.StratifiedKFold(y, n_folds)"):
        assert err.count(f"LegacyNameWarning: {old} is an old name") == 1, old
    assert err.count("is Python 2 (it does not compile as Python 3)") == 1


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
