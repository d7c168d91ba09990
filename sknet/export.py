"""Export a fitted NeuralNet for serving without sknet: an ONNX model, a TorchScript module or a
``torch.export`` program that computes what `predict_proba` returns (the output layer's
nonlinearity included; `predict` for regression), for any number of rows, with the classes
and the input shapes recorded in the file.

The graph is captured by ``torch.export`` (ONNX goes through torch's dynamo exporter, which
translates that capture): it follows the layers' Python code symbolically, so code that
depends on tensor values (an ``if`` on a tensor, ``.item()``, NumPy) is refused instead of
being frozen into the graph with the values of the example batch. Every exported graph is
run on fresh batches of 1 and 3 rows and compared with the net before the file is written.
See docs/serving.md.
"""
import copy
import io
import json
import warnings
from contextlib import contextmanager

import numpy as np
import torch
from sklearn.exceptions import NotFittedError

from .files import atomic_write
from .layers import EmbeddingLayer, InputLayer, Network

FORMATS = ("onnx", "torchscript", "torch.export")
METADATA_KEY = "sknet"  # ONNX metadata_props key; "sknet.json" in TorchScript / .pt2 files
EXTRA_FILE = "sknet.json"
OUTPUT_NAME = "output"
TOLERANCE = 1e-5


class ExportError(RuntimeError):
    """The net cannot be exported: a layer's computation is not expressible as a graph (the
    message names the layer and why), or the exported graph computes something else."""


def export(net, path, format="onnx"):
    """Write the fitted `net` to `path` as `format`: 'onnx', 'torchscript' or 'torch.export'.

    The graph takes one input per InputLayer (named after it, any number of rows) and returns
    `predict_proba` (`predict` for regression) computed in float32 on the CPU. The file
    records the classes, the task and the input names, shapes and dtypes as one JSON document:
    ONNX metadata_props key ``'sknet'``; TorchScript ``_extra_files`` / ``torch.export.save``
    ``extra_files`` entry ``'sknet.json'``. The file is written atomically, after the graph
    was checked against the net. ONNX needs ``pip install "sknet[export]"``.

    Examples
    --------
    >>> import json, os, tempfile
    >>> from sknet import NeuralNet, layers, nonlinearities
    >>> net = NeuralNet([('input', layers.InputLayer), ('output', layers.DenseLayer)],
    ...                 input_shape=(None, 4), output_num_units=3,
    ...                 output_nonlinearity=nonlinearities.softmax,
    ...                 update_learning_rate=0.1, max_epochs=1)
    >>> X, y = np.random.rand(30, 4).astype(np.float32), np.arange(30) % 3
    >>> path = os.path.join(tempfile.mkdtemp(), 'net.pt2')
    >>> export(net.fit(X, y), path, format='torch.export')
    >>> extra = {'sknet.json': ''}
    >>> program = torch.export.load(path, extra_files=extra)
    >>> probabilities = program.module()(torch.as_tensor(X)).detach().numpy()
    >>> bool(np.allclose(probabilities, net.predict_proba(X), atol=1e-6))
    True
    >>> json.loads(extra['sknet.json'])['classes']
    [0, 1, 2]
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(map(repr, FORMATS))}, got "
                         f"{format!r}")
    if format == "onnx":
        _import_extra("onnx")
        _import_extra("onnxruntime")
    served, specs, metadata = _prepare(net)
    data = _serialized(_export_naming_layer(served, specs, format), format, metadata)
    with atomic_write(path, "wb") as f:
        f.write(data)


def _prepare(net):
    """The net's computation as a CPU module in eval mode, example inputs, and the metadata."""
    if not getattr(net, "initialized_", False):
        raise NotFittedError(f"this {type(net).__name__} is not fitted yet: call fit(X, y) "
                             "(or load_params_from) before export")
    nonlinearity = net._get_predict_nonlinearity()
    network = getattr(net.module_, "_orig_mod", net.module_)  # unwrap compile=True
    one_unit_classifier = not net.regression and net.layers_[-1].output_shape[-1] == 1
    served = _Served(copy.deepcopy(network).cpu().eval(), nonlinearity, one_unit_classifier)
    served.requires_grad_(False)  # a served graph computes no gradients
    keys = {layer: key for key, layer in served.network.layers.items()}
    specs = {layer: _input_spec(layer, layer.name or keys[layer], served.network)
             for layer in served.network.input_layers}
    classes = None
    if not net.regression:
        classes = getattr(net, "classes_", np.arange(net.layers_[-1].output_shape[-1]))
        classes = np.asarray(classes).tolist()
    metadata = {"output": "predict" if net.regression else "predict_proba",
                "regression": bool(net.regression), "classes": classes,
                "inputs": list(specs.values()),
                "output_shape": list(net.layers_[-1].output_shape[:-1]) + [
                    2 if one_unit_classifier else net.layers_[-1].output_shape[-1]]}
    try:
        json.dumps(metadata)
    except TypeError as error:
        raise ExportError(f"classes_ must be JSON-serializable (numbers, strings, booleans) "
                          f"to be stored in the file, got {classes!r}") from error
    return served, specs, metadata


