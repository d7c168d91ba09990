"""``lasagne.objectives`` under the legacy shim: every Lasagne loss and accuracy."""
from sknet.legacy.renames import missing_attributes, stand_ins
from sknet.objectives import (aggregate, binary_accuracy, binary_crossentropy,  # noqa
                              binary_hinge_loss, categorical_accuracy,
                              categorical_crossentropy, huber_loss, multiclass_hinge_loss,
                              squared_error)

globals().update(stand_ins("lasagne.objectives", ["Objective"],
                           "nolearn 0.6 removed it too; use NeuralNet's objective_* arguments"))
globals().update(stand_ins("lasagne.objectives", ["mse"], "Lasagne 0.1 renamed it squared_error"))
__getattr__ = missing_attributes("lasagne.objectives")
