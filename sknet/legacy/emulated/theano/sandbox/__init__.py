"""``theano.sandbox`` under the legacy shim: only the ``cuda`` probe. Where torch sees a CUDA
GPU, ``import theano.sandbox.cuda`` gives a module whose ``cuda_available`` is True; without
one it fails with ImportError, as Theano's did."""
import sys

import torch

from sknet.legacy.renames import missing_attributes

if torch.cuda.is_available():
    from . import _cuda
    sys.modules[f"{__name__}.cuda"] = _cuda

__getattr__ = missing_attributes("theano.sandbox")
