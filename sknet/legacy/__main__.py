"""``python -m sknet.legacy [--shadow] script.py [args...]``: run an old nolearn / Lasagne
script with the legacy shim installed."""
import os
import runpy
import sys

from .shim import install

USAGE = "usage: python -m sknet.legacy [--shadow] script.py [args...]"


def main(argv):
    shadow = bool(argv) and argv[0] == "--shadow"
    argv = argv[1:] if shadow else argv
    if not argv or argv[0].startswith("-"):
        print(USAGE, file=sys.stderr)
        return 2
    script = argv[0]
    if not os.path.isfile(script):
        print(f"sknet.legacy: no such script: {script}", file=sys.stderr)
        return 2
    install(shadow=shadow)
    sys.argv = list(argv)
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
