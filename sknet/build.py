"""Turn NeuralNet's `layers` argument and its ``<layer name>_<param>`` keyword arguments into a
layer graph.

`layers` comes in nolearn's three forms:

1. ``[('input', InputLayer), ('hidden', DenseLayer), ...]`` with parameters as kwargs
   (``hidden_num_units=100``); layer classes may be dotted strings;
2. ``[(InputLayer, {'shape': (None, 784)}), (DenseLayer, {'num_units': 100, 'name': 'hidden'})]``,
   where ``incoming`` / ``incomings`` name earlier layers;
3. a layer instance (the output of a graph built the Lasagne way), or a list of layers that
   contains the output, or several outputs (see `network_output`).
"""
import functools
import importlib
import inspect
from collections import OrderedDict

from .layers import InputLayer, Layer, get_all_layers
from .utils import did_you_mean


class Layers(OrderedDict):
    """The built layers by name, also indexable by position (``layers_[-1]`` is the output)
    and by slice. `keys`, `values` and `items` return lists, as nolearn's did under Python 2,
    so that ``layers_.keys()[0]`` in old scripts still works.

    Examples
    --------
    >>> layers = Layers([('input', 'a'), ('hidden', 'b'), ('output', 'c')])
    >>> layers[-1], layers[:2].keys(), layers.values()
    ('c', ['input', 'hidden'], ['a', 'b', 'c'])
    """

    def __getitem__(self, key):
        if isinstance(key, int):
            return self.values()[key]
        if isinstance(key, slice):
            return Layers(self.items()[key])
        return super().__getitem__(key)

    def keys(self):
        return list(super().keys())

    def values(self):
        return list(super().values())

    def items(self):
        return list(super().items())


def default_layer_name(layer_class, index):
    """nolearn's name for an unnamed layer: ``DenseLayer`` at index 2 -> ``dense2``."""
    return f"{layer_class.__name__.lower().replace('layer', '')}{index}"


def resolve_layer_class(spec):
    """A layer class from a class or a dotted string such as ``'sknet.layers.DenseLayer'``."""
    if isinstance(spec, str):
        module_name, _, class_name = spec.rpartition(".")
        try:
            return getattr(importlib.import_module(module_name or "sknet.layers"), class_name)
        except (ImportError, AttributeError) as error:
            raise ValueError(f"cannot import layer class {spec!r}: {error}") from error
    if not callable(spec):
        raise TypeError(f"a layer must be a layer class, a dotted name or a layer instance, "
                        f"got {spec!r}")
    return spec


def factory_parameters(factory):
    """The parameters of a layer class's constructor (or of a layer-making function)."""
    try:
        return _cached_parameters(factory, factory.__init__ if isinstance(factory, type) else None)
    except TypeError:  # unhashable: a callable object that defines __eq__ only
        return _parameters(factory)


@functools.lru_cache(maxsize=512)
def _cached_parameters(factory, init):
    """`_parameters`, read once per factory (a signature costs ~50 µs, and every fit reads
    those of each layer); keyed by a class's `init` too, so that a class whose __init__ is
    replaced is read again."""
    return _parameters(factory)


def _parameters(factory):
    target = factory.__init__ if isinstance(factory, type) else factory
    try:
        parameters = tuple(inspect.signature(target).parameters.values())
    except (TypeError, ValueError):
        return ()
    return parameters[1:] if isinstance(factory, type) else parameters


