"""nolearn's training handlers: callables ``handler(net, train_history)`` that NeuralNet calls
when training starts (`on_training_started`), after each batch (`on_batch_finished`), after
each epoch (`on_epoch_finished`; raising StopIteration ends training) and when it finishes
(`on_training_finished`)."""
import pickle
import sys
from collections import OrderedDict
from csv import DictWriter
from datetime import datetime

import numpy as np
from tabulate import tabulate

from .ddp import is_main_process
from .files import atomic_write
from .layers import Conv2DLayer, Pool2DLayer
from .params import load_into_layers


class ansi:
    """Terminal colour codes for the tables."""
    CYAN = "\033[36m"
    GREEN = "\033[32m"
    MAGENTA = "\033[35m"
    RED = "\033[31m"
    ENDC = "\033[0m"


def _colored(text, color, on):
    return f"{color}{text}{ansi.ENDC}" if on else text


def _use_color():
    return hasattr(sys.stdout, "isatty") and sys.stdout.isatty()


class PrintLog:
    """Print one row of the epoch table per epoch (the header before the first): epoch, train
    loss, valid loss, train/val, valid acc (classifiers), score columns, dur. On a terminal the
    best train loss so far is cyan and the best valid loss green."""

    def __init__(self):
        self.first_iteration = True

    def __call__(self, nn, train_history):
        print(self.table(nn, train_history))
        sys.stdout.flush()

    def table(self, nn, train_history):
        info = train_history[-1]
        color = _use_color()
        row = OrderedDict([
            ("epoch", info["epoch"]),
            ("train loss", _colored(f"{info['train_loss']:.5f}", ansi.CYAN,
                                    color and info["train_loss_best"])),
            ("valid loss", _colored(f"{info['valid_loss']:.5f}", ansi.GREEN,
                                    color and info["valid_loss_best"])),
            ("train/val", info["train_loss"] / info["valid_loss"]
             if info["valid_loss"] else float("nan")),
        ])
        if not nn.regression:
            row["valid acc"] = info["valid_accuracy"]
        for name in nn.score_names():
            row[name] = info[name]
        row["dur"] = f"{info['dur']:.2f}s"
        table = tabulate([row], headers="keys", floatfmt=".5f")
        out = ""
        if self.first_iteration:
            out = "\n".join(table.split("\n", 2)[:2]) + "\n"
            self.first_iteration = False
        return out + table.rsplit("\n", 1)[-1]


class PrintLayerInfo:
    """Print the greeting and the layer table when training starts for the first time; with
    ``verbose >= 2`` and convolutions, nolearn's capacity/coverage table instead."""

    def __call__(self, nn, train_history=None):
        if train_history:
            return
        print(f"# Neural Network with {nn.count_params()} learnable parameters\n")
        print("## Layer information")
        print("")
        layers = list(nn.layers_.values())
        if nn.verbose >= 2 and any(isinstance(l, Conv2DLayer) for l in layers):
            print(conv_layer_table(nn, detailed=nn.verbose > 2))
            print(CONV_LEGEND)
        else:
            print(layer_table(nn))
        print("")
        sys.stdout.flush()


def _size(layer):
    return "x".join(map(str, layer.output_shape[1:]))


def layer_table(nn):
    """The plain layer table: index, name, output size without the batch axis."""
    names = list(nn.layers_.keys())
    return tabulate(OrderedDict([("#", list(range(len(names)))), ("name", names),
                                 ("size", [_size(l) for l in nn.layers_.values()])]), "keys")


CONV_LEGEND = ("\nExplanation\n    X, Y:    image dimensions\n    cap.:    learning capacity\n"
               "    cov.:    coverage of image\n"
               f"    {ansi.MAGENTA}magenta{ansi.ENDC}: capacity too low (<1/6)\n"
               f"    {ansi.CYAN}cyan{ansi.ENDC}:    image coverage too high (>100%)\n"
               f"    {ansi.RED}red{ansi.ENDC}:     capacity too low and coverage too high\n")


def _filters_and_fields(layers, image_size):
    """Per layer, the filter size and receptive field in input pixels (Xudong Cao's rule, as
    nolearn computes it: convolutions grow the field, pooling scales later filters)."""
    image = np.array(image_size, dtype=float)
    filters, fields = [image], [image]
    scale = np.ones(2)
    convolving, first_conv = True, True
    for layer in layers[1:]:
        if convolving and isinstance(layer, Conv2DLayer):
            size = np.array(layer.filter_size, dtype=float)
            filters.append(size * scale)
            fields.append(size if first_conv else fields[-1] + scale * (size - 1))
            first_conv = False
        elif convolving and isinstance(layer, Pool2DLayer):
            filters.append(filters[-1])
            fields.append(fields[-1])
            scale = scale * np.array(layer.pool_size)
        else:
            convolving = False
            filters.append(image)
            fields.append(image)
    return np.array(filters), np.array(fields)


