"""Custom layers written the Lasagne way under the legacy shim: Theano's tensor methods on their
input and parameters (flatten(ndim), dimshuffle, sum(axis=...) ...), and get_output(...).eval()
on data. Values against NumPy."""
import numpy as np
import pytest
import torch

from sknet.layers.parameters import NamedParameter
from sknet.legacy.tensor_methods import TheanoTensor, as_theano


def custom_layer_classes():
    """A bias layer and a dense layer written as in Lasagne's "Writing custom layers"."""
    import lasagne
    import theano.tensor as T

    class ChannelBias(lasagne.layers.Layer):
        def __init__(self, incoming, b=lasagne.init.Constant(0.5), **kwargs):
            super(ChannelBias, self).__init__(incoming, **kwargs)
            self.b = self.add_param(b, (self.input_shape[1],), name="b")

        def get_output_for(self, input, **kwargs):
            return input + self.b.dimshuffle("x", 0, "x", "x")

    class FlatDense(lasagne.layers.Layer):
        def __init__(self, incoming, num_units, W=lasagne.init.Normal(0.1), **kwargs):
            super(FlatDense, self).__init__(incoming, **kwargs)
            self.num_units = num_units
            self.W = self.add_param(W, (int(np.prod(self.input_shape[1:])), num_units), name="W")

        def get_output_for(self, input, **kwargs):
            return T.dot(input.flatten(2), self.W)

        def get_output_shape_for(self, input_shape):
            return (input_shape[0], self.num_units)

    return ChannelBias, FlatDense


def test_theano_methods_have_theano_meaning_in_scripts():
    a = np.arange(24, dtype="float32").reshape(2, 3, 4) - 10
    x = as_theano(torch.as_tensor(a))
    checks = [
        (x.flatten(2), a.reshape(2, 12)), (x.flatten(), a.ravel()),
        (x.dimshuffle(0, "x", 2, 1), a.transpose(0, 2, 1)[:, None]), (x.T, a.transpose()),
        (x.reshape((6, 4)), a.reshape(6, 4)), (x.astype("int32"), a.astype("int32")),
        (x.sum(axis=(0, 2), keepdims=True), a.sum(axis=(0, 2), keepdims=True)),
        (x.mean(1), a.mean(1)), (x.max(axis=2), a.max(axis=2)), (x.min(0), a.min(0)),
        (x.argmax(axis=1), a.argmax(axis=1)), (x.clip(-3, 5), a.clip(-3, 5)),
        (x.std(axis=0), a.std(axis=0)), (x.var(), a.var()), (x.shape[2], 4),
    ]
    for got, expected in checks:
        assert isinstance(got, (TheanoTensor, int))
        np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-6)
    np.testing.assert_array_equal(np.stack([i.numpy() for i in x.nonzero()]),
                                  np.stack(np.nonzero(a)))
    assert x.dtype == "float32" and x.astype("int32").dtype == "int32"
    assert np.zeros(1, dtype=x.dtype).dtype == np.float32


def test_theano_tensor_functions_keep_theano_tensors(shim):
    import theano.tensor as T
    a = np.arange(6, dtype="float32").reshape(2, 3) - 2
    x = as_theano(torch.as_tensor(a))
    joined = T.concatenate([x, x * 2], axis=1)
    chosen = T.switch(T.gt(joined, 0), joined, -joined)
    product = T.dot(x.T, x)
    for got, expected in [(joined, np.concatenate([a, a * 2], axis=1)),
                          (chosen, np.abs(np.concatenate([a, a * 2], axis=1))),
                          (product, a.T @ a)]:
        assert isinstance(got, TheanoTensor)
        np.testing.assert_allclose(np.asarray(got), expected)
    assert tuple(chosen.flatten(1).shape) == (12,)


