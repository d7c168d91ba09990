import pickle
import warnings

import numpy as np
import pytest
import torch

from sknet.layers import (BatchNormLayer, ConcatLayer, DenseLayer, DropoutLayer, InputLayer,
                          Network, count_params, get_all_layers, get_all_param_values,
                          get_all_params, get_output, get_output_shape, set_all_param_values)
from tests.conftest import as_numpy


def _mlp():
    l_in = InputLayer((None, 784), name="input")
    hidden = DenseLayer(l_in, 100, name="hidden")
    return DenseLayer(DropoutLayer(hidden, name="drop"), 10, name="output", nonlinearity=None)


def test_the_seeds_mlp_has_79510_parameters():
    assert count_params(_mlp()) == 79510
    assert count_params(_mlp(), regularizable=True) == 784 * 100 + 100 * 10


def test_get_all_layers_lists_inputs_first_and_each_layer_once():
    a, b = InputLayer((None, 2), name="a"), InputLayer((None, 3), name="b")
    da = DenseLayer(a, 2, name="da")
    join = ConcatLayer([da, b, da], name="join")
    assert [l.name for l in get_all_layers(join)] == ["a", "da", "b", "join"]
    assert [l.name for l in get_all_layers(join, treat_as_input=[da])] == ["da", "b", "join"]


def test_get_output_substitutes_any_layer_and_handles_several_outputs():
    out = _mlp()
    hidden = out.input_layer.input_layer
    h = np.random.randn(3, 100).astype(np.float32)
    via_hidden = get_output(out, {hidden: h}, deterministic=True)
    np.testing.assert_allclose(as_numpy(via_hidden), h @ as_numpy(out.W) + as_numpy(out.b),
                               rtol=1e-5, atol=1e-5)
    x = np.random.randn(3, 784)
    both = get_output([hidden, out], x, deterministic=True)
    np.testing.assert_allclose(as_numpy(both[1]),
                               as_numpy(both[0]) @ as_numpy(out.W) + as_numpy(out.b), rtol=1e-5,
                               atol=1e-5)


def test_get_output_needs_a_dict_for_several_inputs():
    join = ConcatLayer([InputLayer((None, 2), name="a"), InputLayer((None, 3), name="b")])
    with pytest.raises(ValueError, match="2 InputLayers \\('a', 'b'\\)"):
        get_output(join, np.zeros((1, 2)))


def test_deterministic_output_is_repeatable_and_training_output_is_not():
    out, x = _mlp(), np.random.randn(4, 784)
    assert torch.equal(get_output(out, x, deterministic=True), get_output(out, x,
                                                                          deterministic=True))
    assert not torch.equal(get_output(out, x), get_output(out, x))


def test_get_output_shape_for_other_input_shapes():
    out = _mlp()
    assert get_output_shape(out) == (None, 10)
    assert get_output_shape(out, (5, 784)) == (5, 10)


def test_param_values_round_trip_and_mismatches_are_reported():
    source, target = _mlp(), _mlp()
    values = get_all_param_values(source)
    assert [v.shape for v in values] == [(784, 100), (100,), (100, 10), (10,)]
    set_all_param_values(target, values)
    x = np.random.randn(2, 784)
    assert torch.equal(get_output(source, x, deterministic=True),
                       get_output(target, x, deterministic=True))
    with pytest.raises(ValueError, match="got 3 parameter arrays, but the network has 4"):
        set_all_param_values(target, values[:3])
    with pytest.raises(ValueError, match=r"layer 'hidden': parameter b has shape \(100,\).*\(10,\)"):
        set_all_param_values(target, [values[0], values[3], values[2], values[3]])


def test_get_all_params_filters_by_tags_and_includes_batch_norm_averages_only_on_request():
    bn = BatchNormLayer(DenseLayer(InputLayer((None, 3)), 4))
    assert len(get_all_params(bn)) == 6
    assert len(get_all_params(bn, trainable=True)) == 4
    assert len(get_all_params(bn, trainable=False)) == 2


def test_network_is_one_module_whose_state_uses_layer_names():
    net = Network(_mlp())
    assert list(net.state_dict()) == ["layers.hidden.W", "layers.hidden.b", "layers.output.W",
                                      "layers.output.b"]
    assert sum(p.numel() for p in net.parameters()) == 79510
    x = torch.randn(5, 784)
    net.eval()
    assert torch.equal(net(x), net(input=x))
    net.train()
    assert not torch.equal(net(x), net(x))  # dropout is active in train mode
    with pytest.raises(ValueError, match="no InputLayer named 'image'"):
        net(image=x)


def test_a_layer_graph_survives_pickling():
    out = _mlp()
    copy = pickle.loads(pickle.dumps(out))
    x = np.random.randn(2, 784)
    assert torch.equal(get_output(out, x, deterministic=True),
                       get_output(copy, x, deterministic=True))
    assert [l.name for l in get_all_layers(copy)] == ["input", "hidden", "drop", "output"]


def test_a_layer_is_an_nn_module_computing_its_network():
    out = _mlp().eval()
    x = torch.randn(2, 784)
    assert torch.equal(out(x), get_output(out, x, deterministic=True))


