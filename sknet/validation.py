"""Checks of the data given to NeuralNet, before anything is trained: each error names the
argument, what was expected and what was received. Where scikit-learn has a wording for the
same problem (sparse, complex, 0 samples or features, continuous class labels), it is used."""
import warnings

import numpy as np
import torch
from scipy import sparse
from sklearn.exceptions import DataConversionWarning


def _as_array(value, name):
    if isinstance(value, torch.Tensor):
        return value
    _reject_sparse(value, name)
    if hasattr(value, "to_numpy"):  # pandas
        value = value.to_numpy()
    array = np.asarray(value)
    if not array.flags.writeable:  # e.g. a pandas copy-on-write view; torch needs to own it
        array = array.copy()
    if array.dtype.kind == "O":
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{name} must hold numbers, got an array of dtype object that does "
                            f"not convert: {error}") from error
    if array.dtype.kind in "USV":
        raise TypeError(f"{name} must hold numbers, got an array of dtype {array.dtype}")
    if array.dtype.kind == "c":
        raise ValueError(f"{name} holds complex numbers: Complex data not supported")
    return array


def _reject_sparse(value, name):
    # first: a dok_matrix is also a dict, and would pass for a dict of inputs
    if sparse.issparse(value):
        raise TypeError(f"{name} is a scipy sparse matrix: sparse input is not supported; pass "
                        f"{name}.toarray()")


def _check_not_empty(shape, label):
    if len(shape) == 0 or shape[0] == 0:
        raise ValueError(f"{label} has 0 sample(s) (shape={tuple(shape)}) while a minimum of 1 "
                         "is required.")
    if len(shape) > 1 and 0 in shape[1:]:
        raise ValueError(f"{label} has 0 feature(s) (shape={tuple(shape)}) while a minimum of 1 "
                         "is required.")


def data_shapes(X):
    """The input shapes X implies, ``(None,) + X.shape[1:]``, keyed by None for an array and by
    key for a dict of arrays: InputLayers given no shape take them at fit."""
    _reject_sparse(X, "X")
    arrays = X if isinstance(X, dict) else {None: X}
    shapes = {}
    for key, array in arrays.items():
        if not hasattr(array, "shape"):
            array = _as_array(array, "X" if key is None else f"X[{key!r}]")
        label = "X" if key is None else f"X[{key!r}]"
        _check_not_empty(tuple(array.shape), label)
        shapes[key] = (None,) + tuple(array.shape[1:])
    return shapes


def _check_finite(array, name):
    if isinstance(array, torch.Tensor):
        bad = int((~torch.isfinite(array)).sum()) if array.is_floating_point() else 0
    else:
        bad = int((~np.isfinite(array)).sum()) if array.dtype.kind == "f" else 0
    if bad:
        raise ValueError(f"{name} holds {bad} NaN or infinite value(s); clean or impute them "
                         "before fitting")


def _to_float32(array):
    if isinstance(array, torch.Tensor):
        return array.float() if array.dtype != torch.float32 else array
    return array.astype(np.float32, copy=False)


def check_X(X, input_layers, integer_inputs=()):
    """Validate X (an array, or a dict of arrays keyed by InputLayer name) against the net's
    InputLayers and return it with float32 values (integer inputs feeding an EmbeddingLayer
    stay integers)."""
    names = [layer.name for layer in input_layers]
    _reject_sparse(X, "X")
    if isinstance(X, dict):
        missing, extra = sorted(set(names) - set(X)), sorted(set(X) - set(names))
        if missing or extra:
            raise ValueError(f"X must be a dict with one array per InputLayer {names}; missing "
                             f"{missing}, unexpected {extra}")
        arrays = {key: _as_array(X[key], f"X[{key!r}]") for key in names}
    else:
        if len(input_layers) != 1:
            raise ValueError(f"this net has {len(input_layers)} InputLayers {names}: pass X as "
                             "a dict of arrays keyed by their names")
        arrays = {names[0]: _as_array(X, "X")}
    lengths = {key: len(array) if array.ndim else 0 for key, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"the arrays of X have different lengths: {lengths}")
    for layer in input_layers:
        label = "X" if not isinstance(X, dict) else f"X[{layer.name!r}]"
        array = arrays[layer.name]
        _check_not_empty(tuple(array.shape), label)
        _check_finite(array, label)
        _check_shape(tuple(array.shape), layer, label)
        if layer.name not in integer_inputs or array.dtype.kind == "f":
            arrays[layer.name] = _to_float32(array)
    return arrays if isinstance(X, dict) else arrays[names[0]]


