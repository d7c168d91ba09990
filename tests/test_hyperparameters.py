"""Bad settings fail before the first batch with an error naming the argument, what it must be
and what it got; the same estimator then fits once the setting is fixed (issue 18's fuzz
cases)."""
import re
import warnings

import numpy as np
import pytest
import torch

from sknet import BatchIterator, NeuralNet, TrainSplit, layers, nonlinearities, shared
from sknet.updates import adam

from .nets import MLP_LAYERS, classification_data, digits_data, mlp

X, y = classification_data(n=120)
NOT_A_LAYER = [("input", layers.InputLayer), ("hidden", dict), ("output", layers.DenseLayer)]

# name: (bad settings, exception, message with ... for any text, the settings that fix it)
LR, MOMENTUM = {"update_learning_rate": 0.1}, {"update_momentum": 0.9}
CASES = {
    "learning rate < 0": ({"update_learning_rate": -1}, ValueError,
                          "update_learning_rate must be a finite number >= 0, got -1", LR),
    "learning rate NaN": ({"update_learning_rate": np.nan}, ValueError,
                          "update_learning_rate must be a finite number >= 0 or "
                          "sknet.shared(...), got nan", LR),
    "learning rate inf": ({"update_learning_rate": np.inf}, ValueError,
                          "update_learning_rate must be ..., got inf", LR),
    "learning rate text": ({"update_learning_rate": "abc"}, TypeError,
                           "update_learning_rate must be a finite number >= 0 or "
                           "sknet.shared(...), got 'abc'", LR),
    "learning rate None": ({"update_learning_rate": None}, TypeError,
                           "update_learning_rate must be ..., got None", LR),
    "shared learning rate < 0": ({"update_learning_rate": shared(-0.5)}, ValueError,
                                 "update_learning_rate must be a finite number >= 0, got -0.5",
                                 {"update_learning_rate": shared(0.1)}),
    "momentum < 0": ({"update_momentum": -1}, ValueError,
                     "update_momentum must be a number in [0, 1), got -1", MOMENTUM),
    "momentum 1.5": ({"update_momentum": 1.5}, ValueError,
                     "update_momentum must be a number in [0, 1), got 1.5", MOMENTUM),
    "momentum text": ({"update_momentum": "x"}, TypeError,
                      "update_momentum must be a number in [0, 1) or sknet.shared(...), got 'x'",
                      MOMENTUM),
    "adam epsilon 0": ({"update": adam, "update_epsilon": 0}, ValueError,
                       "update_epsilon must be a finite number > 0, got 0",
                       {"update_epsilon": 1e-8}),
    "adam beta2 1": ({"update": adam, "update_beta2": 1.0}, ValueError,
                     "update_beta2 must be a number in [0, 1), got 1.0", {"update_beta2": 0.999}),
    "l2 < 0": ({"objective_l2": -1}, ValueError,
               "objective_l2 must be a finite number >= 0, got -1", {"objective_l2": 1e-4}),
    "l2 text": ({"objective_l2": "abc"}, TypeError,
                "objective_l2 must be a finite number >= 0, got 'abc'", {"objective_l2": 0}),
    "l1 NaN": ({"objective_l1": np.nan}, ValueError, "objective_l1 must be ..., got nan",
               {"objective_l1": 0}),
    "max_epochs text": ({"max_epochs": "abc"}, TypeError,
                        "max_epochs must be an integer >= 0, got 'abc'", {"max_epochs": 2}),
    "max_epochs 2.5": ({"max_epochs": 2.5}, TypeError,
                       "max_epochs must be an integer >= 0, got 2.5", {"max_epochs": 2}),
    "max_epochs None": ({"max_epochs": None}, TypeError,
                        "max_epochs must be an integer >= 0, got None", {"max_epochs": 2}),
    "max_epochs < 0": ({"max_epochs": -1}, ValueError,
                       "max_epochs must be an integer >= 0, got -1", {"max_epochs": 2}),
    "verbose text": ({"verbose": "abc"}, TypeError,
                     "verbose must be an integer >= 0 (...), got 'abc'", {"verbose": 0}),
    "verbose < 0": ({"verbose": -1}, ValueError, "verbose must be an integer >= 0 (...), got -1",
                    {"verbose": 0}),
    "iterator 128": ({"batch_iterator_train": 128}, TypeError,
                     "batch_iterator_train must be a BatchIterator (e.g. BatchIterator(128)), "
                     "got 128", {"batch_iterator_train": BatchIterator(32)}),
    "iterator class": ({"batch_iterator_test": BatchIterator}, TypeError,
                       "batch_iterator_test must be a BatchIterator ..., got the class "
                       "BatchIterator: pass an instance",
                       {"batch_iterator_test": BatchIterator(32)}),
    "split class": ({"train_split": TrainSplit}, TypeError,
                    "train_split must be a TrainSplit ..., got the class TrainSplit",
                    {"train_split": TrainSplit(0.2)}),
    "split number": ({"train_split": 0.2}, TypeError,
                     "train_split must be a TrainSplit ..., got 0.2", {"train_split": None}),
    "device bogus": ({"device": "bogus"}, ValueError,
                     "device must be a torch device such as 'cpu', 'cuda' or 'cuda:1', got "
                     "'bogus'", {"device": "cpu"}),
    "device missing": ({"device": "cuda:99"}, ValueError,
                       "device='cuda:99', but this machine has ... CUDA device(s)",
                       {"device": "cpu"}),
    "device None": ({"device": None}, TypeError,
                    "device must be a torch device such as 'cpu' or 'cuda', got None",
                    {"device": "cpu"}),
    "not a layer": ({"layers": NOT_A_LAYER}, TypeError,
                    "layers[1] must name a layer class (a subclass of sknet.layers.Layer), got "
                    "builtins.dict", {"layers": MLP_LAYERS}),
    "layer too large": ({"hidden_num_units": 10 ** 12}, MemoryError,
                        "layer 'hidden': its parameters do not fit in memory (...); check its "
                        "size (hidden_num_units=1000000000000)", {"hidden_num_units": 8}),
}


