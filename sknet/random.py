"""The random number generator that initializers draw from, as in ``lasagne.random``.

By default it is NumPy's global generator, so ``np.random.seed(42)`` at the top of an old script
still makes its initial weights reproducible.
"""
import numpy as np

_rng = np.random


def get_rng():
    """The generator initializers use (NumPy's global one unless `set_rng` changed it)."""
    return _rng


def set_rng(new_rng):
    """Make initializers draw from `new_rng`, e.g. ``np.random.RandomState(0)``."""
    global _rng
    _rng = new_rng
