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

