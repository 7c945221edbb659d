"""Today's sessions as a strip across the working day, sized to the width it has.

``07h ····███···▂▂│······ 20h``: the hours from the first to the last spread over
the widget's whole width (a cell is the span over the cells left between the hour
labels: about 10 minutes at 80 columns, 7 at 120), the sessions marked by kind (any
session touching a cell marks it, so a short one never falls between cells), the
current cell a ``│``. The strip fills one line at 80 columns as at 200, and never wraps.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Final

from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

__all__ = ["DAY_HOURS", "DayStrip", "day_strip"]

DAY_HOURS: Final = (7, 20)
"""The strip covers these local hours (it widens to fit sessions and now outside them)."""
DEFAULT_CELLS: Final = 78
"""Cells between the hour labels before the widget knows its width (10 minutes each)."""
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
    span_h = last_h - first_h
    cells = width - len(head) - len(tail) if width > 0 else DEFAULT_CELLS
    if cells < span_h:  # too narrow for the hour labels: the strip alone
        head = tail = ""
        cells = max(width, 1)
    cell_s = span_h * 3600.0 / cells
    start = today.replace(hour=first_h, minute=0, second=0, microsecond=0).timestamp()
    strip = Text(head)
    for i in range(cells):
        t0 = start + i * cell_s
        mark: tuple[str, str] | None = None
        for start_s, end_s, kind in spans:
            end = end_s if end_s is not None else now_s
            if start_s < t0 + cell_s and end > t0:
                mark = KIND_MARK.get(kind, KIND_MARK["other"])
        if t0 <= now_s < t0 + cell_s:  # now, over a session still running
            strip.append("│", style="bold")
        elif mark is not None:
            strip.append(mark[0], style=mark[1])
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
