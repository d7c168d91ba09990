"""Parameter files: nolearn's ``save_params_to`` pickles, Lasagne's ``get_all_param_values``
lists (pickled or ``np.savez``'d), including files written under Python 2 by Theano-era code.

sknet keeps Lasagne's parameter layouts (Dense ``W`` is ``(num_inputs, num_units)``, conv
filters are stored as Lasagne stored them and flipped at run time when ``flip_filters=True``,
BatchNorm keeps ``inv_std``), so arrays from those files load as they are into the same layer
classes. Reading never runs code from the file: only NumPy arrays in lists, tuples and dicts are
accepted.
"""
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import torch

from .files import atomic_write
from .layers import set_all_param_values
from .utils import floatX

PORTING_GUIDE = "docs/porting.md"

# What pickled parameter containers of NumPy arrays refer to, across NumPy and Python versions.
_SAFE_GLOBALS = {
    ("collections", "OrderedDict"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"),
    ("_codecs", "encode"),  # bytes in protocol-2 pickles written by Python 3
    ("copy_reg", "_reconstructor"),  # Python 2's name for copyreg
    ("copyreg", "_reconstructor"),
    ("__builtin__", "object"),
    ("builtins", "object"),
}
_THEANO_ERA_PACKAGES = ("theano", "lasagne", "nolearn", "pylearn2")


class _ArraysOnlyUnpickler(pickle.Unpickler):
    """Unpickles containers of NumPy arrays and refuses any other object."""

    def __init__(self, file, path):
        # latin-1 turns the byte strings of Python 2 pickles back into NumPy's raw data
        super().__init__(file, encoding="latin1")
        self.path = path

    def find_class(self, module, name):
        if (module, name) in _SAFE_GLOBALS:
            return super().find_class(module, name)
        found = f"{module}.{name}"
        if module.split(".")[0] in _THEANO_ERA_PACKAGES:
            raise ValueError(
                f"{self.path}: the file holds a pickled {found} object, which needs Theano. "
                "In the old environment, save the parameter values instead "
                "(nolearn: net.save_params_to(path); Lasagne: "
                "pickle.dump(lasagne.layers.get_all_param_values(output_layer), f)); "
                f"see {PORTING_GUIDE}")
        raise ValueError(f"{self.path}: expected a file of NumPy parameter arrays, but it holds "
                         f"a {found} object")


# The key under which sknet's files record what a net built only to predict needs besides the
# arrays (input shapes, output units, classes): nolearn's load_params_from skips a key that
# names no layer, so nolearn still reads these files.
SKNET_KEY = "__sknet__"


def write_params(path, values):
    """Pickle parameter `values` (``{layer name: [arrays]}``, as `save_params_to` gives them)
    to `path`, atomically: a crash or Ctrl-C while writing leaves the previous file whole."""
    with atomic_write(path) as f:
        pickle.dump(values, f, -1)


def read_params(path):
    """The parameter values stored in `path`: ``{layer name: [arrays]}`` (nolearn) or
    ``[arrays]`` (Lasagne, in ``get_all_params`` order), as float32 arrays where they were
    floats.

    Reads pickles of any protocol, from Python 2 or 3, and ``.npz`` files written with
    ``np.savez(path, *get_all_param_values(layer))``.
    """
    return read_saved(path)[0]


def read_saved(path):
    """``(values, info)``: `read_params`' values and what sknet recorded with them (see
    `write_params`; ``{}`` for nolearn's and Lasagne's files)."""
    path = str(path)
    try:
        if zipfile.is_zipfile(path):
            with np.load(path, allow_pickle=False) as archive:
                values = _npz_values(archive, path)
        else:
            with open(path, "rb") as f:
                values = _ArraysOnlyUnpickler(f, path).load()
    except (pickle.UnpicklingError, EOFError, zipfile.BadZipFile, UnicodeDecodeError,
            TypeError, IndexError, AttributeError, KeyError) as error:
        raise ValueError(f"{path}: cannot read parameters, the file is truncated or not a "
                         f"parameter file ({type(error).__name__}: {error})") from error
    values, info = split_info(values)
    return _as_param_values(values, path), info


def split_info(values):
    """``(values, info)``: parameter `values` without `SKNET_KEY`, and what it held."""
    if not isinstance(values, dict) or SKNET_KEY not in values:
        return values, {}
    values = OrderedDict(values)
    info = values.pop(SKNET_KEY)
    return values, info if isinstance(info, dict) else {}


def _npz_values(archive, path):
    """``np.savez(path, *values)`` names them arr_0, arr_1, ...: return them in that order."""
    names = list(archive.files)
    if not all(n.startswith("arr_") and n[4:].isdigit() for n in names):
        return OrderedDict((name, [archive[name]]) for name in names)
    return [archive[f"arr_{i}"] for i in range(len(names))]


def _as_param_values(values, path):
    if isinstance(values, dict):
        return OrderedDict((str(name), [_as_array(v, path, name) for v in arrays])
                           for name, arrays in values.items())
    if isinstance(values, (list, tuple)):
        return [_as_array(v, path, index) for index, v in enumerate(values)]
    raise ValueError(f"{path}: expected a dict of layer name -> list of arrays (nolearn) or a "
                     f"list of arrays (Lasagne), got {type(values).__name__}")


def _as_array(value, path, where):
    array = np.asarray(value)
    if array.dtype.kind not in "fiub":
        raise ValueError(f"{path}: entry {where!r} is not a numeric array "
                         f"(dtype {array.dtype})")
    return array.astype(floatX) if array.dtype.kind == "f" else array


def load_into_layers(layers, values, verbose=0, skip_mismatched=False, source="the values"):
    """Copy parameter `values` into `layers` (a name -> layer mapping, output last).

    A dict is matched by layer name, as nolearn did: layers missing from either side are left
    alone. A parameter whose shape differs (a file from another architecture) is an error
    naming `source` and the first such layer, unless `skip_mismatched`: then it is skipped
    and reported when `verbose`, nolearn's rule for reusing part of a net. A list is matched
    by position against every parameter of the graph, as Lasagne's ``set_all_param_values``
    did: its length and every shape must match. Nothing is copied until every value has been
    checked, so a failed load leaves the net as it was.
    """
    if not isinstance(values, dict):
        try:
            set_all_param_values(layers[-1], list(values))
        except ValueError as error:
            raise ValueError(f"{source}: {error}; nothing was loaded") from None
        return
    pairs = _pairs_by_name(layers, values, verbose, skip_mismatched, source)
    if not pairs and not skip_mismatched:
        raise ValueError(f"{source}: none of its layers {list(values)} is a layer of this net "
                         f"{list(layers)}; nothing was loaded")
    with torch.no_grad():
        for param, value in pairs:
            param.copy_(torch.as_tensor(value, dtype=param.dtype))


def _pairs_by_name(layers, values, verbose, skip_mismatched, source):
    pairs = []
    for name, arrays in values.items():
        layer = layers.get(name)
        if layer is None:
            continue
        params = list(layer.params)
        if len(arrays) != len(params) and not skip_mismatched:
            raise ValueError(f"{source}: layer {name!r} has {len(arrays)} parameter arrays "
                             f"there but {len(params)} ({', '.join(params)}) in this net; "
                             "nothing was loaded (skip_mismatched=True loads the layers that "
                             "match)")
        for param_name, param, value in zip(params, layer.get_params(), arrays):
            value = np.asarray(value)
            mine = "x".join(map(str, param.shape))
            theirs = "x".join(map(str, value.shape))
            if tuple(param.shape) == value.shape:
                pairs.append((param, value))
                if verbose:
                    print(f"Loaded parameters to layer '{name}' (shape {mine}).")
            elif not skip_mismatched:
                raise ValueError(f"{source}: layer {name!r} parameter {param_name} has shape "
                                 f"{theirs} there but {mine} in this net, so the file is from "
                                 "another architecture; nothing was loaded (skip_mismatched="
                                 "True loads the layers that match, as nolearn did)")
            elif verbose:
                print(f"Could not load parameters to layer '{name}' because shapes did not "
                      f"match: {mine} vs {theirs}.")
    return pairs
