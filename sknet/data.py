"""Data sources: what X may be besides an array in memory, and how its rows are read, checked
and read ahead, batch by batch, without loading X whole.

X may be an array or tensor in memory (checked once, up front, and sliced on the device), or
a source read per batch: ``np.memmap`` / ``np.load(..., mmap_mode='r')``, an h5py dataset, a zarr
array, any object with ``__len__``, ``shape`` and ``__getitem__`` over index arrays, a
``torch.utils.data.Dataset`` (items ``(x, y)`` or ``x``), or file names (any items that are not
numbers) that the batch iterator's ``transform`` turns into arrays. A source is wrapped in
`Rows`, a view that holds row numbers, not rows: the train/valid split takes views, each batch
reads its rows, and its values are checked after ``transform``, with errors naming the batch.
"""
import contextlib
import copy
import math
import mmap
import numbers
import os
import queue
import threading
from functools import partial

import numpy as np
import torch
from scipy import sparse

from .batching import num_samples, slices_only, take
from .validation import _check_not_empty, _check_shape, check_X, data_shapes


class Rows:
    """Rows `index` (a range or an array of row numbers) of `source`, read when a batch asks
    for them; `check` (or None) validates and converts a batch after the iterator's transform.

    >>> view = Rows(np.arange(10.0)[:, None], np.array([7, 2, 5])).subset(slice(1, 3))
    >>> len(view), view.shape, view[:].ravel().tolist()
    (2, (2, 1), [2.0, 5.0])
    """

    def __init__(self, source, index=None, check=None):
        self.source = source
        self.index = range(len(source)) if index is None else index
        self.check = check
        self._bytes_mapped = 0  # read from a file mapping since its pages were last released

    def __len__(self):
        return len(self.index)

    @property
    def shape(self):
        return (len(self),) + tuple(self.source.shape[1:])

    @property
    def nbytes(self):
        row = self.source[0:1]
        size = row.element_size() if isinstance(row, torch.Tensor) else row.dtype.itemsize
        return len(self) * int(np.prod(self.shape[1:])) * size

    def rows(self, positions):
        """The source's row numbers at `positions` (a slice or an index array) of this view:
        a range where they follow each other, else an array."""
        if isinstance(positions, torch.Tensor):
            positions = positions.cpu().numpy()
        if isinstance(positions, slice):
            return self.index[positions]
        if isinstance(self.index, range):
            return self.index.start + self.index.step * np.asarray(positions)
        return self.index[positions]

    def subset(self, positions):
        return Rows(self.source, _as_range(self.rows(positions)), self.check)

    def __getitem__(self, positions):
        rows = self.rows(positions)
        batch = _read(self.source, rows)
        mapping = _mapping(self.source)
        if mapping is not None:
            self._bytes_mapped += batch.nbytes
            if self._bytes_mapped >= RELEASE_EVERY:
                self._bytes_mapped = 0
                mapping.madvise(mmap.MADV_DONTNEED)
        return batch

    @property
    def streamed(self):
        """Whether the rows come from disk or a loader (read ahead in a thread), rather than
        from an array in memory."""
        return self.check is not None or not _in_memory(self.source)


class _Items:
    """A ``torch.utils.data.Dataset`` as rows of its inputs: item ``i`` is ``x`` or
    ``(x, y)``."""

    def __init__(self, dataset):
        self.dataset = dataset
        self.shape = (len(dataset),) + np.shape(self._x(0)) if len(dataset) else (0,)

    def __len__(self):
        return len(self.dataset)

    def _x(self, i):
        item = self.dataset[int(i)]
        x = item[0] if isinstance(item, (tuple, list)) else item
        return x.numpy() if isinstance(x, torch.Tensor) else np.asarray(x)

    def __getitem__(self, rows):
        rows = range(len(self))[rows] if isinstance(rows, slice) else rows
        return np.stack([self._x(i) for i in rows])

    def targets(self):
        """Every item's y, read once (a fit needs them all: classes, split, checks)."""
        def y_of(item):
            if not isinstance(item, (tuple, list)) or len(item) < 2:
                raise ValueError("y is None, and the items of the Dataset X are not (x, y) "
                                 f"pairs (item 0 is a {type(item).__name__}): pass y")
            return item[1].numpy() if isinstance(item[1], torch.Tensor) else item[1]
        return np.asarray([y_of(self.dataset[i]) for i in range(len(self))])