def _input_spec(layer, name, network):
    """Name, shape and dtype of an InputLayer; integer ids where it feeds an embedding."""
    if any(d is None for d in layer.shape[1:]):
        raise ExportError(f"InputLayer {name!r} has shape {layer.shape}: export needs "
                          "every axis but the first (the batch) fixed")
    embeddings = [l for l in network.layers.values()
                  if isinstance(l, EmbeddingLayer) and l.input_layer is layer]
    spec = {"name": name, "shape": [None] + list(layer.shape[1:]), "dtype": "float32"}
    if embeddings:
        spec.update(dtype="int64", ids_below=min(l.input_size for l in embeddings))
    return spec


def _examples(inputs, rows):
    """Random input tensors with `rows` rows (ids below the embeddings' sizes), drawn from a
    generator of their own: exporting leaves torch's random stream as it was."""
    generator = torch.Generator().manual_seed(rows)
    tensors = []
    for spec in inputs:
        shape = (rows,) + tuple(spec["shape"][1:])
        if spec["dtype"] == "int64":
            tensors.append(torch.randint(0, spec["ids_below"], shape, generator=generator))
        else:
            tensors.append(torch.rand(shape, generator=generator) * 2 - 1)
    return tuple(tensors)


class _Served(torch.nn.Module):
    """The network followed by the nonlinearity that `predict_proba` applies to its output;
    a classifier's single sigmoid unit p becomes `predict_proba`'s two columns (1 - p, p)."""

    def __init__(self, network, nonlinearity, two_columns=False):
        super().__init__()
        self.network = network
        self.nonlinearity = nonlinearity
        self.two_columns = two_columns

    def forward(self, *inputs):
        output = self.nonlinearity(self.network(*inputs))
        return torch.cat([1 - output, output], dim=-1) if self.two_columns else output


# --------------------------------------------------------------------------- capture

@contextmanager
def _naming_failing_layer(network, format, locate=None):
    """Turn an exporter's error into an ExportError that names the layer, its class and the
    reason: the layer whose code was running, else the one `locate()` finds failing alone."""
    running = []  # the names of the layers whose computation is being traced, innermost last

    def tracked(name, compute):
        def run(*args, **kwargs):
            running.append(name)
            result = compute(*args, **kwargs)
            running.pop()
            return result
        return run

    wrapped = [(name, layer, method) for name, layer in network.layers.items()
               for method in ("get_output_for", "get_preactivation_for") if hasattr(layer, method)]
    for name, layer, method in wrapped:
        setattr(layer, method, tracked(name, getattr(layer, method)))
    try:
        yield
    except Exception as error:
        culprit = (running[-1], error) if running else None
        if culprit is None and locate is not None:
            for _, layer, method in wrapped:
                delattr(layer, method)
            wrapped = []
            culprit = locate()
        if culprit is None:
            raise ExportError(f"the net cannot be exported to {format}: {_reason(error)}") \
                from error
        name, reason = culprit
        raise ExportError(f"layer {name!r} ({type(network.layers[name]).__name__}) cannot be "
                          f"exported to {format}: {_reason(reason)}") from error
    finally:
        for _, layer, method in wrapped:
            delattr(layer, method)


