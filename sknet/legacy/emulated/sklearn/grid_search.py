"""``sklearn.grid_search`` (scikit-learn 0.17, removed in 0.20) under the legacy shim:
`GridSearchCV` and `RandomizedSearchCV` with their old arguments (``fit_params``, ``iid``,
3 folds, errors raised), running `sklearn.model_selection`'s, and the ``grid_scores_`` that
2015 scripts print."""
from collections import namedtuple

import numpy as np
from sklearn import model_selection
from sklearn.model_selection import ParameterGrid, ParameterSampler  # noqa: F401 (same)

from ...renames import warn_renamed
from .cross_validation import modern_cv, modern_scoring

MODERN_NAME = "sklearn.model_selection"
GUIDE_SECTION = "The 2015 scikit-learn and NumPy"

__all__ = ["GridSearchCV", "RandomizedSearchCV", "ParameterGrid", "ParameterSampler"]


class CVScoreTuple(namedtuple("CVScoreTuple", "parameters mean_validation_score "
                                              "cv_validation_scores")):
    """One entry of ``grid_scores_``: a candidate's parameters, mean score and fold scores."""
    __slots__ = ()

    def __repr__(self):
        return (f"mean: {self.mean_validation_score:.5f}, "
                f"std: {np.std(self.cv_validation_scores):.5f}, params: {self.parameters}")


class _OldSearch:
    """Runs the modern search made by `_modern_search` and takes over its results."""

    def fit(self, X, y=None, **fit_params):
        """Search with the old arguments (`iid` is accepted and unused: the means are plain
        averages over the folds, 0.17's ``iid=False``); returns self."""
        name = type(self).__name__
        if self.fit_params:
            warn_renamed(f"{name}(fit_params=...)", f"{name}(...).fit(X, y, **fit_params)")
        search = self._modern_search(
            scoring=modern_scoring(self.scoring), n_jobs=self.n_jobs, refit=self.refit,
            cv=modern_cv(self.cv), verbose=self.verbose, pre_dispatch=self.pre_dispatch,
            error_score=self.error_score)
        search.fit(X, y, **{**(self.fit_params or {}), **fit_params})
        vars(self).update({key: value for key, value in vars(search).items()
                           if key.endswith("_") and not key.startswith("_")})
        self.grid_scores_ = _grid_scores(search.cv_results_, search.n_splits_)
        return self


def _grid_scores(results, n_splits):
    folds = np.column_stack([results[f"split{k}_test_score"] for k in range(n_splits)])
    return [CVScoreTuple(params, mean, scores)
            for params, mean, scores in zip(results["params"], results["mean_test_score"], folds)]


class GridSearchCV(_OldSearch, model_selection.GridSearchCV):
    """``GridSearchCV(estimator, param_grid, scoring=None, fit_params=None, n_jobs=1, iid=True,
    refit=True, cv=None, verbose=0, pre_dispatch='2*n_jobs', error_score='raise')``, 0.17's
    signature; after `fit`, the modern attributes (``best_params_``, ``cv_results_`` ...) and
    ``grid_scores_``: one ``(parameters, mean_validation_score, cv_validation_scores)`` per
    candidate."""

    def __init__(self, estimator, param_grid, scoring=None, fit_params=None, n_jobs=1, iid=True,
                 refit=True, cv=None, verbose=0, pre_dispatch="2*n_jobs", error_score="raise"):
        self.estimator, self.param_grid, self.scoring = estimator, param_grid, scoring
        self.fit_params, self.n_jobs, self.iid, self.refit = fit_params, n_jobs, iid, refit
        self.cv, self.verbose, self.pre_dispatch = cv, verbose, pre_dispatch
        self.error_score = error_score

    def _modern_search(self, **settings):
        return model_selection.GridSearchCV(self.estimator, self.param_grid, **settings)


class RandomizedSearchCV(_OldSearch, model_selection.RandomizedSearchCV):
    """``RandomizedSearchCV(estimator, param_distributions, n_iter=10, scoring=None,
    fit_params=None, n_jobs=1, iid=True, refit=True, cv=None, verbose=0,
    pre_dispatch='2*n_jobs', random_state=None, error_score='raise')``, 0.17's signature, with
    ``grid_scores_`` as in `GridSearchCV`."""

    def __init__(self, estimator, param_distributions, n_iter=10, scoring=None, fit_params=None,
                 n_jobs=1, iid=True, refit=True, cv=None, verbose=0, pre_dispatch="2*n_jobs",
                 random_state=None, error_score="raise"):
        self.estimator, self.param_distributions = estimator, param_distributions
        self.n_iter, self.scoring, self.fit_params = n_iter, scoring, fit_params
        self.n_jobs, self.iid, self.refit, self.cv, self.verbose = n_jobs, iid, refit, cv, verbose
        self.pre_dispatch, self.random_state = pre_dispatch, random_state
        self.error_score = error_score

    def _modern_search(self, **settings):
        return model_selection.RandomizedSearchCV(
            self.estimator, self.param_distributions, n_iter=self.n_iter,
            random_state=self.random_state, **settings)
