"""``lasagne`` under the legacy shim."""
from sknet.legacy.renames import missing_attributes

from . import init, layers, nonlinearities, objectives, random, regularization, updates, utils

__getattr__ = missing_attributes("lasagne")
