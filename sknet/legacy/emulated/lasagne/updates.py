"""``lasagne.updates`` under the legacy shim: Lasagne's update rules on the expression graph.

Each rule takes ``(loss_or_grads, params, ...)`` and returns an ordered dict mapping each
shared variable (parameters and the rule's own state) to the expression of its new value,
for ``theano.function(..., updates=...)``; all are computed from the old values, then
assigned. NeuralNet's ``update=`` also takes these names (it runs them as torch optimizers,
see `sknet.updates`)."""
from collections import OrderedDict

import numpy as np
import torch

from sknet import updates as _optimizers
from sknet.legacy.renames import missing_attributes
from sknet.legacy.symbolic import Apply, SharedScalarVariable, SharedVariable, grad, lift
from sknet.utils import SharedScalar

from ..theano.tensor import clip, maximum, sqrt


class _Rule(_optimizers.Update):
    """A Lasagne update rule. Called as Lasagne did, ``rule(loss_or_grads, params, ...)``, it
    builds the update dict; called as sknet does, ``rule(params, **hyper_parameters)`` (what
    NeuralNet's ``update=`` does), it makes the torch optimizer of the same name."""

    def __init__(self, build, optimizer):
        super().__init__(optimizer.name, optimizer.optimizer, optimizer.defaults, build.__doc__)
        self.build = build

    def __call__(self, loss_or_grads, params=None, *args, **kwargs):
        if params is None and not args:
            return super().__call__(loss_or_grads, **kwargs)
        return self.build(loss_or_grads, params, *args, **kwargs)

    def __reduce__(self):
        # By name, so that `net.update is lasagne.updates.adam` survives pickling and clone.
        return (_rule, (self.name,))


def _rule(name):
    return globals()[name]


def get_or_compute_grads(loss_or_grads, params):
    """`loss_or_grads` if it is a list of gradients (one per parameter), else the gradients of
    the loss expression with respect to `params`."""
    if any(not isinstance(p, (torch.Tensor, SharedScalar)) for p in params):
        raise ValueError("params must contain shared variables only (parameter tensors), got "
                         f"{[type(p).__name__ for p in params]}")
    if isinstance(loss_or_grads, (list, tuple)):
        if len(loss_or_grads) != len(params):
            raise ValueError(f"Got {len(loss_or_grads)} gradient expressions for "
                             f"{len(params)} parameters")
        return list(loss_or_grads)
    return grad(loss_or_grads, list(params))


def _zeros_like(param):
    """A new shared variable of zeros shaped like `param`: a rule's state."""
    return SharedVariable(torch.zeros_like(param.detach()), requires_grad=False)


def _fused(step, params, states, *args):
    """The update dict of a rule computed for all parameters at once: `step(params, states,
    *args)` returns the new parameters and the new states (lists, from the old values), and
    each shared variable's new value is one item of that result."""
    group = Apply(step, (list(params), list(states), *args), {})
    updates = OrderedDict()
    for index, param in enumerate(params):
        updates[param] = Apply(_new_value, (group, 0, index), {})
        if states:
            updates[states[index]] = Apply(_new_value, (group, 1, index), {})
    return updates


def _new_value(group, which, index):
    return group[which][index]


def _sgd_step(params, states, grads, learning_rate):
    return torch._foreach_add(params, grads, alpha=-float(learning_rate)), []


def _momentum_step(params, velocities, grads, learning_rate, momentum, nesterov):
    """Lasagne's (Nesterov) momentum as torch._foreach ops: ``v' = momentum * v - lr * g``,
    then ``param + v'``, or with Nesterov ``param + momentum * v' - lr * g``."""
    learning_rate, momentum = float(learning_rate), float(momentum)
    new_velocities = torch._foreach_mul(velocities, momentum)
    torch._foreach_add_(new_velocities, grads, alpha=-learning_rate)
    if not nesterov:
        return torch._foreach_add(params, new_velocities), new_velocities
    new_params = torch._foreach_add(params, new_velocities, alpha=momentum)
    torch._foreach_add_(new_params, grads, alpha=-learning_rate)
    return new_params, new_velocities


def _sgd(loss_or_grads, params, learning_rate):
    """sgd(loss_or_grads, params, learning_rate): ``param - learning_rate * grad``."""
    grads = get_or_compute_grads(loss_or_grads, params)
    return _fused(_sgd_step, params, [], grads, learning_rate)


