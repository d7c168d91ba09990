"""Pickles as Python 2's cPickle wrote them with protocol 2, for the parameter files of
Theano-era code: ``str`` keys and NumPy's raw data are byte strings (SHORT_BINSTRING /
BINSTRING opcodes), NumPy's functions live in ``numpy.core``, and an OrderedDict is rebuilt
from a list of ``[key, value]`` pairs. Written opcode by opcode, independently of Python 3's
pickler."""
import struct
from collections import OrderedDict

import numpy as np

PROTO_2, STOP, MARK, TUPLE, TUPLE1, TUPLE2, TUPLE3 = b"\x80\x02", b".", b"(", b"t", b"\x85", \
    b"\x86", b"\x87"
EMPTY_LIST, APPENDS, REDUCE, BUILD, NONE, NEWFALSE = b"]", b"e", b"R", b"b", b"N", b"\x89"


def dumps(obj):
    return PROTO_2 + _value(obj) + STOP


def _global(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _bytes(data):
    if len(data) < 256:
        return b"U" + bytes([len(data)]) + data
    return b"T" + struct.pack("<i", len(data)) + data


def _int(i):
    return b"K" + bytes([i]) if 0 <= i < 256 else b"J" + struct.pack("<i", i)


def _tuple(parts):
    small = {1: TUPLE1, 2: TUPLE2, 3: TUPLE3}
    if len(parts) in small:
        return b"".join(parts) + small[len(parts)]
    return MARK + b"".join(parts) + TUPLE


def _list(items):
    return EMPTY_LIST + MARK + b"".join(_value(item) for item in items) + APPENDS


def _dtype(dtype):
    state = _tuple([_int(3), _bytes(dtype.byteorder.replace("=", "<").encode()), NONE, NONE,
                    NONE, _int(-1), _int(-1), _int(0)])
    return (_global("numpy", "dtype") + _tuple([_bytes(dtype.str[1:].encode()), _int(0),
                                                _int(1)])
            + REDUCE + state + BUILD)


def _array(array):
    array = np.ascontiguousarray(array)
    header = (_global("numpy.core.multiarray", "_reconstruct") + _tuple([
        _global("numpy", "ndarray"), _tuple([_int(0)]), _bytes(b"b")]) + REDUCE)
    state = _tuple([_int(1), _tuple([_int(d) for d in array.shape]), _dtype(array.dtype),
                    NEWFALSE, _bytes(array.tobytes())])
    return header + state + BUILD


def _value(obj):
    if isinstance(obj, OrderedDict):
        pairs = [[key, value] for key, value in obj.items()]
        return _global("collections", "OrderedDict") + _tuple([_list(pairs)]) + REDUCE
    if isinstance(obj, list):
        return _list(obj)
    if isinstance(obj, str):
        return _bytes(obj.encode("ascii"))
    if isinstance(obj, np.ndarray):
        return _array(obj)
    raise TypeError(f"cannot write {type(obj).__name__}")
