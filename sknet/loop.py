"""The training loop NeuralNet runs: epochs over nolearn's BatchIterators with skorch's history
and callbacks, nolearn's handlers and ``train_history_``.

`TrainingLoop` is a mixin of `sknet.NeuralNet` (which it expects as ``self``): skorch's
``fit_loop`` and steps rewritten so that data stays on the device when it fits, losses and scores
are summed there and read once per epoch, and a diverging loss stops training with the batch
named.
"""
import copy
import warnings
from collections.abc import Sequence

import numpy as np
import skorch
import torch
from skorch.callbacks import Callback
from skorch.dataset import Dataset
from skorch.utils import TeeGenerator, to_numpy

from .batching import TrainSplit, num_samples, slices_only
from .callbacks import as_labels, callback_batch, is_skorch_split, skorch_split
from .data import batches, resident, rows, streamed
from .layers import feeding
from .objectives import categorical_crossentropy
from .precision import autocast_dtype, backward, step
from .regularization import l1 as l1_penalty
from .regularization import l2 as l2_penalty
from .regularization import regularize_layer_params
from .targets import Weighted, predicted_ids, split_weights, weighted_loss
from .updates import StepWithoutClosure
from .utils import current_value
from .validation import not_learning


_UNHEARD = skorch.NeuralNet.on_grad_computed  # a hook no subclass overrides: not called


def weight_penalty(layers, l1=0, l2=0):
    """`l1` / `l2` times the L1 / L2 penalty of the layers' regularizable parameters."""
    penalty = 0
    if l1:
        penalty = penalty + l1 * regularize_layer_params(list(layers.values()), l1_penalty)
    if l2:
        penalty = penalty + l2 * regularize_layer_params(list(layers.values()), l2_penalty)
    return penalty


class TrainHistory(Sequence):
    """``net.train_history_``: one dict per finished epoch with nolearn's keys (epoch,
    train_loss, train_loss_best, valid_loss, valid_loss_best, valid_accuracy, dur and score
    names), read from skorch's history without copying it."""

    _skip = {"batches", "train_batch_count", "valid_batch_count"}

    def __init__(self, history):
        self.history = history

    def __len__(self):
        # skorch opens an epoch's row when the epoch begins; nolearn lists finished epochs.
        finished = len(self.history)
        return finished - 1 if finished and "train_loss" not in self.history[-1] else finished

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError("train_history_ index out of range")
        row = self.history[index % len(self)]
        return {k: v for k, v in row.items() if k not in self._skip}

    def __eq__(self, other):
        return list(self) == list(other)

    def __repr__(self):
        return repr(list(self))


