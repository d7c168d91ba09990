"""Old scripts run unchanged through ``python -m sknet.legacy``: the seeds' nolearn networks
(000 and 003, their data loading swapped for the offline sample) and a 2015-style script
with the habits of the facial-keypoints tutorial."""
import subprocess
import sys
from pathlib import Path

import pytest

from sknet.params import read_params

SCRIPTS = Path(__file__).parent / "scripts"
TABLE_HEADER = "  epoch    train loss    valid loss    train/val  dur"


def run_legacy(script, *args):
    result = subprocess.run([sys.executable, "-m", "sknet.legacy", str(SCRIPTS / script),
                             *map(str, args)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.splitlines(), result.stderr


def test_2015_style_script_trains_anneals_pickles_and_clones(tmp_path):
    out, err = run_legacy("keypoints_2015.py", tmp_path)
    assert out[0] == "# Neural Network with 31544 learnable parameters"
    assert TABLE_HEADER in out
    epochs = [line for line in out if line[:7].strip().isdigit()]
    first, last = (float(epochs[i].split()[2]) for i in (0, 29))  # valid loss, 30 epochs
    assert last < first / 5
    # AdjustVariable drove the theano.shared learning rate to its stop value
    assert "final learning rate: 0.00100" in out
    assert "specialist output shape: (5, 2)" in out
    # the old names each warned once, naming the modern spelling
    for old in ("np.cast", "np.float", "NeuralNet(eval_size=...)", "MaxPool2DLayer(ds=...)",
                "lasagne.layers.cuda_convnet.Conv2DCCLayer", "NeuralNet.save_weights_to"):
        assert err.count(f"LegacyNameWarning: {old} is an old name") == 1, old
    assert "unpickled net predicts the same: True" in out
    weights = read_params(tmp_path / "net_weights.pickle")
    assert list(weights) == ["input", "conv1", "pool1", "conv2", "pool2", "hidden4",
                             "dropout4", "output"]
    assert [w.shape for w in weights["conv1"]] == [(16, 1, 3, 3), (16,)]


def test_seed_003_mlp_regression(tmp_path):
    out, _ = run_legacy("seed_003_mlp.py")
    assert out[:10] == ["# Neural Network with 79510 learnable parameters", "",
                        "## Layer information", "", "  #  name      size",
                        "---  ------  ------", "  0  input      784", "  1  hidden     100",
                        "  2  output      10", ""]
    assert out[10] == TABLE_HEADER
    assert out[-1].split()[0] == "400"
    train, valid = (float(v) for v in out[-1].split()[1:3])
    first_valid = float(out[12].split()[2])
    assert train < 0.02 and valid < first_valid / 2


def test_seed_000_cnn_on_padded_digits():
    out, _ = run_legacy("seed_000_cnn.py")
    assert out[0] == "(200, 1, 40, 40)"  # the seed's print(test.shape)
    assert out[1] == "# Neural Network with 5916090 learnable parameters"
    assert "  epoch    train loss    valid loss    train/val    valid acc  dur" in out
    accuracy = float(out[-1].split(":")[1])
    assert accuracy > 0.8  # chance is 0.1


def test_runner_usage_errors():
    result = subprocess.run([sys.executable, "-m", "sknet.legacy"], capture_output=True,
                            text=True)
    assert result.returncode == 2 and "usage: python -m sknet.legacy" in result.stderr
    result = subprocess.run([sys.executable, "-m", "sknet.legacy", "missing.py"],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "no such script: missing.py" in result.stderr


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
