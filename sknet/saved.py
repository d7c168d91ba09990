"""What a net built only to predict takes from saved parameters: ``NeuralNet(layers=...)`` +
``load_params_from(file)`` + ``predict``, without training settings, input shape or classes.

sknet's `save_params_to` records the input shapes, the output layer's units and `classes_`
with the arrays (see `sknet.params.SKNET_KEY`). nolearn's and Lasagne's files hold arrays
only: a shape the net leaves out is read from them where it is unambiguous (a DenseLayer's
``W``, ``(num_inputs, num_units)``, reading the input or giving the output: found by layer
name in nolearn's dicts, by position in Lasagne's lists of a sequential net).
"""
import os
from contextlib import contextmanager

import numpy as np

from .build import _layer_definitions
from .layers import DenseLayer, InputLayer, Layer
from .layers.noise import NoiseLayer
from .params import SKNET_KEY, read_saved, split_info


def saved_info(net):
    """What `net` records beside its parameter arrays: its InputLayers' shapes, its output
    layer's units and its `classes_` (as a list and a dtype: plain values any loader reads)."""
    layers = net.layers_
    info = {"input_shapes": {name: tuple(layer.shape) for name, layer in layers.items()
                             if isinstance(layer, InputLayer)},
            "output_units": getattr(layers[-1], "num_units", None)}
    classes = net.__dict__.get("classes_")
    if classes is not None:
        classes = np.asarray(classes)
        info.update(classes=classes.tolist(), classes_dtype=classes.dtype.str)
    return info


def saved_values(net):
    """What `save_params_to` writes: ``net.get_all_params_values()``, and `saved_info(net)`
    under `SKNET_KEY`."""
    values = net.get_all_params_values()
    values[SKNET_KEY] = saved_info(net)
    return values


# The key of sknet's record in the metadata of a state dict skorch's save_params writes: torch's
# load_state_dict reads only the keys it knows there, so plain skorch and torch load the file.
STATE_DICT_KEY = "sknet"


@contextmanager
def recorded_in_state_dict(net):
    """While skorch's `save_params` writes ``net.module_.state_dict()``: that state dict holds
    `saved_info(net)` (`classes_` with it) in its metadata."""
    def record(module, state_dict, prefix, local_metadata):
        local_metadata[STATE_DICT_KEY] = saved_info(net)
    with _hooked(net, "register_state_dict_post_hook", record):
        yield


@contextmanager
def restored_from_state_dict(net):
    """While skorch's `load_params` loads ``net.module_``: `classes_` as the loaded state dict
    records them (`recorded_in_state_dict`), set once the block ends without an error."""
    found = []

    def read(module, state_dict, prefix, local_metadata, *rest):
        if STATE_DICT_KEY in local_metadata:
            found.append(local_metadata[STATE_DICT_KEY])
    with _hooked(net, "register_load_state_dict_pre_hook", read):
        yield
    if found:
        restore_classes(net, found[-1])


@contextmanager
def _hooked(net, register, hook):
    """`hook` registered on ``net.module_`` with its method `register` for the block (none
    before the net is initialized: skorch then says it must be)."""
    module = net.__dict__.get("module_")
    handle = None if module is None else getattr(module, register)(hook)
    try:
        yield
    finally:
        if handle is not None:
            handle.remove()


def read_source(source):
    """``(values, info, label)`` for `load_params_from`'s `source`: a parameter file (see
    `sknet.params.read_saved`), another net, a dict ``{layer name: [arrays]}`` or a list of
    arrays in ``get_all_params`` order; `label` names the source in errors."""
    if isinstance(source, (str, os.PathLike)):
        return (*read_saved(source), str(source))
    if hasattr(source, "get_all_params_values"):
        info = saved_info(source) if hasattr(source, "layers_") else {}
        return source.get_all_params_values(), info, "the other net"
    return (*split_info(source), "the parameters given")