def _accepted_arguments(factory):
    """The keyword arguments `factory` takes, or None if it takes any."""
    parameters = factory_parameters(factory)
    if not parameters:
        return None
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    return {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


def _unknown_argument_error(layer_name, factory, unknown, accepted):
    valid = sorted(accepted - {"incoming", "incomings", "name"})
    names = [f"{layer_name}_{arg}" for arg in valid]
    hints = [f"{layer_name}_{arg}" + did_you_mean(f"{layer_name}_{arg}", names)
             for arg in sorted(unknown)]
    return ValueError(f"Unused kwarg: {', '.join(hints)}; {getattr(factory, '__name__', factory)}"
                      f" takes {', '.join(valid)}")


def _resolve_references(kwargs, built):
    """Names of earlier layers in incoming/incomings/mask_input, and in W/b (to share those
    parameters)."""
    def lookup(name):
        if name not in built:
            raise ValueError(f"layer {kwargs.get('name')!r} refers to unknown layer {name!r}; "
                             f"the layers so far are {list(built)}")
        return built[name]

    for attr in ("incoming", "mask_input"):
        if isinstance(kwargs.get(attr), str):
            kwargs[attr] = lookup(kwargs[attr])
    if "incomings" in kwargs:
        kwargs["incomings"] = [lookup(i) if isinstance(i, str) else i
                               for i in kwargs["incomings"]]
    for attr in ("W", "b"):
        if isinstance(kwargs.get(attr), str):
            kwargs[attr] = getattr(lookup(kwargs[attr]), attr)


def _layer_definitions(layers):
    """(factory, kwargs) for each entry of formats 1 and 2."""
    for index, entry in enumerate(layers):
        if not isinstance(entry, (tuple, list)) or len(entry) != 2:
            raise ValueError(f"layers[{index}] must be ('name', LayerClass) or "
                             f"(LayerClass, {{kwargs}}), got {entry!r}")
        first, second = entry
        if isinstance(first, str) and not isinstance(second, dict):
            yield resolve_layer_class(second), {"name": first}
        else:
            factory = resolve_layer_class(first)
            kwargs = dict(second)
            kwargs.setdefault("name", default_layer_name(factory, index))
            yield factory, kwargs


def _is_instance_graph(layers):
    return isinstance(layers, Layer) or (isinstance(layers, (list, tuple)) and layers
                                         and all(isinstance(l, Layer) for l in layers))


def _outputs_of_instances(layers):
    """The layers of a list of layer instances that no other listed layer feeds: one output
    layer, or a list of several (in the order given)."""
    graph = get_all_layers(list(layers))
    fed = {id(incoming) for layer in graph
           for incoming in (getattr(layer, "input_layers", None) or [layer.input_layer])}
    outputs = [layer for layer in layers if id(layer) not in fed]
    return outputs[0] if len(outputs) == 1 else outputs


def network_output(layers, built):
    """The output of the net that `layers` describes, `built` by `build_layers`: its last
    layer, or the list of output layers when `layers` lists several (nolearn's multi-output
    nets, whose objective and predictions handle one value per output)."""
    if _is_instance_graph(layers) and not isinstance(layers, Layer):
        return _outputs_of_instances(layers)
    return built[-1]


def build_layers(layers, params_for, data_shapes=None, output_units=None):
    """Build the graph described by `layers`.

    `params_for(name)` returns the keyword arguments given for the layer called `name` (e.g.
    ``{'num_units': 100}`` for ``hidden_num_units=100``). What `fit` learns from the data fills
    what was left out: an InputLayer given no shape takes ``data_shapes[name]``, or
    ``data_shapes[None]`` (the shape of X), and the last layer given no `num_units` takes
    `output_units` (the number of classes or target columns). Returns the `Layers` mapping,
    in construction order with the output last.
    """
    if _is_instance_graph(layers):
        output = layers if isinstance(layers, Layer) else _outputs_of_instances(layers)
        built = Layers()
        for index, layer in enumerate(get_all_layers(output)):
            name = layer.name or default_layer_name(type(layer), index)
            if params_for(name):
                raise ValueError(f"keyword parameters for layer {name!r} cannot apply to layer "
                                 "instances; set them when you build the layer")
            built[name] = layer
        return built
    if not isinstance(layers, (list, tuple)) or not layers:
        raise ValueError(f"layers must be a non-empty list of layer definitions or a layer "
                         f"instance, got {layers!r}")
    built = Layers()
    previous = None
    definitions = list(_layer_definitions(layers))
    for factory, kwargs in definitions:
        name = kwargs["name"]
        kwargs.update(params_for(name))
        if kwargs is definitions[-1][1] and output_units and "num_units" not in kwargs \
                and "num_units" in (_accepted_arguments(factory) or ()):
            kwargs["num_units"] = output_units
        if name in built:
            raise ValueError(f"two layers are named {name!r}")
        wrapper = kwargs.pop("layer_wrapper", None)
        is_input = isinstance(factory, type) and issubclass(factory, InputLayer)
        if is_input and "shape" not in kwargs and data_shapes:
            shape = data_shapes.get(name, data_shapes.get(None))
            if shape is not None:
                kwargs["shape"] = shape
        if not is_input and "incoming" not in kwargs and "incomings" not in kwargs:
            if previous is None:
                raise ValueError(f"layer {name!r} has no input: the first layer must be an "
                                 "InputLayer, or give it `incoming`")
            kwargs["incoming"] = previous
        _resolve_references(kwargs, built)
        accepted = _accepted_arguments(factory)
        if accepted is not None and set(kwargs) - accepted:
            raise _unknown_argument_error(name, factory, set(kwargs) - accepted, accepted)
        missing = _missing_arguments(factory, kwargs)
        if missing:
            hint = " (fit takes it from X when it is left out; initialize alone cannot)" \
                if is_input else ""
            raise ValueError(f"layer {name!r} ({factory.__name__}) needs "
                             f"{', '.join(f'{name}_{m}' for m in missing)}{hint}")
        layer = factory(**kwargs)
        built[name] = layer
        if wrapper is not None:
            layer = wrapper(layer)
            _add_new_layers(built, layer, f"LW_{name}")
        previous = layer
    return built


def _add_new_layers(built, output, fallback_name):
    """Record the layers a wrapper (e.g. batch_norm) added on top of the built ones."""
    known = {id(layer) for layer in built.values()}
    for layer in get_all_layers(output):
        if id(layer) not in known:
            name = layer.name or (fallback_name if layer is output
                                  else default_layer_name(type(layer), len(built)))
            built[name] = layer


def _missing_arguments(factory, kwargs):
    # a legacy class (sknet.legacy.layers) may receive a required argument by its old name
    given = set(kwargs) | {new for old, new in getattr(factory, "old_argument_names", {}).items()
                           if old in kwargs}
    parameters = factory_parameters(factory)
    return [p.name for p in parameters if p.default is p.empty and p.name not in given
            and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
