"""A small ``theano`` for old nolearn scripts: ``shared`` values, ``config.floatX`` and the
``tensor`` type names nolearn took as arguments. There are no symbolic graphs."""
import numpy as np
import torch

from sknet.legacy.renames import missing_attributes, stand_ins
from sknet.utils import as_float_tensor
from sknet.utils import shared as _shared_hyperparameter

from . import tensor  # noqa


class _Config:
    """The settings old scripts read: arrays are float32, and the device is the GPU when
    torch sees one."""
    floatX = "float32"
    device = "gpu" if torch.cuda.is_available() else "cpu"


config = _Config()


def shared(value, name=None, strict=False, allow_downcast=None, borrow=False, **kwargs):
    """A scalar becomes an `sknet.shared` hyper-parameter (``set_value`` reaches the running
    optimizer); an array becomes a parameter tensor that layers take as ``W``/``b``, shared
    between the layers given it, as Theano's shared variables were."""
    if np.ndim(value) == 0:
        return _shared_hyperparameter(value, name)
    array = np.asarray(value)
    if array.dtype.kind == "f":
        return torch.nn.Parameter(as_float_tensor(array))
    return torch.as_tensor(array)


_NO_GRAPHS = ("sknet has no symbolic graphs: NeuralNet.fit trains, NeuralNet.predict / "
              "get_output evaluate, and torch computes gradients")
globals().update(stand_ins("theano", ["function", "grad", "scan", "clone", "In", "Out"],
                           _NO_GRAPHS))
__getattr__ = missing_attributes("theano")
