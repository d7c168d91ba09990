"""The legacy shim in this process: old imports resolve to sknet, old names warn once with
their modern spelling, and what sknet does not emulate fails early with a pointer to the
porting guide."""
import sys

import numpy as np
import pytest
import torch
from sklearn.base import clone

import sknet
from sknet import legacy

from .. import reference


def test_old_imports_resolve_to_sknet(shim):
    import lasagne
    import theano
    import theano.tensor as T
    from lasagne import init, layers, nonlinearities, objectives, regularization, updates
    from lasagne.layers import corrmm, cuda_convnet, dnn
    from nolearn.lasagne import (BatchIterator, NeuralNet, PrintLayerInfo, TrainSplit,
                                 objective)

    assert layers.DenseLayer is sknet.layers.DenseLayer
    assert issubclass(layers.Conv2DLayer, sknet.layers.Conv2DLayer)
    # Lasagne's rules build update dicts on expressions, and make sknet's torch optimizer
    # when NeuralNet calls them
    assert isinstance(updates.nesterov_momentum, sknet.updates.Update)
    assert updates.nesterov_momentum.defaults == sknet.updates.nesterov_momentum.defaults
    assert nonlinearities.rectify is sknet.nonlinearities.rectify
    assert init.GlorotUniform is sknet.init.GlorotUniform
    # objectives and penalties also take expressions; on tensors they are sknet's
    a, b = torch.tensor([[1.0, 2.0]]), torch.tensor([[0.5, 4.0]])
    assert torch.equal(objectives.squared_error(a, b), sknet.objectives.squared_error(a, b))
    assert torch.equal(regularization.l2(a), sknet.regularization.l2(a))
    assert issubclass(NeuralNet, sknet.NeuralNet)
    assert (BatchIterator, TrainSplit, objective, PrintLayerInfo) == (
        sknet.BatchIterator, sknet.TrainSplit, sknet.objective, sknet.handlers.PrintLayerInfo)
    assert lasagne.layers is layers and theano.tensor is T
    assert [cuda_convnet.Conv2DCCLayer.__name__, dnn.Conv2DDNNLayer.__name__,
            corrmm.Conv2DMMLayer.__name__] == ["Conv2DCCLayer", "Conv2DDNNLayer", "Conv2DMMLayer"]
    assert theano.config.floatX == "float32"
    assert lasagne.utils.floatX([1, 2]).dtype == np.float32
    assert T.ivector.dtype == "int32" and T.fmatrix.ndim == 2
    assert T.TensorType("float32", (False, False))("y").broadcastable == (False, False)


def test_uninstall_removes_every_trace(shim):
    import lasagne  # noqa
    assert np.cast["float32"](1).dtype == np.float32
    legacy.uninstall()
    assert not [m for m in sys.modules if m.split(".")[0] in ("lasagne", "nolearn", "theano")]
    assert not hasattr(torch.Tensor, "get_value")
    with pytest.raises(AttributeError):
        np.cast
    with pytest.raises(ImportError):
        import lasagne  # noqa: F811
    legacy.install()  # for the fixture's uninstall


def test_unsupported_features_fail_at_import_or_use_naming_the_guide(shim):
    from theano import scan
    with pytest.raises(legacy.LegacyFeatureError, match=r"theano\.scan .*porting\.md"):
        scan(lambda x: x, sequences=[])
    with pytest.raises(ImportError, match=r"module theano\.gof .*porting\.md"):
        import theano.gof  # noqa
    from lasagne import layers
    from theano.tensor import jacobian
    with pytest.raises(ImportError, match="jacobian is not supported"):
        jacobian(None, None)
    with pytest.raises(AttributeError, match=r"no attribute 'NoSuchLayer'.*porting\.md"):
        layers.NoSuchLayer
    assert getattr(layers, "pytest_plugins", None) is None  # tools probing modules are fine


