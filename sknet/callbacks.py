"""skorch's callbacks on sknet nets: what they read from a net that sknet keeps elsewhere (batch
sizes in the BatchIterators, parameter names, the objective instead of a criterion module,
labels behind class ids), and a clear error when the net initializes for those that cannot
work. See docs/callbacks.md for the table.

`SkorchCallbacks` is a mixin of `sknet.NeuralNet` (which it expects as ``self``).
"""
import copy
import inspect
import json
import os
import pickle
from fnmatch import fnmatch

import numpy as np
import skorch.callbacks
import torch
import tqdm
from skorch.dataset import Dataset, ValidSplit
from skorch.utils import data_from_dataset, to_numpy
from torch.utils.data import Subset

from .batching import TrainSplit, num_samples
from .data import rows
from .ddp import is_main_process
from .files import atomic_write
from .saved import recorded_in_state_dict, restored_from_state_dict


class ProgressBar(skorch.callbacks.ProgressBar):
    """skorch's ProgressBar (a tqdm bar per epoch), counting an epoch's batches from the net's
    BatchIterators instead of skorch's `batch_size`, on rank 0 only in a distributed fit. A
    skorch ProgressBar given in `callbacks` becomes one when the net initializes;
    ``progress=True`` adds one."""

    def _get_batch_size(self, net, training):
        return (net.batch_iterator_train_ if training else net.batch_iterator_test_).batch_size

    def on_epoch_begin(self, net, **kwargs):
        if is_main_process(net):
            super().on_epoch_begin(net, **kwargs)
        else:  # a distributed fit: rank 0 shows the bar
            self.pbar_ = tqdm.tqdm(disable=True)

    def on_batch_end(self, net, training=False, loss=None, **kwargs):
        """skorch's, showing the batch's loss as `train_loss` / `valid_loss`, which skorch
        reads from the history's batches and sknet does not record there (its loop reads
        losses from the device once per epoch; the bar reads each batch's, while it shows)."""
        postfix = self._get_postfix_dict(net)
        key = "train_loss" if training else "valid_loss"
        if loss is not None and key in self.postfix_keys and not self.pbar_.disable:
            postfix[key] = float(loss.detach())
        self.pbar_.set_postfix(postfix, refresh=False)
        self.pbar_.update()


class NeptuneLogger(skorch.callbacks.NeptuneLogger):
    """skorch's NeptuneLogger, logging sknet's settings (update, objective, learning rate, batch
    size) where skorch's reads `criterion_`, `lr` and `batch_size`. A skorch NeptuneLogger
    given in `callbacks` becomes one when the net initializes."""

    def on_train_begin(self, net, X, y, **kwargs):
        log = self._metric_logger
        log["model/model_type"] = self._get_obj_name(net.module_)
        log["model/summary"] = self._model_summary_file(net.module_)
        log["config/optimizer"] = self._get_obj_name(net.optimizer_)
        log["config/criterion"] = getattr(net.objective, "__name__", repr(net.objective))
        log["config/lr"] = net.optimizer_.param_groups[0]["lr"]
        log["config/epochs"] = net.max_epochs
        log["config/batch_size"] = net.batch_iterator_train_.batch_size
        log["config/device"] = net.device


class Checkpoint(skorch.callbacks.Checkpoint):
    """skorch's Checkpoint, its pickle of the net (`f_pickle`) written as `save_params` writes
    the other files: atomically, and on rank 0 alone in a distributed fit. A skorch Checkpoint
    given in `callbacks` (or made by a TrainEndCheckpoint) becomes one when the net
    initializes."""

    def save_model(self, net):
        if not is_main_process(net):
            return
        f_pickle, self.f_pickle = self.f_pickle, None  # skorch's plain write skipped
        try:
            super().save_model(net)
        finally:
            self.f_pickle = f_pickle
        if f_pickle:
            _write(self._format_target(net, f_pickle, -1), "wb", lambda f: pickle.dump(net, f))


# skorch callbacks whose sknet counterpart (a subclass) reads sknet's settings instead, or
# writes files the sknet way.
ADAPTED = {skorch.callbacks.ProgressBar: ProgressBar,
           skorch.callbacks.NeptuneLogger: NeptuneLogger,
           skorch.callbacks.Checkpoint: Checkpoint}


