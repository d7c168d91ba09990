"""``lasagne.nonlinearities`` under the legacy shim: every Lasagne nonlinearity."""
from sknet.legacy.renames import missing_attributes as _missing_attributes
from sknet.nonlinearities import (SELU, LeakyRectify, ScaledTanH, elu, identity,  # noqa
                                  leaky_rectify, linear, rectify, selu, sigmoid, softmax,
                                  softplus, tanh, very_leaky_rectify)

ScaledTanh = ScaledTanH  # Lasagne had both spellings

__getattr__ = _missing_attributes("lasagne.nonlinearities")
