"""sknet.export: the exported graphs compute what predict_proba / predict compute, for any
number of rows, record classes and inputs, and refuse layers a graph cannot express."""
import json
import os
import warnings

import numpy as np
import onnx
import onnxruntime
import pytest
import torch
from sklearn.exceptions import NotFittedError

from sknet import NeuralNet, layers as L, nonlinearities
from sknet.export import ExportError, export, load_onnx

from .nets import mlp, mlp_regressor, regression_data

CLASSES = np.array(["cat", "dog", "emu"])


def every_layer_kind_net():
    """One classifier with each exportable layer kind the layer tests use, on four inputs."""
    image = L.InputLayer((None, 2, 6, 6), name="image")
    x = L.Conv2DLayer(image, 4, 3, pad="same", name="conv2d")
    x = L.BatchNormLayer(x, name="batchnorm")
    x = L.ParametricRectifierLayer(x, name="prelu")
    x = L.MaxPool2DLayer(x, 2, name="maxpool2d")
    x = L.Pool2DLayer(x, 2, ignore_border=False, mode="average_exc_pad", name="avgpool2d")
    x = L.Upscale2DLayer(x, 2, name="upscale")
    x = L.TransposedConv2DLayer(x, 2, 2, name="deconv")
    x = L.LocalResponseNormalization2DLayer(x, n=3, name="lrn")
    x = L.PadLayer(x, 1, name="pad")
    x = L.SliceLayer(x, slice(1, 4), axis=2, name="slice")
    x = L.DimshuffleLayer(x, (0, 2, 3, 1), name="dimshuffle")
    x = L.DropoutLayer(x, p=0.3, name="dropout")
    image_features = L.FlattenLayer(x, name="flatten")
    volume = L.InputLayer((None, 1, 4, 4, 4), name="volume")
    v = L.MaxPool3DLayer(L.Conv3DLayer(volume, 2, 3, name="conv3d"), 2, name="maxpool3d")
    volume_features = L.ReshapeLayer(v, ([0], -1), name="reshape")
    signal = L.InputLayer((None, 2, 9), name="signal")
    s = L.MaxPool1DLayer(L.Conv1DLayer(signal, 3, 3, name="conv1d"), 2, name="maxpool1d")
    s = L.FeaturePoolLayer(s, 3, name="featurepool")
    signal_features = L.GlobalPoolLayer(s, name="globalpool")
    words = L.InputLayer((None, 3), name="words")
    e = L.EmbeddingLayer(words, input_size=10, output_size=3, name="embedding")
    lstm = L.LSTMLayer(e, 4, only_return_final=True, name="lstm")
    gru = L.SliceLayer(L.GRULayer(e, 4, backwards=True, name="gru"), -1, axis=1, name="last")
    sequence = L.ElemwiseSumLayer([lstm, gru], coeffs=[1, -0.5], name="sum")
    sequence = L.ElemwiseMergeLayer([sequence, L.NonlinearityLayer(sequence, name="relu")],
                                    torch.maximum, name="max")
    joined = L.ConcatLayer([image_features, volume_features, signal_features, sequence],
                           name="concat")
    hidden = L.DenseLayer(joined, 8, name="dense")
    hidden = L.NINLayer(L.ReshapeLayer(hidden, ([0], 2, 4), name="reshape2"), 3, name="nin")
    output = L.DenseLayer(hidden, 3, nonlinearity=nonlinearities.softmax, name="output")
    return NeuralNet(output, use_label_encoder=True, update_learning_rate=0.05, max_epochs=1,
                     train_split=None)


def every_layer_kind_data(rows):
    return {"image": np.random.randn(rows, 2, 6, 6).astype(np.float32),
            "volume": np.random.randn(rows, 1, 4, 4, 4).astype(np.float32),
            "signal": np.random.randn(rows, 2, 9).astype(np.float32),
            "words": np.random.randint(0, 10, (rows, 3))}


def small_cnn(**kwargs):
    image = L.InputLayer((None, 1, 8, 8), name="input")
    x = L.MaxPool2DLayer(L.Conv2DLayer(image, 4, 3, name="conv"), 2, name="pool")
    output = L.DenseLayer(L.DropoutLayer(x), 3, nonlinearity=nonlinearities.softmax,
                          name="output")
    return NeuralNet(output, update_learning_rate=0.1, max_epochs=2, **kwargs)


def fitted_small_cnn():
    X = np.random.rand(30, 1, 8, 8).astype(np.float32)
    return small_cnn().fit(X, np.arange(30) % 3), X


