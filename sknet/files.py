"""Writing files so that a crash, a full disk or Ctrl-C never leaves a half-written one: the
data goes to a temporary file in the same folder, is flushed to the disk, and only then takes
the target's name (``os.replace``, atomic on POSIX and Windows). Until that moment the previous
file, if any, is untouched.

>>> import tempfile
>>> path = os.path.join(tempfile.mkdtemp(), 'numbers.txt')
>>> with atomic_write(path, 'w') as f:
...     _ = f.write('1 2 3')
>>> open(path).read()
'1 2 3'
"""
import os
import secrets
from contextlib import contextmanager


class InterruptedWrite(KeyboardInterrupt):
    """Ctrl-C arrived while a file was being written: the write was abandoned and the file
    keeps its previous content. `fit` lets this one through, so that the lost save is seen."""


@contextmanager
def atomic_write(path, mode="wb"):
    """Open a temporary file next to `path` for writing (`mode` 'wb' or 'w'); when the block
    ends without an error, sync it to the disk and move it onto `path`.

    On any error, Ctrl-C included, the temporary file is removed, `path` is left as it was,
    and the error is raised again naming `path` (an OSError keeps its type and errno; Ctrl-C
    becomes `InterruptedWrite`).
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_write: mode must be 'wb' or 'w', got {mode!r}")
    path = os.fspath(path)
    folder, name = os.path.split(os.path.abspath(path))
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
    try:
        # os.open with 0o666 applies the umask, so the file gets the permissions open() gives
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                             | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as error:
        raise type(error)(error.errno, f"cannot write {path}: {error.strerror}") from error
    try:
        with open(descriptor, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        _remove(temporary)
        kept = ("the previous file is left as it was" if os.path.exists(path)
                else "nothing was written")
        if isinstance(error, KeyboardInterrupt):
            raise InterruptedWrite(f"Ctrl-C while writing {path}: the write was abandoned; "
                                   f"{kept}") from error
        if isinstance(error, OSError):
            message = f"cannot write {path}: {error.strerror or error}; {kept}"
            raise (type(error)(message) if error.errno is None
                   else type(error)(error.errno, message)) from error
        error.add_note(f"(while writing {path}; {kept})")
        raise
    _sync_folder(folder)


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass


def _sync_folder(folder):
    """Make the rename itself durable (POSIX); folders cannot be opened on Windows."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
