"""Python 2 source under the legacy shim: converted to Python 3 in memory (fissix, the maintained
lib2to3), with Python 2's ``/`` kept, line numbers kept, and nothing written to disk."""
import ast
import difflib
import functools
import importlib.abc
import importlib.machinery
import importlib.util
import numbers
import operator
import re
import warnings

import numpy as np

from ..params import PORTING_GUIDE
from .renames import LegacyNameWarning

GUIDE_SECTION = f"{PORTING_GUIDE}, section 'Python 2 scripts'"

# Names a file can only mean as Python 2; a file that compiles as Python 3 but uses one of them
# is converted too (those scripts did ``from __future__ import print_function`` and nothing else).
PYTHON2_BUILTINS = frozenset({
    "xrange", "unicode", "basestring", "long", "unichr", "raw_input", "execfile", "reduce",
    "cmp", "apply", "intern", "buffer", "file"})
PYTHON2_METHODS = frozenset({"iteritems", "iterkeys", "itervalues", "has_key"})
PYTHON2_MODULES = frozenset({
    "cStringIO", "StringIO", "urllib2", "urlparse", "ConfigParser", "Queue", "__builtin__",
    "httplib", "HTMLParser", "Tkinter", "commands", "cookielib", "copy_reg"})
PYTHON2_ITERTOOLS = frozenset({"izip", "imap", "ifilter", "ifilterfalse", "izip_longest"})

_DIVISION, _IN_PLACE_DIVISION = "__py2_division__", "__py2_in_place_division__"
_FUTURE_DIVISION = re.compile(r"^from\s+__future__\s+import\s+[^#\n]*\bdivision\b", re.M)


def python2_reason(source, filename="<source>"):
    """Why `source` is Python 2 (a phrase), or None when it is Python 3."""
    try:
        tree = ast.parse(source, filename)
    except SyntaxError:
        return "it does not compile as Python 3"
    used = sorted(_python2_names(tree))
    return f"it uses {', '.join(used)}" if used else None


