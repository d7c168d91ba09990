"""``python -m sknet.legacy [--shadow] [--no-convert] script.py [args...]``: run an old nolearn /
Lasagne script with the legacy shim installed; Python 2 source (the script's and that of the
modules in its folder) is converted to Python 3 in memory unless ``--no-convert``."""
import importlib.machinery
import importlib.util
import os
import runpy
import sys

from .convert import ConvertingLoader, ScriptFolderFinder, python2_hint
from .shim import install

USAGE = "usage: python -m sknet.legacy [--shadow] [--no-convert] script.py [args...]"
FLAGS = ("--shadow", "--no-convert")


def main(argv):
    flags = set()
    while argv and argv[0] in FLAGS:
        flags.add(argv[0])
        argv = argv[1:]
    if not argv or argv[0].startswith("-"):
        print(USAGE, file=sys.stderr)
        return 2
    script = argv[0]
    if not os.path.isfile(script):
        print(f"sknet.legacy: no such script: {script}", file=sys.stderr)
        return 2
    install(shadow="--shadow" in flags)
    sys.argv = list(argv)
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    try:
        if "--no-convert" in flags:
            runpy.run_path(script, run_name="__main__")
        else:
            run_converting(os.path.abspath(script))
    except Exception as error:
        note = python2_hint(error)
        if note:
            error.add_note(note)
        raise
    return 0


def run_converting(path):
    """Run `path` as ``__main__``, it and the modules of its folder converted in memory when
    they are Python 2."""
    folder = os.path.dirname(path)
    path_finder = sys.meta_path.index(importlib.machinery.PathFinder)
    sys.meta_path.insert(path_finder, ScriptFolderFinder(folder))
    loader = ConvertingLoader("__main__", path)
    module = importlib.util.module_from_spec(
        importlib.util.spec_from_file_location("__main__", path, loader=loader))
    sys.modules["__main__"] = module
    loader.exec_module(module)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
