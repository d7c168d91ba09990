import copy
import io
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from torch.optim import optimizer as torch_optimizer

from sknet import NeuralNet
from sknet.layers import (BatchNormLayer, Conv2DLayer, DenseLayer, InputLayer, Layer,
                          MaxPool2DLayer, Network, get_all_params)


def test_input_layer_rejects_non_positive_sizes():
    with pytest.raises(ValueError, match=r"InputLayer 'input': shape must hold positive"):
        InputLayer((None, 0, 28), name="input")


def test_any_layer_whose_output_would_be_empty_fails_at_construction():
    with pytest.raises(ValueError, match=r"MaxPool2DLayer 'pool' cannot take input shape "
                                         r"\(None, 3, 1, 1\): a 2x2 pool \(stride 2x2, pad "
                                         r"0x0\) does not fit the 1x1 input; its output shape "
                                         r"would be \(None, 3, 0, 0\)$"):
        MaxPool2DLayer(InputLayer((None, 3, 1, 1)), 2, name="pool")
    with pytest.raises(ValueError, match=r"Conv2DLayer 'conv1' cannot take input shape "
                                         r"\(None, 1, 4, 4\): a 5x5 filter \(stride 1x1, pad "
                                         r"0x0\) does not fit the 4x4 input"):
        Conv2DLayer(InputLayer((None, 1, 4, 4)), 2, (5, 5), name="conv1")
    with pytest.raises(ValueError, match=r"'dense' cannot take input shape \(None, 0\): every "
                                         r"dimension must be positive"):
        DenseLayer((None, 0), 3, name="dense")


def test_a_subclass_gives_its_shape_rule_and_computation_separately():
    class Double(Layer):
        def get_output_shape_for(self, input_shape):
            return input_shape[:1] + (2 * input_shape[1],)

        def get_output_for(self, input, **kwargs):
            return input.repeat(1, 2)

    layer = Double(InputLayer((None, 3)))
    assert layer.output_shape == (None, 6) and layer.get_params() == []
    assert repr(layer) == "Double (None, 6)"


def _names(layer):
    return [p.name for p in get_all_params(layer)]


def test_parameters_carry_lasagnes_names_through_copies_pickles_and_state_dicts():
    hidden = DenseLayer(InputLayer((None, 3)), 4, name="hidden")
    output = DenseLayer(hidden, 2)  # unnamed layer: bare names, as Lasagne's add_param
    assert _names(output) == ["hidden.W", "hidden.b", "W", "b"]
    assert isinstance(hidden.W, torch.nn.Parameter)
    assert _names(copy.deepcopy(output)) == _names(pickle.loads(pickle.dumps(output))) == \
        ["hidden.W", "hidden.b", "W", "b"]
    buffer = io.BytesIO()
    torch.save(output, buffer)
    buffer.seek(0)
    assert _names(torch.load(buffer, weights_only=False)) == _names(output)
    output.to(torch.float64)
    assert output.W.dtype == torch.float64 and output.W.name == "W"
    # a state dict still holds plain tensors and loads back into the named parameters
    network = Network(output)
    state = {key: torch.full_like(value, 0.5) for key, value in network.state_dict().items()}
    network.load_state_dict(state)
    assert hidden.W.name == "hidden.W" and float(hidden.W.detach().sum()) == 0.5 * 12
    # BatchNorm's running statistics are buffers with names too, also after a move or a cast
    norm = BatchNormLayer(hidden, name="bn")
    assert _names(norm)[2:] == ["bn.beta", "bn.gamma", "bn.mean", "bn.inv_std"]
    norm.to(torch.float64)
    assert norm.mean.dtype == torch.float64 and _names(copy.deepcopy(norm))[-1] == "bn.inv_std"
    assert "bn.mean" in repr(norm.mean) and type(norm.mean * 2) is torch.Tensor
    # torch's optimizers keep their multi-tensor (foreach) path for these parameters on a GPU
    assert type(hidden.W) in torch_optimizer._foreach_supported_types
    # a parameter given to a second layer is shared, keeping its first name
    shared = DenseLayer(InputLayer((None, 3)), 4, W=hidden.W, name="other")
    assert shared.W is hidden.W and _names(shared) == ["hidden.W", "other.b"]


def test_a_cloned_net_keeps_the_names_of_its_layer_instance():
    layer = DenseLayer(InputLayer((None, 3)), 2, name="output")
    net = clone(NeuralNet(layers=layer, update_learning_rate=0.1))
    assert _names(net.layers) == ["output.W", "output.b"] and net.layers.W is not layer.W


def test_a_parameter_indexes_its_layers_tags_as_in_lasagne():
    layer = DenseLayer(InputLayer((None, 3)), 2)
    assert layer.params[layer.W] == {"trainable", "regularizable"} and layer.b in layer.params
    layer.params[layer.W].discard("trainable")  # Lasagne's way to freeze a weight
    assert get_all_params(layer, trainable=True) == [layer.b]
    for copied in (copy.deepcopy(layer), pickle.loads(pickle.dumps(layer))):
        assert copied.params[copied.W] == {"regularizable"} and layer.W not in copied.params
    assert list(layer.params) == ["W", "b"]


def test_add_param_without_a_name_as_lasagne_allows():
    class Scale(Layer):  # a custom layer as old scripts wrote them
        def __init__(self, incoming, **kwargs):
            super().__init__(incoming, **kwargs)
            self.scale = self.add_param(np.full(3, 2.0), (3,))

        def get_output_for(self, input, **kwargs):
            return input * self.scale

    layer = Scale(InputLayer((None, 3)), name="s")
    assert layer.get_params() == [layer.scale] and layer.scale.name is None
    np.testing.assert_array_equal(layer.get_output_for(torch.ones(1, 3)).detach().numpy(),
                                  [[2.0, 2.0, 2.0]])