def test_sknet_and_torch_calls_keep_torch_meaning():
    from sknet.layers import DenseLayer, InputLayer
    x = as_theano(torch.arange(24.0).reshape(2, 3, 4))
    layer = DenseLayer(InputLayer((None, 3, 4)), 2, W=np.ones((12, 2)), b=None,
                       nonlinearity=None)
    np.testing.assert_allclose(layer.get_output_for(x).detach().numpy(),
                               np.arange(24.0).reshape(2, 12).sum(1, keepdims=True) * [1, 1])
    values, indices = torch.max(x, dim=1)
    assert tuple(values.shape) == tuple(indices.shape) == (2, 4)


def test_custom_layers_through_theano_function(shim):
    import lasagne
    import theano
    import theano.tensor as T
    ChannelBias, FlatDense = custom_layer_classes()
    W = np.random.RandomState(0).randn(24, 5).astype("float32")
    l_in = lasagne.layers.InputLayer((None, 2, 3, 4))
    l_bias = ChannelBias(l_in, b=np.array([1.0, -2.0], "float32"))
    l_out = FlatDense(l_bias, 5, W=W)
    x = T.tensor4("x")
    f = theano.function([x], lasagne.layers.get_output(l_out, x))
    data = np.random.RandomState(1).randn(3, 2, 3, 4).astype("float32")
    biased = data + np.array([1.0, -2.0])[None, :, None, None]
    result = f(data)
    assert isinstance(result, np.ndarray)
    np.testing.assert_allclose(result, biased.reshape(3, 24) @ W, rtol=1e-5, atol=1e-5)
    # sknet downstream sees plain tensors; the layer's own parameters are not replaced
    output = lasagne.layers.get_output(l_out, data)
    assert type(output) is torch.Tensor and "W" not in vars(l_out)
    assert type(l_out.W) is not TheanoTensor and isinstance(l_out.W, torch.nn.Parameter)


def test_custom_layer_trained_through_theano_function(shim):
    import lasagne
    import theano
    import theano.tensor as T
    _, FlatDense = custom_layer_classes()
    W0 = np.random.RandomState(0).randn(6, 1).astype("float32")
    l_in = lasagne.layers.InputLayer((None, 1, 2, 3))
    l_out = FlatDense(l_in, 1, W=W0.copy())
    x, t = T.tensor4("x"), T.matrix("t")
    loss = lasagne.objectives.squared_error(lasagne.layers.get_output(l_out, x), t).mean()
    step = theano.function([x, t], loss, updates=lasagne.updates.sgd(loss, [l_out.W], 0.1))
    data = np.random.RandomState(1).randn(4, 1, 2, 3).astype("float32")
    target = np.ones((4, 1), "float32")
    step(data, target)
    flat = data.reshape(4, 6)  # gradient of mean((flat W - t)^2) is 2 flat^T (flat W - t) / n
    expected = W0 - 0.1 * 2 * flat.T @ (flat @ W0 - target) / 4
    np.testing.assert_allclose(l_out.W.get_value(), expected, rtol=1e-5, atol=1e-6)


def test_custom_layers_trained_in_nolearn_neuralnet(shim):
    import lasagne
    from nolearn.lasagne import NeuralNet
    ChannelBias, FlatDense = custom_layer_classes()
    rng = np.random.RandomState(0)
    X = rng.randn(40, 2, 3, 4).astype("float32")
    y = (X.reshape(40, -1) @ rng.randn(24, 1)).astype("float32")
    net = NeuralNet(layers=[("input", lasagne.layers.InputLayer), ("bias", ChannelBias),
                            ("dense", FlatDense)],
                    input_shape=(None, 2, 3, 4), dense_num_units=1, regression=True,
                    update=lasagne.updates.sgd, update_learning_rate=0.01, max_epochs=3,
                    verbose=0).initialize()
    before = net.layers_["dense"].W.get_value()
    net.fit(X, y)
    b, W = net.layers_["bias"].b.get_value(), net.layers_["dense"].W.get_value()
    assert not np.allclose(W, before) and not np.allclose(b, 0.5)
    expected = (X + b[None, :, None, None]).reshape(40, 24) @ W
    np.testing.assert_allclose(net.predict(X), expected, rtol=1e-4, atol=1e-5)