def _check_shape(got, layer, label):
    expected = layer.shape
    mismatch = f"{label} must have shape {_shape_text(expected)} to match InputLayer " \
               f"{layer.name!r}, got shape {got}"
    if len(got) != len(expected):
        if len(got) == 1 and len(expected) == 2:
            mismatch += ("; Reshape your data with X.reshape(-1, 1) if it has a single feature "
                         "or X.reshape(1, -1) if it is a single sample")
        raise ValueError(mismatch)
    for axis, (want, have) in enumerate(zip(expected, got)):
        if axis and want is not None and want != have:
            if len(got) == 2:  # scikit-learn's wording for a feature count
                raise ValueError(f"{label} has {have} features, but NeuralNet is expecting "
                                 f"{want} features as input (InputLayer {layer.name!r})")
            raise ValueError(f"{mismatch} (axis {axis} is {have}, expected {want})")


def _shape_text(shape):
    return "(" + ", ".join("n" if d is None else str(d) for d in shape) + ")"


def check_y(y, n_samples, regression, num_outputs, encoded):
    """Validate y for `n_samples` rows: regression targets become float32 columns (1-D y is
    reshaped) matching the `num_outputs` of the output layer; class labels become int64 ids in
    ``[0, num_outputs)``. `encoded` says the labels came from a LabelEncoder already."""
    y = _as_array(y, "y")
    if isinstance(y, torch.Tensor):
        y = y.cpu().numpy()
    if len(y) != n_samples:
        raise ValueError(f"X and y must have the same length, got {n_samples} rows of X and "
                         f"{len(y)} of y")
    _check_finite(y, "y")
    if regression:
        y = _to_float32(y.reshape(-1, 1) if y.ndim == 1 else y)
        if y.shape[1:] != (num_outputs,):
            raise ValueError(f"y must have {num_outputs} column(s) to match the output layer, "
                             f"got shape {y.shape}")
        return y
    if not encoded:
        if y.dtype.kind not in "iuf" and y.dtype.kind != "b":
            raise ValueError(f"a classifier's y must hold integer class ids, got dtype "
                             f"{y.dtype}; pass use_label_encoder=True for other labels")
        low, high = int(y.min()), int(y.max())
        if low < 0:
            raise ValueError(f"class ids in y must be >= 0, got {low}; pass "
                             "use_label_encoder=True for other labels")
        if high >= num_outputs:
            raise ValueError(f"y holds class id {high}, but the output layer has only "
                             f"{num_outputs} units (ids 0..{num_outputs - 1})")
    elif len(y) and int(y.max()) >= num_outputs:
        raise ValueError(f"y holds {int(y.max()) + 1} classes, but the output layer has only "
                         f"{num_outputs} units; set output_num_units={int(y.max()) + 1}")
    return y.astype(np.int64)


def target_width(y, regression, use_label_encoder):
    """The output units y asks for: its columns for regression, else its number of classes
    (distinct labels with `use_label_encoder`, the largest class id + 1 without); None where
    y does not say (the checks of y then explain why)."""
    try:
        y = np.asarray(y.cpu() if isinstance(y, torch.Tensor) else y)
        if regression:
            return 1 if y.ndim == 1 else int(np.prod(y.shape[1:]))
        labels = y.ravel()
        if use_label_encoder:
            return len(np.unique(labels))
        ids = labels.dtype.kind in "iu" or (labels.dtype.kind == "f" and np.all(
            np.isfinite(labels)) and np.all(labels == np.round(labels)))
        return int(labels.max()) + 1 if ids and len(labels) else None
    except (TypeError, ValueError):
        return None


def class_labels(y):
    """A classifier's y as a 1-d array of labels (a column vector is flattened, with
    scikit-learn's DataConversionWarning), before any label encoding; rejects NaN or infinite
    values, one-hot rows and continuous (non-integer float) targets."""
    if isinstance(y, torch.Tensor):
        y = y.cpu().numpy()
    y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn("A column-vector y was passed when a 1d array was expected; it is "
                      "flattened", DataConversionWarning, stacklevel=4)
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"a classifier's y must be 1-dimensional class labels, got shape "
                         f"{y.shape}; for one-hot or continuous targets use regression=True")
    if y.dtype.kind == "f":
        _check_finite(y, "y")
        if not np.all(y == np.round(y)):
            raise ValueError("Unknown label type: continuous. A classifier's y must hold class "
                             "labels (integer ids 0..n_classes-1, or any labels with "
                             "use_label_encoder=True); for continuous targets use "
                             "regression=True")
    return y
