"""The base classes every layer derives from: `Layer` (one input) and `MergeLayer` (several)."""
import functools
import numbers

from torch import nn

from ..nonlinearities import identity
from ..utils import create_param
from .parameters import NamedBuffer, NamedParameter, ParamTags


def is_int(value):
    """Whether `value` is an integer as Lasagne counts them: Python's or NumPy's, not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def as_shape(shape):
    """`shape` as a tuple of Python ints and None (NumPy integers, e.g. from ``x.shape``, are
    sizes too)."""
    return tuple(int(d) if is_int(d) else d for d in shape)


def as_size(value, argument, layer_name):
    """A positive size argument such as `num_units` as a Python int; otherwise the error
    Lasagne's parameter creation gave (TypeError for a non-integer, ValueError for a size
    below 1), naming the argument and the value received."""
    message = f"{layer_name}: {argument} must be a positive int, got {value!r}"
    if not is_int(value):
        raise TypeError(message)
    if value < 1:
        raise ValueError(message)
    return int(value)


# Set by the legacy shim (`sknet.legacy.tensor_methods.theano_output_for`): runs the
# get_output_for of a layer class defined outside sknet with Theano's tensor methods.
foreign_output_hook = None


def _through_foreign_output_hook(get_output_for):
    """`get_output_for` of a layer class defined outside sknet, run through
    `foreign_output_hook` when one is set."""
    @functools.wraps(get_output_for)
    def hooked(self, inputs, **kwargs):
        if foreign_output_hook is None:
            return get_output_for(self, inputs, **kwargs)
        return foreign_output_hook(get_output_for, self, inputs, **kwargs)
    return hooked


class _ShapeCheckedMeta(type(nn.Module)):
    """Checks a layer's output shape right after construction, so that a layer that cannot take
    its incoming shape fails where it is built, naming itself and both shapes."""

    def __call__(cls, *args, **kwargs):
        layer = super().__call__(*args, **kwargs)
        layer.check_output_shape()
        return layer


class Layer(nn.Module, metaclass=_ShapeCheckedMeta):
    """Layer(incoming, name=None)

    A layer built the Lasagne way: `incoming` is the layer that feeds it or the shape of its
    input (``None`` for the batch axis). Subclasses give the shape rule in
    `get_output_shape_for` and the computation in `get_output_for`.

    A layer owns only its own parameters (``get_params``), as in Lasagne; the layers before it
    are referenced, not registered as submodules. Wrap the output layer in
    :class:`sknet.layers.Network` for one ``nn.Module`` holding the whole graph.
    """

    def __init__(self, incoming, name=None):
        super().__init__()
        if isinstance(incoming, (tuple, list)):
            self._set_incoming(None)
            self.input_shape = as_shape(incoming)
        elif not hasattr(incoming, "output_shape"):
            raise TypeError(f"{type(self).__name__}: incoming must be a layer (anything with an "
                            f"output_shape) or a shape tuple, got {incoming!r}")
        else:
            self._set_incoming(incoming)
            self.input_shape = as_shape(incoming.output_shape)
        self.name = name
        self.params = ParamTags(self)
        self.get_output_kwargs = []  # keyword arguments get_output_for reads from **kwargs
        if any(d is not None and d <= 0 for d in self.input_shape):
            raise ValueError(
                f"{self.describe()} cannot take input shape {self.input_shape}: every dimension "
                "must be positive or None")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        method = cls.__dict__.get("get_output_for")
        if method is not None and cls.__module__.partition(".")[0] != "sknet":
            cls.get_output_for = _through_foreign_output_hook(method)

    def __setstate__(self, state):
        super().__setstate__(state)
        self.params = ParamTags(self, self.params)

    def _apply(self, fn, recurse=True):
        # Moving or casting replaces buffers with plain tensors: give them their names back.
        names = {key: buffer.name for key, buffer in self._buffers.items()
                 if isinstance(buffer, NamedBuffer)}
        super()._apply(fn, recurse)
        for key, name in names.items():
            if self._buffers.get(key) is not None:
                self._buffers[key] = NamedBuffer.of(self._buffers[key], name)
        return self

    def _set_incoming(self, layer):
        # Kept out of nn.Module's registry: each layer's state holds only its own parameters.
        object.__setattr__(self, "input_layer", layer)

    def describe(self):
        """``ClassName 'name'``, for error messages."""
        return f"{type(self).__name__} {self.name!r}" if self.name else type(self).__name__

    @property
    def output_shape(self):
        return self.get_output_shape_for(self.input_shape)

    def check_output_shape(self):
        """Raise ValueError naming this layer if its input shape gives no valid output."""
        try:
            shape = self.output_shape
        except (ValueError, TypeError) as error:
            raise ValueError(
                f"{self.describe()} cannot take input shape {self._input_shapes_text()}: "
                f"{error}") from error
        if any(d is not None and d <= 0 for d in shape):
            raise ValueError(
                f"{self.describe()} cannot take input shape {self._input_shapes_text()}: "
                f"{self.empty_output_reason()}its output shape would be {tuple(shape)}")

    def empty_output_reason(self):
        """Why this layer's output would be empty, as ``'<reason>; '``; layers with a window
        (convolution, pooling) say which window does not fit."""
        return ""

    def _input_shapes_text(self):
        return str(self.input_shape)

    def get_output_shape_for(self, input_shape):
        """The output shape for `input_shape`; the identity unless a subclass says otherwise."""
        return input_shape

    def get_output_for(self, input, **kwargs):
        """The output for `input`; keyword arguments such as ``deterministic`` may follow."""
        raise NotImplementedError

    def forward(self, *inputs):
        """Compute the network that ends in this layer (see `sknet.layers.get_output`)."""
        from .helper import get_output
        network_input = inputs[0] if len(inputs) == 1 else dict(zip(self._input_layers(), inputs))
        return get_output(self, network_input, deterministic=not self.training)

    def _input_layers(self):
        from .helper import get_all_layers
        from .input import InputLayer
        return [layer for layer in get_all_layers(self) if isinstance(layer, InputLayer)]

    def add_param(self, spec, shape, name=None, **tags):
        """Create parameter `name` from `spec` and register it under that attribute name.

        Tags default to ``trainable=True, regularizable=True``. Trainable parameters are
        `NamedParameter`s named as in Lasagne (``'<layer name>.<name>'``, or `name` in an
        unnamed layer); a given ``nn.Parameter`` (shared with another layer) is kept as it is.
        The others (BatchNorm's running statistics) are buffers. Without a `name` (allowed in
        Lasagne) the parameter has none and is registered as ``param<i>``.
        """
        tags.setdefault("trainable", True)
        tags.setdefault("regularizable", True)
        full_name = f"{self.name}.{name}" if self.name and name else name
        key = name or f"param{len(self.params)}"
        value = create_param(spec, shape, full_name or key)
        if tags["trainable"]:
            if not isinstance(value, nn.Parameter):
                value = NamedParameter(value, name=full_name)
            self.register_parameter(key, value)
        else:
            self.register_buffer(key, NamedBuffer.of(value.detach(), full_name))
            value = getattr(self, key)
        self.params[key] = {tag for tag, on in tags.items() if on}
        return value

    def remove_param(self, name):
        """Drop parameter `name` (e.g. the bias that ``batch_norm`` makes redundant)."""
        del self.params[name]
        setattr(self, name, None)

    def get_params(self, unwrap_shared=True, **tags):
        """This layer's parameters, filtered by tags: ``trainable=True`` keeps only the tagged
        ones, ``regularizable=False`` drops the tagged ones. `unwrap_shared` is accepted for
        Lasagne compatibility and has no effect."""
        wanted = {tag for tag, on in tags.items() if on}
        unwanted = {tag for tag, on in tags.items() if not on}
        return [getattr(self, name) for name, param_tags in self.params.items()
                if wanted <= param_tags and not (unwanted & param_tags)]

    def __repr__(self):
        return f"{self.describe()} {self.output_shape}"


class MergeLayer(Layer):
    """MergeLayer(incomings, name=None)

    A layer with several inputs; `incomings` is a list of layers or shapes. Subclasses get a
    list of input shapes in `get_output_shape_for` and a list of tensors in `get_output_for`.
    """

    def __init__(self, incomings, name=None):
        nn.Module.__init__(self)
        layers = [None if isinstance(i, (tuple, list)) else i for i in incomings]
        for layer in layers:
            if layer is not None and not hasattr(layer, "output_shape"):
                raise TypeError(f"{type(self).__name__}: incomings must be layers (anything "
                                f"with an output_shape) or shape tuples, got {layer!r}")
        object.__setattr__(self, "input_layers", layers)
        self.input_shapes = [as_shape(i) if layer is None else as_shape(layer.output_shape)
                             for i, layer in zip(incomings, layers)]
        self.name = name
        self.params = ParamTags(self)
        self.get_output_kwargs = []

    @property
    def output_shape(self):
        return self.get_output_shape_for(self.input_shapes)

    def _input_shapes_text(self):
        return ", ".join(str(shape) for shape in self.input_shapes)

    def get_output_shape_for(self, input_shapes):
        raise NotImplementedError

    def get_output_for(self, inputs, **kwargs):
        raise NotImplementedError


def window_misfit(kind, size, stride, pad, input_shape):
    """``'a 5x5 filter (stride 1x1, pad 0x0) does not fit the 4x4 input; '`` for a layer whose
    window leaves no output."""
    def text(values):
        return "x".join(map(str, values)) if isinstance(values, tuple) else str(values)
    spatial = "x".join("?" if d is None else str(d) for d in input_shape[2:])
    return (f"a {text(size)} {kind} (stride {text(stride)}, pad {text(pad)}) does not fit the "
            f"{spatial} input; ")


def nonlinearity_or_identity(nonlinearity, layer_name):
    """The callable a layer applies: identity for None, a clear error if it cannot be called."""
    if nonlinearity is None:
        return identity
    if not callable(nonlinearity):
        raise TypeError(
            f"{layer_name}: nonlinearity must be a callable or None, got {nonlinearity!r}")
    return nonlinearity
