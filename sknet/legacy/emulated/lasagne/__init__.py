"""``lasagne`` under the legacy shim."""
from sknet.legacy.renames import missing_attributes as _missing_attributes

from . import init, layers, nonlinearities, objectives, random, regularization, updates, utils

__version__ = "0.2.dev1"  # the Lasagne whose names and behaviour the shim serves (its master)

__getattr__ = _missing_attributes("lasagne")
