"""``nolearn.lasagne.handlers`` under the legacy shim: nolearn 0.6's handlers, plus the
EarlyStopping(patience, criterion, criterion_smaller_is_better) and AdjustVariable that
scripts of that time defined themselves and later imported from here."""
from sknet.handlers import (AdjustVariable, EarlyStopping, PrintLayerInfo, PrintLog,  # noqa
                            RememberBestWeights, RestoreBestWeights, SaveWeights, WeightLog)
from sknet.legacy.renames import missing_attributes

__getattr__ = missing_attributes("nolearn.lasagne.handlers")
