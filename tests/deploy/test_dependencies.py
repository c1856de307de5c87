"""The plugin's dependencies: every library it imports is declared (or comes with a declared one), and a library
of an optional extra (``zhunru[es]``, ``zhunru[2fa]``, ``zhunru[server]``) is never imported when a module loads."""

import ast
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import PackageNotFoundError, packages_distributions, requires

from .manifests import ROOT

PLUGIN_FOLDERS = ("cms", "search", "workers")
OPTIONAL_EXTRAS = ("es", "2fa", "server", "words")
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", requirement.strip()).group()).lower()


def _sources():
    for folder in PLUGIN_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path, ast.parse(path.read_text(), str(path))


def _imported_roots(node) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name.split(".")[0] for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module.split(".")[0]]
    return []


def _module_level_imports(body):
    """Imports run when the module loads: at top level and in top-level if/with blocks, except under
    ``if TYPE_CHECKING:`` and in a ``try:`` that catches ImportError (a guarded import)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                yield from _module_level_imports(node.body)
            yield from _module_level_imports(node.orelse)
        elif isinstance(node, ast.With):
            yield from _module_level_imports(node.body)
        elif isinstance(node, ast.Try):
            caught = {getattr(h.type, "id", None) for h in node.handlers} | {
                getattr(e, "id", None) for h in node.handlers if isinstance(h.type, ast.Tuple) for e in h.type.elts
            }
            if not caught & {"ImportError", "ModuleNotFoundError"}:
                yield from _module_level_imports(node.body)
            yield from _module_level_imports(node.orelse + node.finalbody)


@cache
def _import_names() -> dict[str, list[str]]:
    return packages_distributions()


def _distributions_of(root: str) -> set[str]:
    return {_name(d) for d in _import_names().get(root, [])}


def _with_requirements(names: set[str]) -> set[str]:
    """The distributions and everything they require (extras' requirements included, markers ignored)."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            todo.extend(_name(r) for r in requires(name) or [])
        except PackageNotFoundError:
            pass
    return seen


def _hard_distributions() -> set[str]:
    return {_name(r) for r in PROJECT["dependencies"]}


def _optional_distributions() -> set[str]:
    return {_name(r) for extra in OPTIONAL_EXTRAS for r in PROJECT["optional-dependencies"][extra]}


def _only_with_extras() -> set[str]:
    """What an optional extra brings that the hard dependencies do not (elasticsearch and elastic-transport...)."""
    return _with_requirements(_optional_distributions()) - _with_requirements(_hard_distributions())


def test_no_library_of_an_optional_extra_is_imported_when_a_module_loads():
    optional = _only_with_extras()
    assert {"elasticsearch", "elastic-transport", "django-otp", "segno", "gunicorn", "whitenoise", "rjieba"} <= optional
    found = []
    for path, tree in _sources():
        for node in _module_level_imports(tree.body):
            for root in _imported_roots(node):
                if _distributions_of(root) & optional:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {root}")
    assert not found, "import these inside the functions that use them (or guard them):\n" + "\n".join(found)


def test_every_imported_library_is_declared():
    declared = _with_requirements(_hard_distributions() | _optional_distributions())
    undeclared = set()
    for path, tree in _sources():
        for node in ast.walk(tree):
            for root in _imported_roots(node):
                if root in sys.stdlib_module_names or root == "zhunru":
                    continue
                distributions = _distributions_of(root)
                if not distributions & declared:
                    undeclared.add(f"{root} ({path.relative_to(ROOT)})")
    assert not undeclared, sorted(undeclared)


def test_test_and_dev_tools_are_not_hard_dependencies():
    hard = _hard_distributions()
    tools = {_name(r) for extra in ("test", "dev") for r in PROJECT["optional-dependencies"][extra]}
    assert not hard & tools
    assert "fpdf2" not in hard | _optional_distributions()  # never imported
    assert not hard & _optional_distributions()
