"""Today's sessions as a strip across the working day, sized to the width it has.

``07h ····███···▂▂│······ 20h``: one cell per few minutes from the first hour to
the last, the sessions marked by kind, the current cell a ``│``. The minutes per
cell are the fewest of :data:`CELL_MINUTES` that fit the widget's width, so the
strip fills one line at 80 columns as at 200, and never wraps.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from typing import Final

from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

__all__ = ["CELL_MINUTES", "DAY_HOURS", "DayStrip", "day_strip"]

DAY_HOURS: Final = (7, 20)
"""The strip covers these local hours (it widens to fit sessions and now outside them)."""
CELL_MINUTES: Final = (5, 10, 15, 20, 30, 60, 120)
"""Minutes per cell to choose from: the fewest that fit the width."""
DEFAULT_CELL_MIN: Final = 10
"""Minutes per cell before the widget knows its width."""
KIND_MARK: Final = {
    "client": ("█", "#6a8caf"),
    "supervision": ("█", "#7fae8a"),
    "peer": ("█", "#9db87a"),
    "team": ("█", "#b0a36b"),
    "admin": ("▆", "#8a8a8a"),
    "break": ("▂", "#c8b48c"),
    "other": ("▆", "#a08cb4"),
}

Span = tuple[float, float | None, str]
"""A session: start and end (None while open), epoch seconds, and its kind."""


def _local(time_s: float) -> datetime:
    return datetime.fromtimestamp(time_s).astimezone()


def day_strip(sessions: Iterable[Span], now_s: float | None, width: int = 0) -> Text:
    """The strip of today's ``sessions`` at ``now_s`` in at most ``width`` cells (0: unknown)."""
    if now_s is None:
        return Text("")
    today = _local(now_s)
    spans = [s for s in sessions if _local(s[0]).date() == today.date()]
    first_h, last_h = DAY_HOURS
    for start_s, _, _ in spans:
        first_h = min(first_h, _local(start_s).hour)
    first_h = min(first_h, today.hour)
    last_h = max(last_h, today.hour + 1)
    head, tail = f"{first_h:02d}h ", f" {last_h:02d}h"
    span_min = (last_h - first_h) * 60
    room = width - len(head) - len(tail)
    if width <= 0:
        cell_min = DEFAULT_CELL_MIN
    else:
        cell_min = next((m for m in CELL_MINUTES if math.ceil(span_min / m) <= room), 0)
    if cell_min == 0:  # too narrow for the hours: the strip alone, as much as fits
        head = tail = ""
        cell_min = CELL_MINUTES[-1]
    cell_s = cell_min * 60.0
    start = today.replace(hour=first_h, minute=0, second=0, microsecond=0).timestamp()
    strip = Text(head)
    for i in range(math.ceil(span_min / cell_min)):
        t0 = start + i * cell_s
        mark: tuple[str, str] | None = None
        for start_s, end_s, kind in spans:
            end = end_s if end_s is not None else now_s
            if start_s < t0 + cell_s and end > t0:
                mark = KIND_MARK.get(kind, KIND_MARK["other"])
        if mark is not None:
            strip.append(mark[0], style=mark[1])
        elif t0 <= now_s < t0 + cell_s:
            strip.append("│", style="bold")
        else:
            strip.append("·", style="#555555")
    strip.append(tail)
    if width > 0:
        strip.truncate(width)
    return strip


class DayStrip(Widget):
    """One line: today's sessions across the day (:func:`day_strip`), redrawn to its width."""

    DEFAULT_CSS = """
    DayStrip { height: 1; }
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._spans: tuple[Span, ...] = ()
        self._now_s: float | None = None

    def show(self, sessions: Iterable[Span], now_s: float | None) -> None:
        """The day's sessions as (start, end or None, kind) and the time now (epoch s)."""
        self._spans = tuple(sessions)
        self._now_s = now_s
        self.refresh()

    def render(self) -> RenderResult:
        return day_strip(self._spans, self._now_s, self.size.width)
