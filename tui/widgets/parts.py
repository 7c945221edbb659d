"""Lines of parts joined by `` · ``, broken between parts only, never inside one.

``Replaying at 60× — recording heavy-day.hsrec · battery 91%`` in a panel too narrow
for it goes on two lines as ``Replaying at 60× — recording heavy-day.hsrec`` and
``battery 91%``, rather than leaving ``91%`` alone on the next line. A part wider
than the widget wraps at its words, as any text does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from rich.cells import cell_len
from rich.text import Text
from textual.app import RenderResult
from textual.geometry import Size
from textual.widget import Widget

__all__ = ["SEPARATOR", "PartsLine", "join_parts"]

SEPARATOR: Final = " · "


def join_parts(parts: Sequence[str], width: int) -> Text:
    """``parts`` joined by :data:`SEPARATOR`, a new line where the next part would not fit
    in ``width`` cells (0: one line)."""
    lines: list[str] = []
    for part in (p for p in parts if p):
        if lines and (width <= 0 or cell_len(lines[-1] + SEPARATOR + part) <= width):
            lines[-1] += SEPARATOR + part
        else:
            lines.append(part)
    return Text("\n".join(lines))


class PartsLine(Widget):
    """Parts joined by `` · `` (:func:`join_parts`), as many lines as the width needs."""

    DEFAULT_CSS = """
    PartsLine { height: auto; }
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.parts: tuple[str, ...] = ()

    def show(self, parts: Iterable[str]) -> None:
        """The parts to show, in order (empty ones are left out)."""
        parts = tuple(parts)
        if parts != self.parts:
            self.parts = parts
            self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not any(self.parts):
            return 0
        return len(join_parts(self.parts, width).wrap(self.app.console, max(width, 1)))

    def render(self) -> RenderResult:
        return join_parts(self.parts, self.size.width)
