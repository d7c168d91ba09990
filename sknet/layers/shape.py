"""Layers that change the shape of their input: flatten, reshape, dimshuffle, pad, slice."""
import numbers
import operator

import numpy as np
import torch
import torch.nn.functional as F

from .base import Layer, is_int


class FlattenLayer(Layer):
    """FlattenLayer(incoming, outdim=2, name=None)

    Keeps the first ``outdim - 1`` axes and flattens the rest into one.

    >>> FlattenLayer((None, 20, 4, 4)).output_shape
    (None, 320)
    """

    def __init__(self, incoming, outdim=2, name=None):
        super().__init__(incoming, name)
        if outdim < 1:
            raise ValueError(f"{self.describe()}: outdim must be >= 1, got {outdim}")
        self.outdim = int(outdim)

    def get_output_shape_for(self, input_shape):
        rest = input_shape[self.outdim - 1:]
        flat = None if any(d is None for d in rest) else int(np.prod(rest))
        return tuple(input_shape[:self.outdim - 1]) + (flat,)

    def get_output_for(self, input, **kwargs):
        return input.flatten(self.outdim - 1)


flatten = FlattenLayer


class ReshapeLayer(Layer):
    """ReshapeLayer(incoming, shape, name=None)

    Reshapes to `shape`, whose entries are a positive int, ``[i]`` (the size of input axis i),
    or one ``-1`` (inferred from the total size). Under the legacy shim an entry may also be a
    symbolic integer (``l_in.input_var.shape[0]``): its output length is unknown (None) and it
    is evaluated, as an index, each time the layer runs.

    >>> ReshapeLayer((None, 784), ([0], 1, 28, 28)).output_shape
    (None, 1, 28, 28)
    >>> ReshapeLayer((None, 20, 4, 4), ([0], -1)).output_shape
    (None, 320)
    """

    def __init__(self, incoming, shape, name=None):
        super().__init__(incoming, name)
        shape = tuple(shape)
        self._sized_when_run = [_sized_when_run(e) for e in shape]
        for entry, when_run in zip(shape, self._sized_when_run):
            if when_run:
                continue
            if isinstance(entry, list):
                if len(entry) != 1 or not is_int(entry[0]) or entry[0] < 0:
                    raise ValueError(f"{self.describe()}: `[i]` entries of shape must hold one "
                                     f"non-negative int, got {entry!r} in {shape}")
            elif not is_int(entry) or (entry < 1 and entry != -1):
                raise ValueError(f"{self.describe()}: shape entries must be positive ints, [i] "
                                 f"or -1, got {entry!r} in {shape}")
        if sum(1 for e, when_run in zip(shape, self._sized_when_run)
               if not when_run and e == -1) > 1:
            raise ValueError(f"{self.describe()}: shape may hold -1 only once, got {shape}")
        self.shape = tuple(e if when_run else [int(e[0])] if isinstance(e, list) else int(e)
                           for e, when_run in zip(shape, self._sized_when_run))
        self._sized_when_run = any(self._sized_when_run)

    def get_output_shape_for(self, input_shape):
        output = [None if _sized_when_run(e) else e for e in self.shape]
        # Sizes copied one-to-one from an unknown input axis cancel out of the size check.
        masked_input = list(input_shape)
        masked_output = list(output)
        for axis, entry in enumerate(self.shape):
            if isinstance(entry, list):
                source = entry[0]
                if source >= len(input_shape):
                    raise ValueError(f"shape refers to input axis {source}, but the input has "
                                     f"{len(input_shape)} axes")
                output[axis] = masked_output[axis] = input_shape[source]
                if input_shape[source] is None and masked_input[source] is None:
                    masked_input[source] = masked_output[axis] = 1
        input_size = None if None in masked_input else int(np.prod(masked_input))
        known = [d for d in masked_output if d != -1]
        output_size = None if None in known else int(np.prod(known))
        if -1 in output:
            axis = output.index(-1)
            if input_size is None or output_size is None:
                output[axis] = None
            else:
                output[axis] = input_size // output_size
                output_size *= output[axis]
        if input_size is not None and output_size is not None and input_size != output_size:
            raise ValueError(f"{input_size} input values cannot be reshaped to {self.shape}")
        return tuple(output)

    def get_output_for(self, input, **kwargs):
        shape = [input.shape[e[0]] if isinstance(e, list) else e for e in self.shape]
        if self._sized_when_run:
            shape = [d if isinstance(d, int) else operator.index(d) for d in shape]
        return input.reshape(shape)


def _sized_when_run(entry):
    """Whether a shape entry is a symbolic integer whose value is known only when the layer
    runs (it converts with ``operator.index`` but is no int)."""
    return not isinstance(entry, (list, numbers.Integral)) and hasattr(type(entry), "__index__")


reshape = ReshapeLayer


