"""Installing the shim: an import hook that serves ``lasagne``, ``nolearn`` and ``theano``
from `sknet.legacy.emulated`, and the moved modules ``cPickle``, ``sklearn.cross_validation``
and ``sklearn.grid_search``; Theano's ``get_value`` / ``set_value`` / ``eval`` / ``dimshuffle``
on tensors, Theano's tensor methods inside custom layers, and the NumPy names NumPy 2
removed."""
import functools
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
import warnings

import numpy as np
import torch

from ..layers import base
from .renames import LegacyNameWarning, not_supported, warn_renamed
from .symbolic import graph
from .tensor_methods import theano_output_for

EMULATED = ("lasagne", "nolearn", "theano")
# Modules of Python 2 and scikit-learn 0.17 that moved: served under the old name, the first use
# warning with the modern one.
MOVED = ("cPickle", "sklearn.cross_validation", "sklearn.grid_search")
_EMULATION_PACKAGE = "sknet.legacy.emulated"


class _EmulatedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``lasagne.*``, ``nolearn.*``, ``theano.*`` and the `MOVED` modules in
    `sknet.legacy.emulated`; a module the emulation lacks fails to import with a pointer to
    the porting guide."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition(".")[0] not in EMULATED and fullname not in MOVED:
            return None
        real_name = f"{_EMULATION_PACKAGE}.{fullname}"
        try:
            real_spec = importlib.util.find_spec(real_name)
        except ModuleNotFoundError:
            real_spec = None
        if real_spec is None:
            raise not_supported(f"module {fullname}")
        return importlib.machinery.ModuleSpec(
            fullname, self, is_package=real_spec.submodule_search_locations is not None,
            loader_state=real_name)

    def create_module(self, spec):
        module = importlib.import_module(spec.loader_state)
        return _MovedModule(spec.name, module) if spec.name in MOVED else module

    def exec_module(self, module):
        """The emulated module ran when `create_module` imported it."""


class _MovedModule(types.ModuleType):
    """An old module name served from its implementation in `sknet.legacy.emulated`: the first
    use warns, naming the implementation's ``MODERN_NAME``; a name it lacks is a
    `LegacyFeatureError` (an ImportError, so ``from ... import`` reports it as it is) naming
    the porting guide's section, the implementation's ``GUIDE_SECTION``."""

    def __init__(self, old_name, implementation):
        super().__init__(old_name, implementation.__doc__)
        self.__all__ = implementation.__all__
        self._implementation = implementation

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        if name not in self.__all__:
            served, section = ", ".join(self.__all__), self._implementation.GUIDE_SECTION
            raise not_supported(f"{self.__name__}.{name}", f"the shim's {self.__name__} has "
                                f"{served} only (section '{section}')")
        warn_renamed(self.__name__, self._implementation.MODERN_NAME)
        return getattr(self._implementation, name)

    def __dir__(self):
        return list(self.__all__)


_FINDER = _EmulatedModuleFinder()


# ------------------------------------------------------------ Theano's shared-variable API

def _get_value(tensor, borrow=False, return_internal_type=False):
    """A NumPy copy of the tensor (Theano's ``shared.get_value()``)."""
    return tensor.detach().cpu().numpy().copy()


def _set_value(tensor, value, borrow=False):
    """Overwrite the tensor in place with `value`, which must have its shape."""
    value = np.asarray(value)
    if tuple(tensor.shape) != value.shape:
        raise ValueError(f"set_value: the tensor has shape {tuple(tensor.shape)}, the new value "
                         f"has shape {value.shape}")
    with torch.no_grad():
        tensor.copy_(torch.as_tensor(value, dtype=tensor.dtype))


def _eval(tensor, inputs_to_values=None):
    """The computed tensor as a NumPy array (Theano's ``expression.eval()``; a tensor depends on
    no inputs, so `inputs_to_values` changes nothing)."""
    return _get_value(tensor)


def _dimshuffle(tensor, *pattern):
    """Theano's ``dimshuffle``: reorder axes, ``'x'`` inserts a broadcastable one."""
    return graph.dimshuffle(tensor, *pattern)


_TORCH_ARRAY = torch.Tensor.__array__


def _array_detached(tensor, dtype=None, copy=None):
    """``np.asarray(tensor)`` of a tensor that requires grad or lives on a GPU, as of a Theano
    result: its values."""
    array = _get_value(tensor) if copy else tensor.detach().cpu().numpy()
    return array if dtype is None else array.astype(dtype, copy=False)


