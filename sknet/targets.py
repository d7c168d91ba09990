"""What a classifier's y means before the network sees it: the labels and `classes_` (as
scikit-learn's classifiers read them, with nolearn's class ids 0..k-1 kept), and the weights of
samples and classes, which travel with the targets through the split and the batches.

>>> labels = class_labels(np.array(["dog", "cat", "dog"]), 3)
>>> classes = fit_classes(labels, num_units=None)
>>> classes.tolist(), encode(labels, classes).tolist()
(['cat', 'dog'], [1, 0, 1])
>>> fit_classes(np.array([0, 2, 2]), num_units=4).tolist()  # nolearn's ids: all k classes
[0, 1, 2, 3]
"""
import inspect

import numpy as np
import torch
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, column_or_1d

from .objectives import aggregate

REGRESSION_HINT = ("A classifier's y holds class labels; for continuous, one-hot or "
                   "multilabel targets use regression=True.")


def class_ids(net, y, n_samples, num_units, refit_classes, classes=None):
    """A classifier's y as int64 class ids for `net` (its output layer has `num_units`),
    setting ``net.classes_`` when `refit_classes` or not yet set (partial_fit's `classes`,
    if given, must then match them). With ``check_input=False`` y is taken as the ids."""
    if not net.check_input and not net.use_label_encoder:
        net.__dict__.setdefault("classes_", np.arange(max(num_units, 2)))
        return y
    new_classes = refit_classes or "classes_" not in vars(net)
    labels = class_labels(y, n_samples, new_classes)
    if new_classes:
        net.classes_ = fit_classes(labels, num_units, net.use_label_encoder, classes)
    elif classes is not None:
        check_same_classes(classes, net.classes_)
    return encode(labels, net.classes_)


def class_labels(y, n_samples, new_classes=True):
    """A classifier's y as the 1-d array of labels scikit-learn's classifiers take (a column
    vector is flattened with its DataConversionWarning); a label type they refuse gets their
    message, with the hint about regression=True. Labels for `classes_` already fixed
    (`new_classes` False) skip the type check: `encode` refuses any label not among them."""
    if isinstance(y, torch.Tensor):
        y = y.cpu().numpy()
    try:
        plain = isinstance(y, np.ndarray) and y.ndim == 1  # the common case, without cost
        labels = y if plain else column_or_1d(y, warn=True)
        if labels.dtype.kind == "f" and not np.isfinite(labels).all():
            bad = int((~np.isfinite(labels)).sum())
            raise ValueError(f"y holds {bad} NaN or infinite value(s); clean or impute them "
                             "before fitting.")
        if new_classes and labels.dtype.kind not in "iub":  # integers: always valid labels
            check_classification_targets(labels)
    except ValueError as error:
        raise ValueError(f"{error} {REGRESSION_HINT}") from error
    if len(labels) != n_samples:
        raise ValueError(f"X and y must have the same length, got {n_samples} rows of X and "
                         f"{len(labels)} of y")
    return labels


def fit_classes(labels, num_units, label_encoder=False, classes=None):
    """`classes_` for `labels` (or the `classes` given to partial_fit) and an output layer of
    `num_units` units (None before it is built): the sorted unique labels, as
    LogisticRegression's, except nolearn's class ids: integers inside 0..k-1 of an output of
    k units are all k classes, also those absent from y (not with `label_encoder`). One
    sigmoid unit stands for two classes."""
    found = np.unique(labels if classes is None else column_or_1d(classes))
    wanted = 2 if num_units == 1 else num_units
    if (wanted and not label_encoder and found.dtype.kind in "iuf" and len(found)
            and found[0] >= 0 and found[-1] < wanted and np.all(found == np.round(found))):
        return np.arange(wanted).astype(found.dtype)
    if len(found) < 2:
        raise ValueError(f"a classifier needs samples of at least 2 classes, but y holds only "
                         f"{_shown(found)}; pass partial_fit's classes=[...] or "
                         "output_num_units to name the others")
    if wanted and len(found) != wanted:
        source = "classes" if classes is not None else "y"
        raise ValueError(f"{source} holds {len(found)} classes {_shown(found)}, but the output "
                         f"layer has {num_units} unit(s); set output_num_units={len(found)} "
                         "(or leave it out: fit takes it from y)")
    return found


def encode(labels, classes):
    """The labels as int64 class ids (positions in the sorted `classes`); a label that is not
    a class is a ValueError naming it."""
    if labels.dtype.kind in "iufb" and classes.dtype.kind in "iuf" and np.array_equal(
            classes, np.arange(len(classes))):  # nolearn's ids: no search
        ids = labels.astype(np.int64)
        unknown = (ids < 0) | (ids >= len(classes)) | (ids != labels)
    else:
        try:
            ids = np.searchsorted(classes, labels).clip(0, len(classes) - 1)
            unknown = np.asarray(classes[ids] != labels, dtype=bool)
        except TypeError:  # labels of another type than the classes (str and int)
            ids, unknown = None, np.ones(len(labels), dtype=bool)
    if np.any(unknown):
        raise ValueError(f"y holds label(s) {_shown(np.unique(labels[unknown]))} that are not "
                         f"among the classes {_shown(classes)} of this net (classes_, fixed by "
                         "the first partial_fit or by fit)")
    return ids


def check_same_classes(classes, fitted):
    """partial_fit's `classes` after the first call must be the classes it fixed."""
    given = np.unique(column_or_1d(classes))
    if len(given) != len(fitted) or np.any(given != fitted):
        raise ValueError(f"classes={_shown(given)} is not the same as on the first call to "
                         f"partial_fit (classes_ = {_shown(fitted)})")


