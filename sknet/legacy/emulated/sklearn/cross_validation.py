"""``sklearn.cross_validation`` (scikit-learn 0.17, removed in 0.20) under the legacy shim: its
splitters with their old signatures, as modern `sklearn.model_selection` splitters that are
also what the old ones were, iterables of ``(train, test)`` index pairs with ``len()``."""
import numpy as np
from sklearn import model_selection
from sklearn.model_selection import train_test_split  # noqa: F401 (same signature)

from ...renames import warn_renamed

MODERN_NAME = "sklearn.model_selection"
GUIDE_SECTION = "The 2015 scikit-learn and NumPy"

__all__ = ["KFold", "StratifiedKFold", "ShuffleSplit", "StratifiedShuffleSplit", "LeaveOneOut",
           "train_test_split", "cross_val_score", "cross_val_predict"]

# 0.17's scorer names whose values were already negated; 0.18 renamed them ``neg_...``.
_OLD_SCORING = {name: f"neg_{name}" for name in (
    "mean_squared_error", "mean_absolute_error", "median_absolute_error", "log_loss")}


class _OldSplitter:
    """The ``(train, test)`` pairs that a modern splitter gives for `n_samples` samples (and
    labels `y`): iterable and sized, as 0.17's splitters were, and usable as ``cv=``."""

    def __init__(self, modern, n_samples, y=None):
        self._modern, self.n, self._y = modern, int(n_samples), y

    def __iter__(self):
        return self._modern.split(np.zeros((self.n, 1)), self._y)

    def __len__(self):
        return self._modern.get_n_splits()

    def split(self, X=None, y=None, groups=None):
        """The same pairs, for scikit-learn's ``cv=`` protocol; `X` must have `n` samples."""
        if X is not None and len(X) != self.n:
            raise ValueError(f"{type(self).__name__} was made for n={self.n} samples; "
                             f"got X with {len(X)}")
        return iter(self)

    def get_n_splits(self, X=None, y=None, groups=None):
        return len(self)

    def __repr__(self):
        return f"sklearn.cross_validation.{type(self).__name__}(n={self.n}, {self._modern})"


def _check_count(name, value):
    if isinstance(value, (bool, np.bool_)) or not float(value).is_integer():
        raise ValueError(f"{name} must be an integer; got {name}={value!r}")
    return int(value)


class KFold(_OldSplitter):
    """``KFold(n, n_folds=3, shuffle=False, random_state=None)``: consecutive folds of
    ``range(n)`` (shuffled first if `shuffle`), as ``model_selection.KFold(n_folds)``.

    Examples
    --------
    >>> [test.tolist() for train, test in KFold(5, n_folds=2)]
    [[0, 1, 2], [3, 4]]
    """

    def __init__(self, n, n_folds=3, shuffle=False, random_state=None):
        warn_renamed("sklearn.cross_validation.KFold(n, n_folds)",
                     "sklearn.model_selection.KFold(n_splits).split(X)")
        self.n_folds, self.shuffle, self.random_state = n_folds, shuffle, random_state
        modern = model_selection.KFold(_check_count("n_folds", n_folds), shuffle=shuffle,
                                       random_state=random_state if shuffle else None)
        super().__init__(modern, _check_count("n", n))


class StratifiedKFold(_OldSplitter):
    """``StratifiedKFold(y, n_folds=3, shuffle=False, random_state=None)``: folds of
    ``range(len(y))`` keeping the class proportions of `y`.

    Examples
    --------
    >>> [test.tolist() for train, test in StratifiedKFold([0, 0, 1, 1], n_folds=2)]
    [[0, 2], [1, 3]]
    """

    def __init__(self, y, n_folds=3, shuffle=False, random_state=None):
        warn_renamed("sklearn.cross_validation.StratifiedKFold(y, n_folds)",
                     "sklearn.model_selection.StratifiedKFold(n_splits).split(X, y)")
        self.y = np.asarray(y)
        self.n_folds, self.shuffle, self.random_state = n_folds, shuffle, random_state
        modern = model_selection.StratifiedKFold(
            _check_count("n_folds", n_folds), shuffle=shuffle,
            random_state=random_state if shuffle else None)
        super().__init__(modern, len(self.y), self.y)


