"""``lasagne.utils`` under the legacy shim: the helpers that do not need Theano."""
import numpy as np

from sknet.legacy.renames import missing_attributes, stand_ins
from sknet.utils import as_tuple as _as_tuple
from sknet.utils import create_param  # noqa

from sknet.utils import floatX as _float_type


def floatX(value):
    """`value` as a float32 NumPy array (Theano's configured float type)."""
    return np.asarray(value, dtype=_float_type)


def as_tuple(x, N, t=None):
    """Lasagne's ``as_tuple(x, N, t=None)``: `x` as an `N`-tuple of type `t`."""
    return _as_tuple(x, N, "value", kind=t)


def unique(items):
    """The items of `items` in order, each once."""
    seen, kept = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            kept.append(item)
    return kept

globals().update(stand_ins("lasagne.utils", [
    "shared_empty", "as_theano_expression", "collect_shared_vars", "one_hot", "compute_norms",
    "unroll_scan"], "it built Theano expressions"))
__getattr__ = missing_attributes("lasagne.utils")
