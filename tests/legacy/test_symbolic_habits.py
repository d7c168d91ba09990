"""Habits of real Lasagne/Theano scripts on the expression graph (the issue 14 audit): shapes
unpacked into sizes, expressions' Theano types, unary ops and methods on shared variables that
read the current value, and eager tensors from parameters refused in a graph."""
import operator

import numpy as np
import pytest
import torch



def test_symbolic_shape_unpacks_and_sizes_reshape_when_the_function_runs(shim):
    # Lasagne's recurrent.py: batchsize, seqlen, _ = l_in.input_var.shape, then a per-step
    # DenseLayer between two ReshapeLayers whose sizes are those expressions
    import lasagne
    import theano
    W = np.arange(6.0, dtype=np.float32).reshape(3, 2) / 10
    l_in = lasagne.layers.InputLayer((None, None, 3))
    batchsize, seqlen, _ = l_in.input_var.shape
    l_steps = lasagne.layers.ReshapeLayer(l_in, (-1, 3))
    l_dense = lasagne.layers.DenseLayer(l_steps, 2, W=W, b=None, nonlinearity=None)
    l_out = lasagne.layers.ReshapeLayer(l_dense, (batchsize, seqlen, 2))
    l_same = lasagne.layers.ReshapeLayer(l_dense, (l_in.input_var.shape[0], -1, 2))
    assert l_out.output_shape == (None, None, 2) and l_same.output_shape == (None, None, 2)
    with pytest.raises(TypeError, match="a value only while a theano.function runs"):
        operator.index(batchsize)
    f = theano.function([l_in.input_var], lasagne.layers.get_output([l_out, l_same]))
    for shape in [(4, 5, 3), (2, 7, 3)]:  # sizes change from call to call
        X = np.random.RandomState(0).rand(*shape).astype(np.float32)
        out, same = f(X)
        np.testing.assert_allclose(out, X @ W, rtol=1e-6)
        np.testing.assert_allclose(same, X @ W, rtol=1e-6)
    # an LSTM's output through the same habit keeps the batch and time axes
    l_lstm = lasagne.layers.LSTMLayer(l_in, 5)
    l_step = lasagne.layers.DenseLayer(lasagne.layers.ReshapeLayer(l_lstm, (-1, 5)), 4)
    l_seq = lasagne.layers.ReshapeLayer(l_step, (batchsize, seqlen, 4))
    out = theano.function([l_in.input_var], lasagne.layers.get_output(l_seq))(X)
    assert out.shape == (2, 7, 4)


def test_a_nolearn_net_with_symbolic_reshape_sizes_fits_and_predicts(shim):
    # NeuralNet's own forward binds input_var to the batch, as theano.function does
    import lasagne
    from lasagne.layers import DenseLayer, InputLayer, ReshapeLayer
    from nolearn.lasagne import NeuralNet
    l_in = InputLayer((None, 6, 4), name="input")
    batchsize, _, _ = l_in.input_var.shape
    l_rows = DenseLayer(ReshapeLayer(l_in, (-1, 4)), 3, nonlinearity=None, name="rows")
    l_back = ReshapeLayer(l_rows, (batchsize, 18))
    l_out = DenseLayer(l_back, 2, nonlinearity=lasagne.nonlinearities.softmax, name="output")
    X, y = np.random.rand(40, 6, 4).astype(np.float32), np.arange(40) % 2
    net = NeuralNet(l_out, update_learning_rate=0.01, max_epochs=2).fit(X, y)
    assert l_back.output_shape == (None, 18) and len(net.train_history_) == 2
    rows = X[:5].reshape(-1, 4) @ net.layers_["rows"].W.get_value() \
        + net.layers_["rows"].b.get_value()
    logits = rows.reshape(5, 18) @ l_out.W.get_value() + l_out.b.get_value()
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(net.predict_proba(X[:5]), expected, rtol=1e-5, atol=1e-6)