# ------------------------------------------------------------------------- reading rows

def _in_memory(source):
    return isinstance(source, torch.Tensor) or (isinstance(source, np.ndarray)
                                                and not isinstance(source, np.memmap))


def _as_range(rows):
    """Sorted consecutive row numbers as a range (read as a slice), others as they are."""
    if isinstance(rows, range) or len(rows) == 0:
        return rows
    rows = np.asarray(rows)
    if rows[-1] - rows[0] + 1 == len(rows) and np.all(np.diff(rows) == 1):
        return range(int(rows[0]), int(rows[-1]) + 1)
    return rows


def _read(source, rows):
    """Rows `rows` (a range or an array) of `source` as one array or tensor. Sources other
    than arrays are read in increasing row order (h5py requires it), then reordered."""
    if isinstance(rows, range):
        rows = slice(rows.start, rows.stop, rows.step)
    if isinstance(source, torch.Tensor):
        if isinstance(rows, slice):
            return source[rows]
        if source.device.type == "cpu" and not source.requires_grad \
                and source.dtype is not torch.bfloat16:  # NumPy's take: torch's gather is
            return torch.from_numpy(source.numpy().take(rows, 0))  # slow on busy cores
        return source.index_select(0, torch.from_numpy(rows).to(source.device))
    if isinstance(source, np.ndarray):
        if isinstance(source, np.memmap) and not isinstance(rows, slice) and len(rows):
            batch = _file_rows(source, rows)
            if batch is not None:
                return batch
        batch = source[rows]
        return np.array(batch) if isinstance(batch, np.memmap) else batch  # off the file
    if isinstance(rows, slice) or len(rows) == 0:
        return np.asarray(source[rows if isinstance(rows, slice) else slice(0, 0)])
    in_order = len(rows) == 1 or bool((rows[1:] > rows[:-1]).all())  # a split's part, in order
    unique, inverse = (rows, None) if in_order else np.unique(rows, return_inverse=True)
    low, high = int(unique[0]), int(unique[-1]) + 1
    if high - low <= 2 * len(unique):  # nearly consecutive (a split's part): one slice
        block = np.asarray(source[low:high])[unique - low]
    else:
        block = source.oindex[unique] if hasattr(source, "oindex") else source[unique]  # zarr
        block = np.asarray(block)
    return block if in_order else block[inverse]


def _file_rows(source, rows):
    """Rows `rows` (an array) of a memmap read from its file with preadv (increasing, nearly
    consecutive rows, a split's part, in one read; others one read a row), or None when its
    rows are not whole runs of bytes there. Scattered rows read through the mapping would map
    whole page-cache folios (up to 2 MB each) into the process's resident set."""
    base = source
    while isinstance(base.base, np.memmap):
        base = base.base
    if (not isinstance(base.base, mmap.mmap) or not base.filename or source.ndim == 0
            or source.strides[0] <= 0 or not source[:1].flags.c_contiguous
            or not hasattr(os, "preadv")):
        return None
    start = base.offset + (source.ctypes.data - base.ctypes.data)  # row 0's place in the file
    stride, row_bytes = source.strides[0], source[:1].nbytes
    batch = np.empty((len(rows),) + source.shape[1:], source.dtype)
    steps = np.diff(rows)
    if stride == row_bytes and (steps > 0).all() and rows[-1] - rows[0] < 2 * len(rows):
        reads = _span_reads(batch, rows, steps, start + int(rows[0]) * stride, row_bytes)
    else:
        reads = [(start + row * stride, [target]) for target, row in zip(batch, rows.tolist())]
    descriptor = os.open(base.filename, os.O_RDONLY)
    try:
        for offset, buffers in reads:
            length = sum(b.nbytes for b in buffers)
            if os.preadv(descriptor, buffers, offset) != length:
                return None  # the file is shorter than the map says: let NumPy say so
        if len(reads) == 1 and hasattr(os, "posix_fadvise"):  # in order: the next batch's bytes
            with contextlib.suppress(OSError):  # a hint: a file system may not take it
                os.posix_fadvise(descriptor, offset + length, length, os.POSIX_FADV_WILLNEED)
    finally:
        os.close(descriptor)
    return batch


