"""Weight penalties with Lasagne's names, to add to a loss.

>>> import torch
>>> l2(torch.tensor([1.0, -2.0])), l1(torch.tensor([1.0, -2.0]))
(tensor(5.), tensor(3.))
"""
from .layers.helper import get_all_params


def _tags(tags):
    """Penalize regularizable parameters (weights, not biases) unless told otherwise."""
    return {"regularizable": True} if tags is None else tags


def l1(x):
    """The sum of absolute values."""
    return x.abs().sum()


def l2(x):
    """The sum of squares (no 1/2 factor, as in Lasagne)."""
    return (x ** 2).sum()


def apply_penalty(tensor_or_tensors, penalty, **kwargs):
    """`penalty` summed over one tensor or a list of them."""
    if isinstance(tensor_or_tensors, (list, tuple)):
        return sum(penalty(x, **kwargs) for x in tensor_or_tensors)
    return penalty(tensor_or_tensors, **kwargs)


def regularize_layer_params(layer, penalty, tags=None, **kwargs):
    """The penalty of the parameters of one layer or a list of layers (weights by default,
    not biases)."""
    layers = layer if isinstance(layer, (list, tuple)) else [layer]
    params = [p for l in layers for p in l.get_params(**_tags(tags))]
    return apply_penalty(params, penalty, **kwargs)


def regularize_layer_params_weighted(layers, penalty, tags=None, **kwargs):
    """sum(coefficient * penalty of the layer's parameters) for a dict layer -> coefficient."""
    return sum(coefficient * apply_penalty(layer.get_params(**_tags(tags)), penalty, **kwargs)
               for layer, coefficient in layers.items())


def regularize_network_params(layer, penalty, tags=None, **kwargs):
    """The penalty of all parameters of the network ending in `layer` (weights by default)."""
    return apply_penalty(get_all_params(layer, **_tags(tags)), penalty, **kwargs)
