"""The stress score as a bar as wide as its place: ``████░░░░`` for 0-100.

The bar takes what its line leaves (the day's load beside it keeps its number whole),
so its cells are worked out from its width when it is drawn, never cut: at 80 columns
a fixed 20-cell bar beside "Today's load 72" left the load's number out.
"""

from __future__ import annotations

from typing import Final

from textual.app import RenderResult
from textual.reactive import reactive
from textual.widget import Widget

__all__ = ["StressBar", "bar_text"]

GAP_CELLS: Final = 2
"""Blank cells after the bar, before what stands beside it."""


def bar_text(score: int | None, cells: int) -> str:
    """``score`` (0-100) as ``cells`` cells, filled in proportion; "" without a score."""
    if score is None or cells <= 0:
        return ""
    filled = round(score * cells / 100)
    return "█" * filled + "░" * (cells - filled)


class StressBar(Widget):
    """The stress score (``score``, 0-100, None: no bar) as a bar as wide as the widget."""

    DEFAULT_CSS = """
    StressBar {
        height: 1;
    }
    """

    score: reactive[int | None] = reactive(None)

    def render(self) -> RenderResult:
        return bar_text(self.score, self.size.width - GAP_CELLS)