def _span_reads(batch, rows, steps, offset, row_bytes, most=512):
    """Reads of the file's rows ``rows[0]..rows[-1]`` from `offset`, as ``(offset, buffers)``
    with at most `most` buffers each: every run of consecutive rows goes straight to its place
    in `batch`, every gap between runs into a scratch buffer that is read and dropped."""
    starts = (np.flatnonzero(steps != 1) + 1).tolist()  # where each run after the first begins
    gaps = (steps[steps != 1] - 1).tolist()
    scratch = np.empty(max(gaps, default=0) * row_bytes, np.uint8)
    buffers = []
    for run, (begin, end) in enumerate(zip([0] + starts, starts + [len(rows)])):
        if run:
            buffers.append(scratch[:gaps[run - 1] * row_bytes])
        buffers.append(batch[begin:end])
    reads = []
    for first in range(0, len(buffers), most):
        group = buffers[first:first + most]
        reads.append((offset, group))
        offset += sum(buffer.nbytes for buffer in group)
    return reads


RELEASE_EVERY = 4 << 20  # bytes read from a file mapping between two releases of its pages


def _mapping(source):
    """The read-only file mapping under a memmap source, whose pages a streamed fit drops from
    the process's resident memory as it goes (the file stays in the page cache: a later read
    maps it again), so that an epoch's RSS stays a few batches, not the file; else None."""
    mapping = getattr(source, "_mmap", None)
    if mapping is None or getattr(source, "mode", None) != "r" or \
            not hasattr(mapping, "madvise") or not hasattr(mmap, "MADV_DONTNEED"):
        return None
    return mapping


def _mapped(source):
    """An h5py dataset stored whole in a read-only file (h5py's default layout: contiguous, no
    filters) as a memmap of its bytes there, checked on its first row: NumPy reads it without
    holding the GIL (h5py holds it), so reads overlap the training step. Others as they are."""
    if not type(source).__module__.startswith("h5py") or not hasattr(source, "id"):
        return source
    file = source.file
    offset = source.id.get_offset() if source.chunks is None and source.external is None \
        and file.mode == "r" and file.driver == "sec2" and file.userblock_size == 0 else None
    if offset is None or source.dtype.kind not in "biuf" or not len(source):
        return source
    try:
        mapped = np.memmap(file.filename, source.dtype, "r", offset, source.shape)
    except (OSError, ValueError):
        return source
    return mapped if mapped[:1].tobytes() == np.asarray(source[:1]).tobytes() else source


def rows(X, index):
    """Rows `index` (a slice or an index array) of X, as a view where X is a data source or
    an array in memory (no copy: the train / valid split of a fit takes these)."""
    if isinstance(X, dict):
        return {key: rows(value, index) for key, value in X.items()}
    if isinstance(X, Rows):
        return X.subset(index)
    if not isinstance(index, slice):
        index = _as_range(index)
    if isinstance(index, (slice, range)):
        return take(X, slice(index.start, index.stop) if isinstance(index, range) else index)
    return Rows(X, index)


