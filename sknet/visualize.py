"""Plots of a net and its layers, after nolearn.lasagne.visualize (matplotlib).

Every function returns the matplotlib Figure; pass ``filename=...`` to also save it (PNG or any
format matplotlib knows from the extension). Images are ``(channels, rows, cols)`` arrays; the
first channel is shown.
"""
import io
import math
import os

import numpy as np
import torch

from .files import atomic_write
from .layers import InputLayer, get_all_layers, get_output


def _pyplot():
    import matplotlib.pyplot as plt  # imported on use: matplotlib is an optional dependency
    return plt


def _finish(figure, filename):
    if filename is not None:  # atomically: an interrupted save keeps the previous picture
        with atomic_write(filename) as f:
            figure.savefig(f, format=os.path.splitext(os.fspath(filename))[1][1:] or None)
    return figure


def _grid(count, figsize, title=None):
    """A figure with `count` image panels on a near-square grid, axes turned off."""
    plt = _pyplot()
    cols = math.ceil(math.sqrt(count))
    rows = math.ceil(count / cols)
    figure, axes = plt.subplots(rows, cols, figsize=figsize, squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    if title:
        figure.suptitle(title)
    return figure, list(axes.flat)[:count]


def _device_of(layer):
    for l in get_all_layers(layer):
        for param in l.get_params():
            return param.device
    return torch.device("cpu")


def plot_loss(net, figsize=(6, 4), filename=None):
    """Train and valid loss per epoch from ``net.train_history_``."""
    plt = _pyplot()
    history = net.train_history_
    epochs = [row["epoch"] for row in history]
    figure, ax = plt.subplots(figsize=figsize)
    ax.plot(epochs, [row["train_loss"] for row in history], label="train loss")
    valid = [row.get("valid_loss") for row in history]
    if any(v is not None and np.isfinite(v) for v in valid):
        ax.plot(epochs, valid, label="valid loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend()
    return _finish(figure, filename)


def plot_conv_weights(layer, figsize=(6, 6), channel=0, filename=None):
    """One panel per filter of a 2-D convolution layer: its weights for input `channel`."""
    W = layer.W.detach().cpu().numpy()
    if W.ndim != 4:
        raise ValueError(f"plot_conv_weights needs a 2-D convolution layer (4-D W), got W of "
                         f"shape {W.shape}")
    figure, axes = _grid(W.shape[0], figsize, f"{layer.name or 'conv'}: weights, channel "
                                              f"{channel}")
    for ax, filter_weights in zip(axes, W[:, channel]):
        ax.imshow(filter_weights, cmap="gray", interpolation="nearest")
    return _finish(figure, filename)


def plot_conv_activity(layer, x, figsize=(6, 8), filename=None):
    """The input image `x` (shape ``(1, channels, rows, cols)``) and each feature map that
    `layer` computes from it."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 4 or x.shape[0] != 1:
        raise ValueError(f"plot_conv_activity needs one image shaped (1, channels, rows, cols), "
                         f"got shape {x.shape}")
    with torch.no_grad():
        maps = get_output(layer, torch.as_tensor(x, device=_device_of(layer)),
                          deterministic=True)[0].cpu().numpy()
    figure, axes = _grid(1 + len(maps), figsize, f"{layer.name or 'layer'}: activity")
    axes[0].imshow(x[0, 0], cmap="gray", interpolation="nearest")
    axes[0].set_title("input")
    for ax, feature_map in zip(axes[1:], maps):
        ax.imshow(feature_map, cmap="gray", interpolation="nearest")
    return _finish(figure, filename)


def occlusion_heatmap(net, x, target, square_length=7):
    """For each pixel, the probability of class `target` when a gray square of
    `square_length` centred there hides the image `x` (``(channels, rows, cols)``): low
    values mark the evidence the net uses."""
    x = np.asarray(x, dtype=np.float32)
    if square_length % 2 == 0:
        raise ValueError(f"square_length must be odd, got {square_length}")
    _, rows, cols = x.shape
    half = square_length // 2
    padded = np.pad(x, [(0, 0), (half, half), (half, half)])
    fill = x.mean()
    occluded = np.repeat(padded[None], rows * cols, axis=0)
    for index in range(rows * cols):
        r, c = divmod(index, cols)
        occluded[index, :, r:r + square_length, c:c + square_length] = fill
    occluded = occluded[:, :, half:half + rows, half:half + cols]
    return net.predict_proba(occluded)[:, target].reshape(rows, cols)


def saliency_map(net, X):
    """The absolute gradient of each image's top class score with respect to its pixels."""
    output_layer = net.layers_[-1]
    inputs = torch.as_tensor(np.asarray(X, dtype=np.float32), device=_device_of(output_layer))
    inputs.requires_grad_(True)
    scores = get_output(output_layer, inputs, deterministic=True)
    scores.max(dim=1).values.sum().backward()
    return inputs.grad.abs().cpu().numpy()


def _three_panel_rows(X, maps, titles, figsize):
    plt = _pyplot()
    figure, axes = plt.subplots(len(X), 3, figsize=(figsize[0], figsize[1] or 3 * len(X)),
                                squeeze=False)
    for row, (image, heat) in zip(axes, zip(X, maps)):
        row[0].imshow(image[0], cmap="gray", interpolation="nearest")
        row[1].imshow(heat, cmap="jet", interpolation="nearest")
        row[2].imshow(image[0], cmap="gray", interpolation="nearest")
        row[2].imshow(heat, cmap="jet", alpha=0.6, interpolation="nearest")
        for ax, title in zip(row, titles):
            ax.set_title(title)
            ax.axis("off")
    return figure


def plot_occlusion(net, X, target, square_length=7, figsize=(9, None), filename=None):
    """For each image of X: the image, its `occlusion_heatmap` for class ``target[i]`` and
    the two overlaid."""
    X = np.asarray(X, dtype=np.float32)
    targets = np.broadcast_to(np.asarray(target), (len(X),))
    maps = [occlusion_heatmap(net, x, t, square_length) for x, t in zip(X, targets)]
    figure = _three_panel_rows(X, maps, ("input", "occlusion", "overlay"), figsize)
    return _finish(figure, filename)


def plot_saliency(net, X, figsize=(9, None), filename=None):
    """For each image of X: the image, its `saliency_map` and the two overlaid."""
    X = np.asarray(X, dtype=np.float32)
    maps = saliency_map(net, X)[:, 0]
    figure = _three_panel_rows(X, maps, ("input", "saliency", "overlay"), figsize)
    return _finish(figure, filename)


def draw_to_file(net_or_layers, filename, figsize=None, output_shape=True, verbose=False):
    """Draw the layer graph of a net, an output layer or a list of layers (name, class and,
    with `output_shape`, the output shape of each layer; with `verbose`, also its sizes,
    stride, dropout rate and nonlinearity; arrows from each layer's inputs) and save it to
    `filename`; a layer is placed one row below its deepest input."""
    figure = _graph_figure(net_or_layers, figsize, output_shape, verbose)
    return _finish(figure, filename)


def draw_to_notebook(net_or_layers, figsize=None, output_shape=True, verbose=False):
    """The `draw_to_file` drawing as an ``IPython.display.Image`` (PNG), to show in a
    notebook cell."""
    try:
        from IPython.display import Image
    except ImportError as error:
        raise ImportError("draw_to_notebook needs IPython (it comes with Jupyter): "
                          "pip install ipython; or save the drawing with draw_to_file") from error
    figure = _graph_figure(net_or_layers, figsize, output_shape, verbose)
    png = io.BytesIO()
    figure.savefig(png, format="png")
    _pyplot().close(figure)  # the notebook shows the Image, not the figure a second time
    return Image(data=png.getvalue(), format="png")


_VERBOSE_ATTRIBUTES = ("num_units", "num_filters", "filter_size", "pool_size", "stride", "p")


def _layer_label(name, layer, output_shape, verbose):
    lines = [name, type(layer).__name__]
    if verbose:
        lines += [f"{name}: {getattr(layer, name)}" for name in _VERBOSE_ATTRIBUTES
                  if hasattr(layer, name)]
        nonlinearity = getattr(layer, "nonlinearity", None)
        if nonlinearity is not None:
            lines.append("nonlinearity: " + getattr(nonlinearity, "__name__",
                                                    type(nonlinearity).__name__))
    if output_shape:
        lines.append(str(layer.output_shape))
    return "\n".join(lines)


def _graph_figure(net_or_layers, figsize, output_shape, verbose):
    plt = _pyplot()
    if hasattr(net_or_layers, "layers_"):
        layers, names = net_or_layers.layers_.values(), net_or_layers.layers_.keys()
    else:
        layers = get_all_layers(net_or_layers)
        names = [layer.name or type(layer).__name__ for layer in layers]
    name_of = dict(zip(layers, names))
    depth = {}
    for layer in layers:
        inputs = _inputs_of(layer)
        depth[layer] = 0 if not inputs else 1 + max(depth.get(i, 0) for i in inputs)
    rows = {}
    for layer in layers:
        rows.setdefault(depth[layer], []).append(layer)
    width = max(len(row) for row in rows.values())
    lines = 3 + 6 * bool(verbose)
    figure, ax = plt.subplots(figsize=figsize or (3 * width + 1,
                                                  0.37 * lines * len(rows) + 0.5))
    position = {}
    for d, row in rows.items():
        for i, layer in enumerate(row):
            position[layer] = ((i + 0.5) * width / len(row), -d)
    for layer in layers:
        for source in _inputs_of(layer):
            if source in position:
                ax.annotate("", xy=position[layer], xytext=position[source],
                            arrowprops={"arrowstyle": "->", "shrinkA": 14, "shrinkB": 14})
    for layer, (x, y) in position.items():
        colour = "#cde5f7" if isinstance(layer, InputLayer) else "#f3e2c7"
        ax.text(x, y, _layer_label(name_of[layer], layer, output_shape, verbose),
                ha="center", va="center", fontsize=8,
                bbox={"boxstyle": "round", "facecolor": colour})
    ax.set_xlim(0, width)
    ax.set_ylim(-len(rows) + 0.5, 0.5)
    ax.axis("off")
    return figure


def _inputs_of(layer):
    inputs = getattr(layer, "input_layers", None)
    if inputs is None:
        inputs = [getattr(layer, "input_layer", None)]
    return [i for i in inputs if i is not None]
