"""Prediction: NeuralNet's predict_proba, predict, score and get_output.

Serving calls are small (a few rows at a time), so a call whose X is plain float32 rows that fit
in one test batch skips the batch iterator and the conversions (`Prediction._one_batch`); any
other X goes through the test batch iterator, batch by batch.
"""
import numpy as np
import torch
from skorch.dataset import Dataset
from skorch.utils import to_numpy
from sklearn.metrics import accuracy_score, r2_score

from .batching import slices_only
from .callbacks import cached_predictions
from .data import RowCount, batches, release
from .layers import get_output
from .nonlinearities import identity
from .targets import probability_columns
from .validation import check_device, surely_finite

_FLOAT32 = np.dtype(np.float32)  # native float32: a host batch as the module takes it


class Prediction:
    """NeuralNet's prediction methods (a mixin: the network is `module_`, the test batches come
    from `batch_iterator_test_`, batches reach the device through `sknet.loop`)."""

    def get_iterator(self, dataset, training=False):
        iterator = self.batch_iterator_train_ if training else self.batch_iterator_test_
        if isinstance(dataset, Dataset):
            return iterator(dataset.X, dataset.y)
        return iterator(*dataset)

    def _get_predict_nonlinearity(self):
        self.check_is_fitted()
        return self._output_nonlinearity()

    def _output_nonlinearity(self):
        """What predict applies to the module's output: the output layer's nonlinearity when
        the module returns logits (read from the module: `layers_` is rebuilt per access)."""
        module = self.module_
        return module.output_layers.nonlinearity if module.logits else identity

    def predict_proba(self, X):
        """The network output for X (class probabilities for a softmax classifier), computed
        in test batches and gathered on the device."""
        if self.__dict__.get("module_") is None:
            check_device(self.device)  # the error to fix first
            self.check_is_fitted()
        cached = cached_predictions(self)  # a skorch scoring callback's, while training
        if cached is not None:
            return cached if self.regression else probability_columns(cached)
        output = self._one_batch(X)
        if output is None:
            output = self._batched(X)
        if isinstance(output, list):  # several output layers: one array each
            return [_host(o) for o in output]
        proba = _host(output)
        return proba if self.regression else probability_columns(proba)

    def _one_batch(self, X):
        """The output for X computed in one go when X is the common small call: a C-ordered,
        finite, native float32 ndarray of the InputLayer's shape with at most one test batch of
        rows, and a test iterator that only slices in order. Such X needs none of check_X's
        conversions and its one batch is X itself. None for any other X (the general path)."""
        module, iterator = self.module_, self.batch_iterator_test_
        inputs = module.input_layers
        if (type(X) is not np.ndarray or X.dtype is not _FLOAT32 or len(inputs) != 1
                or not 0 < len(X) <= iterator.batch_size or iterator.shuffle
                or not slices_only(iterator)
                or "feature_names_in_" in self.__dict__):  # check_feature_names warns
            return None
        expected = inputs[0].shape
        if X.ndim != len(expected) or X.shape[1:] != expected[1:] and any(
                want is not None and want != have
                for want, have in zip(expected[1:], X.shape[1:])):
            return None
        if self.check_input and not surely_finite(X):  # the general path names what is not
            return None
        if self.device == "cpu" and X.flags.c_contiguous and X.flags.writeable:
            batch = torch.from_numpy(X)  # shares X's memory
        else:
            batch = self._to_device(X)
        iterator.__dict__.update(X=RowCount(len(X)), y=None)  # as `release` leaves it
        if module.training:
            module.train(False)
        with torch.inference_mode():
            output = self._forward(batch) if self.mixed_precision else module(batch)
            return self._output_nonlinearity()(output)

    def _batched(self, X):
        """The output for X computed batch by batch (a list per output layer for several)."""
        iterator = self.batch_iterator_test_
        (X,) = self._device_resident(iterator, self._prepare_X(X))
        self._set_training(False)
        nonlinearity = self._output_nonlinearity()
        with torch.inference_mode():
            outputs = [nonlinearity(self._forward(self._to_device(Xb)))
                       for Xb, _ in batches(iterator(X))]
        release(iterator)
        if isinstance(outputs[0], list):
            return [_joined(per_layer) for per_layer in zip(*outputs)]
        return _joined(outputs)

    def predict(self, X):
        """Class labels (`classes_` at the argmax of `predict_proba`; the class ids of a net
        without `classes_`, e.g. one only given parameters), or the outputs for regression."""
        output = self.predict_proba(X)
        if self.regression or isinstance(output, list):
            return output
        ids = output.argmax(axis=1)
        classes = self.__dict__.get("classes_")
        return ids if classes is None else classes[ids]

    def score(self, X, y, sample_weight=None):
        """Accuracy for a classifier, R² for a regressor."""
        if self.regression:
            y = np.asarray(y, dtype=np.float32)
            prediction = self.predict(X)
            return float(r2_score(y.reshape(prediction.shape), prediction,
                                  sample_weight=sample_weight))
        return float(accuracy_score(y, self.predict(X), sample_weight=sample_weight))

    def get_output(self, layer, X):
        """The output of `layer` (a layer or its name) for X, computed in test batches,
        deterministically."""
        self.check_is_fitted()
        layer = self.layers_[layer] if isinstance(layer, (str, int)) else layer
        (X,) = self._device_resident(self.batch_iterator_test_, self._prepare_X(X))
        outputs = []
        with torch.inference_mode():
            for Xb, _ in batches(self.batch_iterator_test_(X)):
                inputs = self._bind_inputs(self._to_device(Xb))
                outputs.append(get_output(layer, inputs, deterministic=True).cpu())
        return to_numpy(_joined(outputs))


def _host(tensor):
    """A tensor's values as a NumPy array (no copy for a CPU tensor)."""
    return (tensor if tensor.is_cpu else tensor.cpu()).numpy()


def _joined(outputs):
    """The batches' outputs as one tensor (a single batch as it is, without a copy)."""
    return outputs[0] if len(outputs) == 1 else torch.cat(outputs)
