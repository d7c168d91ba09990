"""sknet.visualize renders with the Agg backend; each plot is checked for its panels, for the
data it shows against an independent computation, and for not being blank."""
import io
import sys

import matplotlib
import matplotlib.image

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402

from sknet import NeuralNet, layers, nonlinearities, visualize  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def rendered(figure):
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba())[..., :3]


def assert_not_blank(figure):
    assert rendered(figure).std() > 5


def images_of(figure):
    return [ax.images[0].get_array() for ax in figure.axes if ax.images]


@pytest.fixture(scope="module")
def cnn():
    rng = np.random.RandomState(0)
    X = rng.rand(64, 1, 8, 8).astype(np.float32)
    y = (X[:, 0, :4].mean((1, 2)) > X[:, 0, 4:].mean((1, 2))).astype(np.int32)
    net = NeuralNet(
        layers=[("input", layers.InputLayer), ("conv1", layers.Conv2DLayer),
                ("output", layers.DenseLayer)],
        input_shape=(None, 1, 8, 8), conv1_num_filters=5, conv1_filter_size=3,
        output_num_units=2, output_nonlinearity=nonlinearities.softmax,
        update_learning_rate=0.05, max_epochs=3, device="cpu")
    return net.fit(X, y), X


def test_plot_loss_draws_both_curves_and_saves(cnn, tmp_path):
    net, _ = cnn
    figure = visualize.plot_loss(net, filename=tmp_path / "loss.png")
    lines = figure.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["train loss", "valid loss"]
    np.testing.assert_allclose(lines[0].get_ydata(),
                               [row["train_loss"] for row in net.train_history_])
    assert (tmp_path / "loss.png").stat().st_size > 1000
    assert_not_blank(figure)


def test_plot_conv_weights_shows_each_filter(cnn):
    net, _ = cnn
    layer = net.layers_["conv1"]
    figure = visualize.plot_conv_weights(layer)
    shown = images_of(figure)
    assert len(shown) == 5
    W = layer.W.detach().numpy()
    for f, image in enumerate(shown):
        np.testing.assert_array_equal(image, W[f, 0])
    assert_not_blank(figure)


def test_plot_conv_activity_shows_input_and_feature_maps(cnn):
    net, X = cnn
    figure = visualize.plot_conv_activity(net.layers_["conv1"], X[:1])
    shown = images_of(figure)
    assert len(shown) == 6
    np.testing.assert_array_equal(shown[0], X[0, 0])
    maps = net.get_output("conv1", X[:1])[0]
    for image, feature_map in zip(shown[1:], maps):
        np.testing.assert_allclose(image, feature_map, rtol=1e-6)
    with pytest.raises(ValueError, match=r"one image shaped \(1, channels, rows, cols\)"):
        visualize.plot_conv_activity(net.layers_["conv1"], X[:2])


def pixel_probe():
    """A net whose class-0 probability is sigmoid(pixel (2, 2)) of a 5x5 image."""
    W = np.zeros((25, 2), np.float32)
    W[2 * 5 + 2, 0] = 1.0
    net = NeuralNet(
        layers=[("input", layers.InputLayer), ("output", layers.DenseLayer)],
        input_shape=(None, 1, 5, 5), output_num_units=2, output_W=W,
        output_nonlinearity=nonlinearities.softmax, update_learning_rate=0.1, device="cpu")
    return net.initialize()


def test_occlusion_heatmap_marks_the_pixel_the_net_reads():
    net = pixel_probe()
    x = np.full((1, 5, 5), 0.2, np.float32)
    x[0, 2, 2] = 3.0
    fill = x.mean()
    heat = visualize.occlusion_heatmap(net, x, target=0, square_length=3)
    sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    expected = np.full((5, 5), sigmoid(3.0))
    expected[1:4, 1:4] = sigmoid(fill)  # squares centred within 1 pixel hide (2, 2)
    np.testing.assert_allclose(heat, expected, rtol=1e-5)
    figure = visualize.plot_occlusion(net, x[None], [0], square_length=3)
    assert len(figure.axes) == 3
    np.testing.assert_allclose(images_of(figure)[1], expected, rtol=1e-5)
    assert_not_blank(figure)


def test_saliency_is_the_gradient_of_the_top_score():
    W = np.random.RandomState(1).randn(25, 3).astype(np.float32)
    net = NeuralNet(
        layers=[("input", layers.InputLayer), ("output", layers.DenseLayer)],
        input_shape=(None, 1, 5, 5), output_num_units=3, output_W=W,
        output_nonlinearity=None, regression=True, update_learning_rate=0.1,
        device="cpu").initialize()
    X = np.random.RandomState(2).rand(2, 1, 5, 5).astype(np.float32)
    top = (X.reshape(2, -1) @ W).argmax(1)
    expected = np.abs(W[:, top].T).reshape(2, 1, 5, 5)  # d(x . W_k)/dx = W_k
    np.testing.assert_allclose(visualize.saliency_map(net, X), expected, rtol=1e-6)
    figure = visualize.plot_saliency(net, X)
    assert len(figure.axes) == 6
    assert_not_blank(figure)


def test_draw_to_file_places_each_layer_below_its_inputs(tmp_path):
    l_in = layers.InputLayer((None, 4), name="in")
    left = layers.DenseLayer(l_in, 3, name="left")
    right = layers.DenseLayer(l_in, 3, name="right")
    out = layers.ElemwiseSumLayer([left, right], name="sum")
    figure = visualize.draw_to_file(out, tmp_path / "graph.png")
    assert (tmp_path / "graph.png").stat().st_size > 1000
    boxes = {text.get_text().split("\n")[0]: text.get_position()
             for text in figure.axes[0].texts if text.get_text()}
    assert set(boxes) == {"in", "left", "right", "sum"}
    assert boxes["in"][1] == 0 and boxes["left"][1] == boxes["right"][1] == -1
    assert boxes["sum"][1] == -2 and boxes["left"][0] != boxes["right"][0]
    arrows = [t for t in figure.axes[0].texts if not t.get_text()]
    assert len(arrows) == 4  # in->left, in->right, left->sum, right->sum
    assert_not_blank(figure)


def test_draw_to_file_output_shape_and_draw_to_notebook_image(tmp_path, monkeypatch):
    l_in = layers.InputLayer((None, 4), name="in")
    out = layers.DenseLayer(l_in, 3, name="out", nonlinearity=nonlinearities.softmax)
    with_shapes = visualize.draw_to_file(out, tmp_path / "a.png")
    without = visualize.draw_to_file([l_in, out], tmp_path / "b.png", output_shape=False)
    assert [t.get_text() for t in with_shapes.axes[0].texts if t.get_text()] == [
        "in\nInputLayer\n(None, 4)", "out\nDenseLayer\n(None, 3)"]
    assert [t.get_text() for t in without.axes[0].texts if t.get_text()] == [
        "in\nInputLayer", "out\nDenseLayer"]

    class Image:  # IPython.display.Image's signature, for where IPython is absent
        def __init__(self, data=None, format=None):
            self.data, self.format = data, format

    display = type(sys)("IPython.display")
    display.Image = Image
    ipython = type(sys)("IPython")
    ipython.display, ipython.get_ipython, ipython.version_info = display, lambda: None, (0,)
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display)
    image = visualize.draw_to_notebook([l_in, out], output_shape=False)
    assert image.format == "png"
    np.testing.assert_array_equal(matplotlib.image.imread(io.BytesIO(image.data)),
                                  matplotlib.image.imread(tmp_path / "b.png"))
    plt.close("all")
