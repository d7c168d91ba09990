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


def _border_index(index, size, border_mode):
    if border_mode == "nearest":
        return min(max(index, 0), size - 1)
    if border_mode == "mirror":
        period = 2 * (size - 1)
        return min(index % period, -index % period)
    return index % size


def bilinear_sample(image, xs, ys, border_mode):
    """Lasagne's spatial-transformer sampling of `image` (channels, rows, cols) at points
    (xs, ys) in [-1, 1]: each of the four neighbours weighs 1 - distance per axis, and
    neighbours outside the image are mapped back by `border_mode`."""
    channels, rows, cols = image.shape
    out = np.zeros((channels, len(xs)))
    for p, (x, y) in enumerate(zip(xs, ys)):
        px, py = (x + 1) / 2 * (cols - 1), (y + 1) / 2 * (rows - 1)
        x0, y0 = int(np.floor(px)), int(np.floor(py))
        for nx, ny in itertools.product((x0, x0 + 1), (y0, y0 + 1)):
            weight = (1 - abs(px - nx)) * (1 - abs(py - ny))
            out[:, p] += weight * image[:, _border_index(ny, rows, border_mode),
                                        _border_index(nx, cols, border_mode)]
    return out


def output_grid(rows, cols):
    """The (x, y) coordinates of an output grid, row by row, each from -1 to 1."""
    x, y = np.meshgrid(np.linspace(-1, 1, cols), np.linspace(-1, 1, rows))
    return x.ravel(), y.ravel()


def affine_transform(x, theta, out_rows, out_cols, border_mode):
    """TransformerLayer: sample each image at theta (2x3) applied to (x, y, 1) of the grid."""
    gx, gy = output_grid(out_rows, out_cols)
    out = []
    for image, t in zip(x, theta.reshape(-1, 2, 3)):
        sx, sy = t @ np.stack([gx, gy, np.ones_like(gx)])
        out.append(bilinear_sample(image, sx, sy, border_mode).reshape(-1, out_rows, out_cols))
    return np.stack(out)


def thin_plate_spline_transform(x, offsets, control_points, out_rows, out_cols, border_mode):
    """TPSTransformerLayer: control points on an even grid move by `offsets` (all x, then all
    y); the spline f(p) = a1 + ax x + ay y + sum_k w_k U(|p - c_k|), U(r) = r**2 log r**2,
    through the moved points, with sum w = sum w x = sum w y = 0, maps the grid."""
    side = int(round(np.sqrt(control_points)))
    cx, cy = output_grid(side, side)

    def U(squared):
        return squared * np.log(squared) if squared > 0 else 0.0
    K = np.array([[U((cx[i] - cx[j]) ** 2 + (cy[i] - cy[j]) ** 2)
                   for j in range(control_points)] for i in range(control_points)])
    P = np.stack([np.ones(control_points), cx, cy], axis=1)
    system = np.block([[np.zeros((3, 3)), P.T], [P, K]])
    gx, gy = output_grid(out_rows, out_cols)
    basis = np.array([[U((px - cx[k]) ** 2 + (py - cy[k]) ** 2) for k in range(control_points)]
                      for px, py in zip(gx, gy)])
    out = []
    for image, offset in zip(x, offsets.reshape(-1, 2, control_points)):
        mapped = []
        for source, moved in ((cx, offset[0]), (cy, offset[1])):
            coef = np.linalg.solve(system, np.concatenate([np.zeros(3), source + moved]))
            mapped.append(coef[0] + coef[1] * gx + coef[2] * gy + basis @ coef[3:])
        out.append(bilinear_sample(image, mapped[0], mapped[1], border_mode)
                   .reshape(-1, out_rows, out_cols))
    return np.stack(out)
