"""``lasagne.regularization`` under the legacy shim: every Lasagne penalty helper."""
from sknet.legacy.renames import missing_attributes
from sknet.regularization import (apply_penalty, l1, l2, regularize_layer_params,  # noqa
                                  regularize_layer_params_weighted,
                                  regularize_network_params)

__getattr__ = missing_attributes("lasagne.regularization")
