"""``theano.sandbox`` under the legacy shim: only the ``cuda`` probe."""
from sknet.legacy.renames import missing_attributes

__getattr__ = missing_attributes("theano.sandbox")
