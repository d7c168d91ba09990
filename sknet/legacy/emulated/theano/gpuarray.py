"""``theano.gpuarray`` under the legacy shim: the probe old scripts use to find a GPU,
answered from torch."""
import torch

from sknet.legacy.renames import missing_attributes

pygpu_activated = torch.cuda.is_available()

__getattr__ = missing_attributes("theano.gpuarray")
