"""Data bigger than memory: memmaps, h5py and zarr arrays, duck-typed sources, torch Datasets
and file names read batch by batch give the nets that arrays in memory give, without copying
X, with errors naming the batch, and with the read-ahead thread gone when fit returns."""
import gc
import os
import threading
import tracemalloc
import weakref

import numpy as np
import pytest
import torch

from sknet import BatchIterator, NeuralNet, TrainSplit, nonlinearities
import sknet.data
from sknet.data import _file_rows, _mapped, _read, resident, rows

from .nets import MLP_LAYERS, classification_data, mlp

X, y = classification_data(n=300)


def fitted(X, y=None, **kwargs):
    """A 3-epoch MLP fit with a fixed random_state (its weights depend on the data only)."""
    params = dict(max_epochs=3, random_state=0)
    params.update(kwargs)
    return mlp(**params).fit(X, y)


def weights(net):
    return [w for values in net.get_all_params_values().values() for w in values]


def assert_same_net(net, reference, X_new=X):
    for got, expected in zip(weights(net), weights(reference)):
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(net.predict_proba(X_new), reference.predict_proba(X))


class Loading(BatchIterator):
    """nolearn's habit: X holds file names; the batch is loaded in transform."""

    def transform(self, Xb, yb):
        return np.stack([np.load(name) for name in Xb]), yb


class Sleeping(BatchIterator):
    def transform(self, Xb, yb):
        self.threads = getattr(self, "threads", set()) | {threading.current_thread().name}
        return Xb, yb


class Duck:
    """A duck-typed source: ``__len__``, ``shape``, ``__getitem__`` over slices and index
    arrays; it records how many rows each read asked for."""

    def __init__(self, array):
        self.array, self.shape, self.reads = array, array.shape, []

    def __len__(self):
        return len(self.array)

    def __getitem__(self, index):
        rows = self.array[index]
        self.reads.append(len(rows))
        return rows


@pytest.fixture(autouse=True)
def streamed_whatever_the_size(monkeypatch):
    """The sources here are small; they stand for sources too large to read whole (sources
    and splits of at most `sknet.data.COPIED_ONCE` bytes are read or copied once)."""
    monkeypatch.setattr("sknet.data.COPIED_ONCE", 0)


@pytest.fixture
def on_disk(tmp_path):
    path = tmp_path / "X.npy"
    np.save(path, X)
    return np.load(path, mmap_mode="r")


def test_a_memmap_fit_equals_the_in_memory_fit(on_disk, tmp_path):
    assert_same_net(fitted(on_disk, y), fitted(X, y), X_new=on_disk)
    raw = np.memmap(tmp_path / "raw", np.float32, "w+", shape=X.shape)
    raw[:] = X
    shuffled = dict(batch_iterator_train=BatchIterator(32, shuffle=True))
    assert_same_net(fitted(raw, y, **shuffled), fitted(X, y, **shuffled), X_new=raw)


@pytest.mark.parametrize("kind", ["in memory", "memmap"])
def test_fit_does_not_copy_X_nor_keep_it(kind, tmp_path, monkeypatch):
    """An X above the copy-once size (16 MB standing for gigabytes) is neither copied by a
    fit nor kept after it."""
    big = np.random.RandomState(0).rand(4000, 1000).astype(np.float32)  # 16 MB
    labels = (big[:, 0] > 0.5).astype(np.int64)
    if kind == "memmap":
        np.save(tmp_path / "big.npy", big)
        big = np.load(tmp_path / "big.npy", mmap_mode="r")
    net = mlp(features=1000, classes=2, max_epochs=1)
    tracemalloc.start()
    try:
        net.fit(big, labels)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 0.25 * big.nbytes, f"peak {peak / 1e6:.1f} MB for X of {big.nbytes / 1e6} MB"
    assert len(net.batch_iterator_train_) == 25  # nolearn's len(): batches of the last data
    alive = weakref.ref(big)
    del big
    gc.collect()
    assert alive() is None  # nothing in the net holds X


def _peak_resident_bytes():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM"))