def test_real_packages_are_not_shadowed_unless_asked(tmp_path, monkeypatch):
    (tmp_path / "lasagne").mkdir()
    (tmp_path / "lasagne" / "__init__.py").write_text("REAL = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(RuntimeError, match="a real lasagne is installed"):
        legacy.install()
    assert not legacy.installed()
    legacy.install(shadow=True)
    try:
        import lasagne
        assert "REAL" not in vars(lasagne) and lasagne.layers.DenseLayer
    finally:
        legacy.uninstall()


def test_old_names_warn_once_with_the_modern_spelling(shim):
    from lasagne import layers
    with pytest.warns(legacy.LegacyNameWarning, match=r"np\.cast .*np\.asarray"):
        np.cast["float32"](0.5)
    with pytest.warns(legacy.LegacyNameWarning, match=r"MaxPool2DLayer\(pool_size=\.\.\.\)"):
        layers.MaxPool2DLayer((None, 1, 4, 4), ds=2)
    with warnings_recorded() as seen:
        np.cast["float32"](0.5)
        layers.MaxPool2DLayer((None, 1, 4, 4), ds=2)
    assert not seen
    assert np.float is float and np.int is int


class warnings_recorded:
    def __enter__(self):
        import warnings
        self.context = warnings.catch_warnings(record=True)
        seen = self.context.__enter__()
        warnings.simplefilter("always")
        return seen

    def __exit__(self, *exc):
        return self.context.__exit__(*exc)


def test_lasagne_01_argument_names_build_the_same_layers(shim):
    from lasagne import layers
    x = np.random.rand(2, 3, 9, 9).astype(np.float32)
    old = layers.Conv2DLayer((None, 3, 9, 9), 4, 3, strides=2, border_mode="same")
    new = sknet.layers.Conv2DLayer((None, 3, 9, 9), 4, 3, stride=2, pad="same", W=old.W,
                                   b=old.b)
    assert old.output_shape == new.output_shape == (None, 4, 5, 5)
    np.testing.assert_array_equal(old.get_output_for(torch.as_tensor(x)).detach(),
                                  new.get_output_for(torch.as_tensor(x)).detach())
    assert layers.FeaturePoolLayer((None, 6), ds=3).output_shape == (None, 2)
    with pytest.raises(TypeError, match="got both 'ds'"):
        layers.MaxPool2DLayer((None, 1, 4, 4), pool_size=2, ds=2)


@pytest.mark.parametrize("module, name", [("cuda_convnet", "Conv2DCCLayer"),
                                          ("dnn", "Conv2DDNNLayer"),
                                          ("corrmm", "Conv2DMMLayer")])
def test_gpu_convolutions_keep_their_cross_correlation_default(shim, module, name):
    import importlib
    layer_class = getattr(importlib.import_module(f"lasagne.layers.{module}"), name)
    layer = layer_class((None, 2, 6, 6), 16, 3, nonlinearity=None)
    assert layer.flip_filters is False
    x = np.random.rand(2, 2, 6, 6).astype(np.float32)
    expected = reference.conv(x, layer.W.get_value(), (1, 1), (0, 0), flip=False)
    np.testing.assert_allclose(layer.get_output_for(torch.as_tensor(x)).detach().numpy(),
                               expected, rtol=1e-4, atol=1e-5)


def test_gpu_pooling_keeps_its_border_rules(shim):
    from lasagne.layers import cuda_convnet, dnn
    # cuda-convnet kept partial windows at the border; cuDNN dropped them
    assert cuda_convnet.MaxPool2DCCLayer((None, 1, 5, 5), 2).output_shape == (None, 1, 3, 3)
    assert dnn.MaxPool2DDNNLayer((None, 1, 5, 5), 2).output_shape == (None, 1, 2, 2)
    assert dnn.Pool2DDNNLayer((None, 1, 4, 4), 2, mode="average_inc_pad").mode == \
        "average_inc_pad"
    # dimshuffle=False: cuda-convnet's c01b layout in and out, W as (channels, rows, cols, filters)
    conv = cuda_convnet.Conv2DCCLayer((3, 8, 8, None), 16, 3, dimshuffle=False)
    assert conv.output_shape == (16, 6, 6, None) and tuple(conv.W.shape) == (3, 3, 3, 16)


def test_theano_shared_values(shim):
    import theano
    from lasagne import layers
    rate = theano.shared(np.float32(0.03))
    rate.set_value(np.float32(0.01))
    assert rate.get_value() == pytest.approx(0.01)
    W = theano.shared(np.ones((4, 3)))
    first = layers.DenseLayer((None, 4), 3, W=W)
    second = layers.DenseLayer((None, 4), 3, W=W)
    assert first.W is second.W  # shared between layers, as in Theano
    W.set_value(np.full((4, 3), 2.0))
    np.testing.assert_array_equal(second.W.get_value(), np.full((4, 3), 2.0, np.float32))
    with pytest.raises(ValueError, match=r"has shape \(4, 3\), the new value has shape"):
        W.set_value(np.ones(3))


def legacy_net(**kwargs):
    from lasagne import layers
    from nolearn.lasagne import NeuralNet
    params = dict(layers=[("input", layers.InputLayer), ("hidden", layers.DenseLayer),
                          ("output", layers.DenseLayer)],
                  input_shape=(None, 6), hidden_num_units=8, output_num_units=3,
                  output_nonlinearity=sknet.nonlinearities.softmax,
                  update_learning_rate=0.05, max_epochs=3, device="cpu")
    params.update(kwargs)
    return NeuralNet(**params)


def data():
    rng = np.random.RandomState(0)
    X = rng.rand(60, 6).astype(np.float32)
    return X, (X[:, 0] * 3).astype(np.int32).clip(0, 2)


def test_nolearn_05_arguments(shim):
    from nolearn.lasagne import BatchIterator
    iterator = BatchIterator(batch_size=16)
    net = legacy_net(eval_size=0.25, batch_iterator=iterator,
                     custom_score=("half", lambda y, p: 0.5), X_tensor_type="ignored")
    assert net.train_split.eval_size == 0.25
    assert net.batch_iterator_train is iterator and net.batch_iterator_test is iterator
    assert net.custom_scores[0][0] == "half"
    X, y = data()
    net.fit(X, y)
    assert len(net.train_history_) == 3 and net.train_history_[-1]["half"] == 0.5
    assert clone(net).get_params()["train_split"].eval_size == 0.25


def test_get_all_params_values_restore_through_load_weights_from(shim):
    net = legacy_net()
    X, y = data()
    net.fit(X, y)
    best = [p.get_value() for p in net.get_all_params()]
    probabilities = net.predict_proba(X)
    net.fit(X, y)  # new weights
    assert not np.allclose(net.predict_proba(X), probabilities)
    net.load_weights_from(best)
    np.testing.assert_allclose(net.predict_proba(X), probabilities, rtol=1e-6)


def test_attributes_set_after_clone_apply_at_the_next_fit(shim):
    net = legacy_net()
    X, y = data()
    net.fit(X, y)
    model = clone(net)
    model.output_num_units = 4
    model.hidden_num_units = 5
    model.fit(X, y)
    assert model.predict_proba(X).shape == (60, 4)
    assert model.layers_["hidden"].W.shape == (6, 5)
