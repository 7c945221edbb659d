"""The import graph of our packages, read from the source (issue 18).

Every import of one of our modules is collected with :mod:`ast`, at module level and inside
functions alike (a lazy import is still a dependency); only the bodies of ``if TYPE_CHECKING:``
are left out, since they never run. Relative imports are resolved, and importing a package
counts as importing its ``__init__``. On that graph:

- there is no cycle (the strongly connected components of Tarjan 1972, reported by name);
- imports inside functions are only of heavy or optional third-party libraries (NeuroKit2,
  Bumble, SciPy, Textual), of the modules that wrap Bumble (``sensors.emulated``), or, in the
  command line (``companion.cli``), of a command's implementation: each command loads what it
  runs when it runs, so a headless command that reads a file starts in about 0.2 s instead of
  0.45 s (the whole app, the strap stack and the screen; issue 17's day in under a second).
  The review screen, likewise, reads the day in a worker after its first frame. Nowhere else
  are our modules imported inside a function, and the cycle check counts these imports too;
- the UI (``tui``) never imports the command line (``companion.cli``);
- no module re-exports: a name listed in a module's ``__all__`` is not one it imported from
  another of our modules (a package's ``__init__`` may export its public face).

References
----------
Tarjan, R. (1972). Depth-first search and linear graph algorithms. SIAM J. Comput. 1(2), 146-160.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from tests.support.paths import ROOT

PACKAGES: Final = ("companion", "sensors", "signals", "tui")
LAZY_THIRD_PARTY: Final = frozenset(
    {
        # heavy: each costs more than the whole headless start (~0.05-0.3 s, -X importtime)
        *("neurokit2", "bumble", "scipy", "textual", "apprise"),
        # the calendar stack, loaded only when a calendar is read
        *("icalendar", "recurring_ical_events", "dateutil"),
        # optional: POSIX only (Windows has no advisory lock)
        "fcntl",
    }
)
"""Libraries heavy or optional enough to be imported inside a function; every other
import, of ours or not, stands at the top of its module."""
LAZY_UI_FROM: Final = "companion.cli"
"""The only place that may import the Textual screen (``tui``) inside a function: Textual
loads only for the commands that show a screen."""
LAZY_WRAPPERS: Final = ("sensors.emulated",)
"""Our package that imports Bumble (heavy, optional) at its top: importing it inside a
function is importing Bumble there."""


@dataclass(frozen=True, slots=True)
class Import:
    """One import statement's target, as seen from the importing module."""

    source: str
    target: str
    line: int
    in_function: bool
    names: tuple[str, ...]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of our packages, by dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(body: list[ast.stmt], in_function: bool) -> Iterator[tuple[ast.stmt, bool]]:
    """Each statement with whether it runs inside a function, skipping TYPE_CHECKING blocks."""
    for node in body:
        yield node, in_function
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _statements(node.orelse, in_function)
            continue
        inner = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in getattr(node, field, ()):
                if isinstance(child, ast.stmt):
                    yield from _statements([child], inner)
                elif isinstance(child, ast.ExceptHandler | ast.match_case):
                    yield from _statements(child.body, inner)


def _resolve(importer: str, level: int, module: str | None) -> str:
    if level == 0:
        return module or ""
    is_package = modules()[importer].name == "__init__.py"
    base = importer.split(".")
    base = base[: len(base) - level + (1 if is_package else 0)]
    return ".".join([*base, module] if module else base)


def _ours(name: str) -> str | None:
    """The longest prefix of a dotted name that is one of our modules."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules():
            return candidate
    return None


def _imports_of(source: str) -> Iterator[Import]:
    tree = ast.parse(modules()[source].read_text(encoding="utf-8"))
    for node, in_function in _statements(tree.body, False):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(source, alias.name, node.lineno, in_function, ())
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(source, node.level, node.module)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in modules():
                    yield Import(source, submodule, node.lineno, in_function, ())
                else:
                    yield Import(
                        source, base, node.lineno, in_function, (alias.asname or alias.name,)
                    )


@cache
def all_imports() -> tuple[Import, ...]:
    return tuple(imp for source in modules() for imp in _imports_of(source))


def graph() -> dict[str, set[str]]:
    """Module -> the modules of ours it imports (itself left out)."""
    edges: dict[str, set[str]] = {name: set() for name in modules()}
    for imp in all_imports():
        target = _ours(imp.target)
        if target is not None and target != imp.source:
            edges[imp.source].add(target)
    return edges


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(edges[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def _where(imp: Import) -> str:
    return f"{imp.source}:{imp.line} -> {imp.target}"


def test_the_scan_sees_lazy_relative_and_package_imports() -> None:
    targets = {(imp.source, imp.target, imp.in_function) for imp in all_imports()}
    assert ("companion.cli.screen", "tui.app", True) in targets
    assert "companion.cli" in modules()
    assert _resolve("companion.cli.main", 1, "args") == "companion.cli.args"
    assert _resolve("companion.cli", 1, "args") == "companion.cli.args"
    assert _resolve("companion.cli.main", 2, None) == "companion"
    cycle = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(cycle) == [["a", "b", "c"]]


def test_no_import_cycle() -> None:
    cycles = strongly_connected(graph())
    assert cycles == [], "import cycles (strongly connected modules):\n" + "\n".join(
        " <-> ".join(cycle) for cycle in cycles
    )


def test_function_level_imports_are_heavy_or_optional_libraries() -> None:
    bad = []
    for imp in all_imports():
        if not imp.in_function:
            continue
        top = imp.target.split(".")[0]
        if top in LAZY_THIRD_PARTY:
            continue
        from_cli = imp.source == LAZY_UI_FROM or imp.source.startswith(LAZY_UI_FROM + ".")
        screen = from_cli and top == "tui"
        wrapper = imp.target.startswith(LAZY_WRAPPERS)
        if not (screen or wrapper):
            bad.append(_where(imp))
    assert bad == [], (
        "imports inside functions of what is neither heavy nor optional:\n" + "\n".join(bad)
    )


def test_the_ui_never_imports_the_command_line() -> None:
    bad = [
        _where(imp)
        for imp in all_imports()
        if imp.source.split(".")[0] == "tui"
        and (imp.target == LAZY_UI_FROM or imp.target.startswith(LAZY_UI_FROM + "."))
    ]
    assert bad == [], "tui imports companion.cli:\n" + "\n".join(bad)


def _exported(tree: ast.Module) -> set[str]:
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            value = node.value
            if isinstance(value, ast.List | ast.Tuple):
                return {e.value for e in value.elts if isinstance(e, ast.Constant)}
    return set()


def test_no_module_re_exports_a_name_of_ours() -> None:
    bad = []
    for source, path in modules().items():
        if path.name == "__init__.py":
            continue
        exported = _exported(ast.parse(path.read_text(encoding="utf-8")))
        for imp in _imports_of(source):
            if imp.target.split(".")[0] not in PACKAGES:
                continue
            shown = sorted(exported.intersection(imp.names))
            if shown:
                bad.append(f"{_where(imp)}: {', '.join(shown)}")
    assert bad == [], "re-export shims (names in __all__ imported from our modules):\n" + "\n".join(
        bad
    )
