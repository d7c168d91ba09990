import numpy as np
import pytest
import torch

from sknet import init
from sknet.layers import (Conv2DLayer, CustomRecurrentLayer, DenseLayer, Gate, GRULayer,
                          InputLayer, LSTMLayer, Network, RecurrentLayer, get_all_params,
                          get_output)
from tests import reference
from tests.conftest import as_numpy


def _params(layer):
    return {name: as_numpy(getattr(layer, name)) for name in layer.params}


@pytest.mark.parametrize("backwards", [False, True])
@pytest.mark.parametrize("only_return_final", [False, True])
@pytest.mark.parametrize("with_mask", [False, True])
def test_recurrent_layer_matches_reference(backwards, only_return_final, with_mask):
    x = np.random.randn(3, 5, 2, 2).astype(np.float32)
    l_in = InputLayer((None, 5, 2, 2))
    l_mask = InputLayer((None, 5))
    layer = RecurrentLayer(l_in, 4, W_in_to_hid=init.Normal(0.5), W_hid_to_hid=init.Normal(0.5),
                           b=init.Normal(0.5), nonlinearity=torch.tanh, backwards=backwards,
                           only_return_final=only_return_final,
                           mask_input=l_mask if with_mask else None)
    p = _params(layer)
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], np.float32)

    def step(xt, states):
        return (np.tanh(xt @ p["W_in_to_hid"] + states[0] @ p["W_hid_to_hid"] + p["b"]),)

    expected = reference.run_sequence(step, x.reshape(3, 5, 4), (np.zeros((3, 4)),),
                                      mask if with_mask else None, backwards, only_return_final)
    inputs = {l_in: x, l_mask: mask} if with_mask else {l_in: x}
    np.testing.assert_allclose(as_numpy(get_output(layer, inputs)), expected, rtol=1e-4,
                               atol=1e-5)


@pytest.mark.parametrize("peepholes", [True, False])
@pytest.mark.parametrize("backwards", [False, True])
def test_lstm_matches_reference(peepholes, backwards):
    x = np.random.randn(2, 6, 3).astype(np.float32)
    def gate(**kwargs):
        return Gate(W_in=init.Normal(0.5), W_hid=init.Normal(0.5), b=init.Normal(0.5), **kwargs)

    layer = LSTMLayer((None, 6, 3), 4, ingate=gate(), forgetgate=gate(), outgate=gate(),
                      cell=gate(W_cell=None, nonlinearity=torch.tanh), peepholes=peepholes,
                      backwards=backwards, cell_init=init.Normal(0.5), hid_init=init.Normal(0.5))
    p = _params(layer)
    expected = reference.run_sequence(
        reference.lstm_step(p, peepholes=peepholes), x,
        (np.repeat(p["cell_init"], 2, 0), np.repeat(p["hid_init"], 2, 0)), backwards=backwards)
    np.testing.assert_allclose(as_numpy(get_output(layer, x)), expected, rtol=1e-4, atol=1e-5)


def test_lstm_parameter_names_and_order_follow_lasagne():
    layer = LSTMLayer((None, 6, 3), 4)
    gates = ["ingate", "forgetgate", "cell", "outgate"]
    expected = [f"{kind}{g}" for g in gates for kind in ("W_in_to_", "W_hid_to_", "b_")]
    expected += ["W_cell_to_ingate", "W_cell_to_forgetgate", "W_cell_to_outgate",
                 "cell_init", "hid_init"]
    assert list(layer.params) == expected
    assert len(get_all_params(layer, trainable=True)) == 15  # inits are learned only on request


def test_gru_matches_reference_with_mask_and_learned_init():
    x = np.random.randn(3, 4, 2).astype(np.float32)
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [1, 1, 1, 0]], np.float32)
    l_in, l_mask = InputLayer((None, 4, 2)), InputLayer((None, 4))
    layer = GRULayer(l_in, 5, mask_input=l_mask, learn_init=True, hid_init=init.Normal(0.5))
    assert list(layer.params)[:3] == ["W_in_to_updategate", "W_hid_to_updategate",
                                      "b_updategate"]
    assert layer.hid_init.requires_grad
    p = _params(layer)
    expected = reference.run_sequence(reference.gru_step(p), x, (np.repeat(p["hid_init"], 3, 0),),
                                      mask)
    np.testing.assert_allclose(as_numpy(get_output(layer, {l_in: x, l_mask: mask})), expected,
                               rtol=1e-4, atol=1e-5)


