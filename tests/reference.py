"""Independent NumPy/SciPy implementations of Lasagne's math, written from its documented
formulas, that the layer tests compare against. Nothing here calls torch."""
import itertools

import numpy as np
from scipy import signal


def pad_amount(pad, filter_size):
    return {"valid": 0, "full": filter_size - 1, "same": filter_size // 2}.get(pad, pad)


def conv(x, W, stride, pad, flip):
    """x (N, C, *S), W (F, C, *k): true convolution (flip) or cross-correlation, zero padding
    `pad` (per axis), then every `stride`-th output."""
    n = x.ndim - 2
    pads = [pad_amount(p, k) for p, k in zip(pad, W.shape[2:])]
    xp = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in pads])
    op = signal.convolve if flip else signal.correlate
    out = np.stack([
        np.stack([sum(op(xp[i, c], W[f, c], mode="valid") for c in range(x.shape[1]))
                  for f in range(W.shape[0])])
        for i in range(x.shape[0])])
    index = (slice(None), slice(None)) + tuple(slice(None, None, s) for s in stride)
    assert n == len(stride)
    return out[index]


def dilate(x, factors, axes):
    """Insert factor - 1 zeros between neighbours along each axis."""
    for axis, factor in zip(axes, factors):
        shape = list(x.shape)
        shape[axis] = (shape[axis] - 1) * factor + 1
        out = np.zeros(shape, x.dtype)
        index = [slice(None)] * x.ndim
        index[axis] = slice(None, None, factor)
        out[tuple(index)] = x
        x = out
    return x


def transposed_conv(x, W, stride, crop, flip):
    """Lasagne's documented transposed convolution (any number of spatial axes): dilate the
    input by `stride`, pad it with filter_size - 1 - crop zeros, and cross-correlate (convolve
    if `flip`) with W[in, out]."""
    xd = dilate(x, stride, range(2, x.ndim))
    pads = [k - 1 - pad_amount(c, k) for c, k in zip(crop, W.shape[2:])]
    xp = np.pad(xd, [(0, 0), (0, 0)] + [(p, p) for p in pads])
    op = signal.convolve if flip else signal.correlate
    return np.stack([
        np.stack([sum(op(xp[i, c], W[c, o], mode="valid") for c in range(x.shape[1]))
                  for o in range(W.shape[1])])
        for i in range(x.shape[0])])


transposed_conv2d = transposed_conv


def dilated_conv2d(x, W, dilation):
    """Cross-correlation with filter taps `dilation` apart; W[in, out]."""
    Wd = dilate(W, dilation, (2, 3))
    return np.stack([
        np.stack([sum(signal.correlate(x[i, c], Wd[c, o], mode="valid")
                      for c in range(x.shape[1])) for o in range(W.shape[1])])
        for i in range(x.shape[0])])


