"""``nolearn.lasagne.handlers`` under the legacy shim."""
from sknet.handlers import (PrintLayerInfo, PrintLog, RememberBestWeights,  # noqa
                            RestoreBestWeights, SaveWeights, WeightLog)
from sknet.legacy.renames import missing_attributes

__getattr__ = missing_attributes("nolearn.lasagne.handlers")
