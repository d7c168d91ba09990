"""Layers that combine several inputs: concatenation and elementwise merges."""
from functools import reduce

import torch

from .base import MergeLayer

CROPPING_MODES = (None, "lower", "upper", "center")


def _crop_start(size, target, mode):
    return {"lower": 0, "upper": size - target, "center": (size - target) // 2}[mode]


def _check_same_dimensionality(shapes):
    if len({len(shape) for shape in shapes}) > 1:
        raise ValueError(f"Not all inputs are of the same dimensionality. Got {len(shapes)} "
                         f"inputs of dimensionalities {[len(shape) for shape in shapes]}.")


def autocrop(inputs, cropping):
    """Crop tensors to their smallest size on each axis where `cropping` says how:
    None (leave), 'lower' (keep the start), 'upper' (keep the end) or 'center'."""
    if cropping is None:
        return inputs
    inputs = list(inputs)
    _check_same_dimensionality([x.shape for x in inputs])
    for axis, mode in enumerate(cropping[:inputs[0].dim()]):
        if mode is None:
            continue
        target = min(x.shape[axis] for x in inputs)
        inputs = [x.narrow(axis, _crop_start(x.shape[axis], target, mode), target)
                  for x in inputs]
    return inputs


def autocrop_array_shapes(input_shapes, cropping):
    """The shapes `autocrop` produces from `input_shapes`."""
    if cropping is None:
        return [tuple(s) for s in input_shapes]
    _check_same_dimensionality(input_shapes)
    shapes = [list(s) for s in input_shapes]
    for axis, mode in enumerate(cropping[:len(shapes[0])]):
        if mode is None:
            continue
        sizes = [s[axis] for s in shapes]
        target = None if None in sizes else min(sizes)
        for shape in shapes:
            shape[axis] = target
    return [tuple(s) for s in shapes]


def _check_cropping(cropping, describe):
    if cropping is not None and any(c not in CROPPING_MODES for c in cropping):
        raise ValueError(f"{describe}: cropping entries must be one of {CROPPING_MODES}, got "
                         f"{cropping}")
    return None if cropping is None else tuple(cropping)


def _first_known(sizes):
    return next((s for s in sizes if s is not None), None)


def _compatible(a, b, skip_axis=None):
    return len(a) == len(b) and all(
        i == skip_axis or x is None or y is None or x == y for i, (x, y) in enumerate(zip(a, b)))


class ConcatLayer(MergeLayer):
    """ConcatLayer(incomings, axis=1, cropping=None, name=None)

    Concatenates its inputs along `axis`; the other axes must match (or be cropped to match
    with `cropping`, one of None/'lower'/'upper'/'center' per axis).

    >>> ConcatLayer([(None, 3, 8), (None, 5, 8)]).output_shape
    (None, 8, 8)
    """

    def __init__(self, incomings, axis=1, cropping=None, name=None):
        super().__init__(incomings, name)
        self.axis = axis
        self.cropping = _check_cropping(cropping, self.describe())

    def get_output_shape_for(self, input_shapes):
        input_shapes = autocrop_array_shapes(input_shapes, self.cropping)
        output = [_first_known(sizes) for sizes in zip(*input_shapes)]
        axis = self.axis % len(output)
        if not all(_compatible(shape, output, axis) for shape in input_shapes):
            raise ValueError(f"input shapes {input_shapes} differ on an axis other than the "
                             f"concatenation axis {self.axis}")
        sizes = [shape[axis] for shape in input_shapes]
        output[axis] = None if None in sizes else sum(sizes)
        return tuple(output)

    def get_output_for(self, inputs, **kwargs):
        return torch.cat(autocrop(inputs, self.cropping), dim=self.axis)


concat = ConcatLayer


class ElemwiseMergeLayer(MergeLayer):
    """ElemwiseMergeLayer(incomings, merge_function, cropping=None, name=None)

    Combines inputs of one shape with a binary function, e.g. ``torch.maximum`` or
    ``torch.mul``, applied left to right.

    >>> ElemwiseMergeLayer([(None, 4), (None, 4)], torch.maximum).output_shape
    (None, 4)
    """

    def __init__(self, incomings, merge_function, cropping=None, name=None):
        super().__init__(incomings, name)
        self.merge_function = merge_function
        self.cropping = _check_cropping(cropping, self.describe())

    def get_output_shape_for(self, input_shapes):
        input_shapes = autocrop_array_shapes(input_shapes, self.cropping)
        output = tuple(_first_known(sizes) for sizes in zip(*input_shapes))
        if not all(_compatible(shape, output) for shape in input_shapes):
            raise ValueError(f"input shapes {input_shapes} are not all the same")
        return output

    def get_output_for(self, inputs, **kwargs):
        return reduce(self.merge_function, autocrop(inputs, self.cropping))


class ElemwiseSumLayer(ElemwiseMergeLayer):
    """ElemwiseSumLayer(incomings, coeffs=1, cropping=None, name=None)

    The weighted sum ``sum(c * x)`` of inputs of one shape; `coeffs` is one number or one per
    input.

    >>> ElemwiseSumLayer([(None, 4), (None, 4)], coeffs=[1, -1]).output_shape
    (None, 4)
    """

    def __init__(self, incomings, coeffs=1, cropping=None, name=None):
        super().__init__(incomings, torch.add, cropping, name)
        if isinstance(coeffs, (list, tuple)):
            if len(coeffs) != len(incomings):
                raise ValueError(f"{self.describe()}: got {len(coeffs)} coeffs for "
                                 f"{len(incomings)} inputs")
            self.coeffs = list(coeffs)
        else:
            self.coeffs = [coeffs] * len(incomings)

    def get_output_for(self, inputs, **kwargs):
        inputs = autocrop(inputs, self.cropping)
        return reduce(torch.add, (x if c == 1 else c * x for c, x in zip(self.coeffs, inputs)))