def pool(x, pool_size, stride, pad, ignore_border, mode):
    """Theano's pooling by explicit loops over windows. The window is clipped to the padded
    input; average_exc_pad divides by the real (unpadded) entries only; max ignores padding."""
    spatial = x.shape[2:]
    n = len(spatial)
    out_shape = []
    for L, k, s, p in zip(spatial, pool_size, stride, pad):
        if ignore_border:
            out_shape.append((L + 2 * p - k) // s + 1)
        elif s >= k:
            out_shape.append((L + s - 1) // s)
        else:
            out_shape.append(max(0, (L - k + s - 1) // s) + 1)
    out = np.zeros(x.shape[:2] + tuple(out_shape))
    for position in itertools.product(*[range(o) for o in out_shape]):
        # window in padded coordinates, clipped to the padded input
        lo = [o * s for o, s in zip(position, stride)]
        hi = [min(l + k, L + 2 * p) for l, k, L, p in zip(lo, pool_size, spatial, pad)]
        real_lo = [max(l, p) - p for l, p in zip(lo, pad)]
        real_hi = [min(h, p + L) - p for h, p, L in zip(hi, pad, spatial)]
        window = x[(Ellipsis,) + tuple(slice(a, b) for a, b in zip(real_lo, real_hi))]
        flat = window.reshape(x.shape[:2] + (-1,))
        if mode == "max":
            value = flat.max(-1)
        elif mode == "average_inc_pad":
            value = flat.sum(-1) / np.prod([h - l for l, h in zip(lo, hi)])
        else:
            value = flat.sum(-1) / flat.shape[-1]
        out[(Ellipsis,) + position] = value
    assert n == len(out_shape)
    return out


def batch_norm_train(x, axes, epsilon, gamma, beta, mean, inv_std, alpha):
    """Output and updated running averages of Lasagne's BatchNormLayer in training mode."""
    batch_mean = x.mean(axis=axes, keepdims=True)
    batch_inv_std = 1.0 / np.sqrt(x.var(axis=axes, keepdims=True) + epsilon)
    out = (x - batch_mean) * gamma * batch_inv_std + beta
    new_mean = (1 - alpha) * mean + alpha * batch_mean.squeeze()
    new_inv_std = (1 - alpha) * inv_std + alpha * batch_inv_std.squeeze()
    return out, new_mean, new_inv_std


def local_response_norm(x, alpha, k, beta, n):
    half = n // 2
    squares = np.pad(x ** 2, [(0, 0), (half, half), (0, 0), (0, 0)])
    scale = k + alpha * sum(squares[:, i:i + x.shape[1]] for i in range(n))
    return x / scale ** beta


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def run_sequence(step, x, states, mask=None, backwards=False, only_return_final=False):
    """Drive `step(x_t, states) -> states` over (batch, time, features) input the way Lasagne's
    recurrent layers do; the hidden state is the last state."""
    time = x.shape[1]
    order = range(time - 1, -1, -1) if backwards else range(time)
    outputs = {}
    for t in order:
        new = step(x[:, t], states)
        if mask is not None:
            m = mask[:, t].reshape((-1,) + (1,) * (states[0].ndim - 1))
            new = tuple(m * a + (1 - m) * b for a, b in zip(new, states))
        states = new
        outputs[t] = states[-1]
    if only_return_final:
        return states[-1]
    return np.stack([outputs[t] for t in range(time)], axis=1)


def lstm_step(p, nonlinearity=np.tanh, peepholes=True):
    def step(x, states):
        cell, hid = states
        gate = {g: x @ p[f"W_in_to_{g}"] + hid @ p[f"W_hid_to_{g}"] + p[f"b_{g}"]
                for g in ("ingate", "forgetgate", "cell", "outgate")}
        if peepholes:
            gate["ingate"] = gate["ingate"] + cell * p["W_cell_to_ingate"]
            gate["forgetgate"] = gate["forgetgate"] + cell * p["W_cell_to_forgetgate"]
        i, f = sigmoid(gate["ingate"]), sigmoid(gate["forgetgate"])
        cell = f * cell + i * np.tanh(gate["cell"])
        o = gate["outgate"] + (cell * p["W_cell_to_outgate"] if peepholes else 0)
        return cell, sigmoid(o) * nonlinearity(cell)
    return step


def gru_step(p):
    def step(x, states):
        (hid,) = states
        r = sigmoid(x @ p["W_in_to_resetgate"] + hid @ p["W_hid_to_resetgate"] + p["b_resetgate"])
        u = sigmoid(x @ p["W_in_to_updategate"] + hid @ p["W_hid_to_updategate"]
                    + p["b_updategate"])
        c = np.tanh(x @ p["W_in_to_hidden_update"] + p["b_hidden_update"]
                    + r * (hid @ p["W_hid_to_hidden_update"]))
        return ((1 - u) * hid + u * c,)
    return step


def locally_connected2d(x, W, flip, channelwise):
    """Lasagne's LocallyConnected2DLayer by loops: stride 1, 'same' zero padding, and at output
    (y, x) the filter W[..., y, x] (flipped if `flip`) over the window centred there."""
    n, c, rows, cols = x.shape
    kh, kw = W.shape[-4:-2] if channelwise else W.shape[2:4]
    xp = np.pad(x, [(0, 0), (0, 0), (kh // 2, kh // 2), (kw // 2, kw // 2)])
    out = np.zeros((n, W.shape[0], rows, cols))
    for f, r, q in itertools.product(range(W.shape[0]), range(rows), range(cols)):
        window = xp[:, :, r:r + kh, q:q + kw]
        w = W[f, ..., r, q]
        if flip:
            w = w[..., ::-1, ::-1]
        if channelwise:
            out[:, f, r, q] = (window[:, f] * w).sum(axis=(1, 2))
        else:
            out[:, f, r, q] = (window * w).sum(axis=(1, 2, 3))
    return out


def feature_wta(x, pool_size, axis):
    """Keep the first maximum of each group of `pool_size` features along `axis`."""
    moved = np.moveaxis(x, axis, -1)
    out = np.zeros_like(moved)
    for index in np.ndindex(*moved.shape[:-1]):
        for start in range(0, moved.shape[-1], pool_size):
            group = moved[index][start:start + pool_size]
            winner = start + int(np.argmax(group))
            out[index + (winner,)] = moved[index + (winner,)]
    return np.moveaxis(out, -1, axis)


def spatial_pyramid_pool(x, pool_dims, reduce):
    """He et al.'s pyramid: for each n, bin (i, j) spans rows floor(i/n*H) .. ceil((i+1)/n*H)
    and the columns likewise; bins row by row, levels in order."""
    rows, cols = x.shape[2:]
    bins = []
    for n in pool_dims:
        for i, j in itertools.product(range(n), range(n)):
            r0, r1 = int(np.floor(i / n * rows)), int(np.ceil((i + 1) / n * rows))
            c0, c1 = int(np.floor(j / n * cols)), int(np.ceil((j + 1) / n * cols))
            bins.append(reduce(x[:, :, r0:r1, c0:c1], axis=(2, 3)))
    return np.stack(bins, axis=2)


def numeric_gradient(f, value, indices, eps=1e-4):
    """Central differences of the scalar function `f` at `value` (float64) for the entries
    `indices` of `value`."""
    grads = []
    for index in indices:
        up, down = value.astype(np.float64), value.astype(np.float64)
        up[index] += eps
        down[index] -= eps
        grads.append((f(up) - f(down)) / (2 * eps))
    return np.array(grads)
