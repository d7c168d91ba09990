"""Lasagne's ``get_output`` on the expression graph, and the symbolic input variable an
InputLayer creates for itself."""
from ...layers import helper
from ...layers.input import InputLayer
from ...utils import as_input_tensor, floatX
from .graph import Apply, Placeholder, TensorType, Variable, is_symbolic


def input_variable(shape, name=None):
    """The variable Lasagne's InputLayer makes when given none: float, one axis per shape
    entry (broadcastable where the length is 1), named ``'<name>.input'`` or ``'input'``."""
    return Placeholder(floatX, [d == 1 for d in shape], f"{name}.input" if name else "input")


def get_output(layer_or_layers, inputs=None, **kwargs):
    """Lasagne's ``get_output``. With data (or inside NeuralNet's training step) it computes at
    once, as `sknet.layers.get_output`; with symbolic inputs, or with none where the
    InputLayers have symbolic ``input_var``s, it returns an expression (a list of them for a
    list of layers) for ``theano.function``."""
    if not _symbolic_request(layer_or_layers, inputs):
        return helper.get_output(layer_or_layers, _on_layer_device(layer_or_layers, inputs),
                                 **kwargs)
    bindings = dict(inputs) if isinstance(inputs, dict) else {}
    all_layers = helper.get_all_layers(layer_or_layers, bindings.keys())
    free_inputs = [l for l in all_layers if isinstance(l, InputLayer) and l not in bindings]
    if inputs is not None and not isinstance(inputs, dict):
        if len(free_inputs) != 1:
            raise ValueError(f"get_output() got one input for a network with "
                             f"{len(free_inputs)} InputLayers; pass a dict mapping each "
                             "InputLayer to its variable")
        bindings[free_inputs[0]] = inputs
    else:
        bindings.update((layer, layer.input_var) for layer in free_inputs)
    many = isinstance(layer_or_layers, (list, tuple))
    outputs = list(layer_or_layers) if many else [layer_or_layers]
    node = Apply(helper.get_output, (outputs if many else layer_or_layers, bindings), kwargs,
                 None if many else _output_type(layer_or_layers))
    node.layers = all_layers
    if many:
        return [Apply(_item, (node, index), {}, _output_type(layer))
                for index, layer in enumerate(outputs)]
    return node


def _output_type(layer):
    """A layer's output type, as Lasagne's: floatX, broadcastable where the length is 1."""
    return TensorType(floatX, [d == 1 for d in layer.output_shape])


def _item(values, index):
    return values[index]


def _symbolic_request(layer_or_layers, inputs):
    if inputs is not None:
        return is_symbolic(inputs)
    if helper.fed_outputs():
        return False
    layers = helper.get_all_layers(layer_or_layers)
    return any(isinstance(l, InputLayer) and isinstance(l.input_var, Variable) for l in layers)


def _on_layer_device(layer_or_layers, inputs):
    """Data inputs as tensors on the device of the network's parameters (a compiled function
    may have moved them to the GPU)."""
    params = helper.get_all_params(layer_or_layers)
    if inputs is None or not params:
        return inputs
    device = params[0].device
    if isinstance(inputs, dict):
        return {layer: as_input_tensor(value).to(device) for layer, value in inputs.items()}
    return as_input_tensor(inputs).to(device)

