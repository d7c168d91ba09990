"""What real nolearn ports needed beyond nolearn's own tests: names a later nolearn (or the
script itself) had, unknown names failing clearly, nolearn's fit-twice rule under the shim
and a warning without it, and a 2016 tournament script run unchanged."""
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

from sknet import NeuralNet as ModernNeuralNet
from sknet import layers, legacy, nonlinearities, visualize

from ..nets import classification_data
from .test_scripts import SCRIPTS


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """These nets are tiny: on a busy machine a second torch thread only waits."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def instance_net(net_class, **kwargs):
    output = layers.DenseLayer(layers.InputLayer((None, 10)), 3,
                               nonlinearity=nonlinearities.softmax)
    params = dict(update_learning_rate=0.1, max_epochs=2)
    params.update(kwargs)
    return net_class(output, **params)


def test_unknown_names_fail_on_import_with_legacy_feature_error_and_probe_as_absent(shim):
    import lasagne.layers
    import nolearn.lasagne
    with pytest.raises(legacy.LegacyFeatureError,
                       match=r"cannot import name 'PrintLogToFile' from "
                             r"'nolearn\.lasagne\.handlers'.*porting\.md"):
        from nolearn.lasagne.handlers import PrintLogToFile  # noqa: F401
    with pytest.raises(legacy.LegacyFeatureError, match="'NoSuchLayer' from 'lasagne.layers'"):
        from lasagne.layers import DenseLayer, NoSuchLayer  # noqa: F401
    with pytest.raises(ImportError):  # the usual fallback still catches it
        from lasagne.nonlinearities import no_such_function  # noqa: F401
    assert not hasattr(lasagne.layers, "NoSuchLayer")
    assert getattr(nolearn.lasagne, "no_such_name", "default") == "default"
    with pytest.raises(AttributeError, match="no attribute 'NoSuchLayer'.*porting.md"):
        lasagne.layers.NoSuchLayer


def test_later_handlers_import_from_nolearn(shim):
    from nolearn.lasagne import EarlyStopping as from_package
    from nolearn.lasagne.handlers import (AdjustVariable, EarlyStopping, PrintLayerInfo,
                                          PrintLog, RememberBestWeights, RestoreBestWeights,
                                          SaveWeights, WeightLog)
    import sknet.handlers
    assert from_package is EarlyStopping is sknet.handlers.EarlyStopping
    assert AdjustVariable is sknet.handlers.AdjustVariable
    assert (PrintLayerInfo, PrintLog, RememberBestWeights, RestoreBestWeights, SaveWeights,
            WeightLog) == (sknet.handlers.PrintLayerInfo, sknet.handlers.PrintLog,
                           sknet.handlers.RememberBestWeights, sknet.handlers.RestoreBestWeights,
                           sknet.handlers.SaveWeights, sknet.handlers.WeightLog)


def test_batch_iterator_reads_and_sets_both_iterators(shim):
    from nolearn.lasagne import BatchIterator, NeuralNet
    net = instance_net(NeuralNet, batch_iterator=BatchIterator(16))
    assert net.batch_iterator is net.batch_iterator_train is net.batch_iterator_test
    assert net.batch_iterator.batch_size == 16
    net.batch_iterator = BatchIterator(8)
    X, y = classification_data(n=40)
    net.fit(X, y)
    assert net.batch_iterator_train_.batch_size == net.batch_iterator_test_.batch_size == 8


def test_fit_twice_continues_under_the_shim(shim):
    from nolearn.lasagne import NeuralNet
    X, y = classification_data(n=120)
    net = instance_net(NeuralNet, max_epochs=3)
    net.fit(X, y)
    after_first = net.get_all_params_values()
    net.fit(X, y)
    history = net.train_history_
    assert [h["epoch"] for h in history] == [1, 2, 3, 4, 5, 6]  # counted on, as in nolearn
    assert history[3]["train_loss"] < history[0]["train_loss"]
    # the second fit started where the first stopped: one more epoch from the first's weights
    # (same data, same order, no shuffling) gives the second's first epoch
    twin = instance_net(NeuralNet, max_epochs=1).initialize()
    twin.load_params_from(after_first)
    twin.fit(X, y)
    assert twin.train_history_[0]["train_loss"] == pytest.approx(history[3]["train_loss"],
                                                                 rel=1e-5)


def test_initialize_then_fit_trains_the_initialized_layers_under_the_shim(shim):
    from lasagne.layers import DenseLayer, InputLayer
    from nolearn.lasagne import NeuralNet
    net = NeuralNet(layers=[("input", InputLayer), ("output", DenseLayer)],
                    input_shape=(None, 10), output_num_units=3,
                    output_nonlinearity=nonlinearities.softmax, update_learning_rate=0.1,
                    max_epochs=1).initialize()
    output, before = net.layers_["output"], net.layers_["output"].W.get_value()
    net.fit(*classification_data(n=60))
    assert net.layers_["output"] is output  # built once, by initialize(), as in nolearn
    assert not np.allclose(output.W.get_value(), before)
    assert len(net.train_history_) == 1


def test_second_fit_without_the_shim_warns_once_when_set_up_the_nolearn_way():
    X, y = classification_data(n=60)
    handler_net = instance_net(ModernNeuralNet, on_epoch_finished=[lambda net, history: None])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        handler_net.fit(X, y)
        handler_net.fit(X, y)
        handler_net.fit(X, y)
    messages = [str(w.message) for w in caught if w.category is UserWarning]
    assert len(messages) == 1
    assert "discards the 2 epochs" in messages[0] and "python -m sknet.legacy" in messages[0]
    assert caught[-1].filename == __file__
    assert len(handler_net.train_history_) == 2  # scikit-learn's rule: started again
    plain = instance_net(ModernNeuralNet)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain.fit(X, y)
        plain.fit(X, y)  # a plain scikit-learn style net: no warning


def test_several_output_layers_without_the_shim():
    trunk = layers.DenseLayer(layers.InputLayer((None, 10)), 4)
    heads = [layers.DenseLayer(trunk, 3, name="output_a", nonlinearity=None),
             layers.DenseLayer(trunk, 1, name="output_b", nonlinearity=None)]

    def objective(layers_, target, **kwargs):  # each head regresses its own columns of y
        out_a, out_b = layers.get_output([layers_["output_a"], layers_["output_b"]])
        return ((out_a - target[:, :3]) ** 2).mean() + ((out_b - target[:, 3:]) ** 2).mean()

    X, _ = classification_data(n=80)
    y = np.column_stack([X[:, :3], X[:, 3:].mean(axis=1)]).astype(np.float32)
    net = ModernNeuralNet(heads, regression=True, objective=objective,
                          update_learning_rate=0.01, max_epochs=5).fit(X, y)
    a, b = net.predict(X)
    assert a.shape == (80, 3) and b.shape == (80, 1)
    # the prediction of each head is its layer's output
    np.testing.assert_allclose(b, net.get_output("output_b", X), rtol=1e-6)
    assert net.train_history_[-1]["train_loss"] < net.train_history_[0]["train_loss"]


def test_more_params_may_hold_names_of_layers_the_net_lacks():
    net = instance_net(ModernNeuralNet, more_params={"hidden9_num_units": 5}).initialize()
    assert list(net.layers_) == ["input0", "dense1"]
    with pytest.raises(ValueError, match="Unused kwarg: hidden9_num_units"):
        instance_net(ModernNeuralNet, hidden9_num_units=5).initialize()


def test_draw_to_notebook_without_ipython_names_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "IPython", None)
    net = instance_net(ModernNeuralNet).initialize()
    with pytest.raises(ImportError, match="pip install ipython.*draw_to_file"):
        visualize.draw_to_notebook(net)


def test_draw_to_file_verbose_adds_sizes_and_nonlinearity(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    net = instance_net(ModernNeuralNet).initialize()
    figure = visualize.draw_to_file(net, tmp_path / "net.png", verbose=True)
    dense = [t.get_text() for t in figure.axes[0].texts if t.get_text().startswith("dense1")]
    assert dense == ["dense1\nDenseLayer\nnum_units: 3\nnonlinearity: softmax\n(None, 3)"]
    matplotlib.pyplot.close(figure)


def test_a_2016_tournament_script_runs_unchanged(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sknet.legacy", str(SCRIPTS / "numerai_2016.py"), str(tmp_path)],
        capture_output=True, text=True, timeout=300, env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert result.returncode == 0, result.stderr[-3000:]
    out, err = result.stdout.splitlines(), result.stderr
    assert out[0] == "no PrintLogToFile: LegacyFeatureError"
    assert out[1] == "batch size: 64"
    rounds = [line for line in out if line.startswith("round ")]
    assert [line.split(",")[0] for line in rounds] == [
        f"round {i}: epochs {i}" for i in range(1, 6)]
    losses = [float(line.rsplit(" ", 1)[1]) for line in rounds]
    assert losses[-1] < 0.9 * losses[0]  # each round trained on from the last
    stop = next(line for line in out if line.startswith("stopped after"))
    epochs, best = (int(word) for word in stop.split() if word.isdigit())
    assert epochs == best + 4 < 200  # patience 3: stopped at the 4th epoch without a gain
    assert "Early stopping." in out and any(l.startswith("Best valid accuracy was") for l in out)
    assert "clone shares layers: False" in out and "clone trained its own copy: True" in out
    assert (tmp_path / "model.png").stat().st_size > 1000
    for old in ("NeuralNet(batch_iterator=...)", "NeuralNet.batch_iterator",
                "NeuralNet(eval_size=...)"):
        assert err.count(f"LegacyNameWarning: {old} is an old name") == 1, old
