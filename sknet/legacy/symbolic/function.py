"""``theano.function`` and ``T.grad`` on the expression graph: a `Function` binds the
placeholders to arrays, evaluates the graph with torch (autograd where gradients are asked
for) and then assigns every update at once, as Theano did."""
import warnings

import numpy as np
import torch
from torch import nn

from ...utils import SharedScalar
from . import graph
from .graph import Apply, Constant, Placeholder, SharedScalarVariable, Variable, variables_in


def grad(cost, wrt, consider_constant=None, disconnected_inputs="raise", add_names=True,
         known_grads=None, return_disconnected="zero", null_gradients="raise"):
    """``T.grad``: the gradient of a scalar `cost` with respect to a shared variable (or a list
    of them, giving a list), computed by torch autograd when a function runs."""
    if consider_constant or known_grads:
        raise graph.not_supported("T.grad(consider_constant=..., known_grads=...)",
                                  "use torch's detach inside a custom layer instead")
    if disconnected_inputs not in ("raise", "warn", "ignore"):
        raise ValueError(f"T.grad: disconnected_inputs must be 'raise', 'warn' or 'ignore', "
                         f"got {disconnected_inputs!r}")
    many = isinstance(wrt, (list, tuple))
    targets = list(wrt) if many else [wrt]
    for target in targets:
        if not isinstance(target, (torch.Tensor, Placeholder)):
            raise TypeError(f"T.grad: wrt must hold shared variables (parameters) or input "
                            f"variables, got {type(target).__name__}")
    gradients = Apply(_gradients, (cost, targets, disconnected_inputs), {})
    gradients.cost = cost
    items = [Apply(_item, (gradients, index), {}, _type_of_target(target))
             for index, target in enumerate(targets)]
    return items if many else items[0]


def _type_of_target(target):
    return target.type if isinstance(target, Placeholder) else graph.type_of_tensor(target)


def _item(values, index):
    return values[index]


def _gradients(cost, targets, disconnected_inputs):
    if cost.dim() != 0:
        raise ValueError(f"T.grad: the cost must be a scalar, got shape {tuple(cost.shape)}")
    # A tensor that does not require grad (a layer's non-trainable state) is a constant here.
    variables = [t for t in targets if t.requires_grad]
    found = dict(zip(map(id, variables), torch.autograd.grad(
        cost, variables, allow_unused=True, retain_graph=True))) if variables else {}
    gradients = []
    for target in targets:
        if not target.requires_grad:
            gradients.append(torch.zeros_like(target))
            continue
        gradient = found[id(target)]
        if gradient is None:
            if disconnected_inputs == "raise":
                raise ValueError(f"T.grad: the cost does not depend on {_describe(target)} "
                                 "(pass disconnected_inputs='ignore' for a zero gradient)")
            if disconnected_inputs == "warn":
                warnings.warn(f"T.grad: the cost does not depend on {_describe(target)}")
            gradient = torch.zeros_like(target)
        gradients.append(gradient)
    return gradients


def _describe(target):
    name = getattr(target, "name", None)
    return f"{name!r}" if name else f"a tensor of shape {tuple(target.shape)}"


def function(inputs, outputs=None, mode=None, updates=None, givens=None, no_default_updates=False,
             accept_inplace=False, name=None, rebuild_strict=True, allow_input_downcast=None,
             profile=None, on_unused_input=None):
    """``theano.function``: a callable computing `outputs` from arrays for `inputs`, applying
    `updates` (shared variable -> new value expression) after each call."""
    return Function(inputs, outputs, updates, givens, name, on_unused_input)


