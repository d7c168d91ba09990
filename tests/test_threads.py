"""A fitted net predicts from several threads at once: each call batches its own X."""
import threading

import numpy as np
import pytest
import torch

from sknet import BatchIterator

from .nets import classification_data, mlp


def _entry_points(net):
    """The prediction methods, each as ``f(X, y)``."""
    return {"predict_proba": lambda X, y: net.predict_proba(X),
            "predict": lambda X, y: net.predict(X),
            "score": lambda X, y: net.score(X, y),
            "get_output": lambda X, y: net.get_output("hidden", X)}


@pytest.fixture
def one_torch_thread():
    """Eight Python threads each running torch's own thread pool would oversubscribe the CPU."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_eight_threads_predicting_at_once_get_the_sequential_results(one_torch_thread):
    X, y = classification_data(n=300)
    net = mlp(max_epochs=2, batch_iterator_test=BatchIterator(16)).fit(X, y)
    methods = _entry_points(net)
    # different lengths, so that a batch of one thread's X cannot pass for another's
    data = [(X[10 * t:30 + 15 * t], y[10 * t:30 + 15 * t]) for t in range(8)]
    expected = [{name: f(*data[t]) for name, f in methods.items()} for t in range(8)]
    mismatches, errors = [], []
    start = threading.Barrier(8)

    def work(t):
        try:
            start.wait()
            for call in range(200):
                name = list(methods)[call % 4]
                if not np.array_equal(methods[name](*data[t]), expected[t][name]):
                    mismatches.append((t, call, name))
        except Exception as error:  # reported below: a thread's exception is otherwise lost
            errors.append(error)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and mismatches == []
