"""``lasagne.init`` under the legacy shim: every Lasagne initializer."""
from sknet.init import (Constant, Glorot, GlorotNormal, GlorotUniform, He, HeNormal,  # noqa
                        HeUniform, Initializer, Normal, Orthogonal, Sparse, Uniform)
from sknet.legacy.renames import missing_attributes as _missing_attributes

__getattr__ = _missing_attributes("lasagne.init")
