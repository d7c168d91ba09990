"""Functions over whole layer graphs (Lasagne's helpers) and `Network`, the graph as one module."""
import inspect
import threading
import warnings
from contextlib import contextmanager
from difflib import get_close_matches

import numpy as np
import torch
from torch import nn

from ..utils import as_input_tensor
from .input import InputLayer


def _incoming(layer):
    """The layers feeding `layer`, read as Lasagne reads any object: its `input_layers`, else
    its `input_layer`, else none; None entries (inputs given as shapes) are left out."""
    if hasattr(layer, "input_layers"):
        return [l for l in layer.input_layers if l is not None]
    incoming = getattr(layer, "input_layer", None)
    return [] if incoming is None else [incoming]


def _is_source(layer):
    """Whether `layer` starts the graph: an InputLayer, or an object with no input layer
    attribute at all (a duck-typed input). A layer built from a shape is not one."""
    return isinstance(layer, InputLayer) or not (
        hasattr(layer, "input_layers") or hasattr(layer, "input_layer"))


def _built_from_a_shape(layer):
    if _is_source(layer):
        return False
    return None in (layer.input_layers if hasattr(layer, "input_layers")
                    else [layer.input_layer])


def _describe(layer):
    name = getattr(layer, "name", None)
    return f"{type(layer).__name__} {name!r}" if name else repr(layer)


def get_all_layers(layer, treat_as_input=None):
    """Every layer that `layer` (or a list of layers) depends on, inputs first, each once.

    Layers in `treat_as_input` are included but their own inputs are not followed.

    >>> from sknet.layers import InputLayer, DenseLayer
    >>> l_in = InputLayer((None, 10))
    >>> l_out = DenseLayer(DenseLayer(l_in, 5), 2)
    >>> [type(l).__name__ for l in get_all_layers(l_out)]
    ['InputLayer', 'DenseLayer', 'DenseLayer']
    """
    roots = list(layer) if isinstance(layer, (list, tuple)) else [layer]
    stop = set(treat_as_input or ())
    result, done = [], set()
    for root in roots:
        stack = [(root, False)]
        while stack:
            current, expanded = stack.pop()
            if current in done:
                continue
            if expanded or current in stop:
                done.add(current)
                result.append(current)
                continue
            stack.append((current, True))
            stack.extend((l, False) for l in reversed(_incoming(current)) if l not in done)
    return result


class _Feeding(threading.local):
    """The stack of fed outputs, one per thread: several threads may predict at once."""

    def __init__(self):
        self.stack = []


_feeding = _Feeding()


def fed_outputs():
    """This thread's fed outputs, innermost last (see `feeding`)."""
    return _feeding.stack


@contextmanager
def feeding(outputs):
    """Within this block, `get_output` called without explicit inputs takes the tensors in
    `outputs` (a dict from layers to tensors) as those layers' outputs, the way a Theano graph's
    symbolic inputs were bound. NeuralNet feeds the current batch and the network output it
    already computed, so an objective written for nolearn (``get_output(layers[-1])``) works
    without a second forward pass."""
    stack = _feeding.stack
    stack.append(outputs)
    try:
        yield
    finally:
        stack.pop()


def get_output(layer_or_layers, inputs=None, deterministic=False, **kwargs):
    """Compute the output of a layer (or a list of layers) for the given input data.

    `inputs` is a tensor or array for a network with one InputLayer, or a dict mapping layers
    (InputLayers, or any layer whose output to substitute) to data; without it, the data comes
    from an enclosing `feeding` block or the InputLayers' `input_var` tensors.
    ``deterministic=True`` turns off dropout and noise and makes BatchNormLayer use its running
    averages. Other keyword arguments reach every layer.

    >>> from sknet.layers import InputLayer, DenseLayer
    >>> l_out = DenseLayer(InputLayer((None, 3)), 2, W=np.ones((3, 2)), nonlinearity=None)
    >>> get_output(l_out, np.array([[1.0, 2.0, 3.0]]))
    tensor([[6., 6.]], grad_fn=<AddmmBackward0>)
    """
    fed_stack = _feeding.stack
    if inputs is None and fed_stack and not isinstance(layer_or_layers, (list, tuple)):
        fed = fed_stack[-1].get(layer_or_layers)
        if fed is not None:
            return fed  # the layer's output is given: nothing to compute
    given = dict(fed_stack[-1]) if fed_stack and inputs is None else {}
    if isinstance(inputs, dict):
        given.update(inputs)
    all_layers = get_all_layers(layer_or_layers, given.keys())
    outputs = {layer: as_input_tensor(value) for layer, value in given.items()}
    free_inputs = [l for l in all_layers if _is_source(l) and l not in outputs]
    if not free_inputs and any(_built_from_a_shape(l) for l in all_layers):
        free_inputs = [None]  # a layer built from a shape takes the data directly
    if inputs is not None and not isinstance(inputs, dict):
        if len(free_inputs) != 1:
            raise ValueError(
                f"get_output() got one input for a network with {len(free_inputs)} InputLayers "
                f"({', '.join(repr(getattr(l, 'name', None) or l) for l in free_inputs if l)}); "
                "pass a dict mapping each InputLayer to its data")
        outputs[free_inputs[0]] = as_input_tensor(inputs)
    for layer in all_layers:
        if layer in outputs:
            continue
        if _is_source(layer):
            input_var = getattr(layer, "input_var", None)
            if not isinstance(input_var, torch.Tensor):
                raise ValueError(f"get_output() has no data for {_describe(layer)}: pass it "
                                 "in `inputs`")
            outputs[layer] = input_var
        elif hasattr(layer, "input_layers"):
            layer_inputs = [outputs[l] for l in layer.input_layers]
            outputs[layer] = layer.get_output_for(layer_inputs, deterministic=deterministic,
                                                  **kwargs)
        else:
            outputs[layer] = layer.get_output_for(outputs[layer.input_layer],
                                                  deterministic=deterministic, **kwargs)
    if kwargs:
        _warn_unused_kwargs(kwargs, [l for l in all_layers if l not in given])
    if isinstance(layer_or_layers, (list, tuple)):
        return [outputs[layer] for layer in layer_or_layers]
    return outputs[layer_or_layers]