def _reason(error):
    """The exporter's explanation, in one line, with what it means for a layer."""
    if isinstance(error, _Mismatch):
        return str(error)
    while isinstance(error, SystemError) and error.__context__ is not None:
        error = error.__context__  # a warning turned error inside torch's C++ code
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if "numpy" in text.lower():
        return f"it computes with NumPy, outside torch, which no graph can record ({text})"
    if "Constraints violated" in text:
        return ("its code makes the number of rows a constant (a branch on x.shape[0], a "
                "reshape to a fixed number of rows), so the batch axis cannot stay dynamic")
    if isinstance(error, torch.jit.TracerWarning):
        return (f"the tracer would freeze values of a tensor (or of its shape) into the graph "
                f"as constants ({text}); format='onnx' or 'torch.export' may take it")
    if "data-dependent" in text:
        return (f"its code depends on the values of a tensor (an `if` on a tensor, .item(), "
                f"float(tensor)), which a graph cannot record ({text})")
    return f"{type(error).__name__}: {text}"


def _export_naming_layer(served, specs, format):
    """`served` exported to `format` and checked; on failure, an ExportError naming the layer:
    the one whose code was being traced, else the first whose graph fails exported alone."""
    def first_layer_failing_alone():
        for name, layer in served.network.layers.items():
            if isinstance(layer, InputLayer):
                continue
            part = Network(layer).eval().requires_grad_(False)
            try:
                _verified(part, [specs[l] for l in part.input_layers], format)
            except Exception as error:
                return name, error
        return None

    with _naming_failing_layer(served.network, FORMAT_NAMES[format], first_layer_failing_alone):
        return _verified(served, list(specs.values()), format)


def _verified(module, specs, format):
    """`module` exported to `format`, compared with it on fresh batches of 1 and 3 rows."""
    names = [spec["name"] for spec in specs]
    graph, run = _BUILDERS[format](module, names, _examples(specs, 2))
    for rows in (1, 3):
        inputs = _examples(specs, rows)
        with torch.no_grad():
            expected = module(*inputs).numpy()
        got = np.asarray(run(inputs))
        difference = float(np.max(np.abs(got - expected))) if got.shape == expected.shape \
            else np.inf
        if not difference <= TOLERANCE * max(1.0, float(np.max(np.abs(expected)))):
            raise _Mismatch(f"the {FORMAT_NAMES[format]} graph differs from the net by "
                            f"{difference:.3g} (largest absolute difference) on a batch of "
                            f"{rows} row(s), shape {got.shape} for {expected.shape}")
    return graph


class _Mismatch(Exception):
    """An exported graph computes something else than the module it came from."""


def _capture(module, examples):
    """``torch.export`` with a dynamic batch axis, non-strict: it runs the layers' Python code
    on symbolic tensors and refuses code that depends on tensor values."""
    batch = torch.export.Dim("batch")
    return torch.export.export(module, examples, strict=False,
                               dynamic_shapes=(tuple({0: batch} for _ in examples),))


# --------------------------------------------------------------------------- formats
# Each builder returns the graph and a function running it on a tuple of input tensors.

def _build_torch_export(module, names, examples):
    program = _capture(module, examples)
    runnable = program.module()
    return program, lambda inputs: runnable(*inputs).detach().numpy()


