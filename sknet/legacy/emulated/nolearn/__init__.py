"""``nolearn`` under the legacy shim (only its ``lasagne`` part)."""
from sknet.legacy.renames import missing_attributes

from . import lasagne  # noqa

__getattr__ = missing_attributes("nolearn")
