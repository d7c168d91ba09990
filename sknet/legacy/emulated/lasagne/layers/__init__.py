"""``lasagne.layers`` under the legacy shim, laid out as Lasagne's package: one submodule per
Lasagne module (``lasagne.layers.dense``, ``.helper``, ...) holding the names Lasagne defines
there, all of them gathered here as Lasagne's ``from .dense import *`` did, after sknet's own
extras (``Network``, ``feeding``). The GPU-specific modules (``dnn``, ``cuda_convnet``,
``corrmm``) are imported on first use, also as attributes (``layers.cuda_convnet.Conv2DCCLayer``
without an import)."""
import importlib as _importlib
import types as _types

import sknet.layers as _modern
from sknet.legacy.renames import missing_attributes as _missing_attributes

from ._names import GPU_MODULES as _GPU_MODULES

globals().update({name: value for name, value in vars(_modern).items()
                  if not name.startswith("_") and not isinstance(value, _types.ModuleType)})

from . import (base, conv, dense, embedding, helper, input, local, merge, noise,  # noqa: E402
               normalization, pool, recurrent, shape, special)

for _module in (base, helper, input, dense, noise, conv, local, pool, shape, merge,
                normalization, embedding, recurrent, special):
    globals().update({name: getattr(_module, name) for name in _module.__all__})

_no_such_name = _missing_attributes("lasagne.layers")


def __getattr__(name):
    if name in _GPU_MODULES:
        return _importlib.import_module(f"{__name__}.{name}")
    return _no_such_name(name)