class DimshuffleLayer(Layer):
    """DimshuffleLayer(incoming, pattern, name=None)

    Reorders axes as Theano's dimshuffle: `pattern` lists input axes in their new order, 'x'
    inserts a broadcastable axis of size 1, and a left-out axis must have size 1 and is dropped.

    >>> DimshuffleLayer((None, 3, 28, 28), (0, 2, 3, 1)).output_shape
    (None, 28, 28, 3)
    >>> DimshuffleLayer((None, 10), (0, 'x', 1)).output_shape
    (None, 1, 10)
    """

    def __init__(self, incoming, pattern, name=None):
        super().__init__(incoming, name)
        pattern = tuple(pattern)
        used = [p for p in pattern if not (isinstance(p, str) and p == "x")]
        if not all(is_int(p) for p in used):
            raise ValueError(f"{self.describe()}: pattern entries must be ints or 'x', got "
                             f"{pattern}")
        if len(set(used)) != len(used):
            raise ValueError(f"{self.describe()}: pattern uses an axis twice: {pattern}")
        self.pattern = tuple(p if isinstance(p, str) else int(p) for p in pattern)

    def get_output_shape_for(self, input_shape):
        for axis in self.pattern:
            if axis != "x" and not 0 <= axis < len(input_shape):
                raise ValueError(f"pattern {self.pattern} refers to axis {axis}, but the input "
                                 f"has {len(input_shape)} axes")
        for axis, size in enumerate(input_shape):
            if axis not in self.pattern and size not in (1, None):
                raise ValueError(f"pattern {self.pattern} drops axis {axis} of size {size}; only "
                                 "axes of size 1 can be dropped")
        return tuple(1 if p == "x" else input_shape[p] for p in self.pattern)

    def get_output_for(self, input, **kwargs):
        kept = [p for p in self.pattern if p != "x"]
        dropped = [axis for axis in range(input.dim()) if axis not in kept]
        output = input.permute(kept + dropped)
        output = output.reshape(output.shape[:len(kept)])
        for position, p in enumerate(self.pattern):
            if p == "x":
                output = output.unsqueeze(position)
        return output


dimshuffle = DimshuffleLayer


class PadLayer(Layer):
    """PadLayer(incoming, width, val=0, batch_ndim=2, name=None)

    Pads the axes after the first `batch_ndim` with `val`: `width` is an int for every such
    axis, or one int or (before, after) pair per axis, starting at the first padded axis (as in
    Lasagne, axes left over are not padded).

    >>> PadLayer((None, 3, 28, 28), width=2).output_shape
    (None, 3, 32, 32)
    >>> PadLayer((None, 3, 28, 28), width=[(1, 0), (0, 2)]).output_shape
    (None, 3, 29, 30)
    >>> PadLayer((None, 3, 28, 28), width=[(1, 2)]).output_shape
    (None, 3, 31, 28)
    """

    def __init__(self, incoming, width, val=0, batch_ndim=2, name=None):
        super().__init__(incoming, name)
        self.width = width
        self.val = val
        self.batch_ndim = batch_ndim
        self._pairs = self._before_after_pairs(width, len(self.input_shape) - batch_ndim)

    def _before_after_pairs(self, width, padded_axes):
        """`width` as one (before, after) pair of ints per axis after `batch_ndim`."""
        if is_int(width):
            width = [width] * padded_axes
        try:
            pairs = [tuple(w) if isinstance(w, (tuple, list, np.ndarray)) else (w, w)
                     for w in width]
        except TypeError:
            pairs = None
        if (pairs is None or len(pairs) > padded_axes or
                not all(len(p) == 2 and all(is_int(w) and w >= 0 for w in p) for p in pairs)):
            raise ValueError(f"{self.describe()}: width must be an int, or up to {padded_axes} "
                             f"non-negative ints or (before, after) pairs, got {width!r}")
        return [(int(before), int(after)) for before, after in pairs] + \
            [(0, 0)] * (padded_axes - len(pairs))

    def get_output_shape_for(self, input_shape):
        padded = tuple(None if d is None else d + before + after
                       for d, (before, after) in zip(input_shape[self.batch_ndim:], self._pairs))
        return tuple(input_shape[:self.batch_ndim]) + padded

    def get_output_for(self, input, **kwargs):
        widths = [w for before_after in reversed(self._pairs) for w in before_after]
        return F.pad(input, widths, value=self.val)


pad = PadLayer


class SliceLayer(Layer):
    """SliceLayer(incoming, indices, axis=-1, name=None)

    Takes ``input[..., indices]`` along `axis`: an int index drops the axis, a slice keeps it.

    >>> SliceLayer((None, 10, 5), indices=slice(2, 8), axis=1).output_shape
    (None, 6, 5)
    >>> SliceLayer((None, 10, 5), indices=0).output_shape
    (None, 10)
    """

    def __init__(self, incoming, indices, axis=-1, name=None):
        super().__init__(incoming, name)
        self.slice = int(indices) if is_int(indices) else indices  # Lasagne's attribute name
        self.axis = int(axis)

    def get_output_shape_for(self, input_shape):
        shape = list(input_shape)
        if is_int(self.slice):
            del shape[self.axis]
        elif shape[self.axis] is not None:
            shape[self.axis] = len(range(*self.slice.indices(shape[self.axis])))
        return tuple(shape)

    def get_output_for(self, input, **kwargs):
        indices = self.slice
        if isinstance(indices, slice) and (indices.step or 1) < 0:  # torch slices step forward
            size = input.shape[self.axis]
            chosen = torch.tensor(list(range(*indices.indices(size))), dtype=torch.long,
                                  device=input.device)
            return input.index_select(self.axis, chosen)
        index = [slice(None)] * input.dim()
        index[self.axis] = indices
        return input[tuple(index)]