def _python2_names(tree):
    assigned = {node.id for node in ast.walk(tree)
                if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)}
    assigned |= {node.name for node in ast.walk(tree)
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    assigned |= {node.arg for node in ast.walk(tree) if isinstance(node, ast.arg)}
    assigned |= {(alias.asname or alias.name).partition(".")[0] for node in ast.walk(tree)
                 if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in PYTHON2_BUILTINS - assigned:
            found.add(node.id)
        elif isinstance(node, ast.Attribute) and node.attr in PYTHON2_METHODS:
            found.add(f".{node.attr}()")
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in PYTHON2_MODULES}
        elif isinstance(node, ast.ImportFrom) and node.module in PYTHON2_MODULES:
            found.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.module == "itertools":
            found |= {f"itertools.{alias.name}" for alias in node.names
                      if alias.name in PYTHON2_ITERTOOLS}
    return found


def to_python3(source, filename="<source>"):
    """`source` (Python 2) rewritten by fissix's default fixers, ``cPickle`` left for the shim
    to serve. Raises ImportError naming the ``py2`` extra when fissix is missing."""
    try:
        import fissix  # noqa: F401
    except ImportError:
        raise ImportError(f"{filename} is Python 2 source; converting it needs fissix: "
                          'pip install "sknet[py2]" (or port it by hand, see '
                          f"{GUIDE_SECTION})") from None
    from fissix.pgen2.parse import ParseError
    from fissix.pgen2.tokenize import TokenError
    text = source if source.endswith("\n") else source + "\n"
    try:
        return str(_python2_refactoring().refactor_string(text, filename))
    except (ParseError, TokenError) as error:
        raise SyntaxError(f"{filename} is neither Python 3 nor Python 2: {error}") from None


@functools.cache
def _python2_refactoring():
    """fissix's default fixers, except that ``cPickle`` is kept (the shim serves it so that
    Python 2 pickles still load) and ``fix_import`` is left out (sibling modules stay absolute
    imports: the script runs as ``__main__``). Built once: loading the fixers takes a while."""
    from fissix import refactor
    from fissix.fixes.fix_imports import MAPPING, FixImports

    class KeepCPickle(FixImports):
        mapping = {old: new for old, new in MAPPING.items() if old != "cPickle"}

    class Python2Refactoring(refactor.RefactoringTool):
        def get_fixers(self):
            return tuple([KeepCPickle(self.options, self.fixer_log)
                          if type(fixer) is FixImports else fixer for fixer in fixers]
                         for fixers in super().get_fixers())

    return Python2Refactoring([name for name in refactor.get_fixers_from_package("fissix.fixes")
                               if not name.endswith(".fix_import")])


# ------------------------------------------------------------------------------ compiling

def compile_source(source, filename):
    """``(code, converted)`` for `source` (text): compiled as it is when it is Python 3, else
    converted, with Python 2's ``/`` and the user's line numbers, warning (a
    `LegacyNameWarning`) that the file was converted."""
    reason = python2_reason(source, filename)
    if reason is None:
        return compile(source, filename, "exec", dont_inherit=True), False
    try:
        converted = to_python3(source, filename)
        tree = ast.parse(converted, filename)
    except SyntaxError:
        # not Python 2 either: the user's own Python 3 SyntaxError says most
        compile(source, filename, "exec", dont_inherit=True)
        raise
    _restore_line_numbers(tree, source, converted)
    tree = _Python2Pickle().visit(tree)
    if not _FUTURE_DIVISION.search(source):
        tree = _ClassicDivision().visit(tree)
    tree = ast.fix_missing_locations(tree)
    warnings.warn_explicit(
        f"{filename} is Python 2 ({reason}): sknet.legacy converted it to Python 3 in memory "
        f"(python -m sknet.legacy --no-convert turns this off; see {GUIDE_SECTION})",
        LegacyNameWarning, filename, 1)
    return compile(tree, filename, "exec", dont_inherit=True), True


def _restore_line_numbers(tree, original, converted):
    """Point every node of `tree` (parsed from `converted`) at its line in `original`, so that
    tracebacks show the user's lines. Each node spans its whole line: the columns were the
    converted text's."""
    old_lines, new_lines = original.splitlines(), converted.splitlines()
    old_line_of = {}
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for k, j in enumerate(range(j1, j2)):
            old_line_of[j + 1] = min(i1 + k, max(i2 - 1, i1), len(old_lines) - 1) + 1
    for node in ast.walk(tree):
        if "lineno" in node._attributes:
            node.lineno = node.end_lineno = old_line_of.get(node.lineno, node.lineno)
            node.col_offset = 0
            node.end_col_offset = len(old_lines[node.lineno - 1].encode())


class _Python2Pickle(ast.NodeTransformer):
    """``import pickle`` → the served ``cPickle`` (bound to the same name): Python 2's pickle
    read its own byte strings, and from text-mode files (``pickle.load(open('vgg16.pkl'))``)."""

    def visit_Import(self, node):
        for alias in node.names:
            if alias.name == "pickle":
                alias.name, alias.asname = "cPickle", alias.asname or "pickle"
        return node

    def visit_ImportFrom(self, node):
        if node.module == "pickle" and not node.level:
            node.module = "cPickle"
        return node


class _ClassicDivision(ast.NodeTransformer):
    """``a / b`` → Python 2's division of `a` and `b` (floor for integers), decided at run time:
    ``n / 2`` was an int in Python 2 and old scripts pass it as a size or an index."""

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if not isinstance(node.op, ast.Div):
            return node
        return ast.copy_location(ast.Call(ast.Name(_DIVISION, ast.Load()),
                                          [node.left, node.right], []), node)

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        if not (isinstance(node.op, ast.Div) and isinstance(node.target, ast.Name)):
            return node
        current = ast.Name(node.target.id, ast.Load())
        divided = ast.Call(ast.Name(_IN_PLACE_DIVISION, ast.Load()), [current, node.value], [])
        return ast.copy_location(ast.Assign([node.target], divided), node)


def _integral(value):
    dtype = getattr(value, "dtype", None)
    if isinstance(dtype, np.dtype):
        return dtype.kind in "iu"
    return isinstance(value, numbers.Integral)


def classic_division(a, b):
    """Python 2's ``a / b``: floor division when both are integers (NumPy integer arrays too),
    true division otherwise.

    Examples
    --------
    >>> classic_division(7, 2), classic_division(7.0, 2), classic_division(-7, 2)
    (3, 3.5, -4)
    """
    return a // b if _integral(a) and _integral(b) else a / b


def classic_in_place_division(a, b):
    """Python 2's ``a /= b`` (in place for arrays, as ``/=`` was)."""
    if _integral(a) and _integral(b):
        return operator.ifloordiv(a, b)
    return operator.itruediv(a, b)


RUNTIME_NAMES = {_DIVISION: classic_division, _IN_PLACE_DIVISION: classic_in_place_division}


# ----------------------------------------------------------------- the script's own modules

class ConvertingLoader(importlib.machinery.SourceFileLoader):
    """Loads a module of the script's folder, converting it in memory when it is Python 2;
    writes no bytecode cache."""

    def get_code(self, fullname):
        return self._compile()[0]

    def exec_module(self, module):
        code, converted = self._compile()
        if converted:
            vars(module).update(RUNTIME_NAMES)
        exec(code, vars(module))

    def _compile(self):
        source = importlib.util.decode_source(self.get_data(self.path))
        return compile_source(source, self.path)


class ScriptFolderFinder(importlib.abc.MetaPathFinder):
    """Finds the modules and packages of one folder (the script's) and loads them with
    `ConvertingLoader`; everything else (a virtual environment inside that folder included)
    is left to the usual finders."""

    def __init__(self, folder):
        self.folder = folder
        self._packages = set()

    def find_spec(self, fullname, path=None, target=None):
        package = fullname.partition(".")[0]
        if path is not None and package not in self._packages:
            return None
        spec = importlib.machinery.PathFinder.find_spec(
            fullname, [self.folder] if path is None else path)
        if spec is None or type(spec.loader) is not importlib.machinery.SourceFileLoader:
            return None
        self._packages.add(package)
        spec.loader = ConvertingLoader(fullname, spec.origin)
        return spec


# ------------------------------------------------- run-time errors of unconverted Python 2

_ITERATOR_RESULT = re.compile(r"'(map|filter|zip|dict_keys|dict_values|dict_items)' object is "
                              r"not subscriptable|object of type '(map|filter|zip)' has no len")
_FLOAT_SIZE = re.compile(r"'float' object cannot be interpreted as an integer|expected a "
                         r"sequence of integers or a single integer, got '[-0-9.e]+'|"
                         r"indices must be integers or slices, not float")


def python2_hint(error):
    """A note for `error` when it is what Python 2 semantics give under Python 3 in a file
    that was run unconverted, naming the feature and the porting guide's section; else None."""
    if isinstance(error, NameError) and getattr(error, "name", None) in PYTHON2_BUILTINS:
        feature = f"{error.name} is a Python 2 builtin"
    elif isinstance(error, TypeError) and _ITERATOR_RESULT.search(str(error)):
        name = next(group for group in _ITERATOR_RESULT.search(str(error)).groups() if group)
        feature = (f"{name.replace('dict_', 'dict.')}() returned a list in Python 2 and an "
                   "iterator or view in Python 3: wrap it in list()")
    elif isinstance(error, TypeError) and _FLOAT_SIZE.search(str(error)):
        feature = ("`/` floored integers in Python 2 and gives a float in Python 3: use `//` "
                   "where an integer is needed")
    else:
        return None
    return (f"sknet.legacy: {feature}. Files that compile as Python 3 run unconverted unless "
            f"they use a Python 2 name; see {GUIDE_SECTION}")
