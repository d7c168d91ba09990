"""``nolearn.lasagne`` under the legacy shim: NeuralNet (taking nolearn's old arguments too),
the batch iterator, the train split, the objective and the handlers."""
from sknet.legacy.renames import missing_attributes, stand_ins

from .base import BatchIterator, NeuralNet, TrainSplit, objective  # noqa
from .handlers import (AdjustVariable, EarlyStopping, PrintLayerInfo, PrintLog,  # noqa
                       RememberBestWeights, RestoreBestWeights, SaveWeights, WeightLog)

globals().update(stand_ins("nolearn.lasagne", ["grad_scale"],
                           "per-layer gradient scaling is not emulated"))
__getattr__ = missing_attributes("nolearn.lasagne")
