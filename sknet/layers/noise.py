"""Layers that add noise while training and pass data through unchanged when deterministic.

Their random numbers, as Lasagne's: each layer draws a seed from :func:`sknet.random.get_rng`
when it is built (``randint(1, 2147462579)``, as Lasagne seeded its ``RandomStreams``). After
``set_rng(np.random.RandomState(s))`` the layer draws its masks from its own torch generator
seeded with that seed (one per device), so the same `s` gives the same masks; a NeuralNet
given a `random_state` builds its layers so. With NumPy's global generator (the default) the
masks come from torch's global generator, which ``torch.manual_seed`` and NeuralNet's
checkpoints govern as for any torch code.
"""
import numpy as np
import torch
import torch.nn.functional as F

from ..random import get_rng
from .base import Layer

_LASAGNE_SEED_BOUND = 2147462579  # Lasagne's bound for the seeds of its random streams


def current_value(number):
    """`number` as a float now: a shared scalar (``sknet.shared``, ``theano.shared``) gives its
    current value, so ``set_value`` changes a noise level while a net trains."""
    return float(number.get_value() if hasattr(number, "get_value") else number)


class NoiseLayer(Layer):
    """NoiseLayer(incoming, name=None)

    The base of layers that draw random numbers while training: `seed` is drawn from
    ``get_rng()`` at construction, and `generator` gives the torch generator to draw from
    (None for torch's global one). A pickled or copied layer continues its random stream.

    >>> from sknet.random import set_rng
    >>> seeds = []
    >>> for _ in range(2):
    ...     set_rng(np.random.RandomState(0))
    ...     seeds.append(DropoutLayer((None, 4)).seed)
    >>> set_rng(np.random)
    >>> seeds[0] == seeds[1] == np.random.RandomState(0).randint(1, 2147462579)
    True
    """

    def __init__(self, incoming, name=None):
        super().__init__(incoming, name)
        rng = get_rng()
        self.seed = int(rng.randint(1, _LASAGNE_SEED_BOUND))
        self._generators = None if rng is np.random else {}
        self._generator_states = {}

    def generator(self, device):
        """This layer's torch generator on `device`, or None when it draws from torch's."""
        if self._generators is None:
            return None
        if device not in self._generators:
            generator = torch.Generator(device=device)
            saved = self._generator_states.pop(str(device), None)
            if saved is None:
                generator.manual_seed(self.seed)
            else:
                generator.set_state(saved)
            self._generators[device] = generator
        return self._generators[device]

    def __setstate__(self, state):
        # a layer pickled before layers had their own streams draws from torch's
        state = {"seed": None, "_generators": None, "_generator_states": {}, **state}
        super().__setstate__(state)

    def __getstate__(self):
        state = dict(super().__getstate__())
        if self._generators is not None:  # generators as their states: loadable anywhere
            state["_generator_states"] = {**self._generator_states, **{
                str(device): g.get_state() for device, g in self._generators.items()}}
            state["_generators"] = {}
        return state


class DropoutLayer(NoiseLayer):
    """DropoutLayer(incoming, p=0.5, rescale=True, shared_axes=(), name=None)

    While training, sets each input to zero with probability `p` and (with `rescale`) divides
    the rest by ``1 - p`` so the expected value is unchanged; with ``deterministic=True`` it
    passes its input through. `shared_axes` share one mask entry along those axes (e.g. whole
    feature maps, see `dropout_channels`). `p` may be a shared scalar (``sknet.shared``,
    ``theano.shared``), whose ``set_value`` changes the rate while a net trains, as Lasagne's
    scalar tensors did.

    >>> DropoutLayer((None, 100), p=0.5).output_shape
    (None, 100)
    """

    def __init__(self, incoming, p=0.5, rescale=True, shared_axes=(), name=None):
        super().__init__(incoming, name)
        self.p = p
        if not 0 <= current_value(p) < 1:
            raise ValueError(f"{self.describe()}: p must be in [0, 1), got {p!r}")
        self.rescale = rescale
        self.shared_axes = tuple(shared_axes)

    def get_output_for(self, input, deterministic=False, **kwargs):
        p = current_value(self.p)
        if deterministic or p == 0:
            return input
        generator = self.generator(input.device)
        if self.rescale and not self.shared_axes and generator is None:
            return F.dropout(input, p, training=True)  # the same rule, in one kernel
        retain = 1.0 - p
        mask_shape = tuple(1 if axis % input.dim() in {a % input.dim() for a in self.shared_axes}
                           else size for axis, size in enumerate(input.shape))
        mask = torch.empty(mask_shape, dtype=input.dtype, device=input.device).bernoulli_(
            retain, generator=generator)
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


class GaussianNoiseLayer(NoiseLayer):
    """GaussianNoiseLayer(incoming, sigma=0.1, name=None)

    While training, adds noise drawn from N(0, sigma**2); passes its input through when
    deterministic. `sigma` may be a shared scalar, as `p` of `DropoutLayer`.

    >>> GaussianNoiseLayer((None, 10)).output_shape
    (None, 10)
    """

    def __init__(self, incoming, sigma=0.1, name=None):
        super().__init__(incoming, name)
        self.sigma = sigma

    def get_output_for(self, input, deterministic=False, **kwargs):
        sigma = current_value(self.sigma)
        if deterministic or sigma == 0:
            return input
        noise = torch.randn(input.shape, dtype=input.dtype, device=input.device,
                            generator=self.generator(input.device))
        return input + sigma * noise
