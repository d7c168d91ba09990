"""Old names that the legacy shim still accepts: each use warns once, naming the modern
spelling."""
import dis
import os
import sys
import warnings

import sklearn
import skorch
import torch

from ..params import PORTING_GUIDE


class LegacyNameWarning(DeprecationWarning):
    """An old nolearn / Lasagne / Theano / NumPy name was mapped to its modern spelling."""


class LegacyFeatureError(ImportError):
    """A Theano-era feature that sknet does not emulate (an ImportError, so that the usual
    ``try: from lasagne.layers.dnn import ... except ImportError:`` fallbacks still work)."""


_warned = set()


def warn_renamed(old, new):
    """Warn, once per process and old name, that `old` now reads `new`; the warning points at
    the user's line that used it."""
    if old not in _warned:
        _warned.add(old)
        filename, lineno = _user_code_location()
        warnings.warn_explicit(f"{old} is an old name: sknet runs it as {new}",
                               LegacyNameWarning, filename, lineno)


def _user_code_location():
    """File and line of the innermost caller outside sknet and the libraries it calls
    back from (skorch, scikit-learn, torch)."""
    libraries = tuple(os.path.dirname(module.__file__)
                      for module in (sys.modules["sknet"], skorch, sklearn, torch))
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename.startswith(libraries):
        frame = frame.f_back
    return frame.f_code.co_filename, frame.f_lineno


def not_supported(name, why=""):
    """The error for a Theano-era name sknet does not emulate."""
    reason = f": {why}" if why else ""
    return LegacyFeatureError(f"{name} is not supported by sknet{reason}; see {PORTING_GUIDE} "
                              "for what to use instead")


def rename_kwargs(owner, kwargs, renames):
    """Move old keyword names in `kwargs` to their new names (``{old: new}``), warning once
    for each; an old and a new name given together is an error."""
    for old, new in renames.items():
        if old in kwargs:
            if new in kwargs:
                raise TypeError(f"{owner}: got both {old!r} (its old name) and {new!r}")
            warn_renamed(f"{owner}({old}=...)", f"{owner}({new}=...)")
            kwargs[new] = kwargs.pop(old)
    return kwargs


def stand_ins(module_name, names, why=""):
    """``{name: stand-in}`` for Theano-era functions and classes of `module_name` that sknet
    does not emulate: importing one works (as the old script expects), calling or
    instantiating it raises `LegacyFeatureError` saying why."""
    def stand_in_for(name):
        def stand_in(*args, **kwargs):
            raise not_supported(f"{module_name}.{name}", why)
        stand_in.__name__ = stand_in.__qualname__ = name
        stand_in.__doc__ = f"Not supported by sknet: {why or 'see ' + PORTING_GUIDE}."
        return stand_in
    return {name: stand_in_for(name) for name in names}


def missing_attributes(module_name):
    """A module-level ``__getattr__`` for names the emulation lacks: ``from module import
    name`` raises `LegacyFeatureError` (Python would turn an AttributeError there into a bare
    ImportError), attribute access an AttributeError, so ``hasattr`` and ``getattr(module,
    name, default)`` probes still answer; both point to the porting guide."""
    def __getattr__(name):
        if _called_by_from_import():
            raise LegacyFeatureError(f"cannot import name {name!r} from {module_name!r}: sknet "
                                     f"does not emulate it; see {PORTING_GUIDE}")
        raise AttributeError(f"module {module_name!r} has no attribute {name!r} (sknet does not "
                             f"emulate it; see {PORTING_GUIDE})")
    return __getattr__


def _called_by_from_import():
    """Whether the Python frame that asked for a module attribute is running ``from m import
    name`` (the IMPORT_FROM instruction) rather than ``m.name``, getattr or hasattr. A module's
    own ``__getattr__`` that delegates here is looked through."""
    frame = sys._getframe(2)
    while frame.f_back is not None and frame.f_code.co_name == "__getattr__":
        frame = frame.f_back
    return dis.opname[frame.f_code.co_code[frame.f_lasti]] == "IMPORT_FROM"
