"""Parameters as Lasagne's layers hold them: named tensors (Theano's shared variables had a
name, ``'W'`` or ``'dense.W'`` in a layer named ``'dense'``) and the tags of each."""
from collections import OrderedDict

import torch
from torch import nn
from torch.optim.optimizer import _foreach_supported_types as _optim_foreach_supported_types


class _LasagneName:
    """The writable ``name`` a tensor subclass carries (torch's own ``Tensor.name`` is not)."""

    @property
    def name(self):
        return self.__dict__.get("lasagne_name")

    @name.setter
    def name(self, value):
        self.__dict__["lasagne_name"] = value


class NamedParameter(_LasagneName, nn.Parameter):
    """A trainable parameter with Lasagne's name; copies and pickles keep it, and arithmetic on
    it gives plain tensors, as on any ``nn.Parameter``.

    >>> NamedParameter(torch.zeros(2), name="dense.b").name
    'dense.b'
    """

    def __new__(cls, data=None, requires_grad=True, name=None):
        parameter = super().__new__(cls, data, requires_grad)
        parameter.name = name
        return parameter

    def __repr__(self):
        return f"Parameter {self.name!r} containing:\n{self.data!r}"

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = NamedParameter(self.data.clone(), self.requires_grad, self.name)
        return memo[id(self)]

    def __reduce_ex__(self, protocol):
        return NamedParameter, (self.data, self.requires_grad, self.name)


# torch's optimizers take their fast multi-tensor (foreach/fused) path only for the tensor
# types listed here; torch registers its own parameter subclasses (DTensor) the same way.
if NamedParameter not in _optim_foreach_supported_types:
    _optim_foreach_supported_types.append(NamedParameter)


class NamedBuffer(_LasagneName, torch.Tensor):
    """A non-trainable parameter (BatchNorm's running statistics) with Lasagne's name: a
    buffer of its layer, so ``state_dict`` and ``.to(device)`` treat it as torch does."""

    __torch_function__ = torch._C._disabled_torch_function_impl  # results are plain tensors

    @classmethod
    def of(cls, tensor, name):
        """`tensor` (sharing its storage) as a NamedBuffer called `name`."""
        buffer = tensor.as_subclass(cls)
        buffer.name = name
        return buffer

    def __repr__(self):
        return f"Buffer {self.name!r} containing:\n{self.as_subclass(torch.Tensor)!r}"

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = NamedBuffer.of(self.as_subclass(torch.Tensor).clone(), self.name)
        return memo[id(self)]

    def __reduce_ex__(self, protocol):
        return NamedBuffer.of, (self.as_subclass(torch.Tensor), self.name)


class ParamTags(OrderedDict):
    """A layer's parameters' tags by attribute name (``'W'``); as in Lasagne the parameter
    itself is a key too, so ``layer.params[layer.W].discard('trainable')`` freezes it."""

    def __init__(self, layer, items=()):
        super().__init__(items)
        self._layer = layer

    def _name(self, key):
        if isinstance(key, torch.Tensor):
            return next((name for name in self if getattr(self._layer, name) is key), key)
        return key

    def __getitem__(self, key):
        return super().__getitem__(self._name(key))

    def __contains__(self, key):
        return super().__contains__(self._name(key))

    def __reduce__(self):
        return OrderedDict, (list(self.items()),)  # the layer attaches itself when unpickled
