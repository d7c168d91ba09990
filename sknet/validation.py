"""Checks of the data given to NeuralNet, before anything is trained: each error names the
argument, what was expected and what was received."""
import numpy as np
import torch


def _as_array(value, name):
    if isinstance(value, torch.Tensor):
        return value
    if hasattr(value, "to_numpy"):  # pandas
        value = value.to_numpy()
    array = np.asarray(value)
    if not array.flags.writeable:  # e.g. a pandas copy-on-write view; torch needs to own it
        array = array.copy()
    if array.dtype.kind in "OUSV":
        raise TypeError(f"{name} must hold numbers, got an array of dtype {array.dtype}")
    return array


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
        if array.ndim == 0 or len(array) == 0:
            raise ValueError(f"{label} is empty: got shape {tuple(array.shape)}")
        _check_finite(array, label)
        expected = layer.shape
        got = tuple(array.shape)
        if len(got) != len(expected):
            raise ValueError(f"{label} must have shape {_shape_text(expected)} to match "
                             f"InputLayer {layer.name!r}, got shape {got}")
        for axis, (want, have) in enumerate(zip(expected, got)):
            if axis and want is not None and want != have:
                raise ValueError(f"{label} must have shape {_shape_text(expected)} to match "
                                 f"InputLayer {layer.name!r}, got shape {got} (axis {axis} is "
                                 f"{have}, expected {want})")
        if layer.name not in integer_inputs or array.dtype.kind == "f":
            arrays[layer.name] = _to_float32(array)
    return arrays if isinstance(X, dict) else arrays[names[0]]


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
    if y.ndim != 1:
        raise ValueError(f"a classifier's y must be 1-dimensional class labels, got shape "
                         f"{y.shape}; for one-hot or continuous targets use regression=True")
    if not encoded:
        if y.dtype.kind == "f" and not np.all(y == np.round(y)):
            raise ValueError("a classifier's y must hold integer class ids 0..n_classes-1, got "
                             "non-integer values; pass use_label_encoder=True for other labels")
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
    return y.astype(np.int64)
