"""``cPickle`` under the legacy shim (and ``pickle`` in converted Python 2 files): Python 3's
`pickle`, except that loading reads the byte strings of Python 2 pickles as latin-1, as NumPy
asks, and reads a file opened in text mode through its binary buffer, as Python 2 did, so the
``mnist.pkl.gz`` and ``pickle.load(open('vgg16.pkl'))`` habits of 2015 scripts load."""
import io
import pickle
from pickle import (HIGHEST_PROTOCOL, PickleError, Pickler, PicklingError,  # noqa: F401
                    UnpicklingError, dump, dumps)

MODERN_NAME = "pickle (Python 2 pickles load with encoding='latin1')"
GUIDE_SECTION = "Python 2 scripts"

__all__ = ["HIGHEST_PROTOCOL", "PickleError", "Pickler", "PicklingError", "Unpickler",
           "UnpicklingError", "dump", "dumps", "load", "loads"]


def __getattr__(name):
    """The rest of Python 3's `pickle` (``pickle.PROTO``, ``pickle.DEFAULT_PROTOCOL`` ...)."""
    return getattr(pickle, name)


def _binary(file):
    """`file`, or its binary buffer when it was opened in text mode (Python 2's ``open(path)``
    read bytes)."""
    return file.buffer if isinstance(file, io.TextIOBase) and hasattr(file, "buffer") else file


def load(file, *, encoding="latin1", **kwargs):
    """`pickle.load`, reading Python 2 byte strings as latin-1, from text-mode files too."""
    return pickle.load(_binary(file), encoding=encoding, **kwargs)


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
        super().__init__(_binary(file), encoding=encoding, **kwargs)