def test_onnx_of_every_exportable_layer_kind_equals_predict_proba(tmp_path):
    net = every_layer_kind_net().fit(every_layer_kind_data(12), CLASSES[np.arange(12) % 3])
    path = tmp_path / "net.onnx"
    export(net, path)

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["image", "volume", "signal", "words"]
    for rows in (1, 7):  # the batch axis is dynamic: one row and several
        X = every_layer_kind_data(rows)
        got, = session.run(None, X)
        np.testing.assert_allclose(got, net.predict_proba(X), rtol=0, atol=1e-5)
        np.testing.assert_allclose(got.sum(axis=1), 1, atol=1e-5)  # softmax, not logits
    with torch.no_grad():  # the bug: the module alone returns the logits
        logits = net.module_(**{k: torch.as_tensor(v) for k, v in X.items()}).numpy()
    assert np.abs(logits - net.predict_proba(X)).max() > 1e-3

    metadata = json.loads({p.key: p.value for p in onnx.load(path).metadata_props}["sknet"])
    assert metadata["classes"] == ["cat", "dog", "emu"]
    assert metadata["inputs"][0] == {"name": "image", "shape": [None, 2, 6, 6],
                                     "dtype": "float32"}
    assert metadata["inputs"][3]["dtype"] == "int64"
    served = load_onnx(path)
    np.testing.assert_array_equal(served.predict(X), net.predict(X))
    assert list(served.classes_) == list(net.classes_)


def test_onnx_of_a_regressor_equals_predict_and_records_no_classes(tmp_path):
    X, y = regression_data()
    net = mlp_regressor(max_epochs=3, output_nonlinearity=nonlinearities.tanh).fit(X, y)
    export(net, tmp_path / "regressor.onnx")
    served = load_onnx(tmp_path / "regressor.onnx")
    np.testing.assert_allclose(served.predict(X[:9]), net.predict(X[:9]), rtol=0, atol=1e-5)
    assert served.metadata["regression"] and served.metadata["classes"] is None
    assert not hasattr(served, "classes_")
    with pytest.raises(ValueError, match=r"X for input 'input' must have shape \(n, 5\), got "
                                         r"\(9, 4\)"):
        served.predict(X[:9, :4])


def test_torchscript_computes_predict_proba_and_keeps_classes_in_extra_files(tmp_path):
    net, X = fitted_small_cnn()
    path = tmp_path / "net.pt"
    export(net, path, format="torchscript")
    extra = {"sknet.json": ""}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch.jit is, in recent torch
        module = torch.jit.load(str(path), _extra_files=extra)
    for rows in (1, 5):
        got = module(torch.as_tensor(X[:rows])).numpy()
        np.testing.assert_allclose(got, net.predict_proba(X[:rows]), rtol=0, atol=1e-5)
    metadata = json.loads(extra["sknet.json"])
    assert metadata["classes"] == [0, 1, 2]
    assert metadata["inputs"] == [{"name": "input", "shape": [None, 1, 8, 8],
                                   "dtype": "float32"}]


def test_torch_export_program_computes_predict_proba_and_keeps_classes(tmp_path):
    net, X = fitted_small_cnn()
    path = tmp_path / "net.pt2"
    export(net, path, format="torch.export")
    extra = {"sknet.json": ""}
    module = torch.export.load(path, extra_files=extra).module()
    for rows in (1, 6):
        got = module(torch.as_tensor(X[:rows])).detach().numpy()
        np.testing.assert_allclose(got, net.predict_proba(X[:rows]), rtol=0, atol=1e-5)
    assert json.loads(extra["sknet.json"])["output"] == "predict_proba"


def value_dependent(x):
    return x if x.sum() > 0 else -x  # the branch taken depends on the data


def through_numpy(x):
    return torch.as_tensor(np.tanh(x.detach().numpy()))


@pytest.mark.parametrize("format", ["onnx", "torchscript", "torch.export"])
@pytest.mark.parametrize("function, reason", [(value_dependent, "values of a tensor"),
                                              (through_numpy, "NumPy")])
