"""``lasagne.layers.corrmm`` under the legacy shim: Theano's GEMM convolution as sknet's
convolution, keeping its cross-correlation default."""
from ._names import lasagne_names as _lasagne_names

__all__ = ["Conv2DMMLayer"]
globals().update(_lasagne_names(__name__, __all__))
