"""NeuralNet: nolearn's declarative estimator, trained by skorch (the loop is `sknet.loop`)."""
import copy
import functools
import inspect
import warnings
from collections import OrderedDict
from contextlib import nullcontext

import numpy as np
import sklearn.base
import skorch
import torch
from skorch.dataset import Dataset
from sklearn.utils import ClassifierTags, RegressorTags

from . import updates as updates_module
from .batching import BatchIterator, TrainSplit, num_samples
from .callbacks import SkorchCallbacks
from .build import Layers, build_layers, factory_parameters, network_output
from .data import data_shapes_of, prepare_X, release, with_targets
from .ddp import data_parallel, is_main_process
from .distributed import use_worker_gpu, worker_threads
from .handlers import PrintLayerInfo, PrintLog
from .layers import EmbeddingLayer, InputLayer, Layer, Network, get_all_params, get_output
from .loop import TrainingLoop, weight_penalty
from .nonlinearities import softmax
from .files import InterruptedWrite
from .params import load_into_layers, write_params
from .predict import Prediction
from .precision import check_mixed_precision, grad_scaler
from .random import using_rng
from .saved import read_source, restore_classes, saved_values, shapes_from
from .objectives import aggregate, categorical_crossentropy, squared_error
from .targets import (check_objective_weights, class_ids, label_encoder, sample_weights,
                      weighted_loss, with_weights)
from .utils import current_value, did_you_mean
from .validation import (check_epochs, check_feature_names, check_random_state,
                         check_settings, check_training_settings, check_update, check_y,
                         layer_names, target_width, too_large, update_hyperparameters)

DEFAULT_DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
HANDLER_EVENTS = ("on_training_started", "on_batch_finished", "on_epoch_finished",
                  "on_training_finished")
# Arguments only nolearn code sets: with one of them, a second fit that discards trained
# weights is probably a port expecting nolearn's rule, and is warned about.
NOLEARN_ONLY_ARGUMENTS = HANDLER_EVENTS + ("custom_scores", "scores_train", "scores_valid",
                                           "more_params")


def objective(layers, loss_function, target, aggregate=aggregate, deterministic=False, l1=0,
              l2=0, get_output_kw=None, weights=None):
    """nolearn's default objective: the aggregated loss of the output layer (``layers[-1]``)
    plus `l1` / `l2` times the penalty of the regularizable parameters (weights). With
    sample `weights` (fit's sample_weight, class_weight) the loss is their weighted mean.

    A custom objective with this signature may call ``get_output`` on any layer without
    inputs: NeuralNet feeds the current batch.
    """
    network_output = get_output(layers[-1], deterministic=deterministic, **(get_output_kw or {}))
    losses = loss_function(network_output, target)
    loss = aggregate(losses) if weights is None else weighted_loss(losses, weights, aggregate)
    return loss + weight_penalty(layers, l1, l2)




