"""Every example runs, in its quick mode, and prints its key number last."""
import runpy
import sys

import numpy as np
import pytest

pytest.importorskip("mlxtend")
pytest.importorskip("matplotlib")


@pytest.fixture
def run_example(capsys, monkeypatch):
    """Run examples/<name>.py as a script with `args`; returns its printed lines."""
    monkeypatch.syspath_prepend("examples")  # as `python examples/x.py` does: siblings import

    def run(name, *args):
        monkeypatch.setattr(sys, "argv", [f"{name}.py", *args])
        runpy.run_path(f"examples/{name}.py", run_name="__main__")
        return capsys.readouterr().out.splitlines()
    return run


def last_number(lines):
    return float(lines[-1].split()[-1])


def test_mnist_cnn_quick_run_prints_tables_saves_files_and_accuracy(run_example, tmp_path):
    out = run_example("mnist_cnn", "--quick", "--output-dir", str(tmp_path))
    assert out[0] == "# Neural Network with 1956090 learnable parameters"
    assert "  epoch    train loss    valid loss    train/val    valid acc  dur" in out
    assert out[-1].startswith("test accuracy: ")
    assert 0.5 < last_number(out) <= 1  # two epochs on 400 digits; chance is 0.1
    assert (tmp_path / "mnist_cnn_params.pkl").stat().st_size > 1_000_000
    assert (tmp_path / "mnist_cnn_loss.png").read_bytes()[:4] == b"\x89PNG"


def test_mnist_mlp_quick_run_trains_the_classifier_and_the_one_hot_regression(run_example):
    out = run_example("mnist_mlp", "--quick")
    assert out.count("# Neural Network with 79510 learnable parameters") == 2
    # the classifier's table has an accuracy column, the regression's does not (nolearn's)
    assert "  epoch    train loss    valid loss    train/val    valid acc  dur" in out
    assert "  epoch    train loss    valid loss    train/val  dur" in out
    assert out[-1].startswith("test accuracy, one-hot regression: ")
    assert 0.2 < last_number(out) <= 1


def test_mnist_vgg_bn_quick_run_shows_the_batch_norm_layers(run_example):
    out = run_example("mnist_vgg_bn", "--quick")
    assert any(line.split()[1:] == ["conv1_1_bn", "32x26x26"] for line in out if line.strip())
    assert out[-1].startswith("test accuracy: ")
    assert 0 < last_number(out) <= 1  # batch norm's running averages need more than 2 epochs


def test_mnist_augment_quick_run(run_example):
    out = run_example("mnist_augment", "--quick")
    assert out[-1].startswith("test accuracy: ")
    assert 0 < last_number(out) <= 1


def test_mnist_ensemble_quick_run_reports_each_step(run_example):
    out = run_example("mnist_ensemble", "--quick", "--models", "2")
    assert [line.split(":")[0] for line in out[:2]] == ["model 1", "model 2"]
    assert out[-4].startswith("mean of the 2 single models:")
    assert out[-1].startswith("test accuracy, average with it added: ")
    assert 0.3 < last_number(out) <= 1


def test_grid_search_quick_run_prints_cv_results(run_example):
    out = run_example("grid_search", "--quick")
    header = out[0].split()
    assert header == ["hidden_num_units", "mean_test_score", "std_test_score",
                      "rank_test_score", "mean_fit_time"]
    assert sorted(int(line.split()[0]) for line in out[1:3]) == [50, 200]
    assert out[-2].startswith("best: {'net__hidden_num_units': ")
    assert 0.3 < last_number(out) <= 1


class _Draws:
    """Stands in for the iterator's RandomState: `uniform` returns the values given, in order
    (angle in degrees, zoom, shift in pixels)."""

    def __init__(self, *values):
        self.values = list(values)

    def uniform(self, low, high, size):
        return np.broadcast_to(self.values.pop(0), size).astype(float)


@pytest.fixture
def augment(monkeypatch):
    monkeypatch.syspath_prepend("examples")
    import mnist_augment
    return mnist_augment


def digits(n=3):
    return np.random.RandomState(0).rand(n, 1, 28, 28).astype(np.float32)


def test_affine_iterator_shifts_whole_pixels_and_repeats_the_border(augment):
    X = digits()
    iterator = augment.AffineBatchIterator(3, shuffle=False)(X)
    iterator.random = _Draws(0.0, 1.0, [1.0, 0.0])  # one pixel along the width
    Xb, _ = next(iter(iterator))
    np.testing.assert_allclose(Xb[..., :-1], X[..., 1:], atol=1e-5)
    np.testing.assert_allclose(Xb[..., -1], X[..., -1], atol=1e-5)


def test_affine_iterator_rotates_a_quarter_turn_like_rot90(augment):
    X = digits()
    iterator = augment.AffineBatchIterator(3, shuffle=False)(X)
    iterator.random = _Draws(90.0, 1.0, 0.0)
    Xb, _ = next(iter(iterator))
    np.testing.assert_allclose(Xb, np.rot90(X, 1, axes=(2, 3)), atol=1e-5)


def test_affine_iterator_zoom_keeps_the_centre_and_spreads_the_image(augment):
    X = np.zeros((1, 1, 28, 28), np.float32)
    X[0, 0, 12:16, 12:16] = 1  # a 4x4 square in the middle
    iterator = augment.AffineBatchIterator(1, shuffle=False)(X)
    iterator.random = _Draws(0.0, 2.0, 0.0)  # 2x about the centre: rows 10-17 by hand,
    Xb, _ = next(iter(iterator))                # the edges blurred by bilinear sampling
    profile = [0, 0.25, 0.75, 1, 1, 1, 1, 1, 1, 0.75, 0.25, 0]  # rows and columns 8 to 19
    np.testing.assert_allclose(Xb[0, 0, 8:20, 8:20], np.outer(profile, profile), atol=1e-5)
    assert Xb.sum() == pytest.approx(64, abs=1e-3)


def test_affine_iterator_leaves_test_batches_alone(augment):
    X = digits()
    iterator = augment.AffineBatchIterator(3)(X)
    iterator.test = True
    Xb, _ = next(iter(iterator))
    np.testing.assert_array_equal(np.sort(Xb, axis=None), np.sort(X, axis=None))
    iterator.test = False
    Xb, _ = next(iter(iterator))
    assert not np.allclose(np.sort(Xb, axis=None), np.sort(X, axis=None))


def test_sweep_cluster_quick_run_on_an_embedded_dask_cluster(run_example):
    pytest.importorskip("distributed", reason="dask[distributed] is in the dev extra")
    out = run_example("sweep_cluster", "--quick")
    assert out[0].startswith("cluster: 2 workers at tcp://127.0.0.1:")
    assert out[1].split() == ["update_learning_rate", "mean_test_score", "std_test_score",
                              "rank_test_score", "mean_fit_time"]
    assert out[-1].startswith("test accuracy of the best net: ")
    assert 0 < last_number(out) <= 1


def test_train_torchrun_runs_as_a_plain_script_in_one_process(run_example):
    out = run_example("train_torchrun", "--quick")
    assert out[-2] == "processes: 1, global batch: 128"
    assert out[-1].startswith("test accuracy: ") and 0 < last_number(out) <= 1
