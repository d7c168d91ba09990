"""``lasagne.random`` under the legacy shim."""
from sknet.legacy.renames import missing_attributes as _missing_attributes
from sknet.random import get_rng, set_rng  # noqa

__getattr__ = _missing_attributes("lasagne.random")