def test_a_small_source_is_read_whole_once_and_trains_as_in_memory_data(tmp_path,
                                                                       monkeypatch):
    """Like the memmap joblib hands a sweep's worker: a source of at most COPIED_ONCE bytes
    is read whole before the fit (no per-batch reads), with the same net as from memory."""
    monkeypatch.setattr("sknet.data.COPIED_ONCE", X.nbytes)
    np.save(tmp_path / "X.npy", X)
    mapped = np.load(tmp_path / "X.npy", mmap_mode="r")
    reads, read = [], sknet.data._file_rows
    monkeypatch.setattr("sknet.data._file_rows", lambda *args: reads.append(1) or read(*args))
    settings = dict(max_epochs=3, random_state=0, batch_iterator_train=BatchIterator(32))
    assert_same_net(fitted(mapped, y, **settings), fitted(X, y, **settings), X_new=X)
    assert not reads
    monkeypatch.setattr("sknet.data.COPIED_ONCE", X.nbytes - 1)  # one byte over: per batch
    assert_same_net(fitted(mapped, y, **settings), fitted(X, y, **settings), X_new=X)
    assert reads


def test_memmap_rows_read_from_the_file_equal_numpys(tmp_path):
    """A split's part (increasing rows with gaps: one read, runs straight into the batch, in
    groups of at most 512 buffers), shuffled rows (a read each) and a view's rows."""
    data = np.lib.format.open_memmap(tmp_path / "X.npy", "w+", np.float32, (3000, 7))
    data[:] = np.random.RandomState(0).rand(3000, 7)
    data.flush()
    mapped = np.load(tmp_path / "X.npy", mmap_mode="r")
    train = np.flatnonzero(np.arange(3000) % 5 != 2)  # TrainSplit's part: 1 row in 5 held out
    cases = [(mapped, train[100:228]), (mapped, np.arange(0, 2400, 2)),
             (mapped, np.random.RandomState(1).permutation(3000)[:128]),
             (mapped, np.array([7])), (mapped[1000:], np.array([3, 4, 9, 10, 11]))]
    for source, index in cases:
        batch = _file_rows(source, index)
        assert batch is not None and batch.dtype == np.float32
        np.testing.assert_array_equal(batch, np.asarray(source)[index])


@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"),
                    reason="resident-set peaks are read from Linux's /proc")
@pytest.mark.parametrize("shuffle", [False, True])
def test_a_memmap_fit_releases_the_file_pages_it_read(tmp_path, shuffle):
    big = np.random.RandomState(0).rand(16000, 1000).astype(np.float32)  # 64 MB
    labels = (big[:, 0] > 0.5).astype(np.int64)
    np.save(tmp_path / "big.npy", big)
    del big
    big = np.load(tmp_path / "big.npy", mmap_mode="r")
    net = mlp(features=1000, classes=2, max_epochs=1,
              batch_iterator_train=BatchIterator(128, shuffle=shuffle))
    net.fit(big[:512], labels[:512])  # torch's first-call allocations, before the peak is reset
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # the peak resident set starts again from the current one
    before = _peak_resident_bytes()
    net.fit(big, labels)
    grown = (_peak_resident_bytes() - before) / big.nbytes
    assert grown < 0.35 if shuffle else grown < 0.1, f"peak resident set grew {grown:.2f}x X"


def test_h5py_zarr_and_duck_typed_sources_fit_and_predict_as_arrays(tmp_path):
    h5py = pytest.importorskip("h5py", reason="h5py comes with the sknet[data] extra")
    zarr = pytest.importorskip("zarr", reason="zarr comes with the sknet[data] extra")
    shuffled = dict(batch_iterator_train=BatchIterator(32, shuffle=True))
    reference = fitted(X, y, **shuffled)
    with h5py.File(tmp_path / "X.h5", "w") as f:
        f["X"] = X  # h5py's default layout: read as a memmap
        f.create_dataset("chunked", data=X, chunks=(16, 10), compression="gzip")  # by h5py
    array = zarr.open_array(tmp_path / "X.zarr", mode="w", shape=X.shape, chunks=(64, 10),
                            dtype="f4")
    array[:] = X
    duck = Duck(X)
    with h5py.File(tmp_path / "X.h5", "r") as f:  # shuffled reads: h5py wants sorted rows
        assert_same_net(fitted(f["X"], y, **shuffled), reference, X_new=f["X"])
        assert_same_net(fitted(f["chunked"], y, **shuffled), reference, X_new=f["chunked"])
    assert_same_net(fitted(array, y, **shuffled), reference, X_new=array)
    assert_same_net(fitted(duck, y, **shuffled), reference, X_new=duck)
    assert max(duck.reads) <= 2 * 128  # batch by batch (a batch's span at most), never whole


