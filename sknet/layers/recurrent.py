"""Recurrent layers (vanilla, LSTM, GRU) with Lasagne's parameters, masks and options.

Inputs are shaped (batch, time, features...); a mask layer gives (batch, time) with 1 for the
steps that count. Outputs are (batch, time, num_units), aligned with the input also when
`backwards`, or (batch, num_units) with `only_return_final`.
"""
import numpy as np
import torch

from .. import init
from ..nonlinearities import identity, rectify, sigmoid, tanh
from .base import Layer, MergeLayer, nonlinearity_or_identity


class Gate:
    """Gate(W_in=init.Normal(0.1), W_hid=init.Normal(0.1), W_cell=init.Normal(0.1),
    b=init.Constant(0.), nonlinearity=nonlinearities.sigmoid)

    The initializers and nonlinearity of one LSTM or GRU gate. ``W_cell=None`` means no
    peephole connection.
    """

    def __init__(self, W_in=init.Normal(0.1), W_hid=init.Normal(0.1), W_cell=init.Normal(0.1),
                 b=init.Constant(0.0), nonlinearity=sigmoid):
        self.W_in = W_in
        self.W_hid = W_hid
        self.W_cell = W_cell
        self.b = b
        self.nonlinearity = identity if nonlinearity is None else nonlinearity


class _ClipGradient(torch.autograd.Function):
    """The identity forward; clips the gradient to [-bound, bound] backward (Theano's
    grad_clip)."""

    @staticmethod
    def forward(ctx, x, bound):
        ctx.bound = bound
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return grad.clamp(-ctx.bound, ctx.bound), None


class _RecurrentBase(MergeLayer):
    """What the recurrent layers share: inputs (data, optional mask, optional initial states
    given as layers), the time loop and its options."""

    state_names = ("hid",)

    def __init__(self, incoming, num_units, initial_states, backwards, learn_init,
                 gradient_steps, grad_clipping, mask_input, only_return_final, name):
        incomings = [incoming]
        self.mask_index = None
        if mask_input is not None:
            self.mask_index = len(incomings)
            incomings.append(mask_input)
        self.state_indices = {}
        for state, spec in zip(self.state_names, initial_states):
            if isinstance(spec, Layer):
                self.state_indices[state] = len(incomings)
                incomings.append(spec)
        super().__init__(incomings, name)
        input_shape = self.input_shapes[0]
        if len(input_shape) < 3:
            raise ValueError(f"{self.describe()} expects input shaped (batch, time, features...),"
                             f" got {input_shape}")
        if any(d is None for d in input_shape[2:]):
            raise ValueError(f"{self.describe()} needs fixed feature sizes, got input shape "
                             f"{input_shape}")
        self.num_units = num_units
        self.num_inputs = int(np.prod(input_shape[2:]))
        self.backwards = backwards
        self.learn_init = learn_init
        self.gradient_steps = gradient_steps
        self.grad_clipping = grad_clipping
        self.only_return_final = only_return_final
        self._initial_state_specs = dict(zip(self.state_names, initial_states))

    def _add_initial_states(self):
        """Create the initial-state parameters for states not given as layers."""
        for state, spec in self._initial_state_specs.items():
            if state not in self.state_indices:
                setattr(self, f"{state}_init", self.add_param(
                    spec, (1, self.num_units), f"{state}_init", trainable=self.learn_init,
                    regularizable=False))
        del self._initial_state_specs

    def _add_gate(self, gate, gate_name):
        """Lasagne's per-gate parameters: W_in_to_<gate>, W_hid_to_<gate>, b_<gate>."""
        shapes = {"W_in": (self.num_inputs, self.num_units),
                  "W_hid": (self.num_units, self.num_units)}
        for kind, shape in shapes.items():
            name = f"{kind}_to_{gate_name}"
            setattr(self, name, self.add_param(getattr(gate, kind), shape, name))
        setattr(self, f"b_{gate_name}", self.add_param(gate.b, (self.num_units,),
                                                        f"b_{gate_name}", regularizable=False))
        setattr(self, f"nonlinearity_{gate_name}", gate.nonlinearity)

    def get_output_shape_for(self, input_shapes):
        batch, time = input_shapes[0][:2]
        return (batch, self.num_units) if self.only_return_final else (batch, time,
                                                                        self.num_units)

    def clip(self, x):
        return _ClipGradient.apply(x, self.grad_clipping) if self.grad_clipping else x

    def stacked(self, kind):
        """The gates' `kind` parameters (e.g. 'W_in_to', 'b') side by side, in gate order."""
        if kind == "b":
            return torch.cat([getattr(self, f"b_{g}") for g in self.gate_names])
        return torch.cat([getattr(self, f"{kind}_{g}") for g in self.gate_names], dim=1)

    def input_projection(self, input):
        """All time steps' input contributions at once: (time, batch, gates * num_units)."""
        return input @ self.stacked("W_in_to") + self.stacked("b")

    def hidden_weights(self):
        """The weights applied to the previous hidden state, all gates side by side."""
        return self.stacked("W_hid_to")

    def step(self, projected, states, W_hid):
        """One time step: the new states from this step's projected input and the previous
        states; the hidden state comes last."""
        raise NotImplementedError

    def get_output_for(self, inputs, **kwargs):
        input = inputs[0]
        batch, time = input.shape[:2]
        if input.dim() > 3:
            input = input.flatten(2)
        projected = self.input_projection(input.transpose(0, 1))
        W_hid = self.hidden_weights()
        mask = None
        if self.mask_index is not None:
            mask = inputs[self.mask_index].transpose(0, 1).to(input.dtype).unsqueeze(-1)
        states = tuple(
            inputs[self.state_indices[state]] if state in self.state_indices
            else getattr(self, f"{state}_init").expand(batch, -1)
            for state in self.state_names)
        order = range(time - 1, -1, -1) if self.backwards else range(time)
        # Theano's truncate_gradient: only the last `gradient_steps` steps are backpropagated.
        first_tracked = time - self.gradient_steps if self.gradient_steps > 0 else 0
        outputs = []
        for position, t in enumerate(order):
            with torch.set_grad_enabled(torch.is_grad_enabled() and position >= first_tracked):
                new_states = self.step(projected[t], states, W_hid)
                if mask is not None:
                    new_states = tuple(torch.lerp(old, new, mask[t])
                                       for old, new in zip(states, new_states))
            states = new_states
            outputs.append(states[-1])
        if self.only_return_final:
            return outputs[-1]
        if self.backwards:
            outputs.reverse()
        return torch.stack(outputs, dim=1)


