"""Lasagne's behaviour where a script can see it, through the shim's ``lasagne`` names: random
streams, initializer errors, padding widths, parameter names and tags, NumPy integers, and
layers that are not sknet's (duck-typed), each checked against Lasagne's documented rule."""
import numpy as np
import pytest
import torch

from sknet import legacy
from sknet.legacy import renames


@pytest.fixture
def lasagne():
    renames._warned.clear()
    legacy.install()
    import lasagne
    previous = lasagne.random.get_rng()
    yield lasagne
    lasagne.random.set_rng(previous)
    legacy.uninstall()


def _noise(lasagne, seed):
    lasagne.random.set_rng(np.random.RandomState(seed))
    l_in = lasagne.layers.InputLayer((None, 50))
    drop = lasagne.layers.DropoutLayer(l_in, p=0.5)
    noise = lasagne.layers.GaussianNoiseLayer(l_in, sigma=1.0)
    x = torch.ones(6, 50)
    return drop.get_output_for(x), noise.get_output_for(x)


def test_set_rng_makes_dropout_and_noise_repeat(lasagne):
    first, again, other = _noise(lasagne, 42), _noise(lasagne, 42), _noise(lasagne, 43)
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert not any(torch.equal(a, c) for a, c in zip(first, other))
    assert isinstance(lasagne.random.get_rng(), np.random.RandomState)


def test_glorot_on_a_vector_raises_lasagnes_runtime_error(lasagne):
    for initializer in (lasagne.init.GlorotUniform(), lasagne.init.HeNormal()):
        try:
            initializer((10,))
        except RuntimeError as error:  # what a Lasagne script catches
            assert str(error).startswith("This initializer only works with shapes of length >= 2")
            assert isinstance(error, ValueError)
        else:
            pytest.fail("no error for a 1-D shape")


def test_pad_layer_takes_before_after_pairs(lasagne):
    x = np.random.randn(2, 3, 4, 5).astype(np.float32)
    layer = lasagne.layers.PadLayer(lasagne.layers.InputLayer((None, 3, 4, 5)),
                                    width=[(1, 2), (0, 3)], val=7)
    assert layer.output_shape == (None, 3, 7, 8)
    expected = np.pad(x, [(0, 0), (0, 0), (1, 2), (0, 3)], constant_values=7)
    np.testing.assert_array_equal(lasagne.layers.get_output(layer, x).detach().numpy(), expected)


def test_parameters_are_named_and_tagged_as_in_lasagne(lasagne):
    layers = lasagne.layers
    l_in = layers.InputLayer((None, 8))
    hidden = layers.DenseLayer(l_in, num_units=np.int64(4), name="hidden")
    output = layers.DenseLayer(hidden, num_units=2, nonlinearity=lasagne.nonlinearities.softmax)
    params = layers.get_all_params(output)
    assert [p.name for p in params] == ["hidden.W", "hidden.b", "W", "b"]
    assert layers.get_all_params(output, regularizable=True) == [hidden.W, output.W]
    hidden.params[hidden.W].remove("trainable")  # a Lasagne script freezing a layer
    assert layers.get_all_params(output, trainable=True) == [hidden.b, output.W, output.b]
    assert layers.count_params(output) == 8 * 4 + 4 + 4 * 2 + 2


class _Doubler:
    """A layer that is not an sknet Layer: what Lasagne's helpers read, and nothing more."""

    def __init__(self, incoming):
        self.input_layer = incoming
        self.output_shape = incoming.output_shape

    def get_output_for(self, input, **kwargs):
        return 2 * input

    def get_params(self, **tags):
        return []


def test_merge_layers_and_helpers_take_duck_typed_layers(lasagne):
    layers = lasagne.layers

    class Sum(layers.MergeLayer):  # a custom MergeLayer, as Lasagne's docs write one
        def get_output_shape_for(self, input_shapes):
            return input_shapes[0]

        def get_output_for(self, inputs, **kwargs):
            return inputs[0] + inputs[1]

    l_in = layers.InputLayer((None, 3))
    duck = _Doubler(l_in)
    total = Sum([duck, l_in])
    assert layers.get_all_layers(total) == [l_in, duck, total]
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(layers.get_output(total, x).detach().numpy(), 3 * x)
    assert layers.get_output_shape(total) == (None, 3)


# Each layer's parameters in get_params order, with the tags Lasagne's add_param calls give.
LASAGNE_PARAMS = [
    ("DenseLayer", {"num_units": 2}, [("W", {"trainable", "regularizable"}),
                                      ("b", {"trainable"})]),
    ("NINLayer", {"num_units": 2}, [("W", {"trainable", "regularizable"}), ("b", {"trainable"})]),
    ("Conv2DLayer", {"num_filters": 2, "filter_size": 3},
     [("W", {"trainable", "regularizable"}), ("b", {"trainable"})]),
    ("BatchNormLayer", {}, [("beta", {"trainable"}), ("gamma", {"trainable", "regularizable"}),
                            ("mean", set()), ("inv_std", set())]),
    ("BiasLayer", {}, [("b", {"trainable"})]),
    ("ScaleLayer", {}, [("scales", {"trainable"})]),
    ("ParametricRectifierLayer", {}, [("alpha", {"trainable"})]),
]


@pytest.mark.parametrize("class_name, kwargs, expected", LASAGNE_PARAMS)
def test_parameter_order_and_tags_are_lasagnes(lasagne, class_name, kwargs, expected):
    layer = getattr(lasagne.layers, class_name)((None, 3, 5, 5), name="l", **kwargs)
    params = layer.get_params()
    assert [p.name for p in params] == [f"l.{name}" for name, _ in expected]
    for param, (_, tags) in zip(params, expected):
        assert layer.params[param] - {"batch_norm_stat"} == tags
    assert layer.get_params(trainable=True) == [p for p, (_, t) in zip(params, expected)
                                                if "trainable" in t]
    assert layer.get_params(regularizable=False) == [p for p, (_, t) in zip(params, expected)
                                                     if "regularizable" not in t]