class TrainingLoop:
    """NeuralNet's fit loop, steps and event notification (a mixin of `sknet.NeuralNet`)."""

    def _split(self, X, y):
        if not self.train_split:
            return X, None, y, None
        split = self.train_split
        seed = self.__dict__.get("train_split_seed_")
        if seed is not None and isinstance(split, TrainSplit):  # seeded by random_state
            split = copy.copy(split)
            split.seed = seed
        if is_skorch_split(split):  # ValidSplit, predefined_split
            X_train, X_valid, y_train, y_valid = skorch_split(self, split, X, y)
        elif type(split).__call__ is TrainSplit.__call__:  # on row numbers: views, not copies
            train, valid = split.indices(X, y, self)
            X_train, X_valid, y_train, y_valid = rows(X, train), rows(X, valid), y[train], y[valid]
        else:
            X_train, X_valid, y_train, y_valid = split(X, y, self)
        if X_valid is None or num_samples(X_valid) == 0:
            return X_train, None, y_train, None
        return X_train, X_valid, y_train, y_valid

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        epochs = self.max_epochs if epochs is None else epochs
        X_train, X_valid, y_train, y_valid = self._split(X, y)
        X_train, y_train = self._device_resident(self.batch_iterator_train_, X_train, y_train)
        if X_valid is not None:
            X_valid, y_valid = self._device_resident(self.batch_iterator_test_, X_valid, y_valid)
        # for callbacks: the labels, without the sample weights
        labels_train, labels_valid = (as_labels(self, split_weights(targets)[0])
                                      for targets in (y_train, y_valid))
        datasets = {"dataset_train": Dataset(X_train, labels_train),
                    "dataset_valid": None if X_valid is None else Dataset(X_valid, labels_valid)}
        self.stop_training_ = False
        for _ in range(epochs):
            # bound each epoch, as nolearn did: a handler may predict (rebinding the iterator)
            train_batches = self.batch_iterator_train_(X_train, y_train)
            valid_batches = (None if X_valid is None
                             else self.batch_iterator_test_(X_valid, y_valid))
            parallel = self.__dict__.get("data_parallel_")  # distributed=True: sknet.ddp
            if parallel is not None:
                train_batches = parallel.shard(train_batches, training=True)
                valid_batches = parallel.shard(valid_batches, training=False)
            self.notify("on_epoch_begin", **datasets)
            self.run_single_epoch(train_batches, training=True, prefix="train",
                                  step_fn=self.train_step, **fit_params)
            self.run_single_epoch(valid_batches, training=False, prefix="valid",
                                  step_fn=self.validation_step, **fit_params)
            self.notify("on_epoch_end", **datasets)
            if self.stop_training_:
                break
        return self

    def _device_resident(self, iterator, *arrays):
        """The data as tensors on the device, moved once, when `iterator` only slices it (no
        `transform`) and it fits: batches are then views or device-side gathers, with no copy
        per batch. Otherwise the data as it is: batches are copied to the device one by one."""
        if not slices_only(iterator) or any(map(streamed, arrays)) \
                or not self._fits_on_device(arrays):
            return arrays
        return tuple(None if a is None else resident(a, self.device, self._to_device)
                     for a in arrays)

    def _fits_on_device(self, arrays):
        device = torch.device(self.device)
        if device.type != "cuda":
            return True  # host memory: the tensors share the arrays' memory
        values = [v for a in arrays if a is not None
                  for v in (a.values() if isinstance(a, dict) else [a])]
        needed = sum(v.nbytes if hasattr(v, "nbytes") else v.numel() * v.element_size()
                     for v in values)
        free, _ = torch.cuda.mem_get_info(device)
        return needed < free // 2

    def _to_device(self, data):
        """A batch (array, tensor or dict of them) on the device; on CUDA, host arrays go
        through pinned memory with a non-blocking copy."""
        if isinstance(data, dict):
            return {key: self._to_device(value) for key, value in data.items()}
        if isinstance(data, Weighted):
            return data.apply(self._to_device)
        tensor = data if isinstance(data, torch.Tensor) else torch.as_tensor(data)
        if tensor.is_cpu and self.device == "cpu":
            return tensor  # already there (no device object to build per batch)
        device = torch.device(self.device)
        if device.type == "cuda" and tensor.is_cpu:
            tensor = tensor.pin_memory()
        return tensor.to(device, non_blocking=True)

    def _forward(self, x, module=None):
        """The output of the network (or of `module` wrapping it) for a batch on the device
        (float32 also under autocast)."""
        module = self.module_ if module is None else module
        if not self.mixed_precision:
            return module(**x) if isinstance(x, dict) else module(x)
        with torch.autocast(torch.device(self.device).type,
                            dtype=autocast_dtype(self.mixed_precision)):
            output = module(**x) if isinstance(x, dict) else module(x)
        return output.float()

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """One pass over the batches; sums stay on the device and are read once per epoch."""
        if iterator is None:
            return
        totals = self.epoch_batches_[prefix] = EpochBatches()
        batch_rows, size_key = _epoch_row(self.history)["batches"], prefix + "_batch_size"
        heard = self._batch_events_heard()
        batch_count = 0
        for batch in batches(iterator):
            if heard:
                self.notify("on_batch_begin", batch=batch, training=training)
            else:  # what the net's own on_batch_begin does
                batch_rows.append({})
            step = step_fn(batch, **fit_params)
            size = num_samples(batch[0])
            self._accumulate(totals, step, size, training)
            batch_rows[-1][size_key] = size  # the history's record_batch, without its indexing
            if heard:
                self.notify("on_batch_end", batch=callback_batch(self, batch, step),
                            training=training, **step)
            batch_count += 1
        self.history.record(prefix + "_batch_count", batch_count)

    def _batch_events_heard(self):
        """Whether a callback, a handler or a subclass acts on batch events; if not, the
        loop keeps the history's batch rows itself and notifies nothing per batch."""
        kind, listeners = type(self), self.listeners_
        return bool(kind.notify is not TrainingLoop.notify
                    or kind.on_batch_begin is not TrainingLoop.on_batch_begin
                    or kind.on_batch_end is not skorch.NeuralNet.on_batch_end
                    or listeners["on_batch_begin"] or listeners["on_batch_end"]
                    or self.handlers_["on_batch_finished"])

    def _accumulate(self, totals, step, size, training):
        totals.add(size, step["loss"].detach())
        if training and not self.scores_train:
            return  # a training pass sums only its losses
        output, target = step["output"], step["y_true"]
        output = ([o.detach() for o in output] if isinstance(output, list)  # several outputs
                  else output.detach())
        if not training and not self.regression:
            totals.add_count("valid_accuracy", (predicted_ids(output) == target).sum())
        scores = self.scores_train if training else (self.scores_valid or [])
        custom = [] if training else (self.custom_scores or [])
        if (scores or custom) and size:  # size 0: sknet.ddp's stand-in step
            predictions = step["y_pred"] if "y_pred" in step else self._predictions(output)
            for name, score in scores:
                totals.add_mean(name, score(predictions, target))
            if custom:  # NumPy functions: the one place that reads values back per batch
                y_true, y_prob = to_numpy(target), to_numpy(predictions)
                for name, score in custom:
                    totals.add_mean(name, float(score(y_true, y_prob)))

    def _batch_loss(self, batch, training, module=None):
        """The objective's loss, the module's output (logits for a softmax output) and the
        target, for one batch; `module` runs the forward instead of the network (DDP)."""
        Xi, yi = batch
        x, (target, weights) = self._to_device(Xi), split_weights(self._to_device(yi))
        output = self._forward(x, module)
        if self.direct_cross_entropy_:
            loss = (_cross_entropy(output, target, "mean") if weights is None else
                    weighted_loss(_cross_entropy(output, target, "none"), weights))
            l1, l2 = self.objective_kwargs_.get("l1", 0), self.objective_kwargs_.get("l2", 0)
            if l1 or l2:  # the penalty is 0 otherwise: no term to add per batch
                loss = loss + weight_penalty(self.layers_, l1, l2)
            return loss, output, target
        layers, loss_function, prediction = self.layers_, self._loss_function(), output
        if self.module_.logits:
            prediction = layers[-1].nonlinearity(output)
            loss_function = _stable_on_network_output(loss_function, prediction, output)
        fed = self._bind_inputs(x)
        if not self.objective_kwargs_.get("get_output_kw") and not isinstance(output, list):
            fed[layers[-1]] = prediction  # the objective's get_output(layers[-1]) reuses it
        weighting = {} if weights is None else {"weights": weights}
        with feeding(fed):
            loss = self.objective(layers, loss_function=loss_function, target=target,
                                  deterministic=not training, **self.objective_kwargs_,
                                  **weighting)
        return loss, output, target

    def _step_result(self, loss, output, target):
        """The step's dict; the network's predictions (probabilities for a softmax output)
        are computed only when a score or a callback reads them."""
        step = {"loss": loss, "output": output, "y_true": target}
        if self.listeners_["on_batch_end"]:
            step["y_pred"] = self._predictions(output)
        return step

    def _predictions(self, output):
        return self.layers_[-1].nonlinearity(output) if self.module_.logits else output

    def _bind_inputs(self, x):
        """{InputLayer: tensor} for a batch tensor or a dict of them keyed by layer name."""
        if isinstance(x, dict):
            return {layer: x[layer.name] for layer in self.module_.input_layers}
        return {self.module_.input_layers[0]: x}

    def train_step(self, batch, **fit_params):
        """skorch's step; with one of sknet's update rules, which never evaluate the loss
        again, without skorch's closure, and without the gradient hook when nothing defines
        it (together about 3% of a 5-epoch load_digits fit)."""
        if self.shared_hyperparameters_:
            self._apply_shared_hyperparameters()
        if not isinstance(self.optimizer_, StepWithoutClosure):
            return super().train_step(batch, **fit_params)
        self._zero_grad_optimizer()
        result = self.train_step_single(batch, **fit_params)
        if self.listeners_["on_grad_computed"] or type(self).on_grad_computed is not _UNHEARD:
            self.notify("on_grad_computed", batch=batch, training=True,
                        named_parameters=TeeGenerator(self.get_all_learnable_params()))
        self._step_optimizer(None)
        return result

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        parallel = self.__dict__.get("data_parallel_")
        if parallel is not None:
            return parallel.train_step(self, batch)
        loss, output, target = self._batch_loss(batch, training=True)
        backward(loss, self.__dict__.get("grad_scaler_"), self.optimizer_)
        return self._step_result(loss, output, target)

    def _step_optimizer(self, step_fn):
        step(self.optimizer_, self.__dict__.get("grad_scaler_"), step_fn)

    def validation_step(self, batch, **fit_params):
        self._set_training(False)
        with torch.no_grad():
            loss, output, target = self._batch_loss(batch, training=False)
        return self._step_result(loss, output, target)

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        _epoch_row(self.history)["batches"].append({})  # skorch's new_batch, without indexing

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        super().on_epoch_begin(net, dataset_train, dataset_valid, **kwargs)
        self.epoch_batches_ = {}

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        """Record the epoch's averages (one device sync) and the best-so-far flags."""
        totals = {prefix: batches.sums() for prefix, batches in self.epoch_batches_.items()}
        parallel = self.__dict__.get("data_parallel_")
        if parallel is not None:  # the averages over all ranks' rows
            parallel.sum_over_ranks(totals, self._train_losses())
        counts = {prefix: sums.pop("n") for prefix, sums in totals.items()}
        keys = [(prefix, name) for prefix, sums in totals.items() for name in sums]
        values = _read_once([totals[prefix][name] for prefix, name in keys])
        means = {f"{prefix}_loss" if name == "loss" else name: value / counts[prefix]
                 for (prefix, name), value in zip(keys, values)}
        self._stop_if_diverged(means.get("train_loss", 0.0))
        means.setdefault("valid_loss", np.nan)
        if not self.regression:
            means.setdefault("valid_accuracy", np.nan)
        history, row = self.history, _epoch_row(self.history)  # skorch's record writes the row
        for key in ("train_loss", "valid_loss"):
            previous = [h[key] for h in history[:-1] if key in h]
            value = means.get(key, np.nan)
            best = not np.isnan(value) and all(value <= p for p in previous if not np.isnan(p))
            row[key], row[key + "_best"] = value, bool(best)
        for key, value in means.items():
            if key not in ("train_loss", "valid_loss"):
                row[key] = value
        self._warn_if_not_learning()

    def _warn_if_not_learning(self):
        """Warn once when a classifier's loss says the learning rate is far too high."""
        if self.regression or self._loss_function() is not categorical_crossentropy:
            return
        losses = [row["train_loss"] for row in self.history if "train_loss" in row]
        message = not_learning(losses, self.layers_[-1].output_shape[-1],
                               current_value(getattr(self, "update_learning_rate", None)))
        if message:
            warnings.warn(message, RuntimeWarning, stacklevel=2)

    def score_names(self):
        """Names of the score columns: scores_train, scores_valid, then custom_scores."""
        return [name for scores in (self.scores_train, self.scores_valid, self.custom_scores)
                for name, _ in (scores or [])]

    def initialize_callbacks(self):
        super().initialize_callbacks()
        # Per event, the callbacks that do something on it: the others are not called per batch.
        events = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
                  "on_batch_begin", "on_batch_end", "on_grad_computed")
        self.listeners_ = {event: [cb for _, cb in self.callbacks_
                                   if getattr(type(cb), event) is not getattr(Callback, event)]
                           for event in events}
        return self

    def notify(self, method_name, **cb_kwargs):
        getattr(self, method_name)(self, **cb_kwargs)
        for callback in self.listeners_[method_name]:
            getattr(callback, method_name)(self, **cb_kwargs)
        if method_name == "on_train_begin":
            self._run_handlers("on_training_started")
        elif method_name == "on_batch_end" and cb_kwargs.get("training"):
            self._run_handlers("on_batch_finished")
        elif method_name == "on_epoch_end":
            try:
                self._run_handlers("on_epoch_finished")
            except StopIteration:
                self.stop_training_ = True
        elif method_name == "on_train_end":
            self._run_handlers("on_training_finished")

    def _set_training(self, training=True):
        if self.module_.training != training:  # train()/eval() walks every layer: not per batch
            self.module_.train(training)

    def _stop_if_diverged(self, train_loss):
        """Raise FloatingPointError naming the epoch and first batch whose loss was NaN or
        infinite; the epochs finished before it stay in the history."""
        if np.isfinite(train_loss):
            return
        losses = torch.stack(self._train_losses()).cpu()
        batch = int((~torch.isfinite(losses)).nonzero()[0, 0]) + 1
        epoch = len(self.history)
        del self.history[-1]
        rate = current_value(getattr(self, "update_learning_rate", None))
        now = f" (now {rate:g})" if isinstance(rate, (int, float)) else ""
        raise FloatingPointError(
            f"the training loss became {float(losses[batch - 1])} in epoch {epoch}, batch "
            f"{batch} of {len(losses)}; training stopped (train_history_ keeps the "
            f"{epoch - 1} epoch(s) before it). The weights are no longer usable: lower "
            f"update_learning_rate{now}, check the inputs and targets for extreme values, "
            "then fit again")

    def _train_losses(self):
        """This epoch's training losses, one per batch (a list, on the device)."""
        train = self.epoch_batches_.get("train")
        return [] if train is None else train.losses

    def _run_handlers(self, event):
        handlers = self.handlers_[event]
        if handlers:
            history = self.train_history_
            for handler in handlers:
                handler(self, history)

    @property
    def train_history_(self):
        """One dict per epoch with nolearn's keys."""
        return TrainHistory(self.history)

    def _drop_unfinished_epoch(self):
        """After Ctrl-C, keep only finished epochs in the history (an epoch's row is opened
        when it begins), so that epochs count on and handlers read whole rows."""
        if len(self.history) and "train_loss" not in self.history[-1]:
            del self.history[-1]


