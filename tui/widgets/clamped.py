"""Text wrapped to its widget's lines; what does not fit ends the last line in ``…``.

Textual wraps a line or ends it in ``…``, not both: the live screen's prompt line at
80x24 has two rows, and a failed message ("Not sent to Sam: … k tries again · i talk
in person") must show where it was cut rather than stop mid-sentence.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text
from textual.app import RenderResult
from textual.widgets import Static

__all__ = ["ClampedText", "clamp_lines"]

_CONSOLE = Console(width=10_000)
"""A console only for :meth:`rich.text.Text.wrap` (no output)."""


def clamp_lines(text: str, width: int, lines: int) -> Text:
    """``text`` wrapped to ``width`` cells in at most ``lines`` lines; if it needs more,
    the last line kept ends in ``…``."""
    if width <= 0 or lines <= 0:
        return Text(text)
    wrapped = Text(text).wrap(_CONSOLE, width)
    if len(wrapped) <= lines:
        return Text("\n").join(wrapped)
    kept = list(wrapped)[:lines]
    last = kept[-1].copy()
    last.truncate(width - 1)
    last.rstrip()
    last.append("…")
    return Text("\n").join([*kept[:-1], last])


class ClampedText(Static):
    """A :class:`~textual.widgets.Static` of plain text, clamped to its lines."""

    def render(self) -> RenderResult:
        return clamp_lines(str(self.content), self.content_size.width, self.content_size.height)
