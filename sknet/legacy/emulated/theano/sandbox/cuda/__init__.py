"""``theano.sandbox.cuda`` under the legacy shim. Without a CUDA GPU torch can use, importing
it fails with ImportError, as Theano's did without one; with one, ``cuda_available`` is True
and ``use`` accepts a GPU device name."""
import torch

from sknet.legacy.renames import missing_attributes, not_supported

if not torch.cuda.is_available():
    raise not_supported("module theano.sandbox.cuda", "torch sees no CUDA GPU")

cuda_available = True


def use(device, force=False, **kwargs):
    """Accept Theano's GPU selection (``'gpu'``, ``'gpu0'``, ``'cuda1'``); torch chooses."""
    if not str(device).startswith(("gpu", "cuda")):
        raise ValueError(f"theano.sandbox.cuda.use: expected a GPU device name such as 'gpu0', "
                         f"got {device!r}")


__getattr__ = missing_attributes("theano.sandbox.cuda")