class Function:
    """A compiled Theano function: ``f(*arrays)`` returns NumPy arrays (a list when `outputs`
    was a list) and then assigns the updates; the graph runs as a fixed list of torch calls.

    >>> from sknet.legacy.symbolic import Placeholder, SharedScalarVariable
    >>> x, total = Placeholder('float32', (False,), 'x'), SharedScalarVariable(0.0)
    >>> add = Function([x], total + x.sum(), updates={total: total + x.sum()})
    >>> add([1.0, 2.0]), add([3.0]), total.get_value()
    (array(3., dtype=float32), array(6., dtype=float32), 6.0)
    """

    def __init__(self, inputs, outputs, updates=None, givens=None, name=None,
                 on_unused_input=None):
        self.name = name
        self.inputs = _checked_inputs(inputs)
        self.single_output = outputs is not None and not isinstance(outputs, (list, tuple))
        self.outputs = [] if outputs is None else [outputs] if self.single_output else \
            list(outputs)
        self.updates = _checked_updates(updates)
        self.givens = _checked_givens(givens)
        roots = self.outputs + [value for _, value in self.updates]
        order = _topological(roots, self.givens)
        self._check_inputs_used(order, on_unused_input or "raise")
        self.device = _place_on_one_device(order, self.updates)
        self._compile(order)

    # --------------------------------------------------------------------------- compile
    def _compile(self, order):
        self.slots = {variable: slot for slot, variable in enumerate(order)}
        costs = [v.cost for v in order if getattr(v, "cost", None) is not None]
        with_grad = _ancestors(costs, self.givens)
        wrt = {t for v in order if getattr(v, "cost", None) is not None for t in v.args[1]}
        self.grad_steps, self.steps = [], []
        for variable in order:
            if isinstance(variable, Placeholder):
                continue
            step = (self.slots[variable], self._compile_node(variable))
            (self.grad_steps if variable in with_grad else self.steps).append(step)
        self.bind = [(self.slots.get(p), p, p in wrt) for p in self.inputs]
        self.get_outputs = [self._compile_value(o) for o in self.outputs]
        self.get_updates = [(target, self._compile_value(value)) for target, value in self.updates]
        self.n_slots = len(order)

    def _compile_node(self, variable):
        if isinstance(variable, Constant):
            value = variable.value.to(self.device)
            return lambda values: value
        if isinstance(variable, SharedScalarVariable):
            return lambda values: variable.value
        function = variable.function
        args = [self._compile_value(a) for a in variable.args]
        kwargs = {k: self._compile_value(v) for k, v in variable.kwargs.items()}
        if kwargs:
            return lambda values: function(*[a(values) for a in args],
                                           **{k: v(values) for k, v in kwargs.items()})
        return lambda values: function(*[a(values) for a in args])

    def _compile_value(self, value):
        """A getter ``values -> argument`` for one argument of a node."""
        if isinstance(value, Variable):
            slot = self.slots[self.givens.get(value, value)]
            return lambda values: values[slot]
        if isinstance(value, (list, tuple)):
            items, kind = [self._compile_value(v) for v in value], type(value)
            return lambda values: kind([item(values) for item in items])
        if isinstance(value, dict):
            items = {k: self._compile_value(v) for k, v in value.items()}
            return lambda values: {k: item(values) for k, item in items.items()}
        if isinstance(value, slice) and any(True for _ in variables_in(value)):
            parts = [self._compile_value(v) for v in (value.start, value.stop, value.step)]
            return lambda values: slice(*[part(values) for part in parts])
        return lambda values: value

    def _check_inputs_used(self, order, on_unused_input):
        reached = set(order)
        for index, placeholder in enumerate(self.inputs):
            if placeholder not in reached and placeholder not in self.givens:
                message = (f"theano.function: input {index} ({placeholder!r}) is not needed to "
                           "compute the outputs or updates; pass on_unused_input='warn' or "
                           "'ignore' to accept it")
                if on_unused_input == "raise":
                    raise ValueError(message)
                if on_unused_input == "warn":
                    warnings.warn(message)
        given = set(self.inputs) | set(self.givens)
        missing = [v for v in order if isinstance(v, Placeholder) and v not in given]
        if missing:
            raise ValueError(f"theano.function: the outputs need input variable "
                             f"{missing[0]!r}, which is not among the inputs "
                             f"{[repr(p) for p in self.inputs]}")

    # ------------------------------------------------------------------------------ call
    def __call__(self, *args):
        if len(args) != len(self.inputs):
            raise TypeError(f"theano function {self.name or ''} takes {len(self.inputs)} "
                            f"arguments ({', '.join(map(repr, self.inputs))}), got {len(args)}")
        values, bound = [None] * self.n_slots, {}
        for (slot, placeholder, needs_grad), value in zip(self.bind, args):
            if slot is not None:
                values[slot] = bound[placeholder] = _bind(placeholder, value, self.device,
                                                          needs_grad)
        graph._running.append(bound)
        try:
            if self.grad_steps:
                with torch.enable_grad():
                    for slot, compute in self.grad_steps:
                        values[slot] = compute(values)
            with torch.no_grad():
                for slot, compute in self.steps:
                    values[slot] = compute(values)
                outputs = [_to_numpy(get(values)) for get in self.get_outputs]
                _assign([(target, get(values)) for target, get in self.get_updates])
        finally:
            graph._running.pop()
        if self.single_output:
            return outputs[0]
        return outputs