class ShuffleSplit(_OldSplitter):
    """``ShuffleSplit(n, n_iter=10, test_size=0.1, train_size=None, random_state=None)``:
    `n_iter` random splits of ``range(n)``."""

    def __init__(self, n, n_iter=10, test_size=0.1, train_size=None, random_state=None):
        warn_renamed("sklearn.cross_validation.ShuffleSplit(n, n_iter)",
                     "sklearn.model_selection.ShuffleSplit(n_splits).split(X)")
        self.n_iter, self.test_size, self.train_size = n_iter, test_size, train_size
        self.random_state = random_state
        modern = model_selection.ShuffleSplit(_check_count("n_iter", n_iter),
                                              test_size=test_size, train_size=train_size,
                                              random_state=random_state)
        super().__init__(modern, _check_count("n", n))


class StratifiedShuffleSplit(_OldSplitter):
    """``StratifiedShuffleSplit(y, n_iter=10, test_size=0.1, train_size=None,
    random_state=None)``: `n_iter` random splits keeping the class proportions of `y`."""

    def __init__(self, y, n_iter=10, test_size=0.1, train_size=None, random_state=None):
        warn_renamed("sklearn.cross_validation.StratifiedShuffleSplit(y, n_iter)",
                     "sklearn.model_selection.StratifiedShuffleSplit(n_splits).split(X, y)")
        self.y = np.asarray(y)
        self.n_iter, self.test_size, self.train_size = n_iter, test_size, train_size
        self.random_state = random_state
        modern = model_selection.StratifiedShuffleSplit(
            _check_count("n_iter", n_iter), test_size=test_size, train_size=train_size,
            random_state=random_state)
        super().__init__(modern, len(self.y), self.y)


class LeaveOneOut(_OldSplitter):
    """``LeaveOneOut(n)``: `n` splits, each testing one sample.

    Examples
    --------
    >>> [test.tolist() for train, test in LeaveOneOut(3)]
    [[0], [1], [2]]
    """

    def __init__(self, n):
        warn_renamed("sklearn.cross_validation.LeaveOneOut(n)",
                     "sklearn.model_selection.LeaveOneOut().split(X)")
        super().__init__(model_selection.LeaveOneOut(), _check_count("n", n))

    def __len__(self):
        return self.n


def modern_cv(cv):
    """0.17's ``cv=`` default, 3 folds (scikit-learn's is 5 now); anything else unchanged."""
    return 3 if cv is None else cv


def modern_scoring(scoring):
    """0.17's scorer names: ``'mean_squared_error'`` (already negated then) and its kin are
    ``'neg_mean_squared_error'`` ... now, with the same values."""
    if isinstance(scoring, str) and scoring in _OLD_SCORING:
        warn_renamed(f"scoring={scoring!r}", f"scoring={_OLD_SCORING[scoring]!r}")
        return _OLD_SCORING[scoring]
    return scoring


def cross_val_score(estimator, X, y=None, scoring=None, cv=None, n_jobs=1, verbose=0,
                    fit_params=None, pre_dispatch="2*n_jobs"):
    """0.17's `cross_val_score`: 3 folds by default, ``fit_params`` passed to each fit."""
    return model_selection.cross_val_score(
        estimator, X, y, scoring=modern_scoring(scoring), cv=modern_cv(cv), n_jobs=n_jobs,
        verbose=verbose, params=fit_params, pre_dispatch=pre_dispatch, error_score="raise")


def cross_val_predict(estimator, X, y=None, cv=None, n_jobs=1, verbose=0, fit_params=None,
                      pre_dispatch="2*n_jobs"):
    """0.17's `cross_val_predict`: 3 folds by default, ``fit_params`` passed to each fit."""
    return model_selection.cross_val_predict(
        estimator, X, y, cv=modern_cv(cv), n_jobs=n_jobs, verbose=verbose, params=fit_params,
        pre_dispatch=pre_dispatch)
