"""Elementwise nonlinearities with Lasagne's names; each maps a tensor to a tensor.

>>> import torch
>>> rectify(torch.tensor([-1.0, 2.0]))
tensor([0., 2.])
>>> leaky_rectify(torch.tensor([-1.0, 2.0]))
tensor([-0.0100,  2.0000])
"""
import torch
import torch.nn.functional as F


def sigmoid(x):
    """1 / (1 + exp(-x))."""
    return torch.sigmoid(x)


def softmax(x):
    """exp(x) / sum(exp(x)) over the last axis (the classes of a 2-D output)."""
    return torch.softmax(x, dim=-1)


def tanh(x):
    """Hyperbolic tangent."""
    return torch.tanh(x)


class ScaledTanH:
    """ScaledTanH(scale_in=1, scale_out=1): scale_out * tanh(scale_in * x)."""

    def __init__(self, scale_in=1.0, scale_out=1.0):
        self.scale_in = scale_in
        self.scale_out = scale_out

    def __call__(self, x):
        return self.scale_out * torch.tanh(self.scale_in * x)

    def __repr__(self):
        return f"ScaledTanH(scale_in={self.scale_in!r}, scale_out={self.scale_out!r})"


ScaledTanh = ScaledTanH


def rectify(x):
    """max(0, x), the default of Dense and convolution layers."""
    return torch.relu(x)


class LeakyRectify:
    """LeakyRectify(leakiness=0.01): x for x > 0, leakiness * x otherwise."""

    def __init__(self, leakiness=0.01):
        self.leakiness = leakiness

    def __call__(self, x):
        return F.leaky_relu(x, self.leakiness)

    def __repr__(self):
        return f"LeakyRectify(leakiness={self.leakiness!r})"


leaky_rectify = LeakyRectify(0.01)
very_leaky_rectify = LeakyRectify(1.0 / 3)


def elu(x):
    """x for x > 0, exp(x) - 1 otherwise."""
    return F.elu(x)


class SELU:
    """SELU(scale=1, scale_neg=1): scale * (x if x > 0 else scale_neg * (exp(x) - 1)).

    The defaults are Lasagne's (an ELU); `selu` has the self-normalizing constants."""

    def __init__(self, scale=1, scale_neg=1):
        self.scale = scale
        self.scale_neg = scale_neg

    def __call__(self, x):
        return self.scale * torch.where(x > 0, x, self.scale_neg * torch.expm1(x))

    def __repr__(self):
        return f"SELU(scale={self.scale!r}, scale_neg={self.scale_neg!r})"


selu = SELU(scale=1.0507009873554805, scale_neg=1.6732632423543772)


def softplus(x):
    """log(1 + exp(x))."""
    return F.softplus(x)


def linear(x):
    """The identity: what ``nonlinearity=None`` means."""
    return x


identity = linear
