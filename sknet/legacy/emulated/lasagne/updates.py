"""``lasagne.updates`` under the legacy shim: the update rules, as torch optimizers."""
from sknet.legacy.renames import missing_attributes, stand_ins
from sknet.updates import (adadelta, adagrad, adam, adamax, amsgrad, momentum,  # noqa
                           nesterov_momentum, rmsprop, sgd)

globals().update(stand_ins("lasagne.updates", [
    "apply_momentum", "apply_nesterov_momentum", "get_or_compute_grads", "norm_constraint",
    "total_norm_constraint"], "it rewrote Theano update dictionaries; NeuralNet builds the "
    "optimizer from `update` and update_* arguments"))
__getattr__ = missing_attributes("lasagne.updates")
