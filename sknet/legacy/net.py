"""nolearn.lasagne.NeuralNet as old scripts call it: sknet's NeuralNet plus the arguments and
methods nolearn 0.5-0.6 had before renaming them."""
from .. import net
from ..batching import TrainSplit
from .renames import warn_renamed


def _translate_old_arguments(kwargs):
    """Rewrite nolearn's old constructor arguments (in place) as today's."""
    if "eval_size" in kwargs:
        if "train_split" in kwargs:
            raise TypeError("NeuralNet: got both eval_size (its old name) and train_split")
        warn_renamed("NeuralNet(eval_size=...)", "NeuralNet(train_split=TrainSplit(eval_size))")
        kwargs["train_split"] = TrainSplit(eval_size=kwargs.pop("eval_size"))
    if "batch_iterator" in kwargs:
        warn_renamed("NeuralNet(batch_iterator=...)",
                     "NeuralNet(batch_iterator_train=..., batch_iterator_test=...)")
        iterator = kwargs.pop("batch_iterator")
        kwargs.setdefault("batch_iterator_train", iterator)
        kwargs.setdefault("batch_iterator_test", iterator)
    if "custom_score" in kwargs:
        warn_renamed("NeuralNet(custom_score=...)", "NeuralNet(custom_scores=[...])")
        kwargs["custom_scores"] = list(kwargs.get("custom_scores") or [])
        kwargs["custom_scores"].append(kwargs.pop("custom_score"))
    if "loss" in kwargs:
        warn_renamed("NeuralNet(loss=...)", "NeuralNet(objective_loss_function=...)")
        kwargs["objective_loss_function"] = kwargs.pop("loss")
    if "X_tensor_type" in kwargs:
        warn_renamed("NeuralNet(X_tensor_type=...)", "nothing (sknet reads X's type)")
        kwargs.pop("X_tensor_type")
    return kwargs


class NeuralNet(net.NeuralNet):
    """nolearn's NeuralNet under the legacy shim: `sknet.NeuralNet` that also takes
    eval_size, batch_iterator, custom_score, loss and X_tensor_type, has
    load_weights_from / save_weights_to, loads mismatched parameter files leniently, and,
    as nolearn did, trains on from the current weights when fit is called again."""

    def __init__(self, layers, **kwargs):
        super().__init__(layers, **_translate_old_arguments(kwargs))

    @property
    def batch_iterator(self):
        """nolearn 0.5's single iterator: reads as `batch_iterator_train`."""
        warn_renamed("NeuralNet.batch_iterator",
                     "NeuralNet.batch_iterator_train / batch_iterator_test")
        return self.batch_iterator_train

    @batch_iterator.setter
    def batch_iterator(self, iterator):
        warn_renamed("NeuralNet.batch_iterator",
                     "NeuralNet.batch_iterator_train / batch_iterator_test")
        self.batch_iterator_train = self.batch_iterator_test = iterator

    def fit(self, X, y, epochs=None):
        """nolearn's rule: a net that is already initialized (fitted, or given
        `initialize()`) trains on from its current weights; the first fit builds it."""
        if self.initialized_:
            self.continue_from_current_weights_ = True
        return super().fit(X, y, epochs)

    def load_params_from(self, source, skip_mismatched=True):
        """`sknet.NeuralNet.load_params_from` with nolearn's lenient default: parameters whose
        shapes differ are skipped (and reported when verbose), as old scripts expect."""
        return super().load_params_from(source, skip_mismatched)

    def load_weights_from(self, source):
        """Old name of `load_params_from` (also takes a list of arrays)."""
        warn_renamed("NeuralNet.load_weights_from", "NeuralNet.load_params_from")
        return self.load_params_from(source)

    def save_weights_to(self, path):
        """Old name of `save_params_to`."""
        warn_renamed("NeuralNet.save_weights_to", "NeuralNet.save_params_to")
        return self.save_params_to(path)