def test_subclass_of_custom_and_builtin_layers_keeps_each_meaning(shim):
    import lasagne
    ChannelBias, _ = custom_layer_classes()

    class ScaledBias(ChannelBias):  # Theano methods still work after super()
        def get_output_for(self, input, **kwargs):
            biased = super(ScaledBias, self).get_output_for(input, **kwargs)
            return biased * self.b.dimshuffle("x", 0, "x", "x").sum(axis=1, keepdims=True)

    class FlatteningDense(lasagne.layers.DenseLayer):  # sknet's code gets torch's flatten
        def get_output_for(self, input, **kwargs):
            return super(FlatteningDense, self).get_output_for(input.flatten(2), **kwargs)

    l_in = lasagne.layers.InputLayer((None, 2, 3, 4))
    b = np.array([2.0, 3.0], "float32")
    W = np.random.RandomState(0).randn(24, 3).astype("float32")
    l_dense = FlatteningDense(ScaledBias(l_in, b=b), 3, W=W, nonlinearity=None)
    data = np.random.RandomState(1).randn(2, 2, 3, 4).astype("float32")
    expected = ((data + b[None, :, None, None]) * b.sum()).reshape(2, 24) @ W + 0.0
    np.testing.assert_allclose(lasagne.layers.get_output(l_dense, data).eval(), expected,
                               rtol=1e-5, atol=1e-5)


def test_get_output_on_data_evaluates_to_numpy(shim):
    import lasagne
    l_in = lasagne.layers.InputLayer((None, 3))
    W = np.arange(6, dtype="float32").reshape(3, 2)
    layer = lasagne.layers.DenseLayer(l_in, 2, W=W, b=np.array([1.0, -30.0], "float32"))
    data = np.array([[1.0, 2.0, 3.0]], "float32")
    expected = np.maximum(data @ W + [1.0, -30.0], 0)  # [[17, 0]]: the rectifier
    output = lasagne.layers.get_output(layer, data, deterministic=True)
    assert output.requires_grad
    np.testing.assert_array_equal(output.eval(), expected)
    np.testing.assert_array_equal(np.array(output), expected)
    np.testing.assert_array_equal(np.asarray(output, dtype="float64"), expected)


def test_outside_the_shim_nothing_changes(shim):
    from sknet import legacy
    ChannelBias, _ = custom_layer_classes()
    legacy.uninstall()
    seen = []

    class Recording(ChannelBias):
        def get_output_for(self, input, **kwargs):
            seen.append((type(input), type(self.b), tuple(input.flatten(2).shape)))
            return input

    Recording((None, 2, 3, 4)).get_output_for(torch.zeros(1, 2, 3, 4))
    assert seen == [(torch.Tensor, NamedParameter, (1, 2, 12))]
    assert not hasattr(torch.zeros(1), "eval") and not hasattr(torch.zeros(1), "dimshuffle")
    with pytest.raises(RuntimeError, match="requires grad"):
        np.asarray(torch.zeros(1, requires_grad=True))
    legacy.install()


def test_custom_merge_layer_sees_each_input_with_theano_methods(shim):
    import lasagne
    import theano.tensor as T

    class FlatConcat(lasagne.layers.MergeLayer):
        def get_output_for(self, inputs, **kwargs):
            return T.concatenate([x.flatten(2) for x in inputs], axis=1)

        def get_output_shape_for(self, input_shapes):
            return (input_shapes[0][0], sum(int(np.prod(s[1:])) for s in input_shapes))

    l_a, l_b = lasagne.layers.InputLayer((None, 2, 3, 4)), lasagne.layers.InputLayer((None, 5, 2))
    layer = FlatConcat([l_a, l_b])
    a = np.random.RandomState(0).randn(3, 2, 3, 4).astype("float32")
    b = np.random.RandomState(1).randn(3, 5, 2).astype("float32")
    output = lasagne.layers.get_output(layer, {l_a: a, l_b: b})
    assert type(output) is torch.Tensor
    np.testing.assert_array_equal(output.eval(), np.hstack([a.reshape(3, -1), b.reshape(3, -1)]))
