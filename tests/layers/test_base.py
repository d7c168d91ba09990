import pytest

from sknet.layers import Conv2DLayer, DenseLayer, InputLayer, Layer, MaxPool2DLayer


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