def apply_momentum(updates, params=None, momentum=0.9):
    """Add classical momentum to an update dict: ``v' = momentum * v + update - param``,
    ``param' = momentum * v + update``."""
    params = list(updates) if params is None else params
    updates = OrderedDict(updates)
    for param in params:
        velocity = _zeros_like(param)
        moved = momentum * velocity + updates[param]
        updates[velocity] = moved - param
        updates[param] = moved
    return updates


def apply_nesterov_momentum(updates, params=None, momentum=0.9):
    """Add Nesterov momentum to an update dict: ``v' = momentum * v + update - param``,
    ``param' = momentum * v' + update``."""
    params = list(updates) if params is None else params
    updates = OrderedDict(updates)
    for param in params:
        velocity = _zeros_like(param)
        step = momentum * velocity + updates[param] - param
        updates[velocity] = step
        updates[param] = momentum * step + updates[param]
    return updates


def _momentum(loss_or_grads, params, learning_rate, momentum=0.9):
    """momentum(loss_or_grads, params, learning_rate, momentum=0.9): sgd with classical
    momentum (what ``apply_momentum(sgd(...))`` gives, computed in one step)."""
    grads = get_or_compute_grads(loss_or_grads, params)
    return _fused(_momentum_step, params, [_zeros_like(p) for p in params], grads,
                  learning_rate, momentum, False)


def _nesterov_momentum(loss_or_grads, params, learning_rate, momentum=0.9):
    """nesterov_momentum(loss_or_grads, params, learning_rate, momentum=0.9): sgd with
    Nesterov momentum (what ``apply_nesterov_momentum(sgd(...))`` gives, in one step)."""
    grads = get_or_compute_grads(loss_or_grads, params)
    return _fused(_momentum_step, params, [_zeros_like(p) for p in params], grads,
                  learning_rate, momentum, True)


def _adagrad(loss_or_grads, params, learning_rate=1.0, epsilon=1e-6):
    """adagrad(loss_or_grads, params, learning_rate=1.0, epsilon=1e-6): ``a' = a + g**2``,
    ``param - learning_rate * g / sqrt(a' + epsilon)``."""
    updates = OrderedDict()
    for param, g in zip(params, get_or_compute_grads(loss_or_grads, params)):
        accumulator = _zeros_like(param)
        accumulated = accumulator + g ** 2
        updates[accumulator] = accumulated
        updates[param] = param - learning_rate * g / sqrt(accumulated + epsilon)
    return updates


def _rmsprop(loss_or_grads, params, learning_rate=1.0, rho=0.9, epsilon=1e-6):
    """rmsprop(loss_or_grads, params, learning_rate=1.0, rho=0.9, epsilon=1e-6):
    ``a' = rho * a + (1 - rho) * g**2``, ``param - learning_rate * g / sqrt(a' + epsilon)``."""
    updates = OrderedDict()
    for param, g in zip(params, get_or_compute_grads(loss_or_grads, params)):
        accumulator = _zeros_like(param)
        accumulated = rho * accumulator + (1 - rho) * g ** 2
        updates[accumulator] = accumulated
        updates[param] = param - learning_rate * g / sqrt(accumulated + epsilon)
    return updates


def _adadelta(loss_or_grads, params, learning_rate=1.0, rho=0.95, epsilon=1e-6):
    """adadelta(loss_or_grads, params, learning_rate=1.0, rho=0.95, epsilon=1e-6)."""
    updates = OrderedDict()
    for param, g in zip(params, get_or_compute_grads(loss_or_grads, params)):
        accumulator, delta_accumulator = _zeros_like(param), _zeros_like(param)
        accumulated = rho * accumulator + (1 - rho) * g ** 2
        step = g * sqrt(delta_accumulator + epsilon) / sqrt(accumulated + epsilon)
        updates[accumulator] = accumulated
        updates[param] = param - learning_rate * step
        updates[delta_accumulator] = rho * delta_accumulator + (1 - rho) * step ** 2
    return updates


def _adam_family(loss_or_grads, params, learning_rate, beta1, beta2, epsilon, second_moment):
    """The shared structure of adam, adamax and amsgrad: a time step ``t`` and a first moment
    ``m``; `second_moment(param, g, updates)` gives the denominator's moment."""
    updates = OrderedDict()
    t_previous = SharedScalarVariable(0.0)
    t = t_previous + 1
    for param, g in zip(params, get_or_compute_grads(loss_or_grads, params)):
        m_previous = _zeros_like(param)
        m = beta1 * m_previous + (1 - beta1) * g
        step_size, denominator = second_moment(param, g, updates, t)
        updates[m_previous] = m
        updates[param] = param - step_size * m / (denominator + epsilon)
    updates[t_previous] = t
    return updates


