"""Mixed precision: NeuralNet's `mixed_precision` setting.

``'bf16'`` (or True) runs the forward pass under bfloat16 autocast, on any device. ``'fp16'``
runs it under float16 autocast on CUDA, where float16's narrow range needs loss scaling: the
loss is multiplied by `torch.amp.GradScaler`'s scale before `backward`, the gradients are
divided back (before callbacks and handlers read or clip them), and a step whose gradients
hold inf or NaN is skipped while the scale shrinks (GradScaler's rules). The scaler is the
net's ``grad_scaler_``, so it is pickled with the net and its scale carries over.

>>> autocast_dtype('fp16'), autocast_dtype('bf16')
(torch.float16, torch.bfloat16)
>>> check_mixed_precision('fp16', 'cpu')
Traceback (most recent call last):
...
ValueError: mixed_precision='fp16' needs a CUDA device to train (float16 with loss scaling), \
got device='cpu'; use mixed_precision='bf16' or None there
"""
import torch

MODES = (None, False, True, "bf16", "fp16")


def check_mixed_precision(mode, device=None):
    """`mixed_precision`: one of `MODES`; to train on `device` (when given), 'fp16' only on
    CUDA (a net trained so still predicts on the CPU, where float16 autocast runs)."""
    if mode not in MODES:
        raise ValueError(f"mixed_precision must be None, 'bf16' or 'fp16', got {mode!r}")
    if mode == "fp16" and device is not None and torch.device(device).type != "cuda":
        raise ValueError(f"mixed_precision='fp16' needs a CUDA device to train (float16 with "
                         f"loss scaling), got device={str(device)!r}; use "
                         "mixed_precision='bf16' or None there")


def autocast_dtype(mode):
    """The dtype the forward pass computes in under `mode` (a true `mixed_precision`)."""
    return torch.float16 if mode == "fp16" else torch.bfloat16


def grad_scaler(mode, device):
    """A new loss scaler for `mode` on `device`: a GradScaler for 'fp16', else None."""
    return torch.amp.GradScaler(torch.device(device).type) if mode == "fp16" else None


def backward(loss, scaler, optimizer):
    """Gradients of `loss`: scaled by `scaler` (when there is one) and divided back, so that
    whatever reads them before the step sees their true values."""
    if scaler is None:
        loss.backward()
        return
    scaler.scale(loss).backward()
    scaler.unscale_(optimizer)


def step(optimizer, scaler, compute_gradients=None):
    """One optimizer step after `compute_gradients()` (None: they are computed already): the
    optimizer's own (a closure step) without a scaler; with one, the scaler's (skipped when a
    gradient is inf or NaN), then the scale's update."""
    if scaler is None:
        optimizer.step(compute_gradients)
        return
    if compute_gradients is not None:
        compute_gradients()
    scaler.step(optimizer)
    scaler.update()
