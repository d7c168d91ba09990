"""How each ``lasagne.layers`` submodule finds the names Lasagne's module defines: Lasagne's
spelling from `sknet.legacy.layers` (old argument names), else sknet's own layer, else a
stand-in that raises `LegacyFeatureError` when used. Names are looked up when the submodule is
imported, so a layer sknet gains replaces its stand-in without a change here."""
import sknet.layers as _modern
import sknet.legacy.layers as _legacy
from sknet.legacy.renames import missing_attributes, stand_ins

GPU_MODULES = ("dnn", "corrmm", "cuda_convnet")
NOT_EMULATED = "not emulated yet; write it as an ExpressionLayer or a Layer subclass in torch"


def _sknet_object(name):
    for source in (_legacy, _modern):
        if name in vars(source):
            return vars(source)[name]
    return None


def lasagne_names(module_name, names, extras=(), aliases=None, why=NOT_EMULATED):
    """The globals of emulated module `module_name`: `names` (Lasagne's ``__all__`` there), the
    public helpers in `extras` that sknet has, and a ``__getattr__`` pointing to the porting
    guide; `aliases` (``{name: other name}``) fill a name sknet lacks with another it has."""
    lasagne_name = module_name.replace("sknet.legacy.emulated.", "")
    # Scripts reach the core modules' names through the package, the GPU modules' directly.
    spelled = lasagne_name if lasagne_name.endswith(GPU_MODULES) else "lasagne.layers"
    found = {}
    for name in (*names, *extras):
        value = _sknet_object(name)
        if value is None and name in (aliases or {}):
            value = _sknet_object(aliases[name])
        if value is not None:
            found[name] = value
    found.update(stand_ins(spelled, [name for name in names if name not in found], why))
    found["__getattr__"] = missing_attributes(lasagne_name)
    return found