def test_initial_hidden_state_from_a_layer():
    l_in, l_hid = InputLayer((None, 3, 2)), InputLayer((None, 4))
    layer = RecurrentLayer(l_in, 4, hid_init=l_hid, only_return_final=True, nonlinearity=None,
                           W_hid_to_hid=np.eye(4, dtype=np.float32),
                           W_in_to_hid=np.zeros((2, 4), np.float32))
    h0 = np.random.randn(2, 4).astype(np.float32)
    out = get_output(layer, {l_in: np.random.randn(2, 3, 2), l_hid: h0})
    np.testing.assert_allclose(as_numpy(out), h0, rtol=1e-6)


def test_grad_clipping_bounds_the_gradient_through_each_step_only():
    x = torch.randn(2, 3, 2)
    layer = RecurrentLayer((None, 3, 2), 3, grad_clipping=1e-3, nonlinearity=None,
                           W_in_to_hid=init.Normal(5.0), only_return_final=True)
    (100 * get_output(layer, x)).sum().backward()
    clipped = layer.b.grad.abs().max()
    free = RecurrentLayer((None, 3, 2), 3, nonlinearity=None, W_in_to_hid=init.Normal(5.0),
                          only_return_final=True)
    (100 * get_output(free, x)).sum().backward()
    assert clipped <= 3 * 2 * 1e-3 + 1e-6 < free.b.grad.abs().max()


def test_gradient_steps_truncates_backpropagation_to_the_last_steps():
    layer = RecurrentLayer((None, 5, 1), 1, gradient_steps=2, nonlinearity=None,
                           W_in_to_hid=np.ones((1, 1), np.float32),
                           W_hid_to_hid=np.ones((1, 1), np.float32))
    x = torch.ones(1, 5, 1, requires_grad=True)
    get_output(layer, x)[:, -1].sum().backward()
    assert x.grad[0, :, 0].tolist() == [0, 0, 0, 1, 1]


def test_recurrent_input_must_have_a_time_axis():
    with pytest.raises(ValueError, match=r"\(batch, time, features"):
        LSTMLayer((None, 10), 4)


def test_parameters_are_listed_in_lasagnes_order():
    """Parameter files store each layer's get_params() in order: it must be Lasagne's."""
    from sknet.layers import GRULayer, InputLayer, LSTMLayer, RecurrentLayer
    l_in = InputLayer((None, 5, 3))
    names = lambda layer: [n for n in layer.params]  # noqa: E731
    assert names(RecurrentLayer(l_in, 4)) == ["hid_init", "W_in_to_hid", "b", "W_hid_to_hid"]
    gates = ["updategate", "resetgate", "hidden_update"]
    assert names(GRULayer(l_in, 4)) == [f"{kind}_{gate}" for gate in gates for kind in
                                        ("W_in_to", "W_hid_to", "b")] + ["hid_init"]
    gates = ["ingate", "forgetgate", "cell", "outgate"]
    assert names(LSTMLayer(l_in, 4)) == (
        [f"{kind}_{gate}" for gate in gates for kind in ("W_in_to", "W_hid_to", "b")]
        + ["W_cell_to_ingate", "W_cell_to_forgetgate", "W_cell_to_outgate", "cell_init",
           "hid_init"])


def _dense_connections(num_inputs, num_units):
    in_to_hid = DenseLayer(InputLayer((None, num_inputs)), num_units, W=init.Normal(0.5),
                           b=init.Normal(0.5), nonlinearity=None)
    hid_to_hid = DenseLayer(InputLayer((None, num_units)), num_units, W=init.Normal(0.5),
                            b=None, nonlinearity=None)
    return in_to_hid, hid_to_hid


@pytest.mark.parametrize("backwards", [False, True])
def test_custom_recurrent_layer_with_dense_connections_is_a_vanilla_rnn(backwards):
    x = np.random.randn(3, 5, 4).astype(np.float32)
    in_to_hid, hid_to_hid = _dense_connections(4, 3)
    layer = CustomRecurrentLayer((None, 5, 4), in_to_hid, hid_to_hid, nonlinearity=torch.tanh,
                                 backwards=backwards, learn_init=True)
    assert layer.output_shape == (None, 5, 3)
    assert get_all_params(layer) == [layer.hid_init, in_to_hid.W, in_to_hid.b, hid_to_hid.W]
    W_in, b, W_hid = (as_numpy(p) for p in (in_to_hid.W, in_to_hid.b, hid_to_hid.W))

    def step(xt, states):
        return (np.tanh(xt @ W_in + b + states[0] @ W_hid),)
    expected = reference.run_sequence(step, x, (np.zeros((3, 3)),), backwards=backwards)
    np.testing.assert_allclose(as_numpy(get_output(layer, x)), expected, rtol=1e-4, atol=1e-5)
    same = RecurrentLayer((None, 5, 4), 3, W_in_to_hid=in_to_hid.W, b=in_to_hid.b,
                          W_hid_to_hid=hid_to_hid.W, nonlinearity=torch.tanh,
                          backwards=backwards)
    np.testing.assert_allclose(as_numpy(get_output(same, x)), expected, rtol=1e-4, atol=1e-5)