class _DuckLayer:
    """Not an sknet layer, only what Lasagne's helpers read: doubles its input, scaled by one
    parameter."""

    def __init__(self, incoming):
        self.input_layer = incoming
        self.output_shape = incoming.output_shape
        self.scale = torch.nn.Parameter(torch.tensor([2.0]))

    def get_output_shape_for(self, input_shape):
        return input_shape

    def get_output_for(self, input, **kwargs):
        return input * self.scale

    def get_params(self, **tags):
        return [self.scale]


class _DuckInput:
    """A duck-typed input: an output shape and nothing feeding it."""
    output_shape = (None, 3)

    def get_output_for(self, input, **kwargs):
        return input


def test_helpers_and_merge_layers_take_duck_typed_layers_as_lasagnes_do():
    l_in = InputLayer((None, 3))
    duck = _DuckLayer(l_in)
    join = ConcatLayer([duck, l_in])
    dense = DenseLayer(join, 2, nonlinearity=None)
    assert get_all_layers(dense) == [l_in, duck, join, dense]
    assert get_all_params(dense) == [duck.scale, dense.W, dense.b] and count_params(dense) == 15
    x = np.random.randn(4, 3).astype(np.float32)
    joined = np.concatenate([2 * x, x], axis=1)
    np.testing.assert_allclose(as_numpy(get_output(dense, x)),
                               joined @ as_numpy(dense.W) + as_numpy(dense.b), rtol=1e-5)
    assert get_output_shape(dense, {l_in: (7, 3)}) == (7, 2) and join.output_shape == (None, 6)
    set_all_param_values(dense, [np.array([3.0]), np.zeros((6, 2)), np.ones(2)])
    assert float(duck.scale.detach()) == 3.0


def test_a_duck_typed_input_is_a_source_that_takes_data():
    source = _DuckInput()
    dense = DenseLayer(source, 2, nonlinearity=None, b=None)
    assert get_all_layers(dense) == [source, dense]
    assert get_output_shape(dense, (5, 3)) == (5, 2)
    x = np.random.randn(4, 3).astype(np.float32)
    for inputs in (x, {source: x}):
        np.testing.assert_allclose(as_numpy(get_output(dense, inputs)), x @ as_numpy(dense.W),
                                   rtol=1e-5)
    with pytest.raises(ValueError, match="get_output.. has no data for .*_DuckInput"):
        get_output(dense)


@pytest.mark.parametrize("build", [lambda: DenseLayer(784, 10),
                                   lambda: ConcatLayer([(None, 3), "input"])])
def test_an_incoming_that_is_neither_layer_nor_shape_is_a_type_error(build):
    with pytest.raises(TypeError, match="must be .*layer.* or .*shape.*got"):
        build()


def test_graph_and_parameter_order_follow_lasagnes_documented_examples():
    l_in = InputLayer((100, 20))
    l1 = DenseLayer(l_in, num_units=50)
    l2 = DenseLayer(l_in, num_units=10)
    assert get_all_layers(l1) == [l_in, l1]
    assert get_all_layers([l2, l1]) == [l_in, l2, l1]
    assert get_all_layers([l1, l2]) == [l_in, l1, l2]
    l3 = DenseLayer(l2, num_units=20)
    assert get_all_layers(l3) == [l_in, l2, l3]
    assert get_all_layers(l3, treat_as_input=[l2]) == [l2, l3]
    l4 = DenseLayer(l1, num_units=30, W=np.ones((50, 30)), b=None)
    shared = DenseLayer(l1, num_units=50, W=DenseLayer(l1, 50).W)
    assert get_all_params(l4) == [l1.W, l1.b, l4.W]
    assert get_all_params([l3, l4], regularizable=True) == [l2.W, l3.W, l1.W, l4.W]
    assert get_all_params(l4, trainable=True, regularizable=False) == [l1.b]
    both = ConcatLayer([shared, DenseLayer(l1, 50, W=shared.W)])
    assert get_all_params(both, regularizable=True) == [l1.W, shared.W]  # each once


def test_get_output_shape_feeds_one_shape_to_the_one_input():
    from sknet.layers import ReshapeLayer
    reshape = ReshapeLayer((None, 6), ([0], 2, 3))  # built from a shape: it takes the shape
    assert get_output_shape(DenseLayer(reshape, 2), (5, 6)) == (5, 2)
    assert get_output_shape(reshape, (7, 6)) == (7, 2, 3)
    join = ConcatLayer([InputLayer((None, 2)), InputLayer((None, 3))])
    with pytest.raises(ValueError, match="one input shape for a network with 2 InputLayers"):
        get_output_shape(join, (4, 2))
    a, b = join.input_layers
    assert get_output_shape(join, {a: (4, 2), b: (4, 5)}) == (4, 7)


def test_get_output_warns_about_keyword_arguments_no_layer_takes():
    from sknet.layers import BatchNormLayer
    net = BatchNormLayer(DenseLayer(InputLayer((None, 3)), 2))
    x = np.ones((4, 3), np.float32)
    with pytest.warns(UserWarning, match=r"unused kwargs:\n\tdeterminstic \(perhaps you meant "
                                         r"deterministic\)"):
        get_output(net, x, determinstic=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        get_output(net, x, batch_norm_use_averages=True)  # BatchNormLayer takes it
        net.get_output_kwargs.append("temperature")  # Lasagne's way to declare **kwargs read
        get_output(net, x, temperature=2)