def _pattern(message):
    """The message as a regular expression in which ... stands for any text."""
    return ".*".join(re.escape(part) for part in message.split("..."))


@pytest.mark.parametrize("bad, exception, message, fix", CASES.values(), ids=CASES.keys())
def test_a_bad_setting_is_named_before_training_and_fixing_it_fits(bad, exception, message,
                                                                    fix):
    batches = []
    net = mlp(**{"max_epochs": 2, **bad,
                 "on_batch_finished": [lambda nn, history: batches.append(1)]})
    with pytest.raises(exception, match=_pattern(message)):
        net.fit(X, y)
    assert batches == []  # not one batch ran
    net.set_params(**fix)
    assert len(net.fit(X, y).train_history_) == 2 and batches


def test_a_torch_optimizer_class_has_its_hyper_parameters_checked_too():
    net = NeuralNet(MLP_LAYERS, update=torch.optim.SGD, update_lr=-0.1, update_momentum=0.5,
                    update_nesterov=True, hidden_num_units=8, max_epochs=2,
                    output_nonlinearity=nonlinearities.softmax)
    with pytest.raises(ValueError, match=r"update_lr must be a finite number >= 0, got -0\.1"):
        net.fit(X, y)
    assert len(net.set_params(update_lr=0.1).fit(X, y).train_history_) == 2


def test_a_zero_learning_rate_fits_but_says_the_weights_will_not_change():
    net = mlp(max_epochs=1, update_learning_rate=0)
    with pytest.warns(UserWarning, match="update_learning_rate=0: fit will not change"):
        net.fit(X, y)
    before = net.get_all_params_values()
    net.partial_fit(X, y)
    after = net.get_all_params_values()
    assert all(np.array_equal(a, b) for name in before for a, b in zip(before[name], after[name]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an annealed shared rate may start at 0 quietly
        mlp(max_epochs=1, update_learning_rate=shared(0.0)).fit(X, y)


@pytest.mark.parametrize("method, epochs, exception", [
    ("fit", -1, ValueError), ("fit", 2.5, TypeError), ("partial_fit", -3, ValueError),
    ("partial_fit", "2", TypeError)])
def test_fit_epochs_must_be_a_whole_number(method, epochs, exception):
    net = mlp(max_epochs=2)
    with pytest.raises(exception, match=f"epochs must be an integer >= 0, got {epochs!r}"):
        getattr(net, method)(X, y, epochs=epochs)
    assert len(getattr(net, method)(X, y, epochs=2).train_history_) == 2


@pytest.mark.parametrize("initialized", [False, True])
@pytest.mark.parametrize("bad, hint", [({"bogus": 1}, ""),
                                       ({"hiden_num_units": 3},
                                        " (did you mean hidden_num_units")])
def test_set_params_refuses_unknown_names_and_changes_nothing(bad, hint, initialized):
    net = mlp(max_epochs=2)
    if initialized:
        net.fit(X, y)
    before = net.get_params()
    with pytest.raises(ValueError, match=re.escape(
            f"Invalid parameter(s) {next(iter(bad))}{hint}")):
        net.set_params(update_learning_rate=0.05, **bad)
    after = net.get_params()
    assert after.keys() == before.keys() and after["update_learning_rate"] == 0.1
    assert len(net.fit(X, y).train_history_) == 2


def test_set_params_takes_parameters_of_new_layers():
    net = mlp(max_epochs=2, hidden_num_units=8).fit(X, y)
    net.set_params(hidden_num_units=5)  # as GridSearchCV sweeps it
    deeper = [MLP_LAYERS[0], MLP_LAYERS[1], ("hidden2", layers.DenseLayer), MLP_LAYERS[2]]
    net.set_params(layers=deeper, hidden2_num_units=4)
    assert net.fit(X, y).layers_["hidden2"].output_shape == (None, 4)
    assert net.layers_["hidden"].output_shape == (None, 5)


def test_float64_values_beyond_float32_are_refused_after_the_cast():
    big = X.astype(np.float64)
    big[:3, 0] = 1e300  # finite in float64, infinite once cast to float32
    net = mlp(max_epochs=2)
    with pytest.raises(ValueError, match=r"X holds 3 value\(s\) too large for float32"):
        net.fit(big, y)
    assert len(net.fit(X.astype(np.float64), y).train_history_) == 2


def _loss_warnings(net, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net.fit(X, y)
    return [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)
            and "learning rate" in str(w.message)]


def test_a_classifier_stuck_far_above_chance_loss_is_warned_about_once():
    X_digits, y_digits = digits_data()
    X_digits, y_digits = X_digits[:600], y_digits[:600]
    kwargs = dict(features=64, classes=10, max_epochs=8,
                  output_nonlinearity=nonlinearities.softmax)
    net = mlp(update_learning_rate=1e6, **kwargs)
    messages = _loss_warnings(net, X_digits, y_digits)
    losses = [h["train_loss"] for h in net.train_history_]
    assert min(losses[:3]) > 10 * np.log(10)  # the rule's condition, computed here
    assert len(messages) == 1 and "after 3 epoch(s), far above 2.3, the loss of guessing " \
        "among 10 classes: the learning rate (update_learning_rate=1e+06) is likely too high" \
        in messages[0]
    assert _loss_warnings(mlp(update_learning_rate=0.1, **kwargs), X_digits, y_digits) == []