def test_custom_recurrent_layer_gradient_reaches_both_graphs_and_matches_the_reference():
    x = np.random.randn(2, 4, 3).astype(np.float32)
    in_to_hid, hid_to_hid = _dense_connections(3, 2)
    layer = CustomRecurrentLayer(InputLayer((None, 4, 3)), in_to_hid, hid_to_hid,
                                 nonlinearity=torch.tanh, only_return_final=True)
    network = Network(layer)
    trainable = get_all_params(layer, trainable=True)
    assert {id(p) for p in network.parameters()} == {id(p) for p in trainable}
    assert len(trainable) == 3 and len(network.state_dict()) == 4  # + hid_init, a buffer
    weights = np.random.randn(2, 2)
    (network(torch.from_numpy(x)) * torch.from_numpy(weights).float()).sum().backward()
    W_in, b = as_numpy(in_to_hid.W), as_numpy(in_to_hid.b)

    def loss(W_hid):
        def step(xt, states):
            return (np.tanh(xt @ W_in + b + states[0] @ W_hid),)
        final = reference.run_sequence(step, x, (np.zeros((2, 2)),), only_return_final=True)
        return (final * weights).sum()
    indices = [(0, 0), (0, 1), (1, 0), (1, 1)]
    numeric = reference.numeric_gradient(loss, as_numpy(hid_to_hid.W), indices)
    np.testing.assert_allclose(as_numpy(hid_to_hid.W.grad)[tuple(zip(*indices))], numeric,
                               rtol=1e-3, atol=1e-5)
    assert in_to_hid.W.grad is not None and in_to_hid.W.grad.abs().sum() > 0


def test_custom_recurrent_layer_with_convolutions_keeps_a_feature_map_state_and_masks_it():
    x = np.random.randn(2, 3, 1, 4, 4).astype(np.float32)
    mask = np.array([[1, 1, 1], [1, 1, 0]], np.float32)
    in_to_hid = Conv2DLayer(InputLayer((None, 1, 4, 4)), 2, 3, pad="same", nonlinearity=None)
    hid_to_hid = Conv2DLayer(InputLayer((None, 2, 4, 4)), 2, 3, pad="same", b=None,
                             nonlinearity=None)
    l_in, l_mask = InputLayer((None, 3, 1, 4, 4)), InputLayer((None, 3))
    layer = CustomRecurrentLayer(l_in, in_to_hid, hid_to_hid, mask_input=l_mask)
    assert layer.output_shape == (None, 3, 2, 4, 4) and tuple(layer.hid_init.shape) == (
        1, 2, 4, 4)
    W_in, b, W_hid = (as_numpy(p) for p in (in_to_hid.W, in_to_hid.b, hid_to_hid.W))

    def step(xt, states):
        pre = (reference.conv(xt, W_in, (1, 1), ("same", "same"), True) + b[:, None, None]
               + reference.conv(states[0], W_hid, (1, 1), ("same", "same"), True))
        return (np.maximum(pre, 0),)
    expected = reference.run_sequence(step, x, (np.zeros((2, 2, 4, 4)),), mask)
    np.testing.assert_allclose(as_numpy(get_output(layer, {l_in: x, l_mask: mask})), expected,
                               rtol=1e-4, atol=1e-5)


def test_custom_recurrent_layer_refuses_what_lasagne_refuses():
    in_to_hid, hid_to_hid = _dense_connections(4, 3)
    with pytest.raises(ValueError, match="`input_to_hidden` must have exactly one InputLayer, "
                                         "but it has 0"):
        CustomRecurrentLayer((None, 5, 4), DenseLayer((None, 4), 3), hid_to_hid)
    with pytest.raises(ValueError, match="must be equal after the first dimension"):
        CustomRecurrentLayer((None, 5, 4), in_to_hid, _dense_connections(3, 2)[1])
    with pytest.raises(ValueError, match="Gradient steps must be -1 when unroll_scan is true"):
        CustomRecurrentLayer((None, 5, 4), in_to_hid, hid_to_hid, unroll_scan=True,
                             gradient_steps=2)
    with pytest.raises(ValueError, match="Input sequence length cannot be specified as None"):
        LSTMLayer((None, None, 4), 3, unroll_scan=True)