class SkorchCallbacks:
    """What skorch's callbacks read from a net, given the sknet way (a mixin of NeuralNet)."""

    def initialize(self):
        """skorch's initialize, then `check_callbacks` (the module exists by then)."""
        super().initialize()
        check_callbacks(self)
        return self

    def get_default_callbacks(self):
        """skorch's EpochTimer (the `dur` column), and a ProgressBar with ``progress=True``."""
        progress = [("progress_bar", ProgressBar())] if getattr(self, "progress", False) else []
        return [("epoch_timer", skorch.callbacks.EpochTimer())] + progress

    def initialize_callbacks(self):
        """skorch's, with the callbacks of `ADAPTED` turned into their sknet subclasses."""
        super().initialize_callbacks()
        for _, callback in self.callbacks_:
            for each in (callback, getattr(callback, "checkpoint_", None)):  # TrainEndCheckpoint's
                if type(each) in ADAPTED:
                    each.__class__ = ADAPTED[type(each)]
        return self

    def get_all_learnable_params(self):
        """``(name, parameter)`` for each parameter, named ``'<layer>.<attribute>'`` as
        `layers_` has them (``'hidden.W'``, ``'output.b'``): the names skorch's Freezer,
        Unfreezer, Initializer, ParamMapper and GradientNormClipping match."""
        for name, parameter in self.module_.named_parameters():
            yield name.removeprefix("layers."), parameter

    def save_params(self, f_params=None, f_optimizer=None, f_criterion=None, f_history=None,
                    use_safetensors=False, **kwargs):
        """skorch's save_params, writing each file named by a path atomically (see
        `sknet.files`), `classes_` in the state dict's metadata (`sknet.saved`). `f_criterion`
        gets an empty state: sknet's loss is the objective, a function without state. In a
        distributed fit only rank 0 writes (`sknet.ddp`)."""
        if not is_main_process(self):
            return
        if f_criterion is not None:
            _write(f_criterion, "wb", lambda f: torch.save({}, f))
        if f_history is not None:  # as skorch's History.to_file, which closes the file given
            _write(f_history, "w", lambda f: json.dump(self.history.to_list(), f))
        save = super().save_params
        with recorded_in_state_dict(self):
            for key, target in dict(kwargs, f_params=f_params, f_optimizer=f_optimizer).items():
                if target is not None:
                    _write(target, "wb", lambda f, key=key: save(
                        **{key: f}, use_safetensors=use_safetensors))

    def load_params(self, f_params=None, f_optimizer=None, f_criterion=None, f_history=None,
                    checkpoint=None, use_safetensors=False, **kwargs):
        """skorch's load_params, setting `classes_` where the parameter file records them; a
        criterion file (`f_criterion`, or a Checkpoint's) is not read: the objective has no
        state."""
        if checkpoint is not None and checkpoint.f_criterion is not None:
            checkpoint = copy.copy(checkpoint)
            checkpoint.f_criterion = None
        if checkpoint is not None and not self.initialized_:
            self.initialize()  # as skorch would, but before the module's hook is set
        with restored_from_state_dict(self):
            super().load_params(f_params=f_params, f_optimizer=f_optimizer, f_history=f_history,
                                checkpoint=checkpoint, use_safetensors=use_safetensors, **kwargs)


def _write(target, mode, write):
    """`write(file)` into `target`: a path, atomically; a file object as it is."""
    if isinstance(target, (str, os.PathLike)):
        with atomic_write(target, mode) as f:
            write(f)
    else:
        write(target)


def check_callbacks(net):
    """Raise a ValueError naming a callback in `net.callbacks_` that cannot work with sknet, or
    a setting of one that would silently do nothing."""
    progress = getattr(net, "progress", False)  # a net pickled before `progress` existed
    if not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    names = [name for name, _ in net.get_all_learnable_params()]
    for name, callback in net.callbacks_:
        problem = _problem(net, callback, names)
        if problem:
            raise ValueError(f"callback {name!r} ({type(callback).__name__}) cannot work with "
                             f"sknet: {problem}")


