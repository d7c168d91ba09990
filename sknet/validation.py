"""Checks of the data given to NeuralNet, before anything is trained: each error names the
argument, what was expected and what was received. Where scikit-learn has a wording for the
same problem (sparse, complex, 0 samples or features, continuous class labels), it is used."""
import inspect
import math
import numbers
import warnings

import numpy as np
import torch
from scipy import sparse
from sklearn.utils.validation import _check_feature_names

from .build import default_layer_name, resolve_layer_class
from .layers import Layer, get_all_layers
from .precision import check_mixed_precision


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


def _non_finite_count(array):
    """NaN and infinite values in `array`, counted in chunks of rows (~1 MB of flags each),
    so that checking a large X does not allocate a temporary of its size."""
    if isinstance(array, torch.Tensor):
        return int((~torch.isfinite(array)).sum()) if array.is_floating_point() else 0
    if array.dtype.kind != "f":
        return 0
    if array.ndim == 0:
        return int(not np.isfinite(array))
    step = max(1, (1 << 20) // max(1, array[:1].size))
    return sum(0 if surely_finite(chunk) else int((~np.isfinite(chunk)).sum())
               for chunk in (array[i:i + step] for i in range(0, len(array), step)))


def surely_finite(array):
    """True when a float32 / float64 array has no NaN or infinity, told by one BLAS pass (its
    sum of squares is finite); False when that cannot tell (the sum overflowed, or another
    dtype): then count the values one by one."""
    if array.dtype not in (np.float32, np.float64):
        return False
    flat = array.reshape(-1)
    return math.isfinite(np.dot(flat, flat))


def _check_finite(array, name):
    bad = _non_finite_count(array)
    if bad:
        raise ValueError(f"{name} holds {bad} NaN or infinite value(s); clean or impute them "
                         "before fitting")


def _to_float32(array):
    if isinstance(array, torch.Tensor):
        return array.float() if array.dtype != torch.float32 else array
    with np.errstate(over="ignore"):  # check_X names values beyond float32's range itself
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
            cast = arrays[layer.name] is not array
            overflowed = _non_finite_count(arrays[layer.name]) if cast else 0
            if overflowed:  # finite float64 values beyond float32's range became inf
                raise ValueError(f"{label} holds {overflowed} value(s) too large for float32 "
                                 "(|x| > 3.4e38), the precision the net trains in; scale the "
                                 "data before fitting")
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


def check_y(y, n_samples, num_outputs):
    """Validate regression targets for `n_samples` rows: float32 columns (1-D y is reshaped)
    matching the `num_outputs` of the output layer. (A classifier's y: `sknet.targets`.)"""
    y = _as_array(y, "y")
    if isinstance(y, torch.Tensor):
        y = y.cpu().numpy()
    if len(y) != n_samples:
        raise ValueError(f"X and y must have the same length, got {n_samples} rows of X and "
                         f"{len(y)} of y")
    _check_finite(y, "y")
    y = _to_float32(y.reshape(-1, 1) if y.ndim == 1 else y)
    if y.shape[1:] != (num_outputs,):
        raise ValueError(f"y must have {num_outputs} column(s) to match the output layer, "
                         f"got shape {y.shape}")
    return y


def target_width(y, regression, classes=None):
    """The output units y asks for: its columns for regression, else its number of classes
    (distinct labels, or the `classes` given to partial_fit; at least 2: y of class id 1 only
    builds nolearn's ids 0..1); None where y does not say (the checks of y then explain why)."""
    try:
        y = np.asarray(y.cpu() if isinstance(y, torch.Tensor) else y)
        if regression:
            return 1 if y.ndim == 1 else int(np.prod(y.shape[1:]))
        labels = y.ravel() if classes is None else np.asarray(classes).ravel()
        return max(2, len(np.unique(labels)))
    except (TypeError, ValueError):
        return None


def check_feature_names(net, X, reset):
    """Record (`reset`) or check X's column names as scikit-learn's estimators do
    (``feature_names_in_``; X without names after X with names is only warned about)."""
    if not reset and isinstance(X, (np.ndarray, torch.Tensor)) and \
            "feature_names_in_" not in vars(net):
        return  # no names on either side: nothing to check (sklearn's check costs ~0.1 ms)
    try:
        _check_feature_names(net, X, reset=reset)
    except ValueError as error:
        raise ValueError(f"X's columns must be those this net was fitted with, in the same "
                         f"order (feature_names_in_); {error}") from error


# ------------------------------------------------------------------------- the settings

# Hyper-parameters (Lasagne's names and torch's) that must be > 0, those in [0, 1), and those
# that must be numbers >= 0 (a learning rate of 0 keeps the weights: a way to evaluate a net).
_POSITIVE = {"epsilon", "eps"}
_FRACTIONS = {"momentum", "rho", "beta1", "beta2"}
_NUMBERS = _POSITIVE | _FRACTIONS | {"learning_rate", "lr"}


def check_settings(net):
    """Check the constructor arguments every net reads, predicting too, before anything is
    built; `check_training_settings` checks those only training reads."""
    if not _is_int(net.verbose) or net.verbose < 0:  # True and False are ints here
        _fail(TypeError if not _is_int(net.verbose) else ValueError, "verbose",
              "an integer >= 0 (0 silent, 1 the epoch table, 2 more detail)", net.verbose)
    _check_instance(net.batch_iterator_test, "batch_iterator_test",
                    "a BatchIterator (e.g. BatchIterator(128))")
    check_device(net.device)
    _check_layer_classes(net.layers)


def check_training_settings(net, update, update_params, objective_params):
    """Check the arguments only training reads, before fit or partial_fit starts: `update` is
    the update rule, `update_params` and `objective_params` are the ``update_*`` and
    ``objective_*`` values, without the prefix (names `update` does not take are left to the
    "Unused kwarg" check). A net built only to predict needs none of them."""
    check_epochs(net.max_epochs, "max_epochs")
    _check_instance(net.batch_iterator_train, "batch_iterator_train",
                    "a BatchIterator (e.g. BatchIterator(128))")
    if net.train_split not in (None, False):
        _check_instance(net.train_split, "train_split",
                        "a TrainSplit (e.g. TrainSplit(eval_size=0.2)), or None")
    check_device(net.device)  # first: the precision's check reads it
    check_mixed_precision(net.mixed_precision, net.device)
    check_update(update, update_params, complete=False)  # building names what is missing
    for name in ("learning_rate", "lr"):
        value = update_params.get(name)
        if _is_number(value) and value == 0:  # allowed (it evaluates a net as it is), but
            # never by accident without a word; a shared value may start at 0 quietly
            warnings.warn(f"update_{name}=0: fit will not change the weights", UserWarning,
                          stacklevel=4)
    for name in ("l1", "l2"):
        if name in objective_params:
            _check_number(f"objective_{name}", objective_params[name], "a finite number >= 0")
            if not objective_params[name] >= 0:
                _fail(ValueError, f"objective_{name}", "a finite number >= 0",
                      objective_params[name])


def check_update(update, update_params, complete=True):
    """The hyper-parameters `update` takes, among `update_params`: valid values, and with
    `complete` every one it needs given (a learning rate for sgd and the momentum rules)."""
    taken = update_hyperparameters(update) or ()
    for name, value in update_params.items():
        if name in taken:
            _check_hyperparameter(f"update_{name}", name, value)
    if complete and hasattr(update, "hyperparameters"):  # sknet's updates name what they need
        update.hyperparameters(**{k: v for k, v in update_params.items() if k in taken})


def check_epochs(value, name="epochs"):
    """`max_epochs` or fit's `epochs`: a whole number of epochs, 0 or more."""
    if isinstance(value, bool) or not _is_int(value):
        _fail(TypeError, name, "an integer >= 0", value)
    if value < 0:
        _fail(ValueError, name, "an integer >= 0", value)


def check_random_state(random_state):
    """NeuralNet's `random_state` as the generator a fit draws from: None for None (the global
    generators, nolearn's behaviour), a new ``RandomState(seed)`` for a seed (so each fit
    starts alike), or the ``RandomState`` given, which fits advance (scikit-learn's rule)."""
    if random_state is None or isinstance(random_state, np.random.RandomState):
        return random_state
    expected = "None, an integer in [0, 2**32 - 1] or a numpy.random.RandomState"
    if isinstance(random_state, bool) or not _is_int(random_state) \
            or not 0 <= random_state < 2 ** 32:
        _fail(ValueError, "random_state", expected, random_state)
    return np.random.RandomState(int(random_state))


def check_device(device):
    """`device`: a torch device that exists on this machine."""
    if not isinstance(device, (str, torch.device)):
        _fail(TypeError, "device", "a torch device such as 'cpu' or 'cuda'", device)
    try:
        parsed = torch.device(device)
    except RuntimeError:
        _fail(ValueError, "device", "a torch device such as 'cpu', 'cuda' or 'cuda:1'", device)
    if parsed.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if (parsed.index or 0) >= count:
            raise ValueError(f"device={device!r}, but this machine has {count} CUDA device(s) "
                             "that torch can use; use device='cpu'" + (
                                 f" or an index below {count}" if count else ""))
    if parsed.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"device={device!r}, but MPS is not available here; use device='cpu'")