def _build_onnx(module, names, examples):
    onnxruntime = _import_extra("onnxruntime")
    program = _capture(module, examples)
    model = torch.onnx.export(program, input_names=names, output_names=[OUTPUT_NAME],
                              dynamo=True, verbose=False).model_proto
    session = onnxruntime.InferenceSession(model.SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    return model, lambda inputs: session.run(
        None, {name: x.numpy() for name, x in zip(names, inputs)})[0]


def _build_torchscript(module, names, examples):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch.jit is, in recent torch
        # The tracer warns, and carries on, where it freezes a tensor's value into the graph:
        # that makes a wrong graph, so it is an error here.
        warnings.simplefilter("error", torch.jit.TracerWarning)
        traced = torch.jit.trace(module, examples, check_trace=False)
    return traced, lambda inputs: traced(*inputs).detach().numpy()


_BUILDERS = {"onnx": _build_onnx, "torchscript": _build_torchscript,
             "torch.export": _build_torch_export}
FORMAT_NAMES = {"onnx": "ONNX", "torchscript": "TorchScript", "torch.export": "torch.export"}


def _serialized(graph, format, metadata):
    """The bytes of the file: the graph with the metadata document in it."""
    document = json.dumps(metadata)
    if format == "onnx":
        entry = graph.metadata_props.add()
        entry.key, entry.value = METADATA_KEY, document
        return graph.SerializeToString()
    buffer = io.BytesIO()
    if format == "torch.export":
        torch.export.save(graph, buffer, extra_files={EXTRA_FILE: document})
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            torch.jit.save(graph, buffer, _extra_files={EXTRA_FILE: document})
    return buffer.getvalue()


def _import_extra(name):
    try:
        return __import__(name)
    except ImportError as error:
        raise ImportError(f"ONNX export and serving need {name}: pip install "
                          f"\"sknet[export]\"") from error


# --------------------------------------------------------------------------- serving

class OnnxPredictor:
    """OnnxPredictor(path)

    An exported ONNX file run by onnxruntime, with the net's `predict_proba`, `predict` and
    `classes_` (read from the file's metadata). X is an array for one InputLayer or a dict
    keyed by InputLayer name; values are cast to the dtypes recorded (float32, int64 ids).

    Examples
    --------
    >>> import os, tempfile
    >>> from sknet import NeuralNet, layers, nonlinearities
    >>> net = NeuralNet([('input', layers.InputLayer), ('output', layers.DenseLayer)],
    ...                 input_shape=(None, 4), output_num_units=2, use_label_encoder=True,
    ...                 output_nonlinearity=nonlinearities.softmax,
    ...                 update_learning_rate=0.1, max_epochs=1)
    >>> X, y = np.random.rand(30, 4).astype(np.float32), np.array(['no', 'yes'] * 15)
    >>> path = os.path.join(tempfile.mkdtemp(), 'net.onnx')
    >>> export(net.fit(X, y), path)
    >>> served = load_onnx(path)
    >>> bool(np.allclose(served.predict_proba(X), net.predict_proba(X), atol=1e-6))
    True
    >>> served.classes_, served.predict(X[:3]).tolist() == net.predict(X[:3]).tolist()
    (array(['no', 'yes'], dtype='<U3'), True)
    """

    def __init__(self, path):
        onnxruntime = _import_extra("onnxruntime")
        self.session = onnxruntime.InferenceSession(str(path),
                                                    providers=["CPUExecutionProvider"])
        found = self.session.get_modelmeta().custom_metadata_map.get(METADATA_KEY)
        if found is None:
            raise ValueError(f"{path} has no {METADATA_KEY!r} metadata: it was not written by "
                             "sknet.export.export")
        self.metadata = json.loads(found)
        self.regression = self.metadata["regression"]
        classes = self.metadata["classes"]
        if classes is not None:
            self.classes_ = np.asarray(classes)

    def _feed(self, X):
        inputs = self.metadata["inputs"]
        if not isinstance(X, dict):
            if len(inputs) != 1:
                raise ValueError(f"this model has {len(inputs)} inputs "
                                 f"{[s['name'] for s in inputs]}: pass X as a dict of arrays "
                                 "keyed by their names")
            X = {inputs[0]["name"]: X}
        names = [spec["name"] for spec in inputs]
        if sorted(X) != sorted(names):
            raise ValueError(f"X must be a dict with one array per input {names}, got keys "
                             f"{sorted(X)}")
        feed = {}
        for spec in inputs:
            array = np.asarray(X[spec["name"]], dtype=spec["dtype"])
            if array.ndim != len(spec["shape"]) or list(array.shape[1:]) != spec["shape"][1:]:
                expected = ", ".join("n" if d is None else str(d) for d in spec["shape"])
                raise ValueError(f"X for input {spec['name']!r} must have shape ({expected}), "
                                 f"got {array.shape}")
            feed[spec["name"]] = array
        return feed

    def predict_proba(self, X):
        """The exported net's output for X: class probabilities, or regression outputs."""
        return self.session.run([OUTPUT_NAME], self._feed(X))[0]

    def predict(self, X):
        """Class labels (the recorded classes at the argmax), or the regression outputs."""
        output = self.predict_proba(X)
        return output if self.regression else self.classes_[output.argmax(axis=1)]


def load_onnx(path):
    """An `OnnxPredictor` running a file written by `export` with onnxruntime."""
    return OnnxPredictor(path)