def test_a_dask_array_fits_predicts_and_scores_as_the_same_numpy_array():
    da = pytest.importorskip("dask.array", reason="dask comes with the sknet[dask] extra")
    lazy = da.from_array(X, chunks=(64, 10))
    for kwargs in ({}, dict(batch_iterator_train=BatchIterator(32, shuffle=True))):
        net, reference = fitted(lazy, y, **kwargs), fitted(X, y, **kwargs)
        assert_same_net(net, reference, X_new=lazy)
        np.testing.assert_array_equal(net.predict(lazy), reference.predict(X))
        assert net.score(lazy, y) == reference.score(X, y)
    assert_same_net(fitted(lazy, da.from_array(y, chunks=64)), fitted(X, y), X_new=lazy)


def test_a_dask_array_of_unknown_length_is_refused_naming_the_fix():
    da = pytest.importorskip("dask.array", reason="dask comes with the sknet[dask] extra")
    lazy = da.from_array(X, chunks=(64, 10))
    masked = lazy[lazy[:, 0] < np.inf]  # all rows, but dask no longer knows how many
    fix = r"X has an unknown number of rows \(shape \(nan, 10\)\).*compute_chunk_sizes"
    for check_input in (True, False):
        with pytest.raises(ValueError, match=fix):
            fitted(masked, y, check_input=check_input)
    net = fitted(lazy, y)
    with pytest.raises(ValueError, match=fix):
        net.predict(masked)
    masked.compute_chunk_sizes()
    np.testing.assert_array_equal(net.predict(masked), net.predict(X))


def test_contiguous_h5py_datasets_of_read_only_files_are_read_as_memmaps(tmp_path):
    h5py = pytest.importorskip("h5py", reason="h5py comes with the sknet[data] extra")
    with h5py.File(tmp_path / "block.h5", "w", userblock_size=512) as f:
        f["X"] = X
    with h5py.File(tmp_path / "block.h5", "r") as f:
        assert not isinstance(_mapped(f["X"]), np.memmap)  # a user block: h5py reads
    with h5py.File(tmp_path / "X.h5", "w") as f:
        f["X"] = X
        f.create_dataset("int", data=np.arange(30, dtype=">i2").reshape(10, 3))
        f.create_dataset("chunked", data=X, chunks=(16, 10))
        assert not isinstance(_mapped(f["X"]), np.memmap)  # writable: h5py may buffer writes
    with h5py.File(tmp_path / "X.h5", "r") as f:
        for name in ("X", "int"):
            mapped = _mapped(f[name])
            assert isinstance(mapped, np.memmap) and mapped.dtype == f[name].dtype
            np.testing.assert_array_equal(mapped, f[name][:])
        assert not isinstance(_mapped(f["chunked"]), np.memmap)


def test_an_in_memory_gather_returns_the_rows_in_the_asked_order():
    rows_asked = np.array([7, 2, 2, 250, 0])
    for source in (X, torch.from_numpy(X), torch.from_numpy(X).requires_grad_()):
        batch = _read(source, rows_asked)
        np.testing.assert_array_equal(np.asarray(batch.detach() if isinstance(
            batch, torch.Tensor) else batch), X[rows_asked])


def test_an_h5py_dataset_whose_length_differs_from_y_is_refused_before_training(tmp_path):
    h5py = pytest.importorskip("h5py", reason="h5py comes with the sknet[data] extra")
    with h5py.File(tmp_path / "X.h5", "w") as f:
        f["X"] = X
        net = mlp(max_epochs=1)
        with pytest.raises(ValueError, match="X and y must have the same length, got 300 rows "
                                             "of X and 299 of y"):
            net.fit(f["X"], y[:-1])
        assert net.history_ is None or len(net.train_history_) == 0
        assert len(net.fit(f["X"], y).train_history_) == 1


