"""Recurrent layers (vanilla, custom, LSTM, GRU) with Lasagne's parameters, masks and options.

Inputs are shaped (batch, time, features...); a mask layer gives (batch, time) with 1 for the
steps that count. Outputs are (batch, time, num_units), aligned with the input also when
`backwards`, or (batch, num_units) with `only_return_final`.
"""
import numpy as np
import torch
from torch import nn

from .. import init
from ..nonlinearities import identity, rectify, sigmoid, tanh
from .base import Layer, MergeLayer, nonlinearity_or_identity
from .helper import get_all_layers, get_all_params, get_output
from .input import InputLayer


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
                 gradient_steps, grad_clipping, unroll_scan, mask_input, only_return_final,
                 name):
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
        if unroll_scan and gradient_steps != -1:
            raise ValueError("Gradient steps must be -1 when unroll_scan is true.")
        if unroll_scan and input_shape[1] is None:
            raise ValueError("Input sequence length cannot be specified as None when "
                             "unroll_scan is True")
        self.num_units = num_units
        if num_units is not None:  # the built-in layers: weights over the flattened features
            if any(d is None for d in input_shape[2:]):
                raise ValueError(f"{self.describe()} needs fixed feature sizes, got input "
                                 f"shape {input_shape}")
            self.num_inputs = int(np.prod(input_shape[2:]))
            self.state_shape = (num_units,)
        self.unroll_scan = unroll_scan
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
                    spec, (1,) + self.state_shape, f"{state}_init", trainable=self.learn_init,
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
        return ((batch,) if self.only_return_final else (batch, time)) + self.state_shape

    def clip(self, x):
        return _ClipGradient.apply(x, self.grad_clipping) if self.grad_clipping else x

    def stacked(self, kind):
        """The gates' `kind` parameters (e.g. 'W_in_to', 'b') side by side, in gate order."""
        if kind == "b":
            return torch.cat([getattr(self, f"b_{g}") for g in self.gate_names])
        return torch.cat([getattr(self, f"{kind}_{g}") for g in self.gate_names], dim=1)

    def input_projection(self, input, **kwargs):
        """All time steps' input contributions at once, from the input shaped (time, batch,
        features...): (time, batch, gates * num_units)."""
        return input.flatten(2) @ self.stacked("W_in_to") + self.stacked("b")

    def hidden_weights(self, **kwargs):
        """What `step` applies to the previous hidden state: the weights of all gates side by
        side."""
        return self.stacked("W_hid_to")

    def step(self, projected, states, W_hid):
        """One time step: the new states from this step's projected input and the previous
        states (`W_hid` as `hidden_weights` returns it); the hidden state comes last."""
        raise NotImplementedError

    def get_output_for(self, inputs, **kwargs):
        input = inputs[0]
        batch, time = input.shape[:2]
        projected = self.input_projection(input.transpose(0, 1), **kwargs)
        W_hid = self.hidden_weights(**kwargs)
        mask = None
        if self.mask_index is not None:
            mask = inputs[self.mask_index].transpose(0, 1).to(input.dtype)
            mask = mask.reshape(mask.shape + (1,) * len(self.state_shape))
        states = tuple(
            inputs[self.state_indices[state]] if state in self.state_indices
            else getattr(self, f"{state}_init").expand((batch,) + self.state_shape)
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


def _compatible(shape_a, shape_b):
    """Whether two shapes agree after the first axis wherever both sizes are known."""
    return all(a is None or b is None or a == b for a, b in zip(shape_a[1:], shape_b[1:]))


class CustomRecurrentLayer(_RecurrentBase):
    """CustomRecurrentLayer(incoming, input_to_hidden, hidden_to_hidden,
    nonlinearity=nonlinearities.rectify, hid_init=init.Constant(0.), backwards=False,
    learn_init=False, gradient_steps=-1, grad_clipping=0, unroll_scan=False,
    precompute_input=True, mask_input=None, only_return_final=False, name=None)

    A recurrent layer whose connections are layer graphs of their own:
    ``h_t = nonlinearity(input_to_hidden(x_t) + hidden_to_hidden(h_{t-1}))``. Each graph
    starts at one InputLayer; `input_to_hidden` is applied to all time steps at once (batch
    and time merged into its first axis), so its output must match `hidden_to_hidden`'s after
    the first axis, e.g. DenseLayers for a vanilla RNN or Conv2DLayers with 'same' padding
    for a convolutional one. The state may thus have any shape. The layers of both graphs
    belong to this one: ``get_params`` lists them after ``hid_init``. `precompute_input` and
    `unroll_scan` are accepted for compatibility (the input is always precomputed).

    >>> from sknet.layers import DenseLayer, InputLayer
    >>> in_to_hid = DenseLayer(InputLayer((None, 8)), 16, nonlinearity=None)
    >>> hid_to_hid = DenseLayer(InputLayer((None, 16)), 16, nonlinearity=None)
    >>> CustomRecurrentLayer((None, 20, 8), in_to_hid, hid_to_hid).output_shape
    (None, 20, 16)
    """

    def __init__(self, incoming, input_to_hidden, hidden_to_hidden, nonlinearity=rectify,
                 hid_init=init.Constant(0.0), backwards=False, learn_init=False,
                 gradient_steps=-1, grad_clipping=0, unroll_scan=False, precompute_input=True,
                 mask_input=None, only_return_final=False, name=None):
        # num_units=None: the state takes hidden_to_hidden's output shape, set below
        super().__init__(incoming, None, (hid_init,), backwards, learn_init, gradient_steps,
                         grad_clipping, unroll_scan, mask_input, only_return_final, name)
        graphs = {"input_to_hidden": input_to_hidden, "hidden_to_hidden": hidden_to_hidden}
        for role, graph in graphs.items():
            inputs = [l for l in get_all_layers(graph) if isinstance(l, InputLayer)]
            if len(inputs) != 1:
                raise ValueError(f"`{role}` must have exactly one InputLayer, but it has "
                                 f"{len(inputs)}")
        self._check_shapes(input_to_hidden, hidden_to_hidden)
        for role, graph in graphs.items():
            object.__setattr__(self, role, graph)  # referenced here; registered just below
        # Registered, so that .to(device), state_dict() and parameters() cover both graphs.
        self.connection_layers = nn.ModuleList(dict.fromkeys(
            get_all_layers(input_to_hidden) + get_all_layers(hidden_to_hidden)))
        self.precompute_input = precompute_input
        self.nonlinearity = nonlinearity_or_identity(nonlinearity, self.describe())
        self.state_shape = tuple(hidden_to_hidden.output_shape[1:])
        self._add_initial_states()

    def _check_shapes(self, input_to_hidden, hidden_to_hidden):
        """Lasagne's checks that the two graphs fit the input and each other."""
        batch, time = self.input_shapes[0][:2]
        in_shape, hid_shape = input_to_hidden.output_shape, hidden_to_hidden.output_shape
        if None not in (in_shape[0], batch, time) and in_shape[0] != batch * time:
            raise ValueError(
                "When precompute_input == True, input_to_hidden.output_shape[0] must equal "
                "incoming.output_shape[0]*incoming.output_shape[1] (i.e. batch_size*"
                "sequence_length) or be None but input_to_hidden.output_shape[0] = "
                f"{in_shape[0]} and incoming.output_shape[0]*incoming.output_shape[1] = "
                f"{batch * time}")
        if not _compatible(in_shape, hid_shape):
            raise ValueError(
                "The output shape for input_to_hidden and hidden_to_hidden must be equal after "
                f"the first dimension, but input_to_hidden.output_shape={in_shape} and "
                f"hidden_to_hidden.output_shape={hid_shape}")
        hid_input = [l for l in get_all_layers(hidden_to_hidden) if isinstance(l, InputLayer)]
        if not _compatible(in_shape, hid_input[0].output_shape):
            raise ValueError(
                "The output shape for input_to_hidden must be equal to the input shape of "
                f"hidden_to_hidden after the first dimension, but input_to_hidden.output_shape="
                f"{in_shape} and hidden_to_hidden:input_layer.shape="
                f"{hid_input[0].output_shape}")

    def get_params(self, unwrap_shared=True, **tags):
        return (super().get_params(**tags) + get_all_params(self.input_to_hidden, **tags)
                + get_all_params(self.hidden_to_hidden, **tags))

    def input_projection(self, input, **kwargs):
        time, batch = input.shape[:2]
        projected = get_output(self.input_to_hidden, input.reshape((time * batch,)
                                                                   + input.shape[2:]), **kwargs)
        return projected.reshape((time, batch) + projected.shape[1:])

    def hidden_weights(self, **kwargs):
        return lambda hid: get_output(self.hidden_to_hidden, hid, **kwargs)

    def step(self, projected, states, hidden_to_hidden):
        (hid,) = states
        return (self.nonlinearity(self.clip(projected + hidden_to_hidden(hid))),)


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
                         gradient_steps, grad_clipping, unroll_scan, mask_input,
                         only_return_final, name)
        self.nonlinearity = nonlinearity_or_identity(nonlinearity, self.describe())
        self.W_in_to_hid = self.add_param(W_in_to_hid, (self.num_inputs, num_units),
                                          "W_in_to_hid")
        self.b = None if b is None else self.add_param(b, (num_units,), "b",
                                                       regularizable=False)
        self.W_hid_to_hid = self.add_param(W_hid_to_hid, (num_units, num_units), "W_hid_to_hid")
        self._add_initial_states()
        if "hid_init" in self.params:  # Lasagne lists it first (the layer's own parameter)
            self.params.move_to_end("hid_init", last=False)

    def input_projection(self, input, **kwargs):
        projected = input.flatten(2) @ self.W_in_to_hid
        return projected if self.b is None else projected + self.b

    def hidden_weights(self, **kwargs):
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
                         gradient_steps, grad_clipping, unroll_scan, mask_input,
                         only_return_final, name)
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
                         gradient_steps, grad_clipping, unroll_scan, mask_input,
                         only_return_final, name)
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