_THEANO_TENSOR_API = {"get_value": _get_value, "set_value": _set_value, "eval": _eval,
                      "dimshuffle": _dimshuffle, "__array__": _array_detached}


# ----------------------------------------------------------------- NumPy names NumPy 2 removed

class _Cast:
    """``np.cast['float32'](x)``: `x` as an array of that type."""

    def __getitem__(self, dtype):
        return functools.partial(np.asarray, dtype=dtype)


_OLD_NUMPY_NAMES = {
    "cast": (_Cast(), "np.asarray(x, dtype=...)"),
    "float": (float, "float"), "int": (int, "int"), "bool": (bool, "bool"),
    "object": (object, "object"), "str": (str, "str"), "complex": (complex, "complex"),
    "unicode": (str, "str"), "long": (int, "int"),
}


def _numpy_getattr_with_old_names(numpy_getattr):
    def __getattr__(name):
        if name in _OLD_NUMPY_NAMES:
            value, modern = _OLD_NUMPY_NAMES[name]
            warn_renamed(f"np.{name}", modern)
            return value
        return numpy_getattr(name)
    __getattr__.numpy_getattr = numpy_getattr
    return __getattr__


# ------------------------------------------------------------------------- install / remove

def installed():
    """Whether the shim is installed in this process."""
    return _FINDER in sys.meta_path


def install(shadow=False):
    """Serve ``import lasagne`` / ``nolearn`` / ``theano`` from sknet in this process, and the
    moved modules ``cPickle``, ``sklearn.cross_validation``, ``sklearn.grid_search``.

    Refuses (RuntimeError) when a real one of those packages is importable or imported,
    unless ``shadow=True``. Also gives tensors Theano's ``get_value`` / ``set_value`` /
    ``eval`` / ``dimshuffle`` (and ``np.asarray`` of one that requires grad), runs custom
    layers' ``get_output_for`` with Theano's tensor methods (`sknet.legacy.tensor_methods`),
    restores ``np.cast``, ``np.float``, ``np.int`` ... with a warning on each use, and shows
    each `LegacyNameWarning` once. `uninstall` undoes all of it.
    """
    if installed():
        return
    for name in EMULATED:
        _check_not_real(name, shadow)
    sys.meta_path.insert(0, _FINDER)
    for name, method in _THEANO_TENSOR_API.items():
        setattr(torch.Tensor, name, method)
    base.foreign_output_hook = theano_output_for
    numpy_getattr = np.__dict__.get("__getattr__")
    np.__getattr__ = _numpy_getattr_with_old_names(numpy_getattr)
    warnings.filterwarnings("always", category=LegacyNameWarning)


def _check_not_real(name, shadow):
    module = sys.modules.get(name)
    if module is not None and not _is_emulated(module):
        if not shadow:
            raise RuntimeError(f"the real {name} is already imported ({module.__file__}); "
                               "sknet.legacy will not replace it (install(shadow=True) would)")
        for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
            del sys.modules[key]
    elif not shadow:
        spec = importlib.util.find_spec(name)
        if spec is not None:
            raise RuntimeError(
                f"a real {name} is installed ({spec.origin}); sknet.legacy would shadow it. "
                f"Uninstall it, or run with shadowing on: install(shadow=True) or "
                f"python -m sknet.legacy --shadow script.py")


def _is_emulated(module):
    return getattr(module, "__name__", "").startswith(_EMULATION_PACKAGE)


def uninstall():
    """Undo `install`."""
    if not installed():
        return
    sys.meta_path.remove(_FINDER)
    for key in [k for k, m in sys.modules.items()
                if k.partition(".")[0] in EMULATED and _is_emulated(m)]:
        del sys.modules[key]
    for key in [k for k in MOVED if isinstance(sys.modules.get(k), _MovedModule)]:
        parent, _, child = key.rpartition(".")
        if parent and isinstance(getattr(sys.modules.get(parent), child, None), _MovedModule):
            delattr(sys.modules[parent], child)
        del sys.modules[key]
    for name in _THEANO_TENSOR_API:
        delattr(torch.Tensor, name)
    torch.Tensor.__array__ = _TORCH_ARRAY
    base.foreign_output_hook = None
    numpy_getattr = np.__getattr__.numpy_getattr
    if numpy_getattr is None:
        del np.__getattr__
    else:
        np.__getattr__ = numpy_getattr
    warnings.filters[:] = [f for f in warnings.filters if f[2] is not LegacyNameWarning]
    warnings._filters_mutated()
