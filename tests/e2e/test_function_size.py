"""No function outside ``signals/`` is longer than 80 lines (issue 18).

A long process is a few named steps; ``signals/`` keeps its numerical kernels whole, each
next to a plain reference it is tested against. A function's length counts every line
from its ``def`` to its last statement, docstring and nested functions included.
"""

from __future__ import annotations

import ast
from typing import Final

from tests.support.paths import ROOT

CHECKED: Final = ("companion", "sensors", "tui", "bench", "tools")
MAX_LINES: Final = 80


def test_no_function_outside_signals_is_over_80_lines() -> None:
    long: list[str] = []
    for package in CHECKED:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    lines = (node.end_lineno or node.lineno) - node.lineno + 1
                    if lines > MAX_LINES:
                        where = path.relative_to(ROOT)
                        long.append(f"{where}:{node.lineno} {node.name} ({lines} lines)")
    assert long == [], f"functions over {MAX_LINES} lines:\n" + "\n".join(long)