def test_a_layer_no_graph_can_express_is_an_error_naming_it(tmp_path, format, function,
                                                            reason):
    hidden = L.DenseLayer(L.InputLayer((None, 4), name="input"), 5, name="hidden")
    odd = L.ExpressionLayer(hidden, function, name="odd")
    net = NeuralNet(L.DenseLayer(odd, 2, nonlinearity=nonlinearities.softmax, name="output"),
                    update_learning_rate=0.1, max_epochs=1, train_split=None)
    net.fit(np.random.rand(10, 4).astype(np.float32), np.arange(10) % 2)
    path = tmp_path / "net.out"
    path.write_bytes(b"previous")
    with pytest.raises(ExportError, match=f"layer 'odd' \\(ExpressionLayer\\) cannot be "
                                          f"exported .*{reason}"):
        export(net, path, format=format)
    assert path.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["net.out"]  # no temporary file left behind


def test_a_layer_that_fixes_the_batch_size_is_named(tmp_path):
    # Computes per batch what predict_proba computes; only the batch axis cannot stay free.
    def doubled_for_big_batches(x):
        return x * 2 if x.shape[0] > 2 else x

    hidden = L.DenseLayer(L.InputLayer((None, 4), name="input"), 5, name="hidden")
    odd = L.ExpressionLayer(hidden, doubled_for_big_batches, name="odd")
    net = NeuralNet(L.DenseLayer(odd, 2, nonlinearity=nonlinearities.softmax, name="output"),
                    update_learning_rate=0.1, max_epochs=1, train_split=None)
    net.fit(np.random.rand(10, 4).astype(np.float32), np.arange(10) % 2)
    with pytest.raises(ExportError, match="layer 'odd' .* makes the number of rows a constant"):
        export(net, tmp_path / "net.pt2", format="torch.export")


def test_a_graph_that_computes_something_else_is_not_written(tmp_path, monkeypatch):
    net, _ = fitted_small_cnn()
    uniform = lambda module, examples, **kwargs: lambda x: torch.full((len(x), 3), 1 / 3)
    monkeypatch.setattr(torch.jit, "trace", uniform)  # a tracer that gets the graph wrong
    with pytest.raises(ExportError, match="the TorchScript graph differs from the net by "
                                          ".* on a batch of 1 row"):
        export(net, tmp_path / "net.pt", format="torchscript")
    assert os.listdir(tmp_path) == []


def test_export_before_fit_asks_for_fit(tmp_path):
    with pytest.raises(NotFittedError, match=r"call fit\(X, y\)"):
        export(mlp(), tmp_path / "net.onnx")
    assert not (tmp_path / "net.onnx").exists()


def test_unknown_format_names_the_formats(tmp_path):
    net, _ = fitted_small_cnn()
    with pytest.raises(ValueError, match="format must be one of 'onnx', 'torchscript', "
                                         "'torch.export', got 'tflite'"):
        export(net, tmp_path / "net", format="tflite")


def test_missing_export_extra_names_the_pip_command(tmp_path, monkeypatch):
    net, _ = fitted_small_cnn()
    monkeypatch.setitem(__import__("sys").modules, "onnxruntime", None)
    with pytest.raises(ImportError, match=r'pip install "sknet\[export\]"'):
        export(net, tmp_path / "net.onnx")


def test_load_onnx_refuses_a_file_without_sknet_metadata(tmp_path):
    graph = onnx.helper.make_graph(
        [onnx.helper.make_node("Identity", ["x"], ["output"])], "plain",
        [onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [None, 2])],
        [onnx.helper.make_tensor_value_info("output", onnx.TensorProto.FLOAT, [None, 2])])
    onnx.save(onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 18)]),
              tmp_path / "plain.onnx")
    with pytest.raises(ValueError, match="no 'sknet' metadata"):
        load_onnx(tmp_path / "plain.onnx")


def test_one_sigmoid_unit_classifier_exports_both_class_columns(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.rand(60, 4).astype(np.float32)
    y = np.where(X[:, 0] > 0.5, "yes", "no")
    net = NeuralNet(layers=[("input", L.InputLayer), ("output", L.DenseLayer)],
                    output_num_units=1, output_nonlinearity=nonlinearities.sigmoid,
                    objective_loss_function=lambda p, t: torch.nn.functional.binary_cross_entropy(
                        p[:, 0], t.float(), reduction="none"),
                    update_learning_rate=0.5, max_epochs=3, train_split=None, random_state=0)
    net.fit(X, y)
    export(net, tmp_path / "binary.onnx")
    served = load_onnx(tmp_path / "binary.onnx")
    expected = net.predict_proba(X)
    assert expected.shape == (60, 2)
    np.testing.assert_allclose(served.predict_proba(X), expected, atol=1e-5)
    assert served.predict(X).tolist() == net.predict(X).tolist()
    assert set(served.predict(X)) <= {"no", "yes"}