def test_torch_datasets_fit_and_predict_as_arrays():
    reference = fitted(X, y)
    pairs = torch.utils.data.TensorDataset(torch.as_tensor(X), torch.as_tensor(y))
    assert_same_net(fitted(pairs), reference, X_new=pairs)  # y read from the items

    class Inputs(torch.utils.data.Dataset):
        def __len__(self):
            return len(X)

        def __getitem__(self, i):
            return torch.as_tensor(X[i])

    assert_same_net(fitted(Inputs(), y), reference, X_new=Inputs())
    with pytest.raises(ValueError, match=r"items of the Dataset X are not \(x, y\) pairs"):
        mlp().fit(Inputs())


def test_file_names_with_a_loading_transform_fit_and_predict(tmp_path):
    names = []
    for i, row in enumerate(X):
        names.append(str(tmp_path / f"row{i}.npy"))
        np.save(names[-1], row)
    loading = dict(batch_iterator_train=Loading(128), batch_iterator_test=Loading(128))
    net = NeuralNet(layers=MLP_LAYERS, hidden_num_units=32, output_num_units=3,  # no shape
                    output_nonlinearity=nonlinearities.softmax, update_learning_rate=0.1,
                    max_epochs=3, random_state=0, **loading).fit(names, y)
    assert net.layers_["input"].shape == (None, 10)  # from the first loaded row
    assert_same_net(net, fitted(X, y), X_new=names)
    assert net.score(np.array(names), y) == fitted(X, y).score(X, y)


def test_file_names_without_a_transform_name_the_iterator(tmp_path):
    names = [f"row{i}.npy" for i in range(len(X))]
    net = mlp(max_epochs=1)
    with pytest.raises(TypeError, match=r"X must hold numbers, got an array of dtype <U\d+: "
                                        r"to stream file names .* give batch_iterator_train a "
                                        r"transform that loads them"):
        net.fit(names, y)
    net.fit(X, y)
    with pytest.raises(TypeError, match="give batch_iterator_test a transform"):
        net.predict(np.array(names))


def test_a_missing_file_names_the_file_and_the_batch(tmp_path):
    names = [str(tmp_path / f"row{i}.npy") for i in range(len(X))]
    for name, row in zip(names, X):
        np.save(name, row)
    missing = tmp_path / "row130.npy"
    missing.unlink()
    net = mlp(max_epochs=1, train_split=None, batch_iterator_train=Loading(50),
              batch_iterator_test=Loading(50))
    with pytest.raises(FileNotFoundError, match=r"reading batch 3 \(rows 100-149 of X\) failed: "
                                                r"FileNotFoundError: .*row130\.npy") as caught:
        net.fit(names, y)
    assert isinstance(caught.value.__cause__, FileNotFoundError)
    np.save(missing, X[130])
    assert len(net.fit(names, y).train_history_) == 1  # the net stays usable


def test_bad_values_are_named_with_their_batch(on_disk, tmp_path):
    bad = np.array(on_disk)
    bad[130, 2] = np.nan
    np.save(tmp_path / "bad.npy", bad)
    net = mlp(max_epochs=1, train_split=None, batch_iterator_train=BatchIterator(50))
    with pytest.raises(ValueError, match=r"batch 3 \(rows 100-149 of X\) after the transform: "
                                         r"X holds 1 NaN or infinite value"):
        net.fit(np.load(tmp_path / "bad.npy", mmap_mode="r"), y)
    with pytest.raises(ValueError, match="X has 7 features, but NeuralNet is expecting 10"):
        net.fit(on_disk[:, :7], y)  # the shape shows before training
    net.fit(on_disk, y)

    class Cropping(Loading):
        def transform(self, Xb, yb):
            return Xb[:, :7], yb

    net.batch_iterator_test_ = Cropping(100)
    with pytest.raises(ValueError, match=r"batch 1 \(rows 0-99 of X\) after the transform: X "
                                         "has 7 features"):
        net.predict(on_disk)