def conv_layer_table(nn, min_capacity=100.0 / 6, detailed=False):
    """nolearn's verbose=2 table: size, total, capacity and image coverage per layer."""
    layers = list(nn.layers_.values())
    image_size = layers[0].output_shape[2:]
    filters, fields = _filters_and_fields(layers, image_size)
    with np.errstate(divide="ignore", invalid="ignore"):
        capacity = 100.0 * filters / fields
    capacity[~np.isfinite(capacity)] = 1
    coverage = 100.0 * fields / np.array(image_size, dtype=float)
    rows = []
    for index, (name, layer) in enumerate(nn.layers_.items()):
        too_wide = coverage[index].max() > 100
        too_small = capacity[index].min() < min_capacity
        color = (ansi.RED if too_wide and too_small else ansi.CYAN if too_wide
                 else ansi.MAGENTA if too_small else None)
        row = [_colored(name, color, color is not None), _size(layer),
               int(np.prod(layer.output_shape[1:])), *capacity[index], *coverage[index]]
        if detailed:
            row += [*filters[index].astype(int), *fields[index].astype(int)]
        rows.append(row)
    header = ["name", "size", "total", "cap. Y [%]", "cap. X [%]", "cov. Y [%]", "cov. X [%]"]
    if detailed:
        header += ["filter Y", "filter X", "field Y", "field X"]
    return tabulate(rows, header, tablefmt="pipe", floatfmt=".2f")


class SaveWeights:
    """SaveWeights(path, every_n_epochs=1, only_best=False, pickle=False, verbose=0)

    Save the parameters (or, with `pickle`, the whole net) every `every_n_epochs` epochs, or
    only when the valid loss is the best so far. `path` may use ``{epoch}``, ``{loss}`` and
    ``{timestamp}``.
    """

    def __init__(self, path, every_n_epochs=1, only_best=False, pickle=False, verbose=0):
        self.path = path
        self.every_n_epochs = every_n_epochs
        self.only_best = only_best
        self.pickle = pickle
        self.verbose = verbose

    def __call__(self, nn, train_history):
        if not is_main_process(nn):  # distributed: rank 0 writes, the other ranks skip
            return
        info = train_history[-1]
        if self.only_best and info["valid_loss"] > min(h["valid_loss"] for h in train_history):
            return
        if info["epoch"] % self.every_n_epochs:
            return
        path = self.path.format(loss=info["valid_loss"], epoch=f"{info['epoch']:04d}",
                                timestamp=datetime.now().strftime("%Y-%m-%d-%H-%M-%S"))
        if self.verbose:
            print(f"Writing {path}")
        if self.pickle:
            with atomic_write(path) as f:  # a crash while writing keeps the last file
                pickle.dump(nn, f, -1)
        else:
            nn.save_params_to(path)


class RememberBestWeights:
    """RememberBestWeights(loss='valid_loss', score=None, verbose=1)

    Keep a copy of the parameters of the epoch with the lowest `loss` (or highest `score`, a
    history key). Its `restore` attribute is a handler that loads them back, e.g. as an
    `on_training_finished` handler.
    """

    def __init__(self, loss="valid_loss", score=None, verbose=1):
        self.loss = loss
        self.score = score
        self.verbose = verbose
        self.best_weights = None
        self.best_weights_loss = np.inf
        self.best_weights_epoch = None
        self.restore = RestoreBestWeights(self)

    def __call__(self, nn, train_history):
        key = self.score if self.score is not None else self.loss
        current = train_history[-1][key] * (-1 if self.score else 1)
        if current < self.best_weights_loss:
            self.best_weights = nn.get_all_params_values()
            self.best_weights_loss = current
            self.best_weights_epoch = train_history[-1]["epoch"]


class RestoreBestWeights:
    """RestoreBestWeights(remember): load the parameters a RememberBestWeights kept."""

    def __init__(self, remember):
        self.remember = remember

    def __call__(self, nn, train_history):
        remember = self.remember
        if remember.best_weights is None:
            return
        nn.load_params_from(remember.best_weights)
        if remember.verbose:
            value = remember.best_weights_loss * (-1 if remember.score else 1)
            print(f"Loaded best weights from epoch {remember.best_weights_epoch} where "
                  f"{remember.score or remember.loss} was {value}")