def _adam(loss_or_grads, params, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """adam(loss_or_grads, params, learning_rate=0.001, beta1=0.9, beta2=0.999,
    epsilon=1e-8)."""
    def second_moment(param, g, updates, t):
        v_previous = _zeros_like(param)
        v = beta2 * v_previous + (1 - beta2) * g ** 2
        updates[v_previous] = v
        return learning_rate * sqrt(1 - beta2 ** t) / (1 - beta1 ** t), sqrt(v)
    return _adam_family(loss_or_grads, params, learning_rate, beta1, beta2, epsilon,
                        second_moment)


def _amsgrad(loss_or_grads, params, learning_rate=0.001, beta1=0.9, beta2=0.999,
             epsilon=1e-8):
    """amsgrad(loss_or_grads, params, learning_rate=0.001, beta1=0.9, beta2=0.999,
    epsilon=1e-8): adam with the running maximum of the second moment."""
    def second_moment(param, g, updates, t):
        v_previous, v_max_previous = _zeros_like(param), _zeros_like(param)
        v = beta2 * v_previous + (1 - beta2) * g ** 2
        v_max = maximum(v_max_previous, v)
        updates[v_previous], updates[v_max_previous] = v, v_max
        return learning_rate * sqrt(1 - beta2 ** t) / (1 - beta1 ** t), sqrt(v_max)
    return _adam_family(loss_or_grads, params, learning_rate, beta1, beta2, epsilon,
                        second_moment)


def _adamax(loss_or_grads, params, learning_rate=0.002, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """adamax(loss_or_grads, params, learning_rate=0.002, beta1=0.9, beta2=0.999,
    epsilon=1e-8)."""
    def second_moment(param, g, updates, t):
        u_previous = _zeros_like(param)
        u = maximum(beta2 * u_previous, abs(g))
        updates[u_previous] = u
        return learning_rate / (1 - beta1 ** t), u
    return _adam_family(loss_or_grads, params, learning_rate, beta1, beta2, epsilon,
                        second_moment)


sgd = _Rule(_sgd, _optimizers.sgd)
momentum = _Rule(_momentum, _optimizers.momentum)
nesterov_momentum = _Rule(_nesterov_momentum, _optimizers.nesterov_momentum)
adagrad = _Rule(_adagrad, _optimizers.adagrad)
rmsprop = _Rule(_rmsprop, _optimizers.rmsprop)
adadelta = _Rule(_adadelta, _optimizers.adadelta)
adam = _Rule(_adam, _optimizers.adam)
adamax = _Rule(_adamax, _optimizers.adamax)
amsgrad = _Rule(_amsgrad, _optimizers.amsgrad)


def _norms(x, norm_axes):
    x = torch.as_tensor(x)
    if norm_axes is None:
        if x.dim() == 2:
            norm_axes = (0,)
        elif x.dim() in (3, 4, 5):
            norm_axes = tuple(range(1, x.dim()))
        else:
            raise ValueError(f"Unsupported tensor dimensionality {x.dim()}. Must specify "
                             "`norm_axes`")
    return torch.sqrt(torch.sum(x * x, dim=tuple(norm_axes), keepdim=True))


@lift
def norm_constraint(tensor_var, max_norm, norm_axes=None, epsilon=1e-7):
    """`tensor_var` rescaled so that its norms over `norm_axes` (by default every axis but the
    first, or axis 0 of a matrix, i.e. per output unit) are at most `max_norm`."""
    norms = _norms(tensor_var, norm_axes)
    target = torch.clamp(norms, 0, float(np.float32(max_norm)))
    return tensor_var * (target / (float(np.float32(epsilon)) + norms))


def total_norm_constraint(tensor_vars, max_norm, epsilon=1e-7, return_norm=False):
    """The tensors rescaled together so that their joint L2 norm is at most `max_norm`
    (gradient clipping); with `return_norm`, also that norm before rescaling."""
    norm = sqrt(sum((t ** 2).sum() for t in tensor_vars))
    multiplier = clip(norm, 0, max_norm) / (epsilon + norm)
    constrained = [t * multiplier for t in tensor_vars]
    return (constrained, norm) if return_norm else constrained


__getattr__ = missing_attributes("lasagne.updates")
