"""The device-resident fast path computes exactly what the per-batch host path computes."""
import gc
import weakref

import numpy as np
import pytest
import torch

from sknet import BatchIterator
from tests.nets import classification_data, mlp


class IdentityTransform(BatchIterator):
    """Overrides transform, which sends training through the host path."""

    def transform(self, Xb, yb):
        return super().transform(Xb, yb)


def _fit(iterator_class, X, y, shuffle):
    np.random.seed(0)
    torch.manual_seed(0)
    net = mlp(batch_iterator_train=iterator_class(32, shuffle=shuffle),
              batch_iterator_test=iterator_class(50), max_epochs=3)
    return net.fit(X, y)


@pytest.mark.parametrize("shuffle", [False, True])
def test_fast_and_host_paths_give_the_same_losses_and_predictions(shuffle):
    X, y = classification_data()
    fast = _fit(BatchIterator, X, y, shuffle)
    host = _fit(IdentityTransform, X, y, shuffle)
    for key in ("train_loss", "valid_loss", "valid_accuracy"):
        np.testing.assert_allclose([h[key] for h in fast.train_history_],
                                   [h[key] for h in host.train_history_], rtol=1e-6)
    np.testing.assert_allclose(fast.predict_proba(X), host.predict_proba(X), rtol=1e-6)


def test_only_plain_iterators_get_device_resident_data():
    X, y = classification_data()
    net = mlp().initialize()
    X_fast, y_fast = net._device_resident(BatchIterator(32), X, y)
    assert isinstance(X_fast, torch.Tensor) and str(X_fast.device) == net.device
    X_host, y_host = net._device_resident(IdentityTransform(32), X, y)
    assert X_host is X and y_host is y


def test_predictions_do_not_depend_on_the_test_batch_size():
    X, y = classification_data()
    net = mlp(max_epochs=2).fit(X, y)
    small = net.predict_proba(X)
    net.batch_iterator_test_ = BatchIterator(1000)
    # equal up to float32 rounding, which depends on the BLAS blocking of the batch
    np.testing.assert_allclose(net.predict_proba(X), small, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(net.get_output("hidden", X)[:5],
                               net.get_output("hidden", X[:5]), rtol=1e-5, atol=1e-6)


def test_bf16_mixed_precision_trains_and_keeps_float32_parameters_and_outputs():
    X, y = classification_data()
    net = mlp(mixed_precision="bf16", max_epochs=15).fit(X, y)
    assert all(p.dtype == torch.float32 for p in net.get_all_params())
    probabilities = net.predict_proba(X)
    assert probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(1), 1, rtol=1e-5)
    assert net.score(X, y) > 0.7
    with pytest.raises(ValueError,
                       match="mixed_precision must be None, 'bf16' or 'fp16', got 'fp8'"):
        mlp(mixed_precision="fp8").initialize()


def test_compiled_network_computes_what_the_plain_one_does():
    X, y = classification_data()

    def fitted(**kwargs):
        np.random.seed(0)
        return mlp(max_epochs=2, **kwargs).fit(X, y)

    plain = fitted()
    compiled = fitted(compile=True, compile__backend="aot_eager")
    assert type(compiled.module_).__name__ == "OptimizedModule"
    np.testing.assert_allclose([h["train_loss"] for h in compiled.train_history_],
                               [h["train_loss"] for h in plain.train_history_], rtol=1e-5)
    np.testing.assert_allclose(compiled.predict_proba(X), plain.predict_proba(X), rtol=1e-5,
                               atol=1e-6)


def test_data_that_does_not_fit_on_the_device_streams_with_the_same_results(monkeypatch):
    X, y = classification_data()
    fast = _fit(BatchIterator, X, y, shuffle=True)
    monkeypatch.setattr(type(fast), "_fits_on_device", lambda self, arrays: False)
    streamed = _fit(BatchIterator, X, y, shuffle=True)
    np.testing.assert_allclose([h["train_loss"] for h in streamed.train_history_],
                               [h["train_loss"] for h in fast.train_history_], rtol=1e-6)
    np.testing.assert_allclose(streamed.predict_proba(X), fast.predict_proba(X), rtol=1e-6)


def test_one_batch_predict_path_returns_what_the_general_path_returns(monkeypatch):
    X, y = classification_data()
    net = mlp(max_epochs=2).fit(X, y)
    rows = [X[:1], X[:7], np.asfortranarray(X[:5]), X[:3].copy()]
    rows[3].flags.writeable = False
    fast = [net.predict_proba(r) for r in rows] + [net.predict(X[:4])]
    assert net._one_batch(X[:1]) is not None  # the fast path served these calls
    assert len(net.batch_iterator_test_) == 1  # bound to the last data, as the iterator does
    monkeypatch.setattr(type(net), "_one_batch", lambda self, X: None)
    general = [net.predict_proba(r) for r in rows] + [net.predict(X[:4])]
    for got, expected in zip(fast, general):
        np.testing.assert_array_equal(got, expected)


def test_one_batch_predict_path_keeps_the_input_checks():
    X, y = classification_data()
    net = mlp(max_epochs=1).fit(X, y)
    bad = X[:2].copy()
    bad[1, 0] = np.nan
    with pytest.raises(ValueError, match="X holds 1 NaN or infinite value"):
        net.predict_proba(bad)
    with pytest.raises(ValueError, match="features"):
        net.predict_proba(X[:2, :-1])
    with pytest.raises(ValueError, match="shape"):
        net.predict_proba(X[0])
    assert net._one_batch(X[:0]) is None  # empty X: check_X names it
    assert net._one_batch(X[:2].astype(np.float64)) is None  # converted by check_X


def test_one_batch_predict_path_tells_large_finite_values_from_infinite_ones():
    X, y = classification_data()
    net = mlp(max_epochs=1).fit(X, y)
    large = X[:3] * np.float32(1e20)  # finite, but the sum of their squares overflows float32
    assert net._one_batch(large) is None  # left to the general path, which accepts it
    np.testing.assert_array_equal(net.predict_proba(large),
                                  net.predict_proba(large.astype(np.float64)))
    for bad in (np.inf, -np.inf):
        rows = X[:3].copy()
        rows[2, 1] = bad
        with pytest.raises(ValueError, match="X holds 1 NaN or infinite value"):
            net.predict_proba(rows)


@pytest.mark.parametrize("rows", [1, 40])  # the one-batch path, and the batched path
def test_predict_keeps_no_reference_to_X(rows):
    X, y = classification_data()
    net = mlp(max_epochs=1, batch_iterator_test=BatchIterator(32)).fit(X, y)
    served = X[:rows].copy()
    alive = weakref.ref(served)
    net.predict_proba(served)
    del served
    gc.collect()
    assert alive() is None
    assert len(net.batch_iterator_test_) == -(-rows // 32)  # nolearn's len() of the last data
