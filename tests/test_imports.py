"""`import sknet` loads what every fit needs and nothing more: the optional engines (plotting,
export, scale-out, data files, the Python 2 converter) load when a call needs them, so a
fresh process (a sweep's worker, a serving process) starts without paying for them."""
import json
import subprocess
import sys

OPTIONAL = ["matplotlib", "onnx", "onnxruntime", "dask", "distributed", "ray", "h5py", "zarr",
            "fissix", "mlxtend", "torch._dynamo", "torch.onnx", "torch.distributed.run"]


def test_import_sknet_loads_no_optional_engine():
    code = ("import json, sys, sknet, sknet.legacy; "
            f"print(json.dumps([m for m in {OPTIONAL!r} if m in sys.modules]))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert json.loads(loaded) == []


def test_a_fit_with_sknets_update_rules_loads_no_torch_dynamo():
    """torch imports torch._dynamo (over a second) the first time a torch optimizer adds a
    param group; sknet's update rules skip that guard, so a fresh process's first fit does not
    pay for it."""
    code = ("import sys, numpy as np; from sknet import NeuralNet, layers, updates; "
            "X = np.random.RandomState(0).rand(40, 3).astype('float32'); y = X[:, :1] * 2; "
            "[NeuralNet(layers=[('input', layers.InputLayer), ('output', layers.DenseLayer)], "
            "input_shape=(None, 3), output_num_units=1, output_nonlinearity=None, "
            "regression=True, update=update, update_learning_rate=0.01, max_epochs=2, "
            "verbose=0).fit(X, y) for update in (updates.nesterov_momentum, updates.adam)]; "
            "print('torch._dynamo' in sys.modules)")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert loaded.split() == ["False"]
