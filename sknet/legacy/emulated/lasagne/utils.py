"""``lasagne.utils`` under the legacy shim, on torch tensors and sknet's expression graph."""
import inspect
import numbers

import numpy as np
import torch

from sknet.layers.helper import get_all_params
from sknet.legacy.renames import missing_attributes
from sknet.legacy.symbolic import Apply, Constant, SharedVariable, Variable, lift
from sknet.legacy.symbolic.graph import leaves
from sknet.utils import SharedScalar
from sknet.utils import as_tuple as _as_tuple
from sknet.utils import create_param  # noqa
from sknet.utils import floatX as _float_type

from ..theano.tensor import stack

int_types = (numbers.Integral, np.integer)


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


def inspect_kwargs(func):
    """The names of `func`'s arguments that have a default value."""
    return [p.name for p in inspect.signature(func).parameters.values()
            if p.kind == p.POSITIONAL_OR_KEYWORD and p.default is not p.empty]


def shared_empty(dim=2, dtype=None):
    """A shared variable of zeros with `dim` axes of length 1 (a placeholder to fill with
    ``set_value``)."""
    return SharedVariable(np.zeros((1,) * dim, dtype=dtype or _float_type))


def as_theano_expression(input):
    """`input` as an expression: expressions and tensors stay, arrays and numbers become
    constants."""
    if isinstance(input, (Variable, torch.Tensor)):
        return input
    try:
        return Constant(input)
    except (TypeError, ValueError):
        raise TypeError(f"Input of type {type(input).__name__} is not a Theano expression") \
            from None


def collect_shared_vars(expressions):
    """The shared variables (parameter tensors, shared scalars) that an expression or a list
    of them reads, each once, in the order met."""
    found, seen = [], set()
    pending = [v for v in leaves(expressions)
              if isinstance(v, (Variable, torch.Tensor, SharedScalar))]
    while pending:
        item = pending.pop(0)
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, (torch.Tensor, SharedScalar)):
            found.append(item)
        if isinstance(item, Apply):
            pending += get_all_params(getattr(item, "layers", []))
            pending += [v for v in leaves((item.args, item.kwargs))
                       if isinstance(v, (Variable, torch.Tensor, SharedScalar))]
    return found


@lift
def one_hot(x, m=None):
    """Rows of a `m`-column identity matrix picked by the integers in `x` (float32);
    `m` defaults to ``max(x) + 1``."""
    x = torch.as_tensor(x).long()
    m = int(x.max()) + 1 if m is None else int(m)
    return torch.nn.functional.one_hot(x, m).to(torch.float32)


def compute_norms(array, norm_axes=None):
    """The L2 norms of a parameter's slices: over axis 0 of a matrix, over all axes but the
    first of a 3-5D array, or over `norm_axes` (NumPy in, NumPy out; tensors give tensors)."""
    values = torch.as_tensor(array.detach() if isinstance(array, torch.Tensor) else array)
    if norm_axes is not None:
        axes = tuple(norm_axes)
    elif values.dim() == 1:
        axes = ()
    elif values.dim() == 2:
        axes = (0,)
    elif values.dim() in (3, 4, 5):
        axes = tuple(range(1, values.dim()))
    else:
        raise ValueError(f"Unsupported tensor dimensionality {values.dim()}. Must specify "
                         "`norm_axes`")
    norms = torch.sqrt((values ** 2).sum(dim=axes)) if axes else values.abs()
    return norms if isinstance(array, torch.Tensor) else norms.numpy()


def unroll_scan(fn, sequences, outputs_info, non_sequences, n_steps, go_backwards=False):
    """Theano's scan written out as a Python loop of `n_steps` calls of `fn` (each on the
    sequences' step, the previous outputs and `non_sequences`); the outputs stacked over
    the steps, in the order computed."""
    steps = range(n_steps - 1, -1, -1) if go_backwards else range(n_steps)
    outputs, previous = [], list(outputs_info)
    for step in steps:
        result = fn(*([s[step] for s in sequences] + previous + list(non_sequences)))
        result = list(result) if isinstance(result, (list, tuple)) else [result]
        outputs.append(result)
        previous = result
    return [stack([o[i] for o in outputs]) for i in range(len(outputs[0]))]


__getattr__ = missing_attributes("lasagne.utils")