def _warn_unused_kwargs(kwargs, layers):
    """Warn, as Lasagne did, about keyword arguments of `get_output` that no layer's
    `get_output_for` names (a misspelt ``deterministic`` would otherwise pass unnoticed)."""
    accepted = {"deterministic"}
    for layer in layers:
        try:
            parameters = inspect.signature(layer.get_output_for).parameters.values()
        except (TypeError, ValueError):
            continue
        accepted.update(p.name for p in parameters if p.default is not p.empty)
        accepted.update(getattr(layer, "get_output_kwargs", ()))
    unused = sorted(set(kwargs) - accepted)
    if unused:
        hints = [name + "".join(f" (perhaps you meant {match})"
                                for match in get_close_matches(name, accepted, 1))
                 for name in unused]
        warnings.warn("get_output() was called with unused kwargs:\n\t" + "\n\t".join(hints),
                      stacklevel=3)


def get_output_shape(layer_or_layers, input_shapes=None):
    """The output shape of a layer (or list), optionally for other input shapes given like
    `inputs` of `get_output` (one shape, or a dict from layers to shapes)."""
    if input_shapes is None:
        if isinstance(layer_or_layers, (list, tuple)):
            return [layer.output_shape for layer in layer_or_layers]
        return layer_or_layers.output_shape
    given = dict(input_shapes) if isinstance(input_shapes, dict) else {}
    all_layers = get_all_layers(layer_or_layers, given.keys())
    shapes = {layer: tuple(shape) for layer, shape in given.items()}
    if not isinstance(input_shapes, dict):
        sources = [l for l in all_layers if _is_source(l)]
        if len(sources) > 1:
            raise ValueError(
                f"get_output_shape() got one input shape for a network with {len(sources)} "
                "InputLayers; pass a dict mapping each InputLayer to its shape")
        # the one InputLayer, or else the layer built from a shape, takes it
        shapes[sources[0] if sources else None] = tuple(input_shapes)
    for layer in all_layers:
        if layer in shapes:
            continue
        if _is_source(layer):
            shapes[layer] = tuple(layer.output_shape)
        elif hasattr(layer, "input_layers"):
            shapes[layer] = layer.get_output_shape_for(
                [shapes[l] if l is not None else s
                 for l, s in zip(layer.input_layers, layer.input_shapes)])
        else:
            incoming = layer.input_layer
            shapes[layer] = layer.get_output_shape_for(
                shapes[incoming] if incoming in shapes else layer.input_shape)
    if isinstance(layer_or_layers, (list, tuple)):
        return [shapes[layer] for layer in layer_or_layers]
    return shapes[layer_or_layers]


def get_all_params(layer, unwrap_shared=True, **tags):
    """The parameters of every layer in the graph, each once, filtered by tags as in
    ``Layer.get_params`` (e.g. ``trainable=True``, ``regularizable=True``)."""
    params, seen = [], set()
    for l in get_all_layers(layer):
        for p in l.get_params(**tags) if hasattr(l, "get_params") else ():
            if id(p) not in seen:
                seen.add(id(p))
                params.append(p)
    return params


def count_params(layer, **tags):
    """The number of parameter values in the graph (filtered by tags).

    >>> from sknet.layers import InputLayer, DenseLayer
    >>> count_params(DenseLayer(DenseLayer(InputLayer((None, 784)), 100), 10))
    79510
    """
    return sum(p.numel() for p in get_all_params(layer, **tags))