class EpochBatches:
    """One pass's per-batch values, summed when the epoch ends (one device op per value,
    not one per batch): each batch's rows, its mean loss and scores (weighted by its rows in
    the sums) and its counts (such as correct predictions)."""

    def __init__(self):
        self.sizes, self.losses, self.means, self.counts = [], [], {}, {}

    def add(self, size, loss):
        self.sizes.append(size)
        self.losses.append(loss)

    def add_mean(self, name, value):
        self.means.setdefault(name, []).append(value)

    def add_count(self, name, value):
        self.counts.setdefault(name, []).append(value)

    def sums(self):
        """{'n': the rows, 'loss' and each score: the sum over the rows, each count: its
        total}; sums of tensors stay on their device. Only 'n' for a pass with no batch."""
        sums = {"n": sum(self.sizes)}
        if not self.sizes:
            return sums
        for name, values in [("loss", self.losses), *self.means.items()]:
            sums[name] = _weighted_sum(values, self.sizes)
        for name, values in self.counts.items():
            sums[name] = torch.stack(values).sum()
        return sums


def _read_once(values):
    """Numbers and 0-d tensors as floats; the tensors (on one device) read in one sync."""
    tensors = [value.double() for value in values if isinstance(value, torch.Tensor)]
    read = iter(torch.stack(tensors).tolist() if tensors else ())
    return [next(read) if isinstance(value, torch.Tensor) else float(value) for value in values]


def _weighted_sum(values, weights):
    """The sum of `values` (0-d tensors or numbers) times `weights`, in float64."""
    if isinstance(values[0], torch.Tensor):
        stacked = torch.stack(values).reshape(len(values)).double()
        return stacked @ torch.tensor(weights, dtype=torch.float64, device=stacked.device)
    return float(np.dot(values, weights))


def _epoch_row(history):
    """The current epoch's row of a skorch History (a list of rows: skorch's own ``history[-1]``
    resolves a general index first, which costs more than the row's use per batch)."""
    return list.__getitem__(history, -1)


def _stable_on_network_output(loss_function, probabilities, logits):
    """`loss_function`, except that applied to the network's own softmax output it computes
    the cross-entropy from the logits (log-softmax): finite where log(softmax) is -inf."""
    def loss(predictions, targets):
        if predictions is not probabilities:
            return loss_function(predictions, targets)
        return _cross_entropy(logits, targets, "none")
    return loss


def _cross_entropy(logits, targets, reduction):
    """Cross-entropy from logits, for class ids or (one-hot / soft) target rows."""
    if targets.dim() != logits.dim():
        targets = targets.long()
    return torch.nn.functional.cross_entropy(logits, targets, reduction=reduction)
