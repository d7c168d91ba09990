"""docs/porting.md's tables say what the shim serves: every name a row calls "same" or
"emulated" is there under the shim and is not a stand-in; every name a "not supported" row lists
fails when used, pointing at the guide."""
import importlib
import inspect
import re
from pathlib import Path

import numpy as np
import pytest

from sknet.legacy.renames import LegacyFeatureError

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "porting.md"
# The module a section's bare names belong to.
SECTIONS = {"nolearn.lasagne": "nolearn.lasagne", "lasagne.layers": "lasagne.layers",
            "Other Lasagne modules": "lasagne", "theano (under the shim)": "theano"}
ALIASES = {"T": "theano.tensor"}
# Backticked words in the name column that are not names: arguments, placeholders, layouts.
NOT_NAMES = {"b", "w", "i", "l", "f", "d", "scalar", "Nope"}
# Rows whose names are methods of objects, not module attributes; exercised where named.
ELSEWHERE = {
    "tensors' `get_value()` / `set_value(array)`": "test_shim.py (tensor get_value/set_value)",
    "a name `nolearn.lasagne` (or any emulated module) lacks": "test_nolearn_ports.py",
}


def table_rows():
    """(section, name column, status column) for every table row of the guide."""
    section, rows = None, []
    for line in GUIDE.read_text().splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif line.startswith("| ") and section in SECTIONS:
            name, status = (cell.strip() for cell in line.strip("|").split(" | ", 1))
            if name not in ("name", "---"):
                rows.append((section, name, status.strip(" |")))
    return rows


def names_in(section, cell):
    """``(dotted name, owner)`` for the names a row's first column lists, made absolute: a
    module named in the row (``lasagne.objectives``) is where the bare names after it live, and
    names in parentheses after a name (``BatchIterator`` (``transform``, ``self.test``)) are its
    attributes or arguments (owner: that name)."""
    base = module = SECTIONS[section]
    names, owner, depth = [], None, 0
    for token in re.findall(r"`[^`]+`|[()]", cell):
        if token in "()":
            depth += 1 if token == "(" else -1
            owner = owner if depth else None
            continue
        token = re.split(r"[(=\[ ]", token.strip("`"), maxsplit=1)[0]
        if not re.fullmatch(r"[A-Za-z_][\w.]*", token) or token in NOT_NAMES:
            continue
        if depth and owner:
            names.append((token.removeprefix("self."), owner))
            continue
        head = token.split(".")[0]
        if head in ALIASES:
            token = ALIASES[head] + token[len(head):]
        elif head in ("lasagne", "theano", "nolearn"):
            module = token if _is_module(token) else token.rsplit(".", 1)[0]
        elif "." in token:  # relative to the section's module: `dnn.Conv2DDNNLayer`
            token = f"{base}.{token}"
            module = token.rsplit(".", 1)[0]
        else:
            token = f"{module}.{token}"
        names.append((token, None))
        owner = token
    return names


def _is_module(name):
    try:
        importlib.import_module(name)
        return True
    except ImportError:
        return False


def resolve(name, extra_owners=()):
    """The object a dotted name reaches (a module, then attributes), or a fitted net's
    attribute / NeuralNet's constructor argument for nolearn's names."""
    parts, failure = name.split("."), AttributeError(name)
    for cut in range(len(parts), 0, -1):
        if _is_module(".".join(parts[:cut])):
            value = importlib.import_module(".".join(parts[:cut]))
            try:
                for part in parts[cut:]:
                    value = getattr(value, part)
                return value
            except AttributeError as error:
                failure = error
                break
    for owner in extra_owners:
        if hasattr(owner, parts[-1]):
            return getattr(owner, parts[-1])
    raise failure


def has_member(owner, name):
    """`name` is an attribute or an argument of `owner` (a class, function or object)."""
    if hasattr(owner, name):
        return
    if callable(owner) and name in inspect.signature(owner).parameters:
        return
    raise AttributeError(f"{owner!r} has no attribute or argument {name!r}")


def is_stand_in(value):
    return (getattr(value, "__doc__", None) or "").startswith("Not supported by sknet")


@pytest.fixture
def fitted_nolearn_net(shim):
    """A fitted nolearn.lasagne.NeuralNet: the names of nolearn's rows that are methods and
    fitted attributes are looked up on it."""
    import lasagne
    from nolearn.lasagne import NeuralNet
    net = NeuralNet(layers=[("input", lasagne.layers.InputLayer),
                            ("output", lasagne.layers.DenseLayer)],
                    input_shape=(None, 3), output_num_units=2,
                    output_nonlinearity=lasagne.nonlinearities.softmax,
                    update_learning_rate=0.1, max_epochs=1)
    X = np.random.RandomState(0).rand(20, 3).astype(np.float32)
    return net.fit(X, np.arange(20) % 2)


def test_every_name_the_guide_calls_served_is_served(fitted_nolearn_net):
    from nolearn.lasagne import NeuralNet
    constructor = type("Arguments", (), dict.fromkeys(inspect.signature(NeuralNet).parameters))
    owners = (fitted_nolearn_net, constructor)
    checked, missing = 0, []
    for section, cell, status in table_rows():
        if cell in ELSEWHERE or not status.startswith(("same", "emulated")):
            continue
        for name, owner in names_in(section, cell):
            try:
                if owner:
                    has_member(resolve(owner, owners), name)
                else:
                    value = resolve(name, owners)
                    assert not is_stand_in(value), f"{name} is a stand-in"
            except (AttributeError, ImportError, AssertionError) as error:
                missing.append(f"{name} ({owner or section}): {error}")
            checked += 1
    assert not missing, missing
    assert checked >= 280  # the parser found the tables' names


def test_every_name_the_guide_calls_unsupported_fails_naming_the_guide(shim):
    checked = 0
    for section, cell, status in table_rows():
        if not status.startswith("not supported") or section == "nolearn.lasagne":
            continue
        for name, _ in names_in(section, cell):
            try:
                value = resolve(name)
            except AttributeError as error:
                assert "porting.md" in str(error), name
            else:
                with pytest.raises(LegacyFeatureError, match="porting.md"):
                    value()
            checked += 1
    assert checked >= 15


def test_nolearn_rows_that_are_not_supported_are_absent(shim):
    import nolearn.lasagne
    for name in ("util", "dbn", "decaf", "overfeat", "inischema"):
        with pytest.raises(AttributeError, match="porting.md"):
            getattr(nolearn.lasagne if name == "util" else importlib.import_module("nolearn"),
                    name)
