"""Python 2 scripts under the legacy shim: converted in memory (fissix) when they are Python 2,
with the user's line numbers and Python 2's ``/``; ``cPickle`` served so that Python 2 pickles
load; nothing written to disk; errors that Python 2 habits cause in unconverted files name
the habit and the porting guide's section."""
import io
import json
import pickle
import subprocess
import sys
import traceback
import warnings

import numpy as np
import pytest

from sknet import legacy
from sknet.legacy import LegacyNameWarning, renames
from sknet.legacy.__main__ import main
from sknet.legacy.convert import (RUNTIME_NAMES, ScriptFolderFinder, compile_source,
                                  python2_hint, python2_reason, to_python3)

from . import py2pickle
from .test_scripts import SCRIPTS

GUIDE = "docs/porting.md, section 'Python 2 scripts'"


def run_python2(source, filename="old.py"):
    """The globals after running `source` as the shim runs a file (converted if Python 2)."""
    code, converted = compile_source(source, filename)
    namespace = dict(RUNTIME_NAMES) if converted else {}
    exec(code, namespace)
    return namespace


def run_legacy(*args):
    return subprocess.run([sys.executable, "-m", "sknet.legacy", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def test_python2_is_told_by_syntax_or_by_python2_only_names():
    assert python2_reason("print 'hello'\n") == "it does not compile as Python 3"
    assert python2_reason("for i in xrange(3):\n    pass\n") == "it uses xrange"
    assert python2_reason("from itertools import izip\nd = {}\nd.iteritems()\n") == (
        "it uses .iteritems(), itertools.izip")
    # Python 3 code: compatibility fallbacks that define the old name are not Python 2
    assert python2_reason("try:\n    xrange\nexcept NameError:\n    xrange = range\n") is None
    assert python2_reason("import pickle\nprint(list(map(str, range(3))))\n") is None
    assert python2_reason("def scale(x, unicode=False):\n    return x if unicode else 2 * x\n"
                          "class Net:\n    pass\n") is None  # a parameter named like one
    assert python2_reason("def label(x):\n    return unicode(x)\n") == "it uses unicode"


def test_converted_code_points_tracebacks_at_the_users_lines(tmp_path):
    source = ('"""An old script."""\n'                     # 1
              "import numpy as np\n"                      # 2  fissix adds an import here
              "total = reduce(lambda a, b: a + b, [1, 2, 3])\n"
              "print 'total', total\n"                    # 4
              "for i in xrange(2):\n"                     # 5
              "    print i,\n"                            # 6
              'raise ValueError, "stop at line 7"\n')     # 7
    path = tmp_path / "old.py"
    path.write_text(source)
    with pytest.raises(ValueError, match="stop at line 7") as raised:
        run_python2(source, str(path))
    frame = traceback.extract_tb(raised.value.__traceback__)[-1]
    assert (frame.filename, frame.lineno) == (str(path), 7)
    assert frame.line == 'raise ValueError, "stop at line 7"'  # the user's text, unconverted
    assert "from functools import reduce" in to_python3(source)


def test_division_keeps_python2_semantics_in_converted_files():
    names = run_python2(
        "import numpy as np\n"
        "print 'Python 2'\n"
        "ints, floored, mixed = 7 / 2, -7 / 2, 7 / 2.0\n"
        "array_ints, array_floats = np.arange(5) / 2, np.arange(5.0) / 2\n"
        "n = 9\n"
        "n /= 2\n"
        "a = np.arange(4)\n"
        "alias = a\n"
        "a /= 2\n"
        "sample = np.random.choice(10, 10 / 2, replace=False)\n")
    assert (names["ints"], names["floored"], names["mixed"]) == (3, -4, 3.5)
    assert names["array_ints"].tolist() == [0, 0, 1, 1, 2]
    assert names["array_ints"].dtype.kind == "i"
    assert names["array_floats"].tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert names["n"] == 4 and isinstance(names["n"], int)
    assert names["alias"] is names["a"] and names["a"].tolist() == [0, 0, 1, 1]  # in place
    assert len(names["sample"]) == 5
    future = run_python2("from __future__ import division\nprint 'x'\nhalf = 7 / 2\n")
    assert future["half"] == 3.5


def test_print_function_scripts_using_python2_names_are_converted_too():
    names = run_python2("from __future__ import print_function\n"
                        "squares = [i * i for i in xrange(4)]\n"
                        "first_key, first_text = {1: 2}.keys()[0], map(str, squares)[1]\n"
                        "print('half', 7 / 2, end='')\n"
                        "half = 7 / 2\n")
    assert names["squares"] == [0, 1, 4, 9]
    assert (names["first_key"], names["first_text"], names["half"]) == (1, "1", 3)


def test_converter_leaves_cpickle_to_the_shim_and_renames_other_modules():
    converted = to_python3("import cPickle, StringIO\n"
                           "data = cPickle.loads(StringIO.StringIO('x').read())\n")
    assert "cPickle.loads(" in converted and "io.StringIO('x')" in converted


def test_cpickle_loads_python2_pickles_and_warns_once(shim):
    python2_file = py2pickle.dumps([np.arange(3.0), np.eye(2, dtype=np.float32)])
    with pytest.raises(UnicodeDecodeError):
        pickle.loads(python2_file)  # why the shim serves cPickle
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import cPickle
        values = cPickle.loads(python2_file)
        buffer = io.BytesIO()
        cPickle.dump({"w": values[1]}, buffer, -1)
        buffer.seek(0)
        again = cPickle.load(buffer)
    np.testing.assert_array_equal(values[0], [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(again["w"], np.eye(2))
    assert [str(w.message) for w in caught] == [
        "cPickle is an old name: sknet runs it as pickle (Python 2 pickles load with "
        "encoding='latin1')"]
    assert caught[0].filename == __file__


def test_missing_converter_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "fissix", None)
    with pytest.raises(ImportError, match=r'old.py is Python 2 source; converting it needs '
                                          r'fissix: pip install "sknet\[py2\]"'):
        compile_source("print 'x'\n", "old.py")
    assert compile_source("print('x')\n", "new.py")[1] is False  # Python 3 needs no fissix


def test_source_neither_python_reads_reports_the_python3_syntax_error():
    with pytest.raises(SyntaxError) as raised:
        compile_source("x = 1\ndef broken(:\n", "bad.py")
    assert (raised.value.filename, raised.value.lineno) == ("bad.py", 2)


@pytest.mark.parametrize("statement, feature", [
    ("map(str, [1, 2])[0]", "map() returned a list in Python 2"),
    ("len(filter(None, [1]))", "filter() returned a list in Python 2"),
    ("{1: 2}.keys()[0]", "dict.keys() returned a list in Python 2"),
    ("np.random.choice(10, 10 / 2)", "`/` floored integers in Python 2"),
    ("np.zeros(10 / 4)", "`/` floored integers in Python 2"),
    ("xrange(3)", "xrange is a Python 2 builtin"),
])
def test_python2_habits_in_unconverted_files_get_a_note(statement, feature):
    with pytest.raises((TypeError, NameError)) as raised:
        exec(statement, {"np": np})
    hint = python2_hint(raised.value)
    assert hint.startswith(f"sknet.legacy: {feature}") and hint.endswith(GUIDE)
    assert python2_hint(ValueError("unrelated")) is None


def test_folder_finder_converts_the_scripts_own_packages_only(tmp_path, monkeypatch):
    (tmp_path / "oldpkg").mkdir()
    (tmp_path / "oldpkg" / "__init__.py").write_text("")
    (tmp_path / "oldpkg" / "sizes.py").write_text("def half(n):\n    return n / 2\n"
                                                  "print 'loaded'\n")
    finder = ScriptFolderFinder(str(tmp_path))
    monkeypatch.setattr(sys, "meta_path", [finder, *sys.meta_path])
    try:
        with pytest.warns(LegacyNameWarning, match=r"sizes.py is Python 2"):
            from oldpkg import sizes
        assert sizes.half(9) == 4
    finally:
        for name in ("oldpkg", "oldpkg.sizes"):
            sys.modules.pop(name, None)
    # packages found elsewhere, or in a virtual environment inside the folder, are not its own
    venv_package = tmp_path / "venv" / "lib" / "site-packages" / "numpy"
    venv_package.mkdir(parents=True)
    (venv_package / "extra.py").write_text("print 'not ours'\n")
    assert finder.find_spec("numpy.extra", [str(venv_package)]) is None
    assert finder.find_spec("json.decoder", json.__path__) is None


def test_python2_pickle_loads_from_a_text_mode_file(shim, tmp_path):
    # Recipes' VGG notebooks: pickle.load(open('vgg16.pkl')); Python 2's open read bytes
    path = tmp_path / "vgg16.pkl"
    path.write_bytes(pickle.dumps({"param values": [np.arange(3.0), "caf\xe9"]}, 2))
    with pytest.warns(LegacyNameWarning):
        namespace = run_python2(f"import pickle\nfrom pickle import load as read\n"
                                f"values = pickle.load(open({str(path)!r}))['param values']\n"
                                f"again = read(open({str(path)!r}))\n"
                                "protocol = pickle.HIGHEST_PROTOCOL\nprint values\n")
    np.testing.assert_array_equal(namespace["values"][0], [0.0, 1.0, 2.0])
    assert namespace["values"][1] == "caf\xe9"
    assert namespace["again"]["param values"][1] == "caf\xe9"
    assert namespace["protocol"] == pickle.HIGHEST_PROTOCOL
    # a Python 3 file keeps Python 3's pickle: text mode fails there as it does without sknet
    with pytest.raises(UnicodeDecodeError):
        run_python2(f"import pickle\npickle.load(open({str(path)!r}))\n")


def test_python2_script_and_its_module_run_converted_in_memory(tmp_path):
    folder, out = tmp_path / "scripts", tmp_path / "out"
    folder.mkdir(), out.mkdir()
    for name in ("py2_digits.py", "py2_digits_data.py"):
        (folder / name).write_text((SCRIPTS / name).read_text())
    result = run_legacy(folder / "py2_digits.py", out)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[:6] == ["data: (160, 16) (160,)", "half: 80 int", "class 0 count 80",
                         "class 1 count 80", "first label: 0", lines[5]]
    assert float(lines[5].split(":")[1]) > 0.9  # chance is 0.5
    assert lines[6:] == ["same after unpickling: True", "row 0 mean 0.4", "row 1 mean 0.5",
                         "caught: the old raise"]
    for name in ("py2_digits.py", "py2_digits_data.py"):
        assert result.stderr.count(f"{folder / name} is Python 2 (it does not compile as "
                                   "Python 3): sknet.legacy converted it") == 1
    assert result.stderr.count("LegacyNameWarning: cPickle is an old name") == 1
    # in memory only: no converted file, no bytecode cache
    assert sorted(p.name for p in folder.iterdir()) == ["py2_digits.py", "py2_digits_data.py"]


@pytest.fixture
def runner_state(monkeypatch):
    """What ``python -m sknet.legacy``'s `main` changes in the process, restored afterwards."""
    for name in ("argv", "path", "meta_path"):
        monkeypatch.setattr(sys, name, list(getattr(sys, name)))
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    renames._warned.clear()
    yield
    legacy.uninstall()


def test_no_convert_runs_files_as_they_are(runner_state):
    with pytest.raises(SyntaxError, match=r"Missing parentheses in call to 'print'") as raised:
        main(["--shadow", "--no-convert", str(SCRIPTS / "py2_digits.py")])
    assert raised.value.lineno == 21 and legacy.installed()  # its first print statement


def test_python2_habit_in_a_python3_file_fails_at_its_line_with_a_note(runner_state,
                                                                         tmp_path):
    script = tmp_path / "halves.py"
    script.write_text("import numpy as np\n\nn = 10\nsample = np.random.choice(n, n / 2)\n")
    with pytest.raises(TypeError) as raised:
        main([str(script)])
    lines = [frame.lineno for frame in traceback.extract_tb(raised.value.__traceback__)
             if frame.filename == str(script)]
    assert lines == [4]
    [note] = raised.value.__notes__
    assert note.startswith("sknet.legacy: `/` floored integers in Python 2") and GUIDE in note


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