def streamed(X):
    """Whether X (or a value of a dict X) is read batch by batch from disk or a loader."""
    values = X.values() if isinstance(X, dict) else [X]
    return any(isinstance(value, Rows) and value.streamed for value in values)


COPIED_ONCE = 256 << 20  # bytes: a CPU split up to this size is gathered once, not per batch


def resident(X, device, to_device, chunk_bytes=64 << 20):
    """In-memory `X` (arrays, tensors, `Rows` of them, or a dict) on `device` for the fast
    path. A Rows view on the CPU is copied once when it is small (its batches are then slices,
    as a hand-written loop's), else it gathers each batch from a tensor sharing the array's
    memory; elsewhere its rows are moved in chunks of `chunk_bytes`, never all on the host."""
    if isinstance(X, dict):
        return {key: resident(value, device, to_device, chunk_bytes) for key, value in X.items()}
    if not isinstance(X, Rows):
        return to_device(X)
    if torch.device(device).type == "cpu":
        if X.nbytes <= COPIED_ONCE:
            return torch.as_tensor(X[:])
        return Rows(torch.as_tensor(X.source), X.index, X.check)
    first = to_device(X[0:1])
    moved = first.new_empty((len(X),) + tuple(first.shape[1:]))
    chunk = max(1, chunk_bytes // max(1, first.nbytes))
    for start in range(0, len(X), chunk):
        moved[start:start + chunk] = to_device(X[start:start + chunk])
    return moved


# ------------------------------------------------------------------------- what X is

def _is_items(X):
    """File names or other items that are not numbers (a transform makes arrays of them)."""
    if isinstance(X, np.ndarray) and not isinstance(X, np.memmap):
        return X.dtype.kind in "OUS"
    if isinstance(X, (list, tuple)) and len(X):
        return isinstance(X[0], (str, bytes, os.PathLike))
    return False


def _is_source(X):
    """An array-like read per batch: a memmap, an h5py dataset, a zarr array, or any object
    with ``__len__``, ``shape`` and ``__getitem__`` (pandas and sparse matrices excepted)."""
    if isinstance(X, np.memmap):
        return True
    if isinstance(X, (np.ndarray, torch.Tensor, list, tuple, dict)) or sparse.issparse(X) \
            or hasattr(X, "to_numpy"):
        return False
    return all(hasattr(X, name) for name in ("__len__", "shape", "__getitem__"))


def with_targets(X, y):
    """``(X, y)``, with y read from the items of a torch Dataset X when y is None."""
    if y is None and isinstance(X, torch.utils.data.Dataset):
        return X, _Items(X).targets()
    return X, y


def data_shapes_of(X, y, iterator):
    """`data_shapes` of X; for a Dataset or file names, from the first row (as `iterator`'s
    transform returns it, on a copy of the iterator)."""
    if isinstance(X, torch.utils.data.Dataset):
        return data_shapes(_Items(X))
    if not _is_items(X) or slices_only(iterator):
        _refuse_names(X.values() if isinstance(X, dict) else [X], "batch_iterator_train")
        return data_shapes(X)
    first = np.asarray(X[:1])
    Xb, _ = copy.deepcopy(iterator).transform(first, None if y is None else y[:1])
    return data_shapes(Xb)


def prepare_X(X, input_layers, integer_inputs, check_input, iterator, iterator_name):
    """X as the fit or prediction reads it: arrays and tensors in memory checked whole (no
    copy of float32 data), sources as `Rows` checked in structure now and in values per
    batch, after `iterator`'s transform (named `iterator_name` in errors)."""
    transforms = not slices_only(iterator)
    X = {key: _read_if_small(value) for key, value in X.items()} if isinstance(X, dict) \
        else _read_if_small(X)
    values = X.values() if isinstance(X, dict) else [X]
    if not any(isinstance(v, torch.utils.data.Dataset) or _is_source(v)
               or (transforms and _is_items(v)) for v in values):
        if check_input:
            _refuse_names(values, iterator_name)
        return check_X(X, input_layers, integer_inputs) if check_input else X
    names = [layer.name for layer in input_layers]
    if isinstance(X, dict) and sorted(X) != sorted(names) or \
            not isinstance(X, dict) and len(names) != 1:
        check_X(X, input_layers, integer_inputs)  # names what is missing or extra
    check = partial(check_X, input_layers=input_layers, integer_inputs=integer_inputs) \
        if check_input else None
    wrapped = {}
    for layer in input_layers:
        value = X[layer.name] if isinstance(X, dict) else X
        if isinstance(value, torch.utils.data.Dataset):
            value = _Items(value)
        elif isinstance(value, (list, tuple)):
            value = np.asarray(value)
        label = f"X[{layer.name!r}]" if isinstance(X, dict) else "X"
        _check_length(value, label)
        if check_input:
            _check_structure(value, layer, label, transforms)
        wrapped[layer.name] = Rows(_mapped(value), check=check)
    lengths = {key: len(value) for key, value in wrapped.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"the arrays of X have different lengths: {lengths}")
    return wrapped if isinstance(X, dict) else wrapped[names[0]]


def _read_if_small(X):
    """A source of numbers of at most `COPIED_ONCE` bytes (such as the memmap joblib hands a
    sweep's worker) read whole into memory: it then takes the in-memory path. Others as
    they are."""
    nbytes = getattr(X, "nbytes", None)
    if not _is_source(X) or not isinstance(nbytes, numbers.Integral) or nbytes > COPIED_ONCE \
            or np.dtype(getattr(X, "dtype", object)).kind not in "biuf":
        return X
    return np.array(X[:])


def _refuse_names(values, iterator_name):
    """File names need a transform that loads them: say so, naming the iterator."""
    names = [v for v in values if _is_items(v) and _holds_names(v)]
    if names:
        raise TypeError(
            f"X must hold numbers, got an array of dtype {np.asarray(names[0][:1]).dtype}: "
            f"to stream file names (or other items) from disk, give {iterator_name} a "
            "transform that loads them (a BatchIterator subclass whose transform(Xb, yb) "
            "returns Xb as numbers, e.g. np.stack([np.load(name) for name in Xb])); it "
            "has none")


def _holds_names(X):
    """Whether items X are file names (or other strings)."""
    if isinstance(X, np.ndarray):
        return X.dtype.kind in "US" or (X.size > 0 and isinstance(X.flat[0], (str, os.PathLike)))
    return isinstance(X[0], (str, bytes, os.PathLike))


def _check_length(source, label):
    """A source must know its number of rows before the split; a dask array after a boolean
    mask does not (its shape reads ``(nan, ...)``)."""
    shape = tuple(getattr(source, "shape", ()))
    if shape and (shape[0] is None or isinstance(shape[0], float) and math.isnan(shape[0])):
        raise ValueError(
            f"{label} has an unknown number of rows (shape {shape}): for a dask array with "
            f"unknown chunk sizes, call {label}.compute_chunk_sizes() first")


def _check_structure(source, layer, label, transforms):
    """What a source shows without reading its values: not empty, numbers of the
    InputLayer's shape (items only with a transform, whose output is checked per batch)."""
    shape = tuple(getattr(source, "shape", (len(source),)))
    _check_not_empty(shape, label)
    if _is_items(source):
        return  # the transform makes the rows: checked per batch
    dtype = getattr(source, "dtype", None)
    kind = getattr(dtype, "kind", "f")
    if kind not in "biuf":
        raise TypeError(f"{label} must hold numbers, got a {type(source).__name__} of dtype "
                        f"{dtype}")
    if not transforms:
        _check_shape(shape, layer, label)


# ----------------------------------------------------------------------- batches

def batches(iterator):
    """The batches of a bound `iterator`. In-memory data with a plain iterator: as they come.
    Otherwise each batch is checked (where its data asks for it) after the transform, errors
    name the batch and its rows, and the next batches are read ahead: by the kernel for a
    memmap with a plain iterator, else in a thread."""
    if not hasattr(iterator, "X"):  # batches already (sknet.ddp's shard of them)
        return iterator
    X, plain = iterator.X, slices_only(iterator)
    if plain and not streamed(X):
        return iterator
    values = list(X.values()) if isinstance(X, dict) else [X]
    check = values[0].check if isinstance(values[0], Rows) else None
    named = _named(iterator, check)
    if plain and all(_file_backed(value) for value in values):
        return named  # the kernel reads ahead (see _file_rows): a thread would only contend
    return _read_ahead(named)


def _file_backed(X):
    """Whether X's rows are read from a file with preadv, which the kernel reads ahead."""
    return isinstance(X, Rows) and isinstance(X.source, np.memmap)


def _named(iterator, check):
    """`iterator`'s batches, checked by `check`, errors re-raised naming the batch."""
    batches = iter(iterator)
    number = 0
    while True:
        number += 1
        try:
            Xb, yb = next(batches)
        except StopIteration:
            return
        except Exception as error:
            raise _in_batch(error, f"reading batch {number} ({_rows_text(iterator, number)}) "
                                   f"failed: {type(error).__name__}: {error}") from error
        if check is not None:
            try:
                Xb = check(Xb)
            except (TypeError, ValueError) as error:
                raise _in_batch(error, f"batch {number} ({_rows_text(iterator, number)}) after "
                                       f"the transform: {error}") from error
        yield Xb, yb


def _in_batch(error, message):
    """`error` again, with `message`, as its own type where that type takes a message."""
    try:
        return type(error)(message)
    except Exception:
        return RuntimeError(message)


def _rows_text(iterator, number):
    """Which rows of X batch `number` holds, in words."""
    size = getattr(iterator, "batch_size", None)
    if size is None:  # an iterator of another kind: its batches only
        return "rows unknown"
    start, stop = (number - 1) * size, min(number * size, iterator.n_samples)
    if getattr(iterator, "shuffle", False):
        return f"positions {start}-{stop - 1} of the epoch's shuffled order"
    X = iterator.X
    X = next(iter(X.values())) if isinstance(X, dict) else X
    found = X.rows(slice(start, stop)) if isinstance(X, Rows) else range(start, stop)
    if isinstance(found, range) or len(found) == 0:
        return f"rows {found[0]}-{found[-1]} of X" if len(found) else "no rows"
    listed = ", ".join(str(row) for row in found[:4])
    return f"rows {listed}{', ...' if len(found) > 4 else ''} of X"


_END = object()


def _read_ahead(batches, depth=2):
    """Iterate `batches` in a background thread, up to `depth` batches ahead of the caller.
    An exception there is raised here; the thread ends when the caller stops (early stop,
    error, Ctrl-C: when this generator is closed)."""
    ready = queue.Queue(depth)
    stop = threading.Event()

    def put(item):
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    def produce():
        try:
            for batch in batches:
                if not put(batch):
                    return
            put(_END)
        except BaseException as error:  # noqa: B036 - handed to the caller
            put(error)

    thread = threading.Thread(target=produce, name="sknet-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = ready.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


# ------------------------------------------------------------------------- after a fit

class RowCount:
    """Stands for the data an iterator was bound to once the fit or prediction is over: the
    count of rows only, so ``len(iterator)`` still counts its batches (nolearn code reads
    it) while the data itself is freed."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        raise RuntimeError("this iterator's data was released after fit / predict: bind it "
                           "again with iterator(X, y)")


def release(iterator):
    """Let the net's configured `iterator` drop the data it was last bound to."""
    data = iterator.__dict__.get("X")
    if data is not None and not isinstance(data, RowCount):
        iterator.__dict__.update(X=RowCount(num_samples(data)), y=None)
