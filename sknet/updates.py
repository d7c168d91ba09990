"""Update rules with Lasagne's names, hyper-parameters and defaults, run as torch optimizers.

An update is a recipe: ``nesterov_momentum(params, learning_rate=0.01)`` returns a torch
optimizer that applies Lasagne's exact formula (Lasagne keeps, e.g., the velocity as
``-learning_rate * gradient`` history, which matters once the learning rate is annealed).
NeuralNet's ``update=`` takes these, with ``update_<name>=`` keyword arguments.

>>> import torch
>>> w = torch.nn.Parameter(torch.ones(2))
>>> optimizer = nesterov_momentum([w], learning_rate=0.1)
>>> type(optimizer).__name__, optimizer.param_groups[0]['momentum']
('Momentum', 0.9)
"""
from functools import partial

import torch

from .utils import current_value, did_you_mean

REQUIRED = object()
# Lasagne's hyper-parameter names -> the keys torch optimizers use in their param groups.
_GROUP_KEYS = {"learning_rate": "lr", "epsilon": "eps"}


class StepWithoutClosure(torch.optim.Optimizer):
    """An optimizer whose step only reads the gradients already computed (never calls the
    closure), so that a train step may compute them first and step after."""


class _ForeachOptimizer(StepWithoutClosure):
    """Runs an update rule over each param group's parameters at once (torch._foreach ops)."""

    state_names = ()

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        with torch.no_grad():
            for group in self.param_groups:
                params = [p for p in group["params"] if p.grad is not None]
                if params:
                    states = [self._counted_state(p) for p in params]
                    buffers = {name: [s[name] for s in states] for name in self.state_names}
                    self.update(group, params, [p.grad for p in params], buffers,
                                [s["step"] for s in states])
        return loss

    def _counted_state(self, param):
        """The parameter's state (its buffers made at the first step), its step count raised."""
        state = self.state[param]
        if not state:
            state["step"] = 0
            for name in self.state_names:
                state[name] = torch.zeros_like(param, memory_format=torch.preserve_format)
        state["step"] += 1
        return state

    def add_param_group(self, param_group):
        """torch's own, called past the guard that keeps torch.compile from tracing it: on its
        first call that guard imports torch._dynamo, over a second of a process's first fit
        (an optimizer is never built inside compiled code)."""
        add = torch.optim.Optimizer.add_param_group
        getattr(add, "__wrapped__", add)(self, param_group)

    def zero_grad(self, set_to_none=True):
        """torch's zero_grad without its profiler label: called once per batch, where that
        label costs more than the loop."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.detach_()
                    p.grad.zero_()

    def update(self, group, params, grads, buffers, steps):
        raise NotImplementedError


class Momentum(_ForeachOptimizer):
    """Lasagne's momentum: ``v = momentum * v - lr * g``; ``p += v``, or with `nesterov`
    ``p += momentum * v - lr * g``."""

    state_names = ("velocity",)

    def __init__(self, params, lr, momentum=0.9, nesterov=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov))

    def update(self, group, params, grads, buffers, steps):
        lr, momentum = group["lr"], group["momentum"]
        velocity = buffers["velocity"]
        torch._foreach_mul_(velocity, momentum)
        torch._foreach_add_(velocity, grads, alpha=-lr)
        if group["nesterov"]:
            torch._foreach_add_(params, velocity, alpha=momentum)
            torch._foreach_add_(params, grads, alpha=-lr)
        else:
            torch._foreach_add_(params, velocity)


class Adagrad(_ForeachOptimizer):
    """Lasagne's adagrad: ``a += g**2``; ``p -= lr * g / sqrt(a + eps)``."""

    state_names = ("accumulator",)

    def __init__(self, params, lr=1.0, eps=1e-6):
        super().__init__(params, dict(lr=lr, eps=eps))

    def update(self, group, params, grads, buffers, steps):
        accumulator = buffers["accumulator"]
        torch._foreach_addcmul_(accumulator, grads, grads)
        denominator = torch._foreach_add(accumulator, group["eps"])
        torch._foreach_sqrt_(denominator)
        torch._foreach_addcdiv_(params, grads, denominator, value=-group["lr"])


class RMSprop(_ForeachOptimizer):
    """Lasagne's rmsprop: ``a = rho * a + (1 - rho) * g**2``; ``p -= lr * g / sqrt(a + eps)``."""

    state_names = ("accumulator",)

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps))

    def update(self, group, params, grads, buffers, steps):
        accumulator = buffers["accumulator"]
        torch._foreach_mul_(accumulator, group["rho"])
        torch._foreach_addcmul_(accumulator, grads, grads, value=1 - group["rho"])
        denominator = torch._foreach_add(accumulator, group["eps"])
        torch._foreach_sqrt_(denominator)
        torch._foreach_addcdiv_(params, grads, denominator, value=-group["lr"])


