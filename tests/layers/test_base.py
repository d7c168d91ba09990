import pytest

from sknet.layers import InputLayer, Layer, MaxPool2DLayer


def test_input_layer_rejects_non_positive_sizes():
    with pytest.raises(ValueError, match=r"InputLayer 'input': shape must hold positive"):
        InputLayer((None, 0, 28), name="input")


def test_any_layer_whose_output_would_be_empty_fails_at_construction():
    with pytest.raises(ValueError, match=r"MaxPool2DLayer 'pool' cannot take input shape "
                                         r"\(None, 3, 1, 1\): its output shape would be "
                                         r"\(None, 3, 0, 0\)"):
        MaxPool2DLayer(InputLayer((None, 3, 1, 1)), 2, name="pool")


def test_a_subclass_gives_its_shape_rule_and_computation_separately():
    class Double(Layer):
        def get_output_shape_for(self, input_shape):
            return input_shape[:1] + (2 * input_shape[1],)

        def get_output_for(self, input, **kwargs):
            return input.repeat(1, 2)

    layer = Double(InputLayer((None, 3)))
    assert layer.output_shape == (None, 6) and layer.get_params() == []
    assert repr(layer) == "Double (None, 6)"