class EarlyStopping:
    """EarlyStopping(patience=100, criterion='valid_loss', criterion_smaller_is_better=True,
    verbose=1)

    Stop training when `criterion` (a train_history key, e.g. ``'valid_accuracy'`` with
    ``criterion_smaller_is_better=False``) has not improved for `patience` epochs, and load
    the parameters of the best epoch back: the handler nolearn's tutorials and later scripts
    wrote by hand, with their arguments. It restores quietly: the lines it prints say which
    epoch came back.

    Examples
    --------
    >>> stopper = EarlyStopping(patience=1, criterion='valid_accuracy',
    ...                         criterion_smaller_is_better=False)
    >>> stopper.best_valid
    -inf
    """

    def __init__(self, patience=100, criterion="valid_loss", criterion_smaller_is_better=True,
                 verbose=1):
        self.patience = patience
        self.criterion = criterion
        self.criterion_smaller_is_better = criterion_smaller_is_better
        self.verbose = verbose
        self.best_valid = np.inf if criterion_smaller_is_better else -np.inf
        self.best_valid_epoch = 0
        self.best_weights = None

    def __call__(self, nn, train_history):
        info = train_history[-1]
        if self.criterion not in info:
            raise KeyError(f"EarlyStopping(criterion={self.criterion!r}): train_history has "
                           f"no such key; it has {sorted(info)}")
        current, epoch = info[self.criterion], info["epoch"]
        improved = (current < self.best_valid if self.criterion_smaller_is_better
                    else current > self.best_valid)
        if improved:
            self.best_valid = current
            self.best_valid_epoch = epoch
            self.best_weights = nn.get_all_params_values()
        elif self.best_valid_epoch + self.patience < epoch:
            if self.verbose:
                print("Early stopping.")
                print(f"Best {self.criterion.replace('_', ' ')} was {self.best_valid:.6f} at "
                      f"epoch {self.best_valid_epoch}.")
            load_into_layers(nn.layers_, self.best_weights)
            raise StopIteration()

    def load_best_weights(self, nn, train_history=None):
        """Load the best epoch's parameters (usable as an `on_training_finished` handler)."""
        if self.best_weights is not None:
            load_into_layers(nn.layers_, self.best_weights)


class AdjustVariable:
    """AdjustVariable(name, start=0.03, stop=0.001)

    Move a shared hyper-parameter of the net (e.g. ``'update_learning_rate'`` given as
    ``sknet.shared(0.03)``) linearly from `start` to `stop` over `max_epochs` epochs, the way
    the facial-keypoints tutorial anneals learning rate and momentum.
    """

    def __init__(self, name, start=0.03, stop=0.001):
        self.name = name
        self.start = start
        self.stop = stop
        self.values = None

    def __call__(self, nn, train_history):
        variable = getattr(nn, self.name, None)
        if not hasattr(variable, "set_value"):
            raise TypeError(f"AdjustVariable({self.name!r}) needs {self.name} to be a shared "
                            f"value, e.g. {self.name}=sknet.shared({self.start}); got "
                            f"{variable!r}")
        if self.values is None:
            self.values = np.linspace(self.start, self.stop, nn.max_epochs)
        epoch = min(train_history[-1]["epoch"], len(self.values))
        variable.set_value(float(np.float32(self.values[epoch - 1])))


class WeightLog:
    """WeightLog(save_to=None, write_every=8)

    Log, per call (use it as an `on_batch_finished` handler), each parameter's mean absolute
    change since the last call, mean absolute value and mean; optionally write them to a CSV
    file every `write_every` entries.
    """

    def __init__(self, save_to=None, write_every=8):
        self.last_weights = None
        self.history = []
        self.save_to = save_to
        self.write_every = write_every
        self._dictwriter = None
        self._save_to_file = None

    def __call__(self, nn, train_history):
        weights = nn.get_all_params_values()
        last = self.last_weights if self.last_weights is not None else weights
        entry = {}
        for key, values in weights.items():
            for i, (before, now) in enumerate(zip(last[key], values)):
                entry[f"{key}_{i} wdiff"] = np.abs(before - now).mean()
                entry[f"{key}_{i} wabsmean"] = np.abs(now).mean()
                entry[f"{key}_{i} wmean"] = now.mean()
        save_to = self.save_to if is_main_process(nn) else None  # distributed: rank 0 writes
        if save_to and self._dictwriter is None:
            self._save_to_file = open(self.save_to, "w" if self.last_weights is None else "a")
            self._dictwriter = DictWriter(self._save_to_file, list(entry))
            if self.last_weights is None:
                self._dictwriter.writeheader()
        self.history.append(entry)
        if save_to and len(self.history) % self.write_every == 0:
            self._dictwriter.writerows(self.history[-self.write_every:])
            self._save_to_file.flush()
        self.last_weights = weights

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_save_to_file"] = None
        state["_dictwriter"] = None
        return state
