"""What the small-fit shortcuts must leave unchanged: the history's batch rows (written without
skorch's indexing) and the layer signatures (read once per class)."""
import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sknet import BatchIterator, NeuralNet, TrainSplit, layers, nonlinearities
from tests.nets import classification_data, mlp


class CountBatches(Callback):
    def initialize(self):
        self.seen = []
        return self

    def on_batch_end(self, net, training=False, **kwargs):
        self.seen.append((training, len(net.history[-1]["batches"])))


@pytest.mark.parametrize("listener", [None, CountBatches()], ids=["quiet", "listened"])
def test_history_rows_list_each_batch_size_of_each_epoch(listener):
    """Batch rows are the same whether the loop notifies batch events (a callback listens)
    or keeps the rows itself (nothing listens)."""
    X, y = classification_data(n=100)  # TrainSplit(0.2): 80 rows train, 20 validate
    net = mlp(max_epochs=2, batch_iterator_train=BatchIterator(32),
              batch_iterator_test=BatchIterator(15), train_split=TrainSplit(0.2),
              callbacks=[] if listener is None else [("count", listener)]).fit(X, y)
    if listener is not None:  # each batch's row is open when its on_batch_end runs
        assert listener.seen == 2 * [(True, 1), (True, 2), (True, 3), (False, 4), (False, 5)]
    assert len(net.history) == 2
    for epoch in (0, 1):
        assert net.history[epoch, "batches", :, "train_batch_size"] == [32, 32, 16]
        assert net.history[epoch, "batches", :, "valid_batch_size"] == [15, 5]
        assert net.history[epoch, "train_batch_count"] == 3
        assert net.history[epoch, "valid_batch_count"] == 2
    assert net.history[:, "epoch"] == [1, 2]


def test_rows_copied_once_train_as_batches_copied_one_by_one():
    """A small split is gathered once before training (`sknet.data.COPIED_ONCE`); a transform
    that returns its batch unchanged forces the per-batch path: the weights must agree."""
    class Identity(BatchIterator):
        def transform(self, Xb, yb):
            return Xb, yb

    X, y = classification_data(n=200)
    once, per_batch = (mlp(max_epochs=3, random_state=0, batch_iterator_train=iterator(32),
                           batch_iterator_test=iterator(32)).fit(X, y)
                       for iterator in (BatchIterator, Identity))
    assert len(once.train_history_) == len(per_batch.train_history_) == 3
    for a, b in zip(once.get_all_params_values().values(),
                    per_batch.get_all_params_values().values()):
        for w_once, w_per_batch in zip(a, b):
            np.testing.assert_array_equal(w_once, w_per_batch)
    assert [row["valid_loss"] for row in once.train_history_] == \
        [row["valid_loss"] for row in per_batch.train_history_]


class Scaled(layers.DenseLayer):
    def __init__(self, incoming, num_units, name=None):
        super().__init__(incoming, num_units, name=name)


def test_a_layer_class_whose_constructor_is_replaced_is_read_again():
    X, y = classification_data(n=40)
    net = NeuralNet(layers=[("input", layers.InputLayer), ("hidden", Scaled),
                            ("output", layers.DenseLayer)],
                    hidden_num_units=8, hidden_gain=2.0, update_learning_rate=0.01,
                    output_nonlinearity=nonlinearities.softmax,
                    max_epochs=1, train_split=TrainSplit(0))
    with pytest.raises(ValueError, match="Unused kwarg: hidden_gain"):
        net.fit(X, y)
    original = Scaled.__init__

    def with_gain(self, incoming, num_units, gain=1.0, name=None):
        original(self, incoming, num_units, name=name)
        self.gain = gain

    Scaled.__init__ = with_gain
    try:
        assert net.fit(X, y).layers_["hidden"].gain == 2.0
    finally:
        Scaled.__init__ = original


def test_a_subclass_on_grad_computed_sees_each_training_batch_gradients():
    """sknet's update rules step without skorch's closure; the gradient hook still runs."""
    seen = []

    class Net(NeuralNet):
        def on_grad_computed(self, net, named_parameters, **kwargs):
            seen.append({name: float(p.grad.abs().sum()) for name, p in named_parameters})

    X, y = classification_data(n=100)  # TrainSplit(0.2): 80 rows, 3 batches of <= 32
    Net(**mlp(max_epochs=2, batch_iterator_train=BatchIterator(32)).get_params(deep=False)) \
        .fit(X, y)
    assert len(seen) == 6
    assert all(sorted(norms) == ["hidden.W", "hidden.b", "output.W", "output.b"]
               and all(value > 0 for value in norms.values()) for norms in seen)


def test_an_optimizer_that_calls_the_closure_gets_one():
    """torch's LBFGS evaluates the loss itself, several times a step: skorch's closure."""
    X, y = classification_data(n=100)
    params = dict(mlp().get_params(deep=False), max_epochs=3, update=torch.optim.LBFGS,
                  update_lr=0.5, update_max_iter=4, train_split=TrainSplit(0))
    del params["update_learning_rate"]  # torch's name for it is lr
    net = NeuralNet(**params).fit(X, y)
    losses = [row["train_loss"] for row in net.train_history_]
    assert losses[-1] < 0.8 * losses[0]
