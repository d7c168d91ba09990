"""``lasagne.objectives`` under the legacy shim: every Lasagne loss and accuracy, recording an
expression when given expressions and computing at once on tensors."""
from sknet import objectives as _objectives
from sknet.legacy.renames import missing_attributes, stand_ins
from sknet.legacy.symbolic import lift

__all__ = ["binary_crossentropy", "categorical_crossentropy", "squared_error", "aggregate",
           "binary_hinge_loss", "multiclass_hinge_loss", "huber_loss", "binary_accuracy",
           "categorical_accuracy"]

aggregate = lift(_objectives.aggregate)
binary_accuracy = lift(_objectives.binary_accuracy)
binary_crossentropy = lift(_objectives.binary_crossentropy)
binary_hinge_loss = lift(_objectives.binary_hinge_loss)
categorical_accuracy = lift(_objectives.categorical_accuracy)
categorical_crossentropy = lift(_objectives.categorical_crossentropy)
huber_loss = lift(_objectives.huber_loss)
multiclass_hinge_loss = lift(_objectives.multiclass_hinge_loss)
squared_error = lift(_objectives.squared_error)

globals().update(stand_ins("lasagne.objectives", ["Objective"],
                           "nolearn 0.6 removed it too; use NeuralNet's objective_* arguments"))
globals().update(stand_ins("lasagne.objectives", ["mse"], "Lasagne 0.1 renamed it squared_error"))
__getattr__ = missing_attributes("lasagne.objectives")
