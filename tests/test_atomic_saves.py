"""Saves never destroy the last good file: a process killed while writing, a full disk and
Ctrl-C all leave either the old file or the new one, whole (sknet/files.py)."""
import errno
import os
import pickle
import random
import signal
import stat
import time

import numpy as np
import pytest

from sknet.files import InterruptedWrite, atomic_write
from sknet.handlers import SaveWeights
from sknet.params import read_params, write_params

from .nets import classification_data, mlp

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="the kill test forks")


def _values(fill, size=1_000_000):
    """A nolearn parameter dict of about 4 MB whose every value is `fill`."""
    return {"hidden": [np.full(size, fill, dtype=np.float32), np.full(10, fill, np.float32)]}


def _fill_of(path):
    """The single value a file from `_values` holds (and that it is whole and uniform)."""
    arrays = read_params(path)["hidden"]
    fills = {float(v) for array in arrays for v in np.unique(array)}
    assert len(fills) == 1 and arrays[0].size == 1_000_000
    return fills.pop()


def _kill_while_writing(path, write, trials, seed=0):
    """Fork `trials` children that overwrite `path` with values 1, 2, 1, 2, ... as fast as they
    can, SIGKILL each at a random moment, and return the fills found after each kill and the
    number of kills that left a temporary file (a write cut short)."""
    rng = random.Random(seed)
    found, cut_short = [], 0
    for _ in range(trials):
        pid = os.fork()
        if pid == 0:  # the child: write until killed, never return into pytest
            try:
                for index in range(10_000):
                    write(path, _values(1.0 + index % 2))
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.01, 0.08))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        leftovers = [name for name in os.listdir(path.parent) if name.endswith(".tmp")]
        cut_short += bool(leftovers)
        for name in leftovers:
            os.remove(path.parent / name)
        try:
            found.append(_fill_of(path))
        except (ValueError, AssertionError):
            found.append(None)
    return found, cut_short


@needs_fork
def test_a_process_killed_while_saving_leaves_the_old_or_the_new_file_whole(tmp_path):
    path = tmp_path / "params.pkl"
    write_params(path, _values(1.0))
    found, cut_short = _kill_while_writing(path, write_params, trials=20)
    assert set(found) <= {1.0, 2.0}, found
    assert cut_short >= 10  # most kills landed in the middle of a write


def _write_in_place(path, values):
    """What saving did before: open the target for writing, truncating it."""
    with open(path, "wb") as f:
        pickle.dump(values, f, -1)


@needs_fork
def test_the_kill_test_catches_a_save_that_writes_in_place(tmp_path):
    """The control for the test above: the same kills do break a file written in place."""
    path = tmp_path / "params.pkl"
    write_params(path, _values(1.0))
    found, _ = _kill_while_writing(path, _write_in_place, trials=10)
    assert None in found


@pytest.fixture
def trained(tmp_path):
    X, y = classification_data(n=100)
    net = mlp(max_epochs=1).fit(X, y)
    path = tmp_path / "params.pkl"
    net.save_params_to(path)
    return net, path, path.read_bytes()


def _no_space_left(descriptor):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("save", ["save_params_to", "SaveWeights", "SaveWeights(pickle=True)"])
def test_a_full_disk_keeps_the_old_file_and_names_it(trained, monkeypatch, save):
    net, path, old = trained
    net.partial_fit(*classification_data(n=100))  # new weights: a save would change the file
    monkeypatch.setattr(os, "fsync", _no_space_left)
    with pytest.raises(OSError, match=f"cannot write {path}: No space left on device; the "
                                      "previous file is left as it was") as error:
        if save == "save_params_to":
            net.save_params_to(path)
        else:
            SaveWeights(str(path), pickle="pickle" in save)(net, net.train_history_)
    assert error.value.errno == errno.ENOSPC
    assert path.read_bytes() == old
    assert os.listdir(path.parent) == ["params.pkl"]  # the temporary file is gone


def test_a_write_failing_half_way_removes_its_temporary_file(tmp_path):
    path = tmp_path / "out.txt"
    with pytest.raises(OSError, match="cannot write .*out.txt: No space left on device; "
                                      "nothing was written"):
        with atomic_write(path, "w") as f:
            f.write("half of it")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert os.listdir(tmp_path) == []


def test_an_error_while_pickling_is_raised_with_the_path_and_keeps_the_old_file(trained):
    net, path, old = trained
    class Unpicklable:
        def __reduce__(self):
            raise TypeError("cannot pickle this")

    with pytest.raises(TypeError, match="cannot pickle this") as error:
        write_params(path, {"hidden": [np.zeros(3), Unpicklable()]})
    assert f"while writing {path}; the previous file is left as it was" in error.value.__notes__[0]
    assert path.read_bytes() == old


def test_ctrl_c_during_a_checkpoint_stops_fit_with_the_old_checkpoint_whole(trained,
                                                                             monkeypatch):
    """Ctrl-C while SaveWeights writes: the write is abandoned, the previous checkpoint stays,
    and fit raises instead of returning as if the checkpoint had been written."""
    _, path, _ = trained
    saves = []

    def interrupt_the_second_save(descriptor):
        if stat.S_ISREG(os.fstat(descriptor).st_mode):  # not the folder's sync
            saves.append(descriptor)
        if len(saves) == 2:
            raise KeyboardInterrupt

    X, y = classification_data(n=100)
    net = mlp(max_epochs=5, on_epoch_finished=[SaveWeights(str(path), pickle=True)])
    monkeypatch.setattr(os, "fsync", interrupt_the_second_save)
    with pytest.raises(InterruptedWrite, match=f"Ctrl-C while writing {path}: the write was "
                                               "abandoned; the previous file is left as it was"):
        net.fit(X, y)
    monkeypatch.undo()
    assert [h["epoch"] for h in net.train_history_] == [1, 2]  # epoch 2 finished, then saved
    with open(path, "rb") as f:  # the checkpoint of epoch 1, whole
        assert [h["epoch"] for h in pickle.load(f).train_history_] == [1]
    assert sorted(os.listdir(path.parent)) == ["params.pkl"]
    assert [h["epoch"] for h in net.partial_fit(X, y).train_history_] == [1, 2, 3]


def test_a_saved_file_gets_the_usual_permissions(tmp_path):
    path = tmp_path / "p.pkl"
    write_params(path, _values(1.0, size=4))
    plain = tmp_path / "plain"
    plain.write_bytes(b"")
    assert os.stat(path).st_mode == os.stat(plain).st_mode


def test_a_plot_saved_over_an_old_one_is_whole_or_not_written(trained, monkeypatch):
    pytest.importorskip("matplotlib")
    from sknet.visualize import plot_loss
    net, path, _ = trained
    picture = path.parent / "loss.png"
    plot_loss(net, filename=picture)
    old = picture.read_bytes()
    assert old.startswith(b"\x89PNG")  # the format comes from the name, as before
    monkeypatch.setattr(os, "fsync", _no_space_left)
    with pytest.raises(OSError, match="cannot write .*loss.png: No space left on device"):
        plot_loss(net, filename=picture)
    assert picture.read_bytes() == old
    assert sorted(os.listdir(path.parent)) == ["loss.png", "params.pkl"]
