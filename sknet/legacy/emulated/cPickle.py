"""``cPickle`` under the legacy shim: Python 3's `pickle`, except that loading reads the byte
strings of Python 2 pickles as latin-1, as NumPy asks, so the ``mnist.pkl.gz``-style files of
2015 scripts load."""
import pickle
from pickle import (HIGHEST_PROTOCOL, PickleError, Pickler, PicklingError,  # noqa: F401
                    UnpicklingError, dump, dumps)

MODERN_NAME = "pickle (Python 2 pickles load with encoding='latin1')"
GUIDE_SECTION = "Python 2 scripts"

__all__ = ["HIGHEST_PROTOCOL", "PickleError", "Pickler", "PicklingError", "Unpickler",
           "UnpicklingError", "dump", "dumps", "load", "loads"]


def load(file, *, encoding="latin1", **kwargs):
    """`pickle.load`, reading Python 2 byte strings as latin-1."""
    return pickle.load(file, encoding=encoding, **kwargs)


def loads(data, *, encoding="latin1", **kwargs):
    r"""`pickle.loads`, reading Python 2 byte strings as latin-1 (Python 3's default, ASCII,
    fails on them).

    Examples
    --------
    >>> loads(b"(lp1\nS'caf\xe9'\np2\na.")  # Python 2: cPickle.dumps(['caf\xe9'])
    ['café']
    """
    return pickle.loads(data, encoding=encoding, **kwargs)


class Unpickler(pickle.Unpickler):
    """`pickle.Unpickler`, reading Python 2 byte strings as latin-1."""

    def __init__(self, file, *, encoding="latin1", **kwargs):
        super().__init__(file, encoding=encoding, **kwargs)