class Adam(_ForeachOptimizer):
    """Lasagne's adam: ``m = b1*m + (1-b1)*g``, ``v = b2*v + (1-b2)*g**2``,
    ``p -= lr * sqrt(1-b2**t) / (1-b1**t) * m / (sqrt(v) + eps)``. With `amsgrad`, the running
    maximum of v is used instead of v."""

    def __init__(self, params, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False):
        super().__init__(params, dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps, amsgrad=amsgrad))
        self.state_names = ("m", "v", "v_max") if amsgrad else ("m", "v")

    def update(self, group, params, grads, buffers, steps):
        beta1, beta2 = group["beta1"], group["beta2"]
        torch._foreach_lerp_(buffers["m"], grads, 1 - beta1)
        torch._foreach_mul_(buffers["v"], beta2)
        torch._foreach_addcmul_(buffers["v"], grads, grads, value=1 - beta2)
        second_moment = buffers["v"]
        if group["amsgrad"]:
            torch._foreach_maximum_(buffers["v_max"], buffers["v"])
            second_moment = buffers["v_max"]
        denominator = torch._foreach_sqrt(second_moment)
        torch._foreach_add_(denominator, group["eps"])
        step_sizes = [-group["lr"] * (1 - beta2 ** t) ** 0.5 / (1 - beta1 ** t) for t in steps]
        torch._foreach_addcdiv_(params, buffers["m"], denominator, step_sizes)


class Adamax(_ForeachOptimizer):
    """Lasagne's adamax: ``m = b1*m + (1-b1)*g``, ``u = max(b2*u, |g|)``,
    ``p -= lr / (1-b1**t) * m / (u + eps)``."""

    state_names = ("m", "u")

    def __init__(self, params, lr=0.002, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(params, dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps))

    def update(self, group, params, grads, buffers, steps):
        torch._foreach_lerp_(buffers["m"], grads, 1 - group["beta1"])
        torch._foreach_mul_(buffers["u"], group["beta2"])
        torch._foreach_maximum_(buffers["u"], torch._foreach_abs(grads))
        denominator = torch._foreach_add(buffers["u"], group["eps"])
        step_sizes = [-group["lr"] / (1 - group["beta1"] ** t) for t in steps]
        torch._foreach_addcdiv_(params, buffers["m"], denominator, step_sizes)


class Update:
    """An update rule: its Lasagne name, its hyper-parameters with their defaults, and the
    optimizer that runs it. Call it with parameters and hyper-parameters to get the optimizer.
    Hyper-parameters may be numbers or shared scalars (see `sknet.shared`)."""

    def __init__(self, name, optimizer, defaults, doc):
        self.name = name
        self.optimizer = optimizer
        self.defaults = defaults
        self.__doc__ = doc

    def hyperparameters(self, **given):
        """The full set of hyper-parameters (defaults filled in), after checking the names."""
        unknown = sorted(set(given) - set(self.defaults))
        if unknown:
            hints = [name + did_you_mean(name, self.defaults) for name in unknown]
            raise ValueError(f"{self.name} got unknown hyper-parameter(s) {', '.join(hints)}; "
                             f"it takes {', '.join(self.defaults)}")
        values = {**self.defaults, **given}
        missing = [name for name, value in values.items() if value is REQUIRED]
        if missing:
            raise ValueError(f"{self.name} needs {', '.join(missing)} (no default)")
        return values

    def __call__(self, params, **given):
        hyper = self.hyperparameters(**given)
        return self.optimizer(params, **{_GROUP_KEYS.get(name, name): current_value(value)
                                         for name, value in hyper.items()})

    def set_hyperparameters(self, optimizer, **given):
        """Write the current values of `given` (shared scalars read now) into a running
        optimizer."""
        for name, value in given.items():
            key, value = _GROUP_KEYS.get(name, name), current_value(value)
            for group in optimizer.param_groups:
                group[key] = value

    def __repr__(self):
        return f"<update {self.name}>"

    def __reduce__(self):
        # Pickle and deepcopy by name, so `net.update is updates.adam` survives a round trip.
        return (_lookup, (self.name,))


def _lookup(name):
    return globals()[name]


sgd = Update("sgd", torch.optim.SGD, {"learning_rate": REQUIRED},
             "sgd(params, learning_rate): p -= learning_rate * g")
momentum = Update("momentum", Momentum, {"learning_rate": REQUIRED, "momentum": 0.9},
                  "momentum(params, learning_rate, momentum=0.9): Lasagne's classical momentum")
nesterov_momentum = Update(
    "nesterov_momentum", partial(Momentum, nesterov=True),
    {"learning_rate": REQUIRED, "momentum": 0.9},
    "nesterov_momentum(params, learning_rate, momentum=0.9): nolearn's default update")
adagrad = Update("adagrad", Adagrad, {"learning_rate": 1.0, "epsilon": 1e-6},
                 "adagrad(params, learning_rate=1.0, epsilon=1e-6)")
rmsprop = Update("rmsprop", RMSprop, {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6},
                 "rmsprop(params, learning_rate=1.0, rho=0.9, epsilon=1e-6)")
adadelta = Update("adadelta", torch.optim.Adadelta,
                  {"learning_rate": 1.0, "rho": 0.95, "epsilon": 1e-6},
                  "adadelta(params, learning_rate=1.0, rho=0.95, epsilon=1e-6); torch's Adadelta "
                  "computes Lasagne's formula exactly")
adam = Update("adam", Adam,
              {"learning_rate": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
              "adam(params, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8)")
adamax = Update("adamax", Adamax,
                {"learning_rate": 0.002, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
                "adamax(params, learning_rate=0.002, beta1=0.9, beta2=0.999, epsilon=1e-8)")
amsgrad = Update("amsgrad", partial(Adam, amsgrad=True),
                 {"learning_rate": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
                 "amsgrad(params, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8)")
