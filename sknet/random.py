"""The random number generator that initializers and noise layers draw from, as in
``lasagne.random``.

By default it is NumPy's global generator, so ``np.random.seed(42)`` at the top of an old script
still makes its initial weights reproducible. Each noise layer (`DropoutLayer`,
`GaussianNoiseLayer`) draws its seed from it when built; after ``set_rng(rng)`` its masks come
from a torch generator seeded with that seed (see `sknet.layers.noise`). `using_rng` sets one
for a block only, as NeuralNet does while it builds its layers for a `random_state`.
"""
import threading
from contextlib import contextmanager

import numpy as np

_rng = np.random
_in_block = threading.local()  # using_rng's generator, per thread


def get_rng():
    """The generator initializers use: `using_rng`'s in this thread, else NumPy's global one
    unless `set_rng` changed it."""
    rng = getattr(_in_block, "rng", None)
    return _rng if rng is None else rng


def set_rng(new_rng):
    """Make initializers, and the noise layers built from now on, draw from `new_rng`, e.g.
    ``np.random.RandomState(0)``; ``set_rng(np.random)`` restores the default."""
    global _rng
    _rng = new_rng


@contextmanager
def using_rng(rng):
    """Make `rng` the generator initializers and new noise layers draw from inside the block,
    in this thread only (nets built at once in other threads keep theirs), and restore the
    previous one after it, also on error. NeuralNet builds its layers in ``using_rng(...)``
    when it has a `random_state`.

    >>> with using_rng(np.random.RandomState(0)):
    ...     first = get_rng().randint(100)
    >>> get_rng() is np.random, first == np.random.RandomState(0).randint(100)
    (True, True)
    """
    previous = getattr(_in_block, "rng", None)
    _in_block.rng = rng
    try:
        yield rng
    finally:
        _in_block.rng = previous
