"""RESULTS.md holds one section per benchmark script; each script replaces only its own."""
from sknet.files import atomic_write


def replace_section(path, heading, text):
    """Write `text` (which starts with `heading`) into `path` in place of the section that
    starts with `heading` (at the end when there is none), keeping every other section; the
    file is replaced atomically."""
    old = path.read_text() if path.exists() else ""
    before, found, rest = old.partition("\n" + heading + "\n")
    after = rest[rest.find("\n## ") + 1:] if found and "\n## " in rest else ""
    parts = [before.rstrip("\n"), text.rstrip("\n"), after.rstrip("\n")]
    with atomic_write(path, "w") as f:
        f.write("\n\n".join(part for part in parts if part) + "\n")
