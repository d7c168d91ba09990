"""``nolearn.lasagne.base`` under the legacy shim."""
from sknet.batching import BatchIterator, TrainSplit  # noqa
from sknet.build import Layers  # noqa
from sknet.legacy.net import NeuralNet  # noqa
from sknet.legacy.renames import missing_attributes, stand_ins
from sknet.net import objective  # noqa

globals().update(stand_ins("nolearn.lasagne.base", ["grad_scale"],
                           "per-layer gradient scaling is not emulated"))
__getattr__ = missing_attributes("nolearn.lasagne.base")
