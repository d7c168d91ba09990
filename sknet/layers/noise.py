"""Layers that add noise while training and pass data through unchanged when deterministic."""
import torch
import torch.nn.functional as F

from .base import Layer


class DropoutLayer(Layer):
    """DropoutLayer(incoming, p=0.5, rescale=True, shared_axes=(), name=None)

    While training, sets each input to zero with probability `p` and (with `rescale`) divides
    the rest by ``1 - p`` so the expected value is unchanged; with ``deterministic=True`` it
    passes its input through. `shared_axes` share one mask entry along those axes (e.g. whole
    feature maps, see `dropout_channels`).

    >>> DropoutLayer((None, 100), p=0.5).output_shape
    (None, 100)
    """

    def __init__(self, incoming, p=0.5, rescale=True, shared_axes=(), name=None):
        super().__init__(incoming, name)
        if not 0 <= p < 1:
            raise ValueError(f"{self.describe()}: p must be in [0, 1), got {p}")
        self.p = p
        self.rescale = rescale
        self.shared_axes = tuple(shared_axes)

    def get_output_for(self, input, deterministic=False, **kwargs):
        if deterministic or self.p == 0:
            return input
        if self.rescale and not self.shared_axes:
            return F.dropout(input, self.p, training=True)  # the same rule, in one kernel
        retain = 1.0 - self.p
        mask_shape = tuple(1 if axis % input.dim() in {a % input.dim() for a in self.shared_axes}
                           else size for axis, size in enumerate(input.shape))
        mask = torch.empty(mask_shape, dtype=input.dtype, device=input.device).bernoulli_(retain)
        if self.rescale:
            mask = mask / retain
        return input * mask


dropout = DropoutLayer


def dropout_channels(incoming, *args, **kwargs):
    """A DropoutLayer that drops whole channels (feature maps): all axes after the second are
    shared. Also known as spatial dropout."""
    ndim = len(getattr(incoming, "output_shape", incoming))
    kwargs["shared_axes"] = tuple(range(2, ndim))
    return DropoutLayer(incoming, *args, **kwargs)


spatial_dropout = dropout_channels


def dropout_locations(incoming, *args, **kwargs):
    """A DropoutLayer that drops whole locations: the channel axis is shared."""
    kwargs["shared_axes"] = (1,)
    return DropoutLayer(incoming, *args, **kwargs)


class GaussianNoiseLayer(Layer):
    """GaussianNoiseLayer(incoming, sigma=0.1, name=None)

    While training, adds noise drawn from N(0, sigma**2); passes its input through when
    deterministic.

    >>> GaussianNoiseLayer((None, 10)).output_shape
    (None, 10)
    """

    def __init__(self, incoming, sigma=0.1, name=None):
        super().__init__(incoming, name)
        self.sigma = sigma

    def get_output_for(self, input, deterministic=False, **kwargs):
        if deterministic or self.sigma == 0:
            return input
        return input + self.sigma * torch.randn_like(input)