def test_expressions_carry_ndim_dtype_broadcastable_and_type(shim):
    import lasagne
    import theano
    import theano.tensor as T
    x, y = T.matrix("x"), T.ivector("y")
    W = theano.shared(np.zeros((3, 4), dtype=np.float32), name="W")
    p = T.nnet.softmax(T.dot(x, W))
    y_pred = T.argmax(p, axis=1)
    found = {name: (e.ndim, e.dtype) for name, e in [
        ("dot", T.dot(x, W)), ("softmax", p), ("argmax", y_pred), ("sum", p.sum(axis=1)),
        ("mean", T.mean(p)), ("plus", x + 1), ("column", x[:, 0]), ("flat", x.flatten(2)),
        ("grad", T.grad(T.mean(p), W)), ("errors", T.mean(T.neq(y_pred, y)))]}
    assert found == {"dot": (2, "float32"), "softmax": (2, "float32"), "argmax": (1, "int64"),
                     "sum": (1, "float32"), "mean": (0, "float32"), "plus": (2, "float32"),
                     "column": (1, "float32"), "flat": (2, "float32"),
                     "grad": (2, "float32"), "errors": (0, "float64")}
    # deeplearning.net's errors(): compares ndim and prints both types
    assert y.ndim == y_pred.ndim and repr(y.type) == "TensorType(int32, vector)"
    assert repr(p.type) == "TensorType(float32, matrix)" and p.type == x.type != y.type
    assert repr(T.row("r").type) == "TensorType(float32, row)"
    assert (T.dot(x, W) + T.row("r")).broadcastable == (False, False)
    assert T.dot(x, W).dimshuffle("x", 0, 1).broadcastable == (True, False, False)
    # get_output and lasagne.updates' gradients report theirs without evaluating anything
    l_out = lasagne.layers.DenseLayer(lasagne.layers.InputLayer((None, 3), input_var=x), 1)
    out = lasagne.layers.get_output(l_out)
    assert out.type == T.col().type and out.broadcastable == (False, True)
    grads = lasagne.updates.get_or_compute_grads(out.mean(), [l_out.W, l_out.b])
    assert [g.type for g in grads] == [x.type, T.vector().type]
    h, w = x.dot(W).shape  # a shape of known length unpacks
    assert theano.function([x], [h, w])(np.ones((5, 3), np.float32)) == [5, 4]


def test_unary_ops_and_methods_on_shared_variables_read_the_value_when_run(shim):
    import theano
    import theano.tensor as T
    W = theano.shared(np.ones((2, 2), dtype=np.float32), name="W")
    monitor = theano.function([], [W.sum(), abs(W).mean(), T.sum(W)])  # the auditor's r14
    assert [float(v) for v in monitor()] == [4.0, 1.0, 4.0]
    W.set_value(np.full((2, 2), 5, dtype=np.float32))
    assert [float(v) for v in monitor()] == [20.0, 5.0, 20.0]  # Theano's values
    V = theano.shared(np.zeros((2, 3), dtype=np.float32), name="V")
    views = theano.function([], [-V, V.T, V.dimshuffle(1, 0), V[0], V.flatten(),
                                 V.reshape((3, 2)), V.norm(2), V.max(axis=0), T.sum(abs(V))])
    value = np.array([[1, -2, 3], [-4, 5, -6]], dtype=np.float32)
    V.set_value(value)
    expected = [-value, value.T, value.T, value[0], value.ravel(), value.reshape(3, 2),
                np.sqrt((value ** 2).sum()), value.max(axis=0), np.abs(value).sum()]
    for got, want in zip(views(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    rows = V[torch.tensor([1, 0])]  # an EmbeddingLayer's lookup with data computes at once
    assert isinstance(rows, torch.Tensor) and rows.tolist() == value[[1, 0]].tolist()
    # an L1 term on a shared weight trains call after call (no stale value, no in-place error)
    x = T.matrix("x")
    cost = T.mean(T.dot(x, V)) + 0.5 * abs(V).sum()
    step = theano.function([x], cost, updates=[(V, V - 0.1 * T.grad(cost, V))])
    X = np.ones((2, 2), dtype=np.float32)
    current = value.copy()
    for _ in range(3):
        want = (X @ current).mean() + 0.5 * np.abs(current).sum()
        np.testing.assert_allclose(step(X), want, rtol=1e-6)
        current = current - 0.1 * (X.sum(axis=0)[:, None] / 6 + 0.5 * np.sign(current))
        np.testing.assert_allclose(V.get_value(), current, rtol=1e-6)


def test_eager_tensor_from_a_layer_parameter_is_refused_in_a_graph(shim):
    import lasagne
    import theano
    import theano.tensor as T
    from sknet.legacy import LegacyFeatureError
    l_in = lasagne.layers.InputLayer((None, 2))
    l = lasagne.layers.DenseLayer(l_in, 1, W=np.ones((2, 1)), b=None, nonlinearity=None)
    x = T.matrix("x")
    output = T.mean(lasagne.layers.get_output(l, x))
    with pytest.raises(LegacyFeatureError, match=r"T\.sqr\(l\.W\)"):
        output + 10.0 * (l.W ** 2).sum()  # computed once, at build time: a stale value
    loss = output + 10.0 * T.sum(T.sqr(l.W))  # the Theano spelling reads W when it runs
    f = theano.function([x], loss, updates=lasagne.updates.sgd(loss, [l.W], 0.01))
    X, w = np.ones((2, 2), dtype=np.float32), np.ones((2, 1))
    for _ in range(2):
        np.testing.assert_allclose(f(X), (X @ w).mean() + 10 * (w ** 2).sum(), rtol=1e-6)
        w = w - 0.01 * (X.mean(axis=0)[:, None] + 20 * w)
    np.testing.assert_allclose(l.W.detach().numpy(), w, rtol=1e-6)