def shapes_from(layers, params_for, values, info, label):
    """What building `layers` (NeuralNet's argument; ``params_for(name)`` gives a layer's
    keyword arguments) leaves out and the saved `values` / `info` tell, in the form `fit`
    learns it from data: ``{'input_shapes': {name: shape}, 'output_units': n}``. An InputLayer
    given no shape that they do not tell is an error naming `label`."""
    if isinstance(layers, Layer) or not isinstance(layers, (list, tuple)) or not layers \
            or all(isinstance(layer, Layer) for layer in layers):
        return {}  # layer instances carry their shapes
    definitions = [(factory, {**kwargs, **params_for(kwargs["name"])})
                   for factory, kwargs in _layer_definitions(layers)]
    shapes = dict(info.get("input_shapes") or {})
    for index, (factory, kwargs) in enumerate(definitions):
        name = kwargs["name"]
        if _is_input(factory) and "shape" not in kwargs and name not in shapes:
            reader, in_order = _reader_of(definitions, index)
            # in a list (Lasagne's order), the first W, if the reader is the first layer
            W = _dense_weights(reader, values, 0 if in_order and index == 0 else None)
            if W is None:
                raise ValueError(
                    f"layer {name!r} (InputLayer) needs {name}_shape=(None, ...): there is no "
                    f"record of the input shape in {label}, and parameters tell it only when "
                    "a DenseLayer reads the input")
            shapes[name] = (None, W.shape[0])
    units = info.get("output_units")
    if units is None:  # in a list, the output layer's W is last but its b
        W = _dense_weights(definitions[-1], values,
                           -1 if definitions[-1][1].get("b", 0) is None else -2)
        units = None if W is None else W.shape[1]
    return {"input_shapes": shapes, "output_units": units}


def _is_input(factory):
    return isinstance(factory, type) and issubclass(factory, InputLayer)


def _reader_of(definitions, index):
    """``(definition, in_order)``: the first layer that reads the output of layer `index`
    through noise layers (which keep the shape and hold no parameters), or None, and whether
    each such layer follows the previous one in `definitions`."""
    name = definitions[index][1]["name"]
    for later, (factory, kwargs) in enumerate(definitions[index + 1:], index + 1):
        incoming = kwargs.get("incoming", kwargs.get("incomings"))
        next_in_order = incoming is None and later == index + 1
        if incoming == name or next_in_order:
            if isinstance(factory, type) and issubclass(factory, NoiseLayer):
                reader, in_order = _reader_of(definitions, later)
                return reader, in_order and next_in_order
            return (factory, kwargs), next_in_order
    return None, False


def _dense_weights(definition, values, position):
    """The saved W of `definition` when it is a DenseLayer reading a flat input: a 2-d array,
    by layer name in a dict of values, or at `position` (None: unknown) in a list; else None."""
    if definition is None:
        return None
    factory, kwargs = definition
    if not (isinstance(factory, type) and issubclass(factory, DenseLayer)) \
            or kwargs.get("num_leading_axes", 1) != 1:
        return None
    W = None
    if isinstance(values, dict):
        W = (values.get(kwargs["name"]) or [None])[0]
    elif position is not None and len(values) > max(position, -position - 1):
        W = values[position]
    return None if W is None or np.ndim(W) != 2 else np.asarray(W)


def restore_classes(net, info):
    """`classes_` as `info` recorded it (and the label encoder of a `use_label_encoder` net);
    without a record (nolearn's files), a classifier that has none yet gets nolearn's class
    ids 0..n-1, unless it encodes labels (they are unknown then)."""
    if net.regression:
        return
    if "classes" in info:  # (a use_label_encoder net's enc_ is made from classes_)
        net.classes_ = np.array(info["classes"], dtype=info.get("classes_dtype"))
    elif not net.use_label_encoder and "classes_" not in net.__dict__:
        net.classes_ = np.arange(max(net.layers_[-1].output_shape[-1], 2))  # 1 unit: 2