def test_a_custom_train_split_returning_arrays_still_works(on_disk):
    class LastRowsValid(TrainSplit):
        def __call__(self, X, y, net):
            return X[:250], X[250:], y[:250], y[250:]

    net = fitted(on_disk, y, train_split=LastRowsValid(0.2))
    reference = fitted(X, y, train_split=LastRowsValid(0.2))
    assert_same_net(net, reference, X_new=on_disk)


def test_transforms_run_ahead_in_a_thread_that_ends_with_the_fit():
    def read_ahead():
        return [t for t in threading.enumerate() if t.name == "sknet-read-ahead"]

    iterator = Sleeping(32)
    net = mlp(max_epochs=2, batch_iterator_train=iterator)
    net.fit(X, y)
    assert net.batch_iterator_train_.threads == {"sknet-read-ahead"}
    assert not read_ahead()

    def stop(net, history):
        raise StopIteration

    def interrupt(net, history):
        if len(net.history[-1]["batches"]) == 3:
            raise KeyboardInterrupt

    for handlers in ({"on_epoch_finished": stop}, {"on_batch_finished": interrupt}):
        net = mlp(max_epochs=5, batch_iterator_train=Sleeping(32), **handlers).fit(X, y)
        gc.collect()
        assert len(net.train_history_) == (1 if "on_epoch_finished" in handlers else 0)
        assert not read_ahead()


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="posix_fadvise is POSIX-only")
def test_a_memmap_is_read_ahead_by_the_kernel_not_a_thread(on_disk, monkeypatch):
    """A memmap with a plain iterator is read in the training thread (a reading thread only
    contends for the GIL there); each in-order read asks the kernel for the bytes after it."""
    hints, threads, advise = [], set(), os.posix_fadvise

    def recorded(descriptor, offset, length, advice):
        hints.append((offset, length, advice))
        return advise(descriptor, offset, length, advice)

    def seen(net, history):
        threads.update(thread.name for thread in threading.enumerate())

    monkeypatch.setattr(os, "posix_fadvise", recorded)
    net = mlp(max_epochs=1, on_batch_finished=[seen], train_split=TrainSplit(0),
              batch_iterator_train=BatchIterator(32, shuffle=True))
    net.fit(on_disk, y)
    assert "sknet-read-ahead" not in threads and threads
    assert not hints  # shuffled rows: one read a row, nothing to read ahead
    net.set_params(train_split=TrainSplit(0.2), batch_iterator_train=BatchIterator(32))
    net.fit(on_disk, y)
    first = net.train_split.indices(on_disk, y, net)[0][:32]  # the first batch's rows, in order
    row = X[0].nbytes  # that batch is read from its first row to its last, gaps included
    assert hints[0] == (on_disk.offset + (first[-1] + 1) * row, (first[-1] - first[0] + 1) * row,
                        os.POSIX_FADV_WILLNEED)
    assert "sknet-read-ahead" not in threads


def test_in_memory_rows_are_copied_if_small_shared_if_not_on_cpu_moved_in_chunks_elsewhere(
        monkeypatch):
    monkeypatch.setattr("sknet.data.COPIED_ONCE", 256 << 20)  # the default
    view = rows(X, np.array([5, 1, 7, 3, 9]))
    copied = resident(view, "cpu", torch.as_tensor)  # 5 rows: under COPIED_ONCE
    assert isinstance(copied, torch.Tensor) and copied.data_ptr() != X.ctypes.data
    np.testing.assert_array_equal(copied.numpy(), X[[5, 1, 7, 3, 9]])
    monkeypatch.setattr("sknet.data.COPIED_ONCE", view.nbytes - 1)
    on_cpu = resident(view, "cpu", torch.as_tensor)
    assert on_cpu.source.data_ptr() == X.ctypes.data  # no copy of X
    np.testing.assert_array_equal(on_cpu[[3, 0]].numpy(), X[[3, 5]])
    moves = []

    def to_device(batch):  # stands for the copy to a GPU
        moves.append(len(batch))
        return torch.as_tensor(batch)

    moved = resident(view, "cuda", to_device, chunk_bytes=2 * X[0].nbytes)
    np.testing.assert_array_equal(moved.numpy(), X[[5, 1, 7, 3, 9]])
    assert moves == [1, 2, 2, 1]  # the first row (dtype and shape), then chunks of 2 rows