class NeuralNet(Prediction, TrainingLoop, SkorchCallbacks, skorch.NeuralNet):
    """NeuralNet(layers, update=nesterov_momentum, objective=objective,
    objective_loss_function=None, batch_iterator_train=BatchIterator(128),
    batch_iterator_test=BatchIterator(128), regression=False, max_epochs=100,
    train_split=TrainSplit(eval_size=0.2), custom_scores=None, scores_train=None,
    scores_valid=None, y_tensor_type=None, use_label_encoder=False, on_batch_finished=None,
    on_epoch_finished=None, on_training_started=None, on_training_finished=None,
    more_params=None, check_input=True, verbose=0, callbacks=None, warm_start=False,
    device='cuda' if available else 'cpu', compile=False, mixed_precision=None,
    random_state=None, distributed=False, progress=False, class_weight=None, **kwargs)

    nolearn's neural network estimator. `layers` describes the network (see `sknet.build`);
    every other keyword argument ``<layer name>_<param>`` sets a layer parameter,
    ``update_<name>`` a hyper-parameter of `update` and ``objective_<name>`` an argument of
    `objective` (``objective_l2=1e-4``). A classifier (the default) takes any labels
    scikit-learn's classifiers take (`classes_` are the sorted unique labels; integer ids
    0..k-1 of a k-unit output, nolearn's case, are all k classes); ``regression=True`` trains
    on float targets.

    Parameters
    ----------
    update : an update from `sknet.updates` (or its name, or a torch optimizer class).
    objective : ``objective(layers, loss_function, target, ...) -> loss``.
    objective_loss_function : defaults to categorical_crossentropy, or squared_error for
        regression. Softmax outputs with categorical_crossentropy train on log-softmax for
        numerical stability; `predict_proba` still returns probabilities.
    batch_iterator_train, batch_iterator_test : `BatchIterator`s for training and for
        validation / prediction.
    train_split : `TrainSplit`, or None / False to train without validation.
    custom_scores : ``[(name, f(y_true, y_prob))]`` on NumPy validation batches.
    scores_train, scores_valid : ``[(name, f(predictions, targets))]`` on tensors of the
        training (training-mode output) and validation batches.
    on_* : handlers ``f(net, train_history)`` (see `sknet.handlers`); raising StopIteration
        in `on_epoch_finished` ends training.
    more_params : more ``<layer>_<param>`` values, as a dict.
    verbose : 1 prints the layer table and the epoch table, 2 adds convolution details.
    callbacks, warm_start, device : skorch's (skorch callbacks run alongside the handlers).
    compile : True runs the network through ``torch.compile`` (``compile__mode=...`` etc. are
        passed to it).
    mixed_precision : 'bf16' computes the forward pass under bfloat16 autocast (parameters,
        loss and outputs stay float32); 'fp16' under float16 autocast with loss scaling, on
        CUDA only (see `sknet.precision`).
    random_state : None, an int or a ``np.random.RandomState``. With an int, each `fit` draws
        the initial weights, the noise layers' masks, the training BatchIterator's shuffling
        and TrainSplit's shuffled split from generators seeded by it (not from global state),
        so fits with the same int give identical weights and history (bit for bit on the CPU,
        in any process). A ``RandomState`` is drawn from, and advanced, by each fit. None (the
        default) keeps nolearn's behaviour: NumPy's and torch's global generators
        (``np.random.seed``, ``torch.manual_seed``) and the iterators' and TrainSplit's own
        `seed`. A graph given as layer instances keeps the weights and noise seeds it was
        built with.
    distributed : True trains one net across the processes ``torchrun`` starts (data
        parallel, see `sknet.ddp`); a plain single process ignores it.
    progress : True shows a tqdm progress bar of each epoch's batches (skorch's ProgressBar,
        see `sknet.callbacks`).
    class_weight : None, 'balanced' or ``{label: weight}`` (scikit-learn's meaning): each
        row's weight in the loss is multiplied by its class's (see `sknet.targets`).
    y_tensor_type : accepted for nolearn compatibility and ignored.

    Notes
    -----
    `fit` starts from freshly initialized weights (scikit-learn's convention), except after
    `load_params_from` (it trains from the loaded weights, as nolearn did) or with
    ``warm_start=True``; `partial_fit` always continues. A second `fit` that discards trained
    weights of a net given nolearn's handlers or scores warns once: nolearn kept training, and
    so does `nolearn.lasagne.NeuralNet` under the legacy shim. `layers` may list several output
    layers; a custom objective then trains them and `predict` returns one array per output.

    Examples
    --------
    >>> from sknet import layers
    >>> net = NeuralNet(
    ...     layers=[('input', layers.InputLayer), ('hidden', layers.DenseLayer),
    ...             ('output', layers.DenseLayer)],
    ...     input_shape=(None, 4), hidden_num_units=8, output_num_units=3,
    ...     output_nonlinearity=softmax, update_learning_rate=0.1, max_epochs=2)
    >>> X, y = np.random.rand(30, 4).astype(np.float32), np.arange(30) % 3
    >>> net.fit(X, y).predict_proba(X).shape
    (30, 3)
    """

    # skorch settings nolearn's constructor does not expose. Of skorch's ``<component>__<arg>``
    # parameters only ``callbacks__*`` applies: batches come from the BatchIterators.
    prefixes_ = ["callbacks", "compile"]
    dataset = Dataset
    use_caching = "auto"
    torch_load_kwargs = None

    def __init__(self, layers, update=updates_module.nesterov_momentum, objective=objective,
                 objective_loss_function=None, batch_iterator_train=BatchIterator(128),
                 batch_iterator_test=BatchIterator(128), regression=False, max_epochs=100,
                 train_split=TrainSplit(eval_size=0.2), custom_scores=None, scores_train=None,
                 scores_valid=None, y_tensor_type=None, use_label_encoder=False,
                 on_batch_finished=None, on_epoch_finished=None, on_training_started=None,
                 on_training_finished=None, more_params=None, check_input=True, verbose=0,
                 callbacks=None, warm_start=False, device=DEFAULT_DEVICE, compile=False,
                 mixed_precision=None, random_state=None, distributed=False, progress=False,
                 class_weight=None, **kwargs):
        self.layers = layers
        self.update = update
        self.objective = objective
        self.objective_loss_function = objective_loss_function
        self.batch_iterator_train = batch_iterator_train
        self.batch_iterator_test = batch_iterator_test
        self.regression = regression
        self.max_epochs = max_epochs
        self.train_split = train_split
        self.custom_scores = custom_scores
        self.scores_train = scores_train
        self.scores_valid = scores_valid
        self.y_tensor_type = y_tensor_type
        self.use_label_encoder = use_label_encoder
        self.on_batch_finished = on_batch_finished
        self.on_epoch_finished = on_epoch_finished
        self.on_training_started = on_training_started
        self.on_training_finished = on_training_finished
        self.more_params = more_params
        self.check_input = check_input
        self.verbose = verbose
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.device = device
        self.compile = compile
        self.mixed_precision = mixed_precision
        self.random_state = random_state
        self.distributed = distributed
        self.progress = progress
        self.class_weight = class_weight
        _reject_fitted_names(kwargs)
        vars(self).update(kwargs)
        self._params_to_validate = {k for k in kwargs if self._routed_to_skorch(k)}
        self.history_ = None
        self.initialized_ = False
        self.virtual_params_ = {}

    def __setattr__(self, name, value):
        if name == "layers":  # a graph given as layer instances is a parameter, not a component
            object.__setattr__(self, name, value)
        else:
            super().__setattr__(name, value)

    # ---------------------------------------------------------------- parameters (sklearn)

    def _get_param_names(self):
        return [k for k in vars(self) if not k.endswith("_") and not k.startswith("_")]

    def get_params(self, deep=True):
        params = {name: getattr(self, name) for name in self._get_param_names()}
        params.update(self._get_params_callbacks(deep=deep))
        return params

    def __sklearn_clone__(self):
        """scikit-learn's clone, except that a graph of layer instances in `layers` is deep-copied
        whole: Lasagne's ``Layer.get_params`` lists parameters, it is no estimator's."""
        params = self.get_params(deep=False)
        graph = params.pop("layers")
        is_graph = isinstance(graph, Layer) or (isinstance(graph, (list, tuple))
                                                and any(isinstance(l, Layer) for l in graph))
        layers = copy.deepcopy(graph) if is_graph else sklearn.base.clone(graph, safe=False)
        params = {name: sklearn.base.clone(value, safe=False) for name, value in params.items()}
        clone = type(self)(layers, **params)
        if "_metadata_request" in vars(self):  # set_fit_request's routing, as clone keeps it
            clone._metadata_request = copy.deepcopy(self._metadata_request)
        return clone

    def set_params(self, **params):
        """Set parameters, including new ``<layer>_<param>`` ones (checked at the next fit)."""
        known = set(self.get_params())
        _reject_fitted_names(params)
        self._reject_unknown_names([k for k in params if k not in known
                                    and not self._routed_to_skorch(k)], params.get("layers"))
        for key in [k for k in params if k not in known and not self._routed_to_skorch(k)]:
            setattr(self, key, params.pop(key))
        return super().set_params(**params)

    def _reject_unknown_names(self, keys, new_layers=None):
        """Refuse names that match no layer (of `layers`, or `new_layers` when they are being
        set, and of the built net) and no update_ or objective_ parameter, before anything is
        set."""
        names = layer_names(self.layers if new_layers is None else new_layers)
        if names is None:
            return  # the names show only once built: checked by the next fit
        if self.initialized_:
            names += [name for name in self.layers_ if name not in names]
        prefixes = tuple(f"{name}_" for name in names) + ("update_", "objective_")
        unknown = sorted(k for k in keys if not k.startswith(prefixes))
        if unknown:
            valid = sorted(self.get_params())
            hints = [k + did_you_mean(k, valid) for k in unknown]
            raise ValueError(f"Invalid parameter(s) {', '.join(hints)} for NeuralNet: a new "
                             f"parameter must start with a layer name ({', '.join(names)}), "
                             "update_ or objective_; nothing was changed")

    def _routed_to_skorch(self, key):
        """Whether `key` is skorch's ``<prefix>__<name>`` (callbacks__, compile__); any other
        key is nolearn's, checked against the layers and the update when building."""
        return "__" in key and key.split("__", 1)[0] in self.prefixes_

    def _extra_kwargs(self):
        """The keyword arguments beyond the constructor's named ones, with more_params."""
        named = _constructor_names()
        values = vars(self)  # get_params(deep=False), without a getattr per name
        extra = {k: values[k] for k in self._get_param_names()
                 if k not in named and not self._routed_to_skorch(k)}
        extra.update(self.more_params or {})
        return extra

    def _params_for(self, prefix):
        """nolearn's ``<prefix>_<name>`` arguments, as ``{name: value}``."""
        start = prefix + "_"
        return {k[len(start):]: v for k, v in self._extra_kwargs().items() if k.startswith(start)}

    def _check_unused_kwargs(self):
        prefixes = [f"{name}_" for name in self.layers_] + ["update_", "objective_"]
        # nolearn exempted more_params: a shared dict may hold parameters of other nets' layers
        unused = [k for k in self._extra_kwargs() if not k.startswith(tuple(prefixes))
                  and k not in (self.more_params or {})]
        if unused:
            candidates = self._valid_kwarg_names()
            hints = [k + did_you_mean(k, candidates) for k in sorted(unused)]
            raise ValueError(f"Unused kwarg: {', '.join(hints)}")

    def _valid_kwarg_names(self):
        names = []
        for name, layer in self.layers_.items():
            names += [f"{name}_{p.name}" for p in factory_parameters(type(layer))
                      if p.name not in ("incoming", "incomings", "name")]
        update = self._resolved_update()
        names += [f"update_{p}" for p in getattr(update, "defaults", {})]
        names += [f"objective_{p}" for p in inspect.signature(self.objective).parameters
                  if p not in ("layers", "target")]
        return names

    # ---------------------------------------------------------------------- initialization

    def initialize(self):
        """Build the layers, the optimizer and the handlers; returns self. The settings only
        training reads (``update_*``, ...) are checked by fit and partial_fit: a net built to
        predict needs none, and gets its optimizer when it first trains."""
        check_settings(self)
        check_mixed_precision(self.mixed_precision)
        rng = check_random_state(self.random_state)
        self.initialized_ = False  # a rebuild is the normal case: skorch need not report it
        self.continue_from_current_weights_ = False
        self.__dict__.pop("random_state_at_pickling_", None)  # new weights, new random stream
        self.__dict__.pop("classes_", None)  # a new net: its classes come with its first y
        # with a random_state, the shuffling seeds first, then the weights and noise seeds
        seeds = [None] * 3 if rng is None else [int(s) for s in rng.randint(2 ** 31, size=3)]
        with nullcontext() if rng is None else using_rng(rng):
            super().initialize()
        self.batch_iterator_train_ = _seeded(copy.deepcopy(self.batch_iterator_train), seeds[0])
        self.batch_iterator_test_ = _seeded(copy.deepcopy(self.batch_iterator_test), seeds[1])
        self.train_split_seed_ = seeds[2]
        self.grad_scaler_ = grad_scaler(self.mixed_precision, self.device)
        self.batch_iterator_train_.test = False
        self.batch_iterator_test_.test = True
        self.handlers_ = {event: self._handler_list(event) for event in HANDLER_EVENTS}
        if self.verbose:
            # PrintLog first, so that an early-stopping handler does not hide the last row.
            self.handlers_["on_epoch_finished"].insert(0, PrintLog())
            self.handlers_["on_training_started"].insert(0, PrintLayerInfo())
        return self

    def _handler_list(self, event):
        handlers = getattr(self, event) or []
        return list(handlers) if isinstance(handlers, (list, tuple)) else [handlers]

    def initialize_module(self):
        from_data = getattr(self, "from_data_", {})
        requested = []  # build_layers asks for each layer's parameters just before making it

        def params_for(name):
            requested.append(name)
            return self._params_for(name)

        try:
            built = build_layers(self.layers, params_for, from_data.get("input_shapes"),
                                 from_data.get("output_units"))
        except (MemoryError, torch.OutOfMemoryError) as error:
            raise too_large(requested[-1], self._params_for(requested[-1]), error) from error
        output = network_output(self.layers, built)
        self.module_ = Network(output, logits=self._trains_on_logits(output), layers=built)
        self._check_unused_kwargs()
        return self

    def _loss_function(self):
        if self.objective_loss_function is not None:
            return self.objective_loss_function
        return squared_error if self.regression else categorical_crossentropy

    def _trains_on_logits(self, output_layer):
        """Softmax output + categorical cross-entropy: train on log-softmax, stably."""
        return (not self.regression and self._loss_function() is categorical_crossentropy
                and getattr(output_layer, "nonlinearity", None) is softmax
                and hasattr(output_layer, "get_preactivation_for"))

    def initialize_criterion(self):
        objective_kwargs = self._params_for("objective")
        objective_kwargs.pop("loss_function", None)
        accepted = {p.name: p for p in factory_parameters(self.objective)}
        unknown = [k for k in objective_kwargs if k not in accepted]
        if unknown and not any(p.kind is p.VAR_KEYWORD for p in accepted.values()):
            raise ValueError(f"Unused kwarg: {', '.join('objective_' + k for k in unknown)}; "
                             f"the objective takes {', '.join(accepted)}")
        self.objective_kwargs_ = objective_kwargs
        # The default objective on a softmax output is cross-entropy of the logits (plus the
        # weight penalty): computed directly, without the probabilities it would not use.
        self.direct_cross_entropy_ = (
            self.objective is objective and self.module_.logits
            and objective_kwargs.get("aggregate", aggregate) is aggregate
            and not objective_kwargs.get("get_output_kw"))
        return self

    def _resolved_update(self):
        update = self.update
        if isinstance(update, str):
            found = getattr(updates_module, update, None)
            if not isinstance(found, updates_module.Update):
                names = [n for n, v in vars(updates_module).items()
                         if isinstance(v, updates_module.Update)]
                raise ValueError(f"unknown update {update!r}; choose one of {', '.join(names)}")
            return found
        if not callable(update):
            raise TypeError(f"update must be an update from sknet.updates or a torch optimizer "
                            f"class, got {update!r}")
        return update

    def initialize_optimizer(self):
        update = self._resolved_update()
        hyper = self._params_for("update")
        taken = update_hyperparameters(update)  # None: any (a **kwargs signature)
        if taken is not None:
            valid = [f"update_{name}" for name in taken]
            unknown = sorted(f"update_{name}" for name in set(hyper) - set(taken))
            if unknown:
                name = getattr(update, "name", getattr(update, "__name__", repr(update)))
                hints = [key + did_you_mean(key, valid) for key in unknown]
                raise ValueError(f"Unused kwarg: {', '.join(hints)}; {name} takes "
                                 f"{', '.join(valid)}")
        try:
            check_update(update, hyper)
        except (TypeError, ValueError):  # a net built to predict: fit says what is missing
            self.optimizer_ = None
            return self
        params = get_all_params(self.layers_[-1], trainable=True)
        if not params:
            raise ValueError(f"the network {list(self.layers_)} has no trainable parameters, "
                             "so there is nothing to fit: add a layer with weights (e.g. a "
                             "DenseLayer output)")
        self.optimizer_ = update(params, **{k: current_value(v) for k, v in hyper.items()})
        # Shared values (sknet.shared / theano.shared) that handlers may change while training.
        self.shared_hyperparameters_ = {k: v for k, v in hyper.items() if hasattr(v, "get_value")}
        return self

    def _apply_shared_hyperparameters(self):
        """Copy the current values of shared hyper-parameters into the optimizer."""
        update = self._resolved_update()
        if isinstance(update, updates_module.Update):
            update.set_hyperparameters(self.optimizer_, **self.shared_hyperparameters_)
        else:
            for group in self.optimizer_.param_groups:
                group.update({k: current_value(v) for k, v in self.shared_hyperparameters_.items()})

    def _validate_params(self):
        # nolearn's keyword arguments were checked while building; skorch checks its own.
        self._params_to_validate = {k for k in self._params_to_validate
                                    if self._routed_to_skorch(k)}
        super()._validate_params()

    # ---------------------------------------------------------------------------- layers

    @property
    def layers_(self):
        """The built layers by name (also by index and slice), output last."""
        module = self.__dict__.get("module_")
        if module is None:
            self.check_is_fitted()
        return Layers(module.layers.items())

    def get_all_layers(self):
        return list(self.layers_.values())

    def get_all_params(self, **tags):
        """The unique parameters of all layers, filtered by tags (e.g. ``trainable=True``)."""
        return get_all_params(self.get_all_layers(), **tags)

    def count_params(self):
        """The number of learnable (trainable) parameter values."""
        return sum(p.numel() for p in self.get_all_params(trainable=True))

    def get_all_params_values(self):
        """``{layer name: [parameter arrays]}``, as nolearn's save_params_to writes it."""
        return OrderedDict((name, [p.detach().cpu().numpy().copy() for p in layer.get_params()])
                           for name, layer in self.layers_.items())

    def save_params_to(self, path):
        """Pickle `get_all_params_values()` to `path` (atomically: see `sknet.files`), with
        the input shapes, output units and `classes_` a net built to predict reads back."""
        if is_main_process(self):  # distributed: rank 0 writes, the other ranks skip
            write_params(path, saved_values(self))

    def load_params_from(self, source, skip_mismatched=False):
        """Load parameters from a file, another NeuralNet, a dict ``{layer name: [arrays]}``
        or a list of arrays in `get_all_params` order (Lasagne's ``get_all_param_values``).

        Files may be nolearn's or sknet's `save_params_to` pickles, Lasagne's pickled or
        ``np.savez``'d value lists, from Python 2 or 3 (see `sknet.params`). A dict is matched
        by layer name (layers only one side has are left alone); a parameter whose shape
        differs is an error naming the layer, unless `skip_mismatched`, which skips it (and
        reports it when verbose), nolearn's rule for reusing part of a trained net. A list
        must match every parameter. A failed load changes nothing. The next `fit` trains from
        the loaded weights. An uninitialized net takes the input shape and output units it
        leaves out, and `classes_`, from the source (see `sknet.saved`).
        """
        values, info, label = read_source(source)
        if not self.initialized_:
            self.from_data_ = shapes_from(self.layers, self._params_for, values, info, label)
            try:
                self.initialize()
            finally:
                del self.from_data_
        load_into_layers(self.layers_, values, self.verbose, skip_mismatched, label)
        restore_classes(self, info)
        self.continue_from_current_weights_ = True
        return self

    # ------------------------------------------------------------------------------ data

    def _input_layers(self):
        return [l for l in self.layers_.values() if isinstance(l, InputLayer)]

    def _prepare_X(self, X, iterator="batch_iterator_test"):
        """X checked and converted, or, for a data source, wrapped to be read per batch by
        `iterator` (see `sknet.data`); a DataFrame's columns checked against fit's."""
        check_feature_names(self, X, reset=False)
        embedded = {l.input_layer.name for l in self.layers_.values()
                    if isinstance(l, EmbeddingLayer) and isinstance(l.input_layer, InputLayer)}
        return prepare_X(X, self._input_layers(), embedded, self.check_input,
                         getattr(self, iterator + "_"), iterator)

    def _prepare_y(self, y, n_samples, refit_classes, classes=None):
        """y as the network's targets: float columns for regression, class ids (positions in
        `classes_`, set here when `refit_classes` or not yet set) for a classifier."""
        several = isinstance(self.module_.output_layers, list)  # the objective splits y
        num_outputs = self.layers_[-1].output_shape[-1]
        if self.regression:
            if several:
                num_outputs = np.shape(y)[1] if np.ndim(y) > 1 else 1
            return check_y(y, n_samples, num_outputs) if self.check_input else y
        return y if several else class_ids(self, y, n_samples, num_outputs, refit_classes,
                                           classes)

    @property
    def enc_(self):
        """nolearn's LabelEncoder of `classes_` (with ``use_label_encoder=True``)."""
        if not self.use_label_encoder or "classes_" not in vars(self):
            raise AttributeError("enc_ is set by fit when use_label_encoder=True")
        return label_encoder(self.classes_)

    # -------------------------------------------------------------------------- training

    def fit(self, X, y=None, epochs=None, sample_weight=None):
        """Train for `epochs` (default `max_epochs`) epochs; returns self.

        `sample_weight` weighs each row's loss (the validation loss too; see `sknet.targets`).
        Starts from new weights unless `warm_start` or `load_params_from` say otherwise.
        Ctrl-C stops training and keeps the net as trained so far (the history lists the
        finished epochs); Ctrl-C during a handler's file write is raised (`InterruptedWrite`).
        """
        use_worker_gpu(self.device)  # in a sweep's worker: this worker's GPU
        self._check_training_settings()
        X, y = with_targets(X, y)
        keep = self.initialized_ and (self.warm_start or self.continue_from_current_weights_)
        if not keep:
            self._warn_if_discarding_nolearn_training()
            self._initialize_for(X, y)
        return self._train(X, y, epochs, not keep, sample_weight=sample_weight)

    def _warn_if_discarding_nolearn_training(self):
        """Warn (once per net) when fit is about to discard trained weights of a net set up
        with nolearn's handlers or scores: a ported script that calls fit in a loop expects
        nolearn's rule (training continues), which only the legacy shim keeps."""
        trained = self.initialized_ and self.history_ is not None and len(self.history_) > 0
        nolearn_style = any(getattr(self, name) for name in NOLEARN_ONLY_ARGUMENTS)
        if trained and nolearn_style and not self.__dict__.get("_warned_refit", False):
            self._warned_refit = True
            warnings.warn(
                f"fit() starts again from new weights (scikit-learn's rule) and discards the "
                f"{len(self.history_)} epochs this net has trained; nolearn kept training from "
                "the current weights. Use partial_fit(X, y, epochs=...) or warm_start=True to "
                "continue, or run the script through `python -m sknet.legacy`, which keeps "
                "nolearn's rule.", UserWarning, stacklevel=3)

    def partial_fit(self, X, y=None, classes=None, epochs=1, sample_weight=None):
        """Continue training for `epochs` epochs (one by default), initializing if needed.

        A classifier's `classes_` are fixed by the first call: `classes` if given, else the
        labels of that y; later calls may hold a subset of them (scikit-learn's rule)."""
        use_worker_gpu(self.device)
        self._check_training_settings()
        X, y = with_targets(X, y)
        if not self.initialized_:
            self._initialize_for(X, y, classes)
        return self._train(X, y, epochs, False, classes, sample_weight)

    def _check_training_settings(self):
        """The settings only training reads, checked before anything is built or trained."""
        check_training_settings(self, self._resolved_update(), self._params_for("update"),
                                self._params_for("objective"))

    def _initialize_for(self, X, y, classes=None):
        """initialize(), filling in what the layers leave out from the data: an InputLayer's
        shape from X (per key for a dict X), the output layer's `num_units` from y (classes or
        target columns). Records `n_features_in_` for 2-d X, as scikit-learn estimators do."""
        input_shapes = data_shapes_of(X, y, self.batch_iterator_train)
        self.from_data_ = {"input_shapes": input_shapes,
                           "output_units": target_width(y, self.regression, classes)}
        try:
            self.initialize()
        finally:
            del self.from_data_
        self.__dict__.pop("n_features_in_", None)
        check_feature_names(self, X, reset=True)
        shape = input_shapes.get(None)
        if shape is not None and len(shape) == 2:
            self.n_features_in_ = shape[1]

    def _train(self, X, y, epochs, refit_classes, classes=None, sample_weight=None):
        if epochs is not None:
            check_epochs(epochs)
        if self.optimizer_ is None:  # a net built to predict: its update must be complete now
            check_update(self._resolved_update(), self._params_for("update"))
            with self._current_init_context("optimizer"):  # skorch's, without its message
                self.initialize_optimizer()
        X = self._prepare_X(X, "batch_iterator_train")
        n_samples = num_samples(X)
        y = self._prepare_y(y, n_samples, refit_classes, classes)
        weights = sample_weights(sample_weight, self.class_weight, n_samples,
                                 self.__dict__.get("classes_"), y)
        check_objective_weights(self.objective, weights)
        self.continue_from_current_weights_ = False
        self._resume_random_state()
        with data_parallel(self):  # distributed=True under torchrun: one net across ranks
            self.notify("on_train_begin", X=X, y=y)
            try:
                with worker_threads():  # in a sweep's worker: torch on its share of cores
                    self.fit_loop(X, with_weights(y, weights), epochs=epochs)
            except KeyboardInterrupt as interrupt:
                self._drop_unfinished_epoch()
                if isinstance(interrupt, InterruptedWrite):
                    raise  # a handler's save was abandoned: say so rather than return quietly
            finally:
                release(self.batch_iterator_train_)  # the net keeps no reference to X
                release(self.batch_iterator_test_)
            self.notify("on_train_end", X=X, y=y)
        return self

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("data_parallel_", None)  # a distributed fit's DDP wrapper stays in its ranks
        if self.initialized_:  # a checkpoint: training resumed from it draws the same dropout
            state["random_state_at_pickling_"] = _torch_random_state()
        return state

    def _resume_random_state(self):
        """Continue torch's random stream where it was when this net was pickled, the first
        time an unpickled net trains on (partial_fit, warm start)."""
        saved = self.__dict__.pop("random_state_at_pickling_", None)
        if saved is None:
            return
        torch.set_rng_state(saved["cpu"])
        if saved["cuda"] and torch.cuda.is_available() and \
                len(saved["cuda"]) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(saved["cuda"])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.regression:
            tags.estimator_type, tags.regressor_tags = "regressor", RegressorTags()
            tags.target_tags.multi_output = True  # y may have several columns (one-hot...)
        else:
            tags.estimator_type, tags.classifier_tags = "classifier", ClassifierTags()
        return tags


def _reject_fitted_names(kwargs):
    """A keyword argument ending in '_' would pass for a fitted attribute and be ignored."""
    fitted = sorted(k for k in kwargs if k.endswith("_"))
    if fitted:
        raise ValueError(f"Unused kwarg: {', '.join(fitted)} (names ending in '_' are kept for "
                         "attributes that fit sets)")


@functools.cache
def _constructor_names():
    """NeuralNet's named constructor arguments (read once: a signature costs ~0.1 ms per fit)."""
    return frozenset(inspect.signature(NeuralNet.__init__).parameters)


def _seeded(iterator, seed):
    """`iterator` (NeuralNet's own copy) shuffling from `seed`, or as it was for None."""
    if seed is not None:
        iterator.seed, iterator.random = seed, np.random.RandomState(seed)
    return iterator


def _torch_random_state():
    """torch's generator states: the CPU one, and each GPU's once CUDA is in use."""
    cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else []
    return {"cpu": torch.get_rng_state(), "cuda": cuda}



