"""The random number generator that initializers and noise layers draw from, as in
``lasagne.random``.

By default it is NumPy's global generator, so ``np.random.seed(42)`` at the top of an old script
still makes its initial weights reproducible. Each noise layer (`DropoutLayer`,
`GaussianNoiseLayer`) draws its seed from it when built; after ``set_rng(rng)`` its masks come
from a torch generator seeded with that seed (see `sknet.layers.noise`).
"""
import numpy as np

_rng = np.random


def get_rng():
    """The generator initializers use (NumPy's global one unless `set_rng` changed it)."""
    return _rng


def set_rng(new_rng):
    """Make initializers, and the noise layers built from now on, draw from `new_rng`, e.g.
    ``np.random.RandomState(0)``; ``set_rng(np.random)`` restores the default."""
    global _rng
    _rng = new_rng
