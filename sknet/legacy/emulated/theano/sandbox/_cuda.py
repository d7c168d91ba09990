"""``theano.sandbox.cuda`` under the legacy shim, served only where torch sees a CUDA GPU
(see `theano.sandbox`): ``cuda_available`` is True and ``use`` accepts a GPU device name."""
import torch

from sknet.legacy.renames import missing_attributes

cuda_available = torch.cuda.is_available()


def use(device, force=False, **kwargs):
    """Accept Theano's GPU selection (``'gpu'``, ``'gpu0'``, ``'cuda1'``); torch chooses."""
    if not str(device).startswith(("gpu", "cuda")):
        raise ValueError(f"theano.sandbox.cuda.use: expected a GPU device name such as 'gpu0', "
                         f"got {device!r}")


__getattr__ = missing_attributes("theano.sandbox.cuda")
