"""Small SVG building blocks for the HTML day report: scales, paths and text.

Everything returns markup as ``str``; every piece of text goes through
:func:`esc`. Coordinates are written with one decimal, so the same data always
gives the same bytes. No scripts, no external references: an ``<svg>`` from
here renders on its own, in any browser, and prints.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = [
    "LinearScale",
    "esc",
    "hour_ticks",
    "line",
    "line_path",
    "nice_ticks",
    "path",
    "rect",
    "svg_document",
    "text",
]


def esc(value: object) -> str:
    """Text for HTML or SVG, with ``& < > " '`` escaped."""
    return html.escape(str(value), quote=True)


def _n(value: float) -> str:
    """A coordinate with one decimal and no ``-0.0``."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


@dataclass(frozen=True, slots=True)
class LinearScale:
    """Maps ``lo .. hi`` (data units) onto ``start_px .. end_px`` (either direction)."""

    lo: float
    hi: float
    start_px: float
    end_px: float

    def __call__(self, value: float) -> float:
        span = self.hi - self.lo
        fraction = 0.5 if span == 0 else (value - self.lo) / span
        return self.start_px + fraction * (self.end_px - self.start_px)


def line_path(xs: Sequence[float], ys: Sequence[float]) -> str:
    """An SVG path ``d`` through the points, broken wherever a value is not finite.

    A point with no finite neighbour becomes a short horizontal tick, so a lone
    minute is still visible.
    """
    parts: list[str] = []
    run: list[tuple[float, float]] = []

    def flush() -> None:
        if len(run) == 1:
            x, y = run[0]
            parts.append(f"M{_n(x - 1.5)} {_n(y)}H{_n(x + 1.5)}")
        elif run:
            head, *rest = run
            parts.append(f"M{_n(head[0])} {_n(head[1])}")
            parts.append("L" + " ".join(f"{_n(x)} {_n(y)}" for x, y in rest))
        run.clear()

    for x, y in zip(xs, ys, strict=True):
        if math.isfinite(x) and math.isfinite(y):
            run.append((x, y))
        else:
            flush()
    flush()
    return "".join(parts)


def rect(
    x: float, y: float, width: float, height: float, cls: str, title: str | None = None
) -> str:
    """A rectangle of CSS class ``cls``, with a hover title when given."""
    body = f"<title>{esc(title)}</title>" if title else ""
    geometry = f'x="{_n(x)}" y="{_n(y)}" width="{_n(max(width, 0.0))}" height="{_n(height)}"'
    if not body:
        return f'<rect class="{cls}" {geometry}/>'
    return f'<rect class="{cls}" {geometry}>{body}</rect>'


def path(d: str, cls: str, title: str | None = None) -> str:
    """A path of CSS class ``cls``, with a hover title when given."""
    if not title:
        return f'<path class="{cls}" d="{d}"/>'
    return f'<path class="{cls}" d="{d}"><title>{esc(title)}</title></path>'


def line(x1: float, y1: float, x2: float, y2: float, cls: str, title: str | None = None) -> str:
    """A straight line of CSS class ``cls``, with a hover title when given."""
    ends = f'x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}"'
    if not title:
        return f'<line class="{cls}" {ends}/>'
    return f'<line class="{cls}" {ends}><title>{esc(title)}</title></line>'


def text(x: float, y: float, content: str, cls: str = "", anchor: str = "start") -> str:
    """A line of text at ``x, y`` (the baseline), anchored ``start``, ``middle`` or ``end``."""
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{klass}>{esc(content)}</text>'


def svg_document(
    width: float, height: float, title: str, description: str, body: Iterable[str], cls: str
) -> str:
    """An inline ``<svg>`` that scales to its container, titled for screen readers."""
    slug = cls.replace(" ", "-")
    return (
        f'<svg class="chart {cls}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" preserveAspectRatio="xMidYMid meet" '
        f'aria-labelledby="{slug}-title {slug}-desc">'
        f'<title id="{slug}-title">{esc(title)}</title>'
        f'<desc id="{slug}-desc">{esc(description)}</desc>' + "".join(body) + "</svg>"
    )


def nice_ticks(lo: float, hi: float, count: int = 4) -> list[float]:
    """Round tick values covering ``lo .. hi``, about ``count`` of them (1, 2 or 5 steps)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    out: list[float] = []
    value = first
    while value <= hi + 1e-9 * step:
        out.append(round(value, 9))
        value += step
    return out


def hour_ticks(first_s: float, last_s: float) -> list[tuple[float, str]]:
    """Local whole hours between two epoch times, as ``(epoch seconds, "HH:00")``.

    Every second hour when the span is longer than twelve hours, so labels never
    crowd. Counted in local wall time, so a day with a clock change is right.
    """
    if not (math.isfinite(first_s) and math.isfinite(last_s)) or last_s < first_s:
        return []
    start = datetime.fromtimestamp(first_s).astimezone()
    hour = start.replace(minute=0, second=0, microsecond=0)
    if hour.timestamp() < first_s:
        hour += timedelta(hours=1)
    every = 2 if last_s - first_s > 12 * 3600 else 1
    out: list[tuple[float, str]] = []
    while hour.timestamp() <= last_s:
        local = datetime.fromtimestamp(hour.timestamp()).astimezone()
        if local.hour % every == 0:
            out.append((hour.timestamp(), local.strftime("%H:00")))
        hour = (hour + timedelta(hours=1)).astimezone()
    return out