def label_encoder(classes):
    """nolearn's ``enc_``: a fitted LabelEncoder of `classes`."""
    encoder = LabelEncoder()
    encoder.classes_ = classes
    return encoder


def probability_columns(proba):
    """A classifier's probabilities with a column per class: one sigmoid unit's p becomes
    scikit-learn's binary (1 - p, p)."""
    if proba.ndim == 2 and proba.shape[1] == 1:
        return np.hstack([1 - proba, proba])
    return proba


def predicted_ids(output):
    """Class ids from a batch of a classifier's output (a tensor): the argmax, or p > 0.5 for
    one sigmoid unit."""
    return output.argmax(-1) if output.shape[-1] > 1 else (output[..., 0] > 0.5).long()


# ------------------------------------------------------------------------------ weights


def sample_weights(sample_weight, class_weight, n_samples, classes=None, ids=None):
    """The weight of each row (float32), from fit's `sample_weight` times `class_weight`
    (None, 'balanced' or ``{label: weight}``, as scikit-learn's compute_class_weight defines
    them) of each row's class; None when neither is given."""
    if sample_weight is None and class_weight is None:
        return None
    weights = np.ones(n_samples, np.float32)
    if sample_weight is not None:
        try:
            weights = _check_sample_weight(sample_weight, np.empty((n_samples, 0)),
                                           dtype=np.float32, ensure_non_negative=True)
        except (TypeError, ValueError) as error:
            raise type(error)(f"sample_weight must be a number or one weight >= 0 per row of "
                              f"X ({n_samples} rows), not all 0: {error}") from error
    if class_weight is not None:
        if classes is None:
            raise ValueError(f"class_weight applies to classifiers, got class_weight="
                             f"{class_weight!r} with regression=True (use sample_weight)")
        ids = np.asarray(ids.cpu() if isinstance(ids, torch.Tensor) else ids)
        labels = classes[ids]
        counted = None if sample_weight is None else weights
        weights = weights * class_weights(class_weight, classes, labels, counted)[ids].astype(
            np.float32)
    return weights


def class_weights(class_weight, classes, labels, sample_weight=None):
    """The weight of each class in `classes` (1 for those `class_weight` does not name, and
    for nolearn's classes absent from y); 'balanced' counts rows by `sample_weight`, as
    LogisticRegression does."""
    if isinstance(class_weight, dict):
        return compute_class_weight(class_weight, classes=classes, y=labels)
    if class_weight != "balanced":
        raise ValueError(f"class_weight must be None, 'balanced' or a dict {{label: weight}}, "
                         f"got {class_weight!r}")
    present = np.unique(labels)
    weights = np.ones(len(classes))
    weights[np.searchsorted(classes, present)] = compute_class_weight(
        "balanced", classes=present, y=labels, sample_weight=sample_weight)
    return weights


class Weighted:
    """Targets with their sample weights: indexing takes the same rows of both, so that the
    weights follow the rows through TrainSplit, shuffling and batches; as an array it is the
    targets (StratifiedKFold stratifies by them)."""

    def __init__(self, targets, weights):
        self.targets, self.weights = targets, weights

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, index):
        return Weighted(self.targets[index], self.weights[index])

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.targets, dtype=dtype)

    @property
    def nbytes(self):
        return self.targets.nbytes + self.weights.nbytes

    def apply(self, function):
        """Both arrays passed through `function` (e.g. moved to the device)."""
        return Weighted(function(self.targets), function(self.weights))


def with_weights(targets, weights):
    """`targets` carrying `weights`, or the plain targets when there are none."""
    return targets if weights is None else Weighted(targets, weights)


def split_weights(targets):
    """(targets, weights) of targets that may carry weights (weights None otherwise)."""
    if isinstance(targets, Weighted):
        return targets.targets, targets.weights
    return targets, None


def transformed(transform, Xb, yb):
    """A BatchIterator's ``transform(Xb, yb)``, given the plain targets of a weighted batch;
    the weights stay with the row positions: the transform may change rows, not reorder, add
    or drop them."""
    if not isinstance(yb, Weighted):
        return transform(Xb, yb)
    Xb, targets = transform(Xb, yb.targets)
    if len(targets) != len(yb.weights):
        raise ValueError(f"the BatchIterator's transform returned {len(targets)} rows of y for "
                         f"a batch of {len(yb.weights)}: with sample_weight or class_weight a "
                         "transform may change rows but not add or drop them")
    return Xb, Weighted(targets, yb.weights)


def check_objective_weights(objective, weights):
    """Weights reach the objective as its `weights` argument: one without it cannot take
    them."""
    if weights is not None and "weights" not in inspect.signature(objective).parameters:
        raise ValueError(f"sample_weight and class_weight need an objective that takes "
                         f"`weights` (as sknet's default objective does); "
                         f"{getattr(objective, '__name__', objective)!r} does not")


def weighted_loss(losses, weights, aggregate=aggregate):
    """`aggregate`'s 'normalized_sum' of per-sample (or per-element) losses: sum(w * loss) /
    sum(w), the mean of the losses with each row repeated w times."""
    weights = weights.reshape(weights.shape + (1,) * (losses.dim() - 1)).expand_as(losses)
    return aggregate(losses, weights, mode="normalized_sum")


def _shown(values, limit=10):
    values = list(np.asarray(values).tolist())
    return str(values) if len(values) <= limit else f"{values[:limit]}"[:-1] + ", ...]"
