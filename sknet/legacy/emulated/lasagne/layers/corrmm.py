"""``lasagne.layers.corrmm`` under the legacy shim."""
from sknet.legacy.layers import Conv2DMMLayer  # noqa
from sknet.legacy.renames import missing_attributes

__getattr__ = missing_attributes("lasagne.layers.corrmm")