def _check_hyperparameter(argument, name, value):
    """A number or a shared value (checked at its current value): finite, > 0 for epsilons,
    in [0, 1) for momentum and decay rates, >= 0 otherwise (learning rates included)."""
    current = value.get_value() if hasattr(value, "get_value") else value
    if name not in _NUMBERS and (isinstance(current, bool) or not _is_number(current)):
        return  # not a number by nature: torch's betas=(0.9, 0.999), nesterov=True
    if name in _POSITIVE:
        expected, valid = "a finite number > 0", lambda v: v > 0
    elif name in _FRACTIONS:
        expected, valid = "a number in [0, 1)", lambda v: 0 <= v < 1
    else:
        expected, valid = "a finite number >= 0", lambda v: v >= 0
    _check_number(argument, current, f"{expected} or sknet.shared(...)")
    if not valid(current):
        _fail(ValueError, argument, expected, current)


def update_hyperparameters(update):
    """The hyper-parameters an update from sknet.updates or a torch optimizer class takes (the
    arguments after the parameters); None when it takes any (``**kwargs``) or cannot tell."""
    defaults = getattr(update, "defaults", None)
    if isinstance(defaults, dict):
        return list(defaults)
    try:
        arguments = list(inspect.signature(update).parameters.values())
    except (TypeError, ValueError):
        return None
    if any(argument.kind is argument.VAR_KEYWORD for argument in arguments):
        return None
    return [argument.name for argument in arguments[1:]]