def _problem(net, callback, parameter_names):
    """Why `callback` cannot work with `net`, or None."""
    if isinstance(callback, skorch.callbacks.InputShapeSetter):
        return ("it sets a module__ parameter, and sknet has none; an InputLayer takes its "
                "shape from X at fit when input_shape (or its shape) is not given")
    if isinstance(callback, skorch.callbacks.PassthroughScoring) and \
            callback.name in ("train_loss", "valid_loss"):
        return (f"sknet records {callback.name!r} per epoch itself (the history has it), not "
                "per batch (that would read the loss back from the device every batch)")
    if isinstance(callback, skorch.callbacks.LRScheduler) and \
            hasattr(net._params_for("update").get("learning_rate"), "get_value"):
        return ("update_learning_rate is a shared value, which NeuralNet copies into the "
                "optimizer every batch, overriding the scheduler; give a plain number")
    if isinstance(callback, skorch.callbacks.ParamMapper):  # Freezer, Unfreezer, Initializer
        for pattern in callback.patterns:
            if isinstance(pattern, str) and not any(fnmatch(n, pattern)
                                                    for n in parameter_names):
                return (f"its pattern {pattern!r} matches no parameter; sknet names them "
                        f"'<layer>.<attribute>': {', '.join(parameter_names)}")
    return None


def is_skorch_split(split):
    """Whether `split` follows skorch's train_split protocol (ValidSplit, or a callable that
    cannot take nolearn's ``split(X, y, net)``, such as `predefined_split`'s) rather than
    nolearn's (TrainSplit and nolearn-style callables)."""
    if isinstance(split, ValidSplit):
        return True
    if type(split).__call__ is TrainSplit.__call__:
        return False  # nolearn's own (the default): no signature to read
    try:
        inspect.signature(split).bind(None, None, None)
    except TypeError:
        return True
    except ValueError:  # no signature to read (a builtin): nolearn's, as before
        return False
    return False


def skorch_split(net, split, X, y):
    """``X_train, X_valid, y_train, y_valid`` from skorch's train_split protocol (ValidSplit,
    `predefined_split`): ``split(dataset, y) -> (dataset_train, dataset_valid)``. A validation
    set given from outside (predefined_split) is checked and encoded as fit's data is."""
    dataset = Dataset(X, y)
    arrays = []
    for part in split(dataset, _values(y)):
        if part is None or part is dataset:
            arrays.append((None, None) if part is None else (X, y))
        elif isinstance(part, Subset) and part.dataset is dataset:  # rows of fit's data
            index = np.asarray(part.indices)
            arrays.append((rows(X, index), None if y is None else y[index]))
        else:  # from the user (predefined_split)
            X_part, y_part = data_from_dataset(part)
            X_part = net._prepare_X(X_part)
            arrays.append((X_part, net._prepare_y(y_part, num_samples(X_part), False)))
    (X_train, y_train), (X_valid, y_valid) = arrays
    return X_train, X_valid, y_train, y_valid


def cached_predictions(net):
    """The predictions skorch's scoring callbacks cached while the net trained (they replace
    `forward_iter` while scoring), as predict_proba returns them; None outside of scoring."""
    cache = vars(net).get("forward_iter")
    if cache is None:
        return None
    return np.concatenate([to_numpy(batch) for batch in cache(None)])


def as_labels(net, y):
    """Class ids `y` as the labels `predict` returns (``classes_[y]``), for the targets skorch
    callbacks compare with predictions; other targets as an array or tensor."""
    y = _values(y)
    classes = getattr(net, "classes_", None)
    if y is None or net.regression or classes is None or _are_ids(classes):
        return y
    return np.asarray(classes)[to_numpy(y)]


def _values(y):
    """`y` as an array or a tensor (an array-like object as the array it converts to)."""
    return y if y is None or isinstance(y, (np.ndarray, torch.Tensor)) else np.asarray(y)


def _are_ids(classes):
    classes = np.asarray(classes)
    return classes.dtype.kind in "iu" and np.array_equal(classes, np.arange(len(classes)))


def callback_batch(net, batch, step):
    """The batch skorch callbacks see after a step: the step's targets, as labels (see
    `as_labels`)."""
    if not net.listeners_["on_batch_end"]:
        return batch
    return batch[0], as_labels(net, step["y_true"])