class RecurrentLayer(_RecurrentBase):
    """RecurrentLayer(incoming, num_units, W_in_to_hid=init.Uniform(),
    W_hid_to_hid=init.Uniform(), b=init.Constant(0.), nonlinearity=nonlinearities.rectify,
    hid_init=init.Constant(0.), backwards=False, learn_init=False, gradient_steps=-1,
    grad_clipping=0, unroll_scan=False, precompute_input=True, mask_input=None,
    only_return_final=False, name=None)

    A vanilla recurrent layer: ``h_t = nonlinearity(x_t @ W_in_to_hid + h_{t-1} @ W_hid_to_hid
    + b)``. `hid_init` may be an initializer (learned with `learn_init`) or a layer giving
    (batch, num_units). `gradient_steps` truncates backpropagation through time;
    `grad_clipping` clips the gradient flowing through each step. `unroll_scan` and
    `precompute_input` are accepted for compatibility (the input is always precomputed).

    >>> RecurrentLayer((None, 20, 8), num_units=16).output_shape
    (None, 20, 16)
    """

    def __init__(self, incoming, num_units, W_in_to_hid=init.Uniform(),
                 W_hid_to_hid=init.Uniform(), b=init.Constant(0.0), nonlinearity=rectify,
                 hid_init=init.Constant(0.0), backwards=False, learn_init=False,
                 gradient_steps=-1, grad_clipping=0, unroll_scan=False, precompute_input=True,
                 mask_input=None, only_return_final=False, name=None):
        super().__init__(incoming, num_units, (hid_init,), backwards, learn_init,
                         gradient_steps, grad_clipping, mask_input, only_return_final, name)
        self.nonlinearity = nonlinearity_or_identity(nonlinearity, self.describe())
        self.W_in_to_hid = self.add_param(W_in_to_hid, (self.num_inputs, num_units),
                                          "W_in_to_hid")
        self.b = None if b is None else self.add_param(b, (num_units,), "b",
                                                       regularizable=False)
        self.W_hid_to_hid = self.add_param(W_hid_to_hid, (num_units, num_units), "W_hid_to_hid")
        self._add_initial_states()
        if "hid_init" in self.params:  # Lasagne lists it first (the layer's own parameter)
            self.params.move_to_end("hid_init", last=False)

    def input_projection(self, input):
        projected = input @ self.W_in_to_hid
        return projected if self.b is None else projected + self.b

    def hidden_weights(self):
        return self.W_hid_to_hid

    def step(self, projected, states, W_hid):
        (hid,) = states
        return (self.nonlinearity(self.clip(projected + hid @ W_hid)),)