def _checked_inputs(inputs):
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    for index, placeholder in enumerate(inputs):
        if not isinstance(placeholder, Placeholder):
            raise TypeError(f"theano.function: input {index} must be a symbolic input variable "
                            f"(T.matrix('x'), layer.input_var), got {type(placeholder).__name__}"
                            " (shared variables are read by the graph, not passed)")
    return inputs


def _checked_updates(updates):
    if updates is None:
        return []
    pairs = list(updates.items()) if isinstance(updates, dict) else list(updates)
    for target, _ in pairs:
        if not isinstance(target, (torch.Tensor, SharedScalar)):
            raise TypeError(f"theano.function: updates must map shared variables to new "
                            f"values, got a key of type {type(target).__name__}")
    return pairs


def _checked_givens(givens):
    if givens is None:
        return {}
    pairs = list(givens.items()) if isinstance(givens, dict) else list(givens)
    for variable, _ in pairs:
        if not isinstance(variable, Placeholder):
            raise TypeError(f"theano.function: givens must map input variables to "
                            f"replacements, got a key of type {type(variable).__name__}")
    replacements = [graph._graph_value(value) for _, value in pairs]
    return {variable: value if isinstance(value, Variable) else Apply(graph.identity, (value,), {})
            for (variable, _), value in zip(pairs, replacements)}


def _topological(roots, givens):
    """Every variable the roots depend on, each after the variables it uses."""
    order, done, stack = [], set(), [(v, False) for v in variables_in(roots)]
    while stack:
        variable, expanded = stack.pop()
        variable = givens.get(variable, variable) if isinstance(variable, Variable) else variable
        if not isinstance(variable, Variable) or variable in done:
            continue
        if expanded:
            done.add(variable)
            order.append(variable)
            continue
        stack.append((variable, True))
        if isinstance(variable, Apply):
            used = list(variables_in((variable.args, variable.kwargs)))
            stack.extend((v, False) for v in reversed(used) if v not in done)
    return order


def _ancestors(variables, givens):
    return set(_topological(variables, givens))


def _place_on_one_device(order, updates):
    """The device the graph runs on: the one its parameters and shared variables are on,
    after moving them all there (the GPU when torch sees one, as Theano's device=gpu)."""
    from ...net import DEFAULT_DEVICE
    device = torch.device(DEFAULT_DEVICE)
    layers = [layer for v in order if isinstance(v, Apply)
              for layer in getattr(v, "layers", ())]
    for layer in layers:
        layer.to(device)
    tensors = [t for t, _ in updates if isinstance(t, torch.Tensor)]
    tensors += [t for v in order if isinstance(v, Apply) for t in _tensors_in(v.args)]
    for tensor in tensors:
        if tensor.device != device:
            if not isinstance(tensor, nn.Parameter):
                raise ValueError(f"theano.function: a tensor in the graph is on {tensor.device},"
                                 f" the function runs on {device}")
            tensor.data = tensor.data.to(device)
    return device


def _tensors_in(value):
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _tensors_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensors_in(item)


def _bind(placeholder, value, device, needs_grad):
    """An input array as a tensor of the placeholder's dtype on the function's device."""
    tensor = value if isinstance(value, torch.Tensor) else torch.as_tensor(np.asarray(value))
    if tensor.dim() != placeholder.ndim:
        raise TypeError(f"bad input for {placeholder!r}: wrong number of dimensions, expected "
                        f"{placeholder.ndim}, got {tensor.dim()} with shape {tuple(tensor.shape)}")
    tensor = tensor.to(device=device, dtype=placeholder.torch_dtype, non_blocking=True)
    return tensor.detach().requires_grad_() if needs_grad else tensor


def _to_numpy(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, (list, tuple)):
        return [_to_numpy(v) for v in value]
    return np.asarray(value)


def _assign(updates):
    """Set every shared variable to its new value (all computed before any is set); tensors
    are copied in place together."""
    targets, values = [], []
    for target, value in updates:
        if isinstance(target, SharedScalar):
            target.set_value(value)
            continue
        value = torch.as_tensor(value, device=target.device)
        if value.shape != target.shape:
            raise ValueError(f"theano.function: the update for {_describe(target)} has shape "
                             f"{tuple(value.shape)}, the shared variable has "
                             f"{tuple(target.shape)}")
        targets.append(target)
        values.append(value)
    if targets:
        torch._foreach_copy_(targets, values)
