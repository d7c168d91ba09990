"""Theano's tensor methods for custom layers written the Lasagne way: under the legacy shim the
``get_output_for`` of a layer class defined outside sknet sees its inputs and its own
parameters as `TheanoTensor`s, whose ``flatten(ndim)``, ``dimshuffle``, ``sum(axis=...)`` ...
mean what they meant in Theano. sknet's own code, and torch's, calling those methods on such a
tensor get torch's meaning, so a custom layer may hand its input to a built-in layer."""
import sys

import torch

from .symbolic import graph

# Callers from these packages get torch's methods on a TheanoTensor.
_TORCH_SEMANTICS_PACKAGES = ("sknet", "torch")


def _caller_wants_torch():
    """Whether the code calling a `TheanoTensor` method (two frames up) is sknet's or torch's."""
    caller = sys._getframe(2).f_globals.get("__name__", "")
    return caller.partition(".")[0] in _TORCH_SEMANTICS_PACKAGES


def _nonzero(x, return_matrix=False):
    """Theano's nonzero: a tuple of index vectors, one per axis (a matrix if asked)."""
    indices = torch.Tensor.nonzero(x).T
    return indices if return_matrix else tuple(indices)


_THEANO_METHODS = {
    "flatten": graph.flatten, "reshape": graph.reshape, "dimshuffle": graph.dimshuffle,
    "astype": graph.astype, "clip": graph.clip, "dot": graph.dot, "norm": graph.norm,
    "sum": graph.sum, "mean": graph.mean, "prod": graph.prod, "max": graph.max,
    "min": graph.min, "argmax": graph.argmax, "argmin": graph.argmin, "var": graph.var,
    "std": graph.std, "nonzero": _nonzero,
}


def _method(name, theano_version):
    """Method `name`: `theano_version` for scripts, torch's own (if torch has one) for sknet's
    and torch's code."""
    torch_version = getattr(torch.Tensor, name, None)

    def method(self, *args, **kwargs):
        if torch_version is not None and _caller_wants_torch():
            return torch_version(self, *args, **kwargs)
        return theano_version(self, *args, **kwargs)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"Theano's ``{name}`` (torch's when sknet or torch calls it)."
    return method


class TheanoTensor(torch.Tensor):
    """A tensor whose methods have Theano's meaning when a script calls them, torch's when
    sknet or torch does; operations on it give TheanoTensors, autograd flows through.

    Examples
    --------
    Code in a script (here: run with ``__name__ == '__main__'``) gets Theano's meaning, this
    module's doctest (sknet's code) torch's:

    >>> x = as_theano(torch.arange(24.0).reshape(2, 3, 4))
    >>> script = {"__name__": "__main__", "x": x}
    >>> eval("x.flatten(1).shape, x.flatten(2).shape, x.dimshuffle(2, 'x', 0, 1).shape", script)
    (torch.Size([24]), torch.Size([2, 12]), torch.Size([4, 1, 2, 3]))
    >>> eval("x.sum(axis=1, keepdims=True).shape, x.max(axis=0)[0, 0].item()", script)
    (torch.Size([2, 1, 4]), 12.0)
    >>> eval("x.dtype, x.T.shape", script), x.flatten(1).shape
    (('float32', torch.Size([4, 3, 2])), torch.Size([2, 12]))
    """

    @property
    def T(self):
        """Theano's ``x.T``: the axes reversed, at any number of axes."""
        if _caller_wants_torch():
            return torch.Tensor.T.__get__(self)
        return graph.transpose(self)

    @property
    def dtype(self):
        """Theano's dtype, a name such as ``'float32'`` (torch's dtype for sknet and torch)."""
        dtype = torch.Tensor.dtype.__get__(self)
        return dtype if _caller_wants_torch() else str(dtype).rpartition(".")[2]


for _name, _version in _THEANO_METHODS.items():
    setattr(TheanoTensor, _name, _method(_name, _version))


def as_theano(value):
    """`value` (a tensor, or a list or tuple of them) seen as TheanoTensors; anything else as
    it is."""
    if isinstance(value, (list, tuple)):
        return type(value)(as_theano(item) for item in value)
    if isinstance(value, torch.Tensor) and not isinstance(value, TheanoTensor):
        return value.as_subclass(TheanoTensor)
    return value


def as_plain(value):
    """`value` with its TheanoTensors back as plain tensors (through lists and tuples)."""
    if isinstance(value, (list, tuple)):
        return type(value)(as_plain(item) for item in value)
    if isinstance(value, TheanoTensor):
        return value.as_subclass(torch.Tensor)
    return value


_VIEWING = "_theano_views"


def theano_output_for(get_output_for, layer, inputs, **kwargs):
    """Run a custom layer's `get_output_for` with its input(s) and its own parameters and
    buffers as TheanoTensors (attribute lookups find the views before nn.Module's registry),
    and give sknet plain tensors back."""
    if _VIEWING in vars(layer):  # a subclass's get_output_for already set the views up
        return get_output_for(layer, inputs, **kwargs)
    views = {name: as_theano(tensor) for registry in (layer._parameters, layer._buffers)
             for name, tensor in registry.items() if tensor is not None}
    vars(layer).update(views, **{_VIEWING: True})
    try:
        return as_plain(get_output_for(layer, as_theano(inputs), **kwargs))
    finally:
        for name in (*views, _VIEWING):
            vars(layer).pop(name, None)