def _check_number(argument, value, expected):
    if isinstance(value, bool) or not _is_number(value):
        _fail(TypeError, argument, expected, value)
    if not np.isfinite(float(value)):
        _fail(ValueError, argument, expected, value)


def _check_instance(value, argument, expected):
    if isinstance(value, type):
        raise TypeError(f"{argument} must be {expected}, got the class {value.__name__}: "
                        "pass an instance")
    if not callable(value):
        _fail(TypeError, argument, expected, value)


def _check_layer_classes(layers):
    """In nolearn's list forms, every class must be a layer class (a function that makes
    layers, such as ``batch_norm``, passes)."""
    if not isinstance(layers, (list, tuple)):
        return
    for index, entry in enumerate(layers):
        if not isinstance(entry, (tuple, list)) or len(entry) != 2:
            continue  # build_layers names what is wrong with it
        first, second = entry
        spec = second if isinstance(first, str) and not isinstance(second, dict) else first
        factory = resolve_layer_class(spec)
        if isinstance(factory, type) and not issubclass(factory, Layer):
            raise TypeError(f"layers[{index}] must name a layer class (a subclass of "
                            f"sknet.layers.Layer), got {factory.__module__}."
                            f"{factory.__qualname__}")


def _is_int(value):
    return isinstance(value, (int, np.integer))


def _is_number(value):
    """A real number, including NumPy scalars and 0-d arrays or tensors (``shared`` values
    of old scripts hold those)."""
    if isinstance(value, (np.ndarray, torch.Tensor)) and value.ndim == 0:
        value = value.item()
    return isinstance(value, numbers.Real)


def _fail(error, argument, expected, value):
    raise error(f"{argument} must be {expected}, got {value!r}")


def layer_names(layers):
    """The layer names `layers` gives without building it (nolearn's list forms, or layer
    instances), or None where they show only once built."""
    try:
        if isinstance(layers, Layer) or (isinstance(layers, (list, tuple)) and layers and all(
                isinstance(layer, Layer) for layer in layers)):
            graph = get_all_layers(layers if isinstance(layers, Layer) else list(layers))
            return [layer.name or default_layer_name(type(layer), index)
                    for index, layer in enumerate(graph)]
        names = []
        for index, (first, second) in enumerate(layers):
            if isinstance(first, str) and not isinstance(second, dict):
                names.append(first)
            else:
                names.append(second.get("name") or default_layer_name(
                    resolve_layer_class(first), index))
        return names
    except (TypeError, ValueError, AttributeError):
        return None


def too_large(name, params, error):
    """The MemoryError for layer `name`, whose parameters did not fit in memory."""
    sizes = ", ".join(f"{name}_{key}={value!r}" for key, value in params.items()
                      if _is_int(value) or isinstance(value, tuple))
    return MemoryError(f"layer {name!r}: its parameters do not fit in memory ({error}); "
                       f"check its size{' (' + sizes + ')' if sizes else ''}")


def not_learning(losses, n_classes, learning_rate):
    """Why a classifier's training cross-entropy (one value per epoch) suggests a learning rate
    far too high, the epoch it first does: 3 epochs above 10 x log(n_classes), the loss of
    guessing, or a loss 100 times its lowest so far. None otherwise.

    >>> not_learning([5e5, 4e5, 6e5], 10, 1e6)[:60]
    'the training loss is 6e+05 after 3 epoch(s), far above 2.3, '
    >>> not_learning([2.3, 0.9, 0.7], 10, 0.1) is None
    True
    """
    def reason(losses):
        chance = math.log(n_classes)
        if len(losses) >= 3 and min(losses[-3:]) > 10 * chance:
            return f"far above {chance:.3g}, the loss of guessing among {n_classes} classes"
        if len(losses) >= 2 and losses[-1] > 100 * min(losses[:-1]):
            return f"{losses[-1] / min(losses[:-1]):.3g} times its lowest value so far"
        return None

    why = reason(losses) if n_classes >= 2 and all(map(math.isfinite, losses)) else None
    if why is None or reason(losses[:-1]) is not None:
        return None
    now = f"={learning_rate:g}" if _is_number(learning_rate) else ""
    return (f"the training loss is {losses[-1]:.3g} after {len(losses)} epoch(s), {why}: the "
            f"learning rate (update_learning_rate{now}) is likely too high; lower it, or scale "
            "X (e.g. with StandardScaler)")