class LSTMLayer(_RecurrentBase):
    """LSTMLayer(incoming, num_units, ingate=Gate(), forgetgate=Gate(),
    cell=Gate(W_cell=None, nonlinearity=nonlinearities.tanh), outgate=Gate(),
    nonlinearity=nonlinearities.tanh, cell_init=init.Constant(0.), hid_init=init.Constant(0.),
    backwards=False, learn_init=False, peepholes=True, gradient_steps=-1, grad_clipping=0,
    unroll_scan=False, precompute_input=True, mask_input=None, only_return_final=False,
    name=None)

    Long short-term memory with Lasagne's parameter names (``W_in_to_ingate``,
    ``W_hid_to_forgetgate``, ``b_cell``, ``W_cell_to_outgate``, ...) and peephole connections
    (elementwise, one weight per unit) when `peepholes`. Outputs the hidden state.

    >>> LSTMLayer((None, 20, 8), num_units=16, only_return_final=True).output_shape
    (None, 16)
    """

    state_names = ("cell", "hid")
    gate_names = ("ingate", "forgetgate", "cell", "outgate")

    def __init__(self, incoming, num_units, ingate=Gate(), forgetgate=Gate(),
                 cell=Gate(W_cell=None, nonlinearity=tanh), outgate=Gate(), nonlinearity=tanh,
                 cell_init=init.Constant(0.0), hid_init=init.Constant(0.0), backwards=False,
                 learn_init=False, peepholes=True, gradient_steps=-1, grad_clipping=0,
                 unroll_scan=False, precompute_input=True, mask_input=None,
                 only_return_final=False, name=None):
        super().__init__(incoming, num_units, (cell_init, hid_init), backwards, learn_init,
                         gradient_steps, grad_clipping, mask_input, only_return_final, name)
        self.nonlinearity = nonlinearity_or_identity(nonlinearity, self.describe())
        self.peepholes = peepholes
        gates = (ingate, forgetgate, cell, outgate)
        for gate, gate_name in zip(gates, self.gate_names):
            self._add_gate(gate, gate_name)
        if peepholes:
            for gate, gate_name in ((ingate, "ingate"), (forgetgate, "forgetgate"),
                                    (outgate, "outgate")):
                name_ = f"W_cell_to_{gate_name}"
                setattr(self, name_, self.add_param(gate.W_cell, (num_units,), name_))
        self._add_initial_states()

    def step(self, projected, states, W_hid):
        cell_prev, hid_prev = states
        gates = self.clip(projected + hid_prev @ W_hid)
        ingate, forgetgate, cell_input, outgate = gates.chunk(4, dim=-1)
        if self.peepholes:
            ingate = ingate + cell_prev * self.W_cell_to_ingate
            forgetgate = forgetgate + cell_prev * self.W_cell_to_forgetgate
        ingate = self.nonlinearity_ingate(ingate)
        forgetgate = self.nonlinearity_forgetgate(forgetgate)
        cell_input = self.nonlinearity_cell(cell_input)
        cell = forgetgate * cell_prev + ingate * cell_input
        if self.peepholes:
            outgate = outgate + cell * self.W_cell_to_outgate
        outgate = self.nonlinearity_outgate(outgate)
        return cell, outgate * self.nonlinearity(cell)


class GRULayer(_RecurrentBase):
    """GRULayer(incoming, num_units, resetgate=Gate(W_cell=None),
    updategate=Gate(W_cell=None), hidden_update=Gate(W_cell=None,
    nonlinearity=nonlinearities.tanh), hid_init=init.Constant(0.), backwards=False,
    learn_init=False, gradient_steps=-1, grad_clipping=0, unroll_scan=False,
    precompute_input=True, mask_input=None, only_return_final=False, name=None)

    Gated recurrent unit as Lasagne computes it: the reset gate multiplies the hidden
    contribution *after* ``@ W_hid_to_hidden_update``, and
    ``h_t = (1 - u_t) * h_{t-1} + u_t * candidate``.

    >>> GRULayer((None, 20, 8), num_units=16, backwards=True).output_shape
    (None, 20, 16)
    """

    gate_names = ("resetgate", "updategate", "hidden_update")

    def __init__(self, incoming, num_units, resetgate=Gate(W_cell=None),
                 updategate=Gate(W_cell=None), hidden_update=Gate(W_cell=None, nonlinearity=tanh),
                 hid_init=init.Constant(0.0), backwards=False, learn_init=False,
                 gradient_steps=-1, grad_clipping=0, unroll_scan=False, precompute_input=True,
                 mask_input=None, only_return_final=False, name=None):
        super().__init__(incoming, num_units, (hid_init,), backwards, learn_init,
                         gradient_steps, grad_clipping, mask_input, only_return_final, name)
        # Lasagne creates the update gate's parameters first: keep its order for saved files.
        self._add_gate(updategate, "updategate")
        self._add_gate(resetgate, "resetgate")
        self._add_gate(hidden_update, "hidden_update")
        self._add_initial_states()

    def step(self, projected, states, W_hid):
        (hid_prev,) = states
        hid_part = hid_prev @ W_hid
        reset_in, update_in, candidate_in = projected.chunk(3, dim=-1)
        reset_hid, update_hid, candidate_hid = hid_part.chunk(3, dim=-1)
        resetgate = self.nonlinearity_resetgate(self.clip(reset_in + reset_hid))
        updategate = self.nonlinearity_updategate(self.clip(update_in + update_hid))
        candidate = self.nonlinearity_hidden_update(
            self.clip(candidate_in + resetgate * candidate_hid))
        return ((1 - updategate) * hid_prev + updategate * candidate,)
