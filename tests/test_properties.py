"""Property-based tests: random layer stacks either build with the output shape that Lasagne's
formulas give (and compute it), or fail with a ValueError naming the layer; random keyword
arguments that no layer takes fail with the Unused kwarg error."""
import re
import string

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sknet import NeuralNet, layers, nonlinearities

SETTINGS = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def conv_length(length, filter_size, stride, pad):
    """Lasagne's conv_output_length, written out."""
    if pad == "valid":
        length = length - filter_size + 1
    elif pad == "full":
        length = length + filter_size - 1
    elif pad == "same":
        length = length
    else:
        length = length + 2 * pad - filter_size + 1
    return (length + stride - 1) // stride


def pool_length(length, pool_size, stride, pad, ignore_border):
    """Lasagne's pool_output_length, written out."""
    if ignore_border:
        return (length + 2 * pad - pool_size + 1 + stride - 1) // stride
    if stride >= pool_size:
        return (length + stride - 1) // stride
    return max(0, (length - pool_size + stride - 1) // stride) + 1


@st.composite
def conv_spec(draw):
    pad = draw(st.sampled_from(["valid", "full", "same", 0, 1, 2]))
    size = draw(st.sampled_from([1, 3, 5]) if pad == "same" else st.integers(1, 6))
    return ("conv", dict(num_filters=draw(st.integers(1, 4)), filter_size=size,
                         stride=draw(st.integers(1, 3)), pad=pad))


@st.composite
def pool_spec(draw):
    ignore_border = draw(st.booleans())
    return ("pool", dict(pool_size=draw(st.integers(1, 4)), stride=draw(st.integers(1, 3)),
                         pad=draw(st.integers(0, 1)) if ignore_border else 0,
                         ignore_border=ignore_border))


dense_spec = st.builds(lambda units: ("dense", dict(num_units=units)), st.integers(1, 5))
stacks = st.lists(st.one_of(conv_spec(), pool_spec(), dense_spec), min_size=0,
                  max_size=4).map(lambda stack: stack + [("dense", dict(num_units=2))])
input_shapes = st.tuples(st.integers(1, 3), st.integers(1, 20), st.integers(1, 20))


def expected_shape(shape, stack):
    """The output shape by Lasagne's rules, or the index of the first layer that cannot be."""
    for index, (kind, kw) in enumerate(stack):
        if kind == "dense":
            shape = (None, kw["num_units"])
            continue
        if len(shape) != 4:
            return index
        if kind == "conv":
            spatial = [conv_length(n, kw["filter_size"], kw["stride"], kw["pad"])
                       for n in shape[2:]]
            shape = (None, kw["num_filters"], *spatial)
        else:
            spatial = [pool_length(n, kw["pool_size"], kw["stride"], kw["pad"],
                                   kw["ignore_border"]) for n in shape[2:]]
            shape = (None, shape[1], *spatial)
        if min(spatial) <= 0:
            return index
    return shape


LAYER_CLASSES = {"conv": layers.Conv2DLayer, "pool": layers.MaxPool2DLayer,
                 "dense": layers.DenseLayer}


@SETTINGS
@given(input_shapes, stacks)
def test_random_stacks_build_to_lasagnes_shape_or_name_the_layer_that_cannot(shape, stack):
    expected = expected_shape((None, *shape), stack)
    net = NeuralNet(
        layers=[("input", layers.InputLayer)] + [(f"{kind}{index}", LAYER_CLASSES[kind])
                                                 for index, (kind, _) in enumerate(stack)],
        input_shape=(None, *shape),
        **{f"{kind}{index}_{key}": value for index, (kind, kw) in enumerate(stack)
           for key, value in kw.items()},
        update_learning_rate=0.1)
    if isinstance(expected, int):
        name = f"{stack[expected][0]}{expected}"
        with pytest.raises(ValueError, match=f"'{name}'"):
            net.initialize()
        return
    net.initialize()
    assert net.layers_[-1].output_shape == expected
    with torch.no_grad():
        output = net.module_(torch.zeros((2, *shape)))
    assert tuple(output.shape) == (2, *expected[1:])


names = st.text(string.ascii_lowercase + "_", min_size=1, max_size=12)


@SETTINGS
@given(st.sampled_from(["hidden", "output", "update", "input", "objective"]), names,
       st.integers() | st.floats(allow_nan=False) | st.text(max_size=3))
def test_random_keyword_arguments_no_layer_takes_are_unused_kwargs(prefix, suffix, value):
    key = f"{prefix}_{suffix}"
    net = NeuralNet(layers=[("input", layers.InputLayer), ("hidden", layers.DenseLayer),
                            ("output", layers.DenseLayer)],
                    input_shape=(None, 4), hidden_num_units=3, output_num_units=2,
                    output_nonlinearity=nonlinearities.softmax, update_learning_rate=0.1)
    valid = set(net.initialize()._valid_kwarg_names()) | set(net.get_params())
    if key in valid:
        return
    unused = f"Unused kwarg: {re.escape(key)}"
    if key.endswith("_"):  # fails at once: it would pass for a fitted attribute
        with pytest.raises(ValueError, match=unused):
            net.set_params(**{key: value})
        return
    net.set_params(**{key: value})
    with pytest.raises(ValueError, match=unused):
        net.initialize()
    with pytest.raises(ValueError, match=unused):
        net.fit(np.zeros((6, 4), np.float32), np.arange(6) % 2)
