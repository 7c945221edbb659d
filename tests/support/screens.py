"""Text snapshots of Textual screens at a fixed size.

``screen_text(app)`` renders the current screen (with the screens under a
modal) as plain text. ``assert_snapshot(app, name)`` compares it with
``tests/tui/snapshots/NAME.txt``; run with ``HOLDSPACE_UPDATE_SNAPSHOTS=1`` to
write the files after a deliberate change, then read the diff.
"""

from __future__ import annotations

import io
import os
from typing import Any

from rich.console import Console

from tests.support.paths import ROOT

SNAPSHOTS = ROOT / "tests" / "tui" / "snapshots"


def screen_text(app: Any) -> str:
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system=None,
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    lines = [line.rstrip() for line in console.export_text().splitlines()]
    return "\n".join(lines).rstrip() + "\n"


def assert_snapshot(app: Any, name: str) -> None:
    text = screen_text(app)
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("HOLDSPACE_UPDATE_SNAPSHOTS") == "1" or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if os.environ.get("HOLDSPACE_UPDATE_SNAPSHOTS") != "1":
            raise AssertionError(f"snapshot {path.name} was missing; written now, check it in")
        return
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"screen differs from {path.name}:\n{text}"