def get_all_param_values(layer, **tags):
    """The values of `get_all_params` as a list of NumPy arrays (copies)."""
    return [p.detach().cpu().numpy().copy() for p in get_all_params(layer, **tags)]


def set_all_param_values(layer, values, **tags):
    """Set the graph's parameters (in `get_all_params` order) from a list of arrays; nothing
    is set unless the number of values and every shape match."""
    params = get_all_params(layer, **tags)
    if len(params) != len(values):
        raise ValueError(f"got {len(values)} parameter arrays, but the network has "
                         f"{len(params)} parameters")
    owners = {id(getattr(l, name)): (l.name, name) for l in get_all_layers(layer)
              if isinstance(l, nn.Module) for name in getattr(l, "params", ())}
    for param, value in zip(params, values):
        value = np.asarray(value)
        if tuple(param.shape) != value.shape:
            layer_name, param_name = owners.get(id(param), (None, getattr(param, "name", "?")))
            raise ValueError(f"layer {layer_name!r}: parameter {param_name} has shape "
                             f"{tuple(param.shape)}, but the value for it has shape "
                             f"{value.shape}; nothing was loaded")
    with torch.no_grad():
        for param, value in zip(params, values):
            param.copy_(torch.as_tensor(np.asarray(value), dtype=param.dtype))


class Network(nn.Module):
    """Network(output_layer_or_layers, logits=False, layers=None)

    One ``nn.Module`` for a whole layer graph: it registers every layer (by name, where the
    layer has one) so that ``.to(device)``, ``.parameters()``, ``state_dict()`` and
    ``train()``/``eval()`` cover the graph. ``forward`` takes the inputs of the InputLayers,
    positionally in graph order or by layer name, and is deterministic in eval mode.

    With ``logits=True`` (one output layer that has ``get_preactivation_for``), `forward`
    returns the output layer's values *before* its nonlinearity, e.g. the logits of a softmax
    layer, so that a loss can be computed stably from them. `layers` may name the layers
    (a mapping from name to layer covering the graph, as NeuralNet builds it).

    >>> from sknet.layers import InputLayer, DenseLayer
    >>> net = Network(DenseLayer(InputLayer((None, 4), name='input'), 3, name='output'))
    >>> list(net.layers), net(torch.zeros(2, 4)).shape
    (['input', 'output'], torch.Size([2, 3]))
    """

    def __init__(self, output_layer_or_layers, logits=False, layers=None):
        super().__init__()
        # Registered once, through `layers`; a plain attribute here would register it twice.
        object.__setattr__(self, "output_layers", output_layer_or_layers)
        if logits and not hasattr(output_layer_or_layers, "get_preactivation_for"):
            raise ValueError(f"logits=True needs one output layer with a nonlinearity, got "
                             f"{output_layer_or_layers!r}")
        self.logits = logits
        if layers is None:
            layers = {}
            for index, layer in enumerate(get_all_layers(output_layer_or_layers)):
                key = (layer.name or f"{type(layer).__name__.lower()}{index}").replace(".", "_")
                layers[key if key not in layers else f"{key}_{index}"] = layer
        self.layers = nn.ModuleDict(layers)
        self.input_layers = [l for l in self.layers.values() if isinstance(l, InputLayer)]
        self._by_name = {l.name: l for l in self.input_layers}
        # The forward pass as a fixed plan: (layer, where its inputs come from), in order.
        outputs = output_layer_or_layers
        if logits:
            outputs = getattr(outputs, "input_layers", None) or outputs.input_layer
        self._plan = [(layer, getattr(layer, "input_layers", None) or layer.input_layer)
                      for layer in get_all_layers(outputs) if not isinstance(layer, InputLayer)]
        object.__setattr__(self, "_plan_outputs", outputs)  # registered once, in `layers`

    def forward(self, *inputs, **named_inputs):
        values = dict(zip(self.input_layers, inputs))
        for name, value in named_inputs.items():
            if name not in self._by_name:
                raise ValueError(f"no InputLayer named {name!r}; the inputs are "
                                 f"{sorted(n for n in self._by_name if n)}")
            values[self._by_name[name]] = value
        deterministic = not self.training
        # fed while computing: legacy code then computes at once, reading input_var's values
        stack = _feeding.stack
        stack.append(values)
        try:
            for layer, incoming in self._plan:
                layer_input = ([values[l] for l in incoming] if isinstance(incoming, list)
                               else values[incoming])
                values[layer] = layer.get_output_for(layer_input, deterministic=deterministic)
        finally:
            stack.pop()
        outputs = self._plan_outputs
        result = ([values[l] for l in outputs] if isinstance(outputs, (list, tuple))
                  else values[outputs])
        if self.logits:
            return self.output_layers.get_preactivation_for(result)
        return result
