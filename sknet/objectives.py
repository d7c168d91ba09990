"""Loss and accuracy functions with Lasagne's names; each returns one value per sample (or
element) for `aggregate` to reduce.

>>> import torch
>>> p = torch.tensor([[0.9, 0.1], [0.2, 0.8]])
>>> categorical_crossentropy(p, torch.tensor([0, 1]))
tensor([0.1054, 0.2231])
>>> aggregate(categorical_accuracy(p, torch.tensor([0, 0])))
tensor(0.5000)
"""
import warnings

import torch
import torch.nn.functional as F


def _align(predictions, targets):
    """Lasagne's align_targets: a (N, 1) prediction and (N,) targets compare elementwise."""
    if predictions.dim() == 2 and predictions.shape[1] == 1 and targets.dim() == 1:
        targets = targets.unsqueeze(1)
    return predictions, targets


def binary_crossentropy(predictions, targets):
    """-(t * log(p) + (1 - t) * log(1 - p)), elementwise; `predictions` are probabilities."""
    predictions, targets = _align(predictions, targets)
    return F.binary_cross_entropy(predictions, targets.to(predictions.dtype), reduction="none")


def categorical_crossentropy(predictions, targets):
    """-log of the probability given to the true class, per sample. `predictions` hold class
    probabilities (rows summing to 1); `targets` are class ids or one-hot / soft rows."""
    if targets.dim() == predictions.dim() - 1:
        return -torch.log(predictions.gather(1, targets.long().unsqueeze(1)).squeeze(1))
    if targets.shape != predictions.shape:
        raise ValueError(f"targets must be class ids or rows shaped like the predictions "
                         f"{tuple(predictions.shape)}, got shape {tuple(targets.shape)}")
    return -(targets * torch.log(predictions)).sum(dim=1)


def squared_error(a, b):
    """(a - b) ** 2, elementwise: the regression loss."""
    return (a - b) ** 2


def huber_loss(predictions, targets, delta=1):
    """0.5 * d**2 where |d| <= delta, delta * (|d| - delta / 2) elsewhere; d = t - p."""
    predictions, targets = _align(predictions, targets)
    abs_diff = (targets - predictions).abs()
    return torch.where(abs_diff <= delta, 0.5 * abs_diff ** 2, delta * (abs_diff - 0.5 * delta))


def binary_hinge_loss(predictions, targets, delta=1, log_odds=None, binary=True):
    """max(0, delta - t * p) with targets in {-1, 1} (0/1 targets are mapped when `binary`).
    Without `log_odds` the predictions are probabilities and first turned into log-odds."""
    if log_odds is None:
        warnings.warn("binary_hinge_loss: pass log_odds explicitly; treating predictions as "
                      "log-odds (log_odds=True) as Lasagne did", FutureWarning, stacklevel=2)
        log_odds = True
    if not log_odds:
        predictions = torch.log(predictions / (1 - predictions))
    if binary:
        targets = 2 * targets - 1
    predictions, targets = _align(predictions, targets)
    return torch.relu(delta - predictions * targets)


def multiclass_hinge_loss(predictions, targets, delta=1):
    """max(0, best wrong score - true class score + delta), per sample; `targets` are class
    ids or one-hot rows."""
    if targets.dim() == predictions.dim():
        targets = targets.argmax(dim=1)
    elif targets.dim() != predictions.dim() - 1:
        raise ValueError(f"targets of shape {tuple(targets.shape)} do not match predictions of "
                         f"shape {tuple(predictions.shape)}")
    targets = targets.long().unsqueeze(1)
    correct = predictions.gather(1, targets).squeeze(1)
    others = predictions.scatter(1, targets, float("-inf")).amax(dim=1)
    return torch.relu(others - correct + delta)


def categorical_accuracy(predictions, targets, top_k=1):
    """1.0 where the true class is among the `top_k` highest predictions, else 0.0."""
    if targets.dim() == predictions.dim():
        targets = targets.argmax(dim=-1)
    if top_k == 1:
        return (predictions.argmax(dim=-1) == targets).to(predictions.dtype)
    top = predictions.topk(top_k, dim=-1).indices
    return (top == targets.unsqueeze(-1)).any(dim=-1).to(predictions.dtype)


def binary_accuracy(predictions, targets, threshold=0.5):
    """1.0 where (prediction >= threshold) equals the 0/1 target, else 0.0."""
    predictions, targets = _align(predictions, targets)
    return ((predictions >= threshold) == targets.bool()).to(predictions.dtype)


def aggregate(loss, weights=None, mode="mean"):
    """Reduce elementwise losses to a scalar: 'mean', 'sum', or 'normalized_sum' (the weighted
    sum divided by the sum of `weights`, which it requires)."""
    if weights is not None:
        loss = loss * weights
    if mode == "mean":
        return loss.mean()
    if mode == "sum":
        return loss.sum()
    if mode == "normalized_sum":
        if weights is None:
            raise ValueError("aggregate(mode='normalized_sum') needs weights")
        return loss.sum() / weights.sum()
    raise ValueError(f"aggregate: mode must be 'mean', 'sum' or 'normalized_sum', got {mode!r}")
