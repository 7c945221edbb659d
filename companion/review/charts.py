"""The three charts of the HTML day report, as inline SVG.

* :func:`timeline_chart`: heart rate, stress and the day's load, minute by
  minute, under bands for the sessions, with the prompts that were shown.
* :func:`load_chart`: each session's load, 0-100.
* :func:`recovery_chart`: after each session, the minutes until the body was
  back near baseline, against the time there was before the next session.

Colours come from CSS classes (``kind-client``, ``line-hr``, ...) that the page
defines, so the charts follow its light, dark and print styles. Labels are
passed in already chosen (the helper's own, or neutral ones).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from companion.review.day import MINUTE_S, DayReview
from companion.review.rows import SessionRow, clock
from companion.review.svg import (
    LinearScale,
    hour_ticks,
    line,
    line_path,
    nice_ticks,
    path,
    rect,
    svg_document,
    text,
)

__all__ = [
    "SessionGap",
    "load_chart",
    "recovery_chart",
    "recovery_words",
    "session_gaps",
    "timeline_chart",
]

WIDTH: Final = 960.0
LEFT: Final = 64.0
RIGHT: Final = 66.0
STRIP_H: Final = 24.0
PANEL_GAP: Final = 24.0
HR_H: Final = 150.0
STRESS_H: Final = 120.0
LOAD_H: Final = 80.0
AXIS_H: Final = 26.0
ROW_H: Final = 24.0
NAME_W: Final = 190.0
RECOVERY_AXIS_MAX_MIN: Final = 60.0
"""Recovery bars are drawn up to an hour; a longer stretch is shown clipped, its length in words."""
HIGH_STRESS: Final = 76.0


def _kind_class(kind: str) -> str:
    return f"kind-{kind if kind.isalnum() else 'other'}"


def _duration(row: SessionRow) -> str:
    return "open" if row.duration_s is None else f"{row.duration_s / 60:.0f} min"


def _session_title(row: SessionRow, label: str) -> str:
    end = clock(row.end_s) if row.end_s is not None else "open"
    return f"{label} · {row.kind} · {clock(row.start_s)}–{end} ({_duration(row)})"


def _span(review: DayReview) -> tuple[float, float]:
    """First and last second the timeline shows: the minutes, widened to the sessions."""
    starts = [s.start_s for s in review.sessions]
    ends = [s.end_s if s.end_s is not None else s.start_s for s in review.sessions]
    if review.minute_s.size:
        starts.append(float(review.minute_s[0]))
        ends.append(float(review.minute_s[-1]) + MINUTE_S)
    first, last = min(starts), max(ends)
    return first, max(last, first + MINUTE_S)


def _panel_frame(
    top: float, height: float, name: str, ticks: Sequence[float], y: LinearScale
) -> list[str]:
    out = [rect(LEFT, top, WIDTH - LEFT - RIGHT, height, "panel")]
    for value in ticks:
        out.append(line(LEFT, y(value), WIDTH - RIGHT, y(value), "grid"))
        out.append(text(LEFT - 6.0, y(value) + 4.0, f"{value:.0f}", "tick", "end"))
    out.append(text(LEFT + 2.0, top - 5.0, name, "panel-name"))
    return out


def _hr_range(review: DayReview) -> tuple[float, float]:
    finite = review.hr_bpm[np.isfinite(review.hr_bpm)]
    base = review.baseline.hr_bpm
    lo = min(float(finite.min()) if finite.size else base, base)
    hi = max(float(finite.max()) if finite.size else base, base)
    return 10.0 * math.floor((lo - 5) / 10.0), 10.0 * math.ceil((hi + 5) / 10.0)


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where the timeline's panels sit, top to bottom, and its time axis."""

    x: LinearScale
    hr_top: float = STRIP_H + 20.0

    @property
    def stress_top(self) -> float:
        return self.hr_top + HR_H + PANEL_GAP

    @property
    def load_top(self) -> float:
        return self.stress_top + STRESS_H + PANEL_GAP

    @property
    def bottom(self) -> float:
        return self.load_top + LOAD_H


def _bands(review: DayReview, labels: Mapping[int, str], at: _Layout, last: float) -> list[str]:
    out: list[str] = []
    for row in review.sessions:
        x0 = at.x(row.start_s)
        x1 = at.x(row.end_s if row.end_s is not None else last)
        label = labels[row.session_id]
        title = _session_title(row, label)
        kind = _kind_class(row.kind)
        out.append(rect(x0, at.hr_top, x1 - x0, at.bottom - at.hr_top, f"band {kind}", title))
        out.append(rect(x0, 2.0, x1 - x0, STRIP_H - 4.0, f"strip {kind}", title))
        if (x1 - x0) >= 7.0 * len(label) + 6.0:
            out.append(text((x0 + x1) / 2, STRIP_H - 8.0, label, "strip-label", "middle"))
    return out


def _series(xs: Sequence[float], values: Iterable[float], y: LinearScale, cls: str) -> str:
    return path(line_path(xs, [y(float(v)) for v in values]), f"line {cls}")


def _hr_panel(review: DayReview, at: _Layout, xs: Sequence[float]) -> list[str]:
    hr_lo, hr_hi = _hr_range(review)
    y = LinearScale(hr_lo, hr_hi, at.hr_top + HR_H, at.hr_top)
    out = _panel_frame(at.hr_top, HR_H, "bpm", nice_ticks(hr_lo, hr_hi, 4), y)
    base_y = y(review.baseline.hr_bpm)
    out.append(line(LEFT, base_y, WIDTH - RIGHT, base_y, "baseline", review.baseline.text))
    out.append(text(WIDTH - RIGHT + 4.0, base_y + 4.0, "baseline", "note"))
    out.append(_series(xs, review.hr_bpm, y, "line-hr"))
    return out


def _stress_panel(review: DayReview, at: _Layout, xs: Sequence[float]) -> list[str]:
    y = LinearScale(0.0, 100.0, at.stress_top + STRESS_H, at.stress_top)
    high = y(HIGH_STRESS) - y(100.0)
    out = [rect(LEFT, y(100.0), WIDTH - LEFT - RIGHT, high, "zone-high")]
    out += _panel_frame(at.stress_top, STRESS_H, "stress", (0.0, 25.0, 50.0, 75.0, 100.0), y)
    out.append(_series(xs, review.stress, y, "line-stress"))
    for prompt in review.prompts:
        if prompt.delivered_s is None or not at.x.lo <= prompt.delivered_s <= at.x.hi:
            continue
        px, py = at.x(prompt.delivered_s), at.stress_top + 2.0
        d = f"M{px:.1f} {py + 9:.1f}L{px - 5:.1f} {py:.1f}H{px + 5:.1f}Z"
        title = f"{prompt.when_text} {prompt.kind}: {prompt.reason}"
        out.append(path(d, "prompt-mark", title))
    return out


def _load_panel(review: DayReview, at: _Layout, xs: Sequence[float]) -> list[str]:
    y = LinearScale(0.0, 100.0, at.load_top + LOAD_H, at.load_top)
    out = _panel_frame(at.load_top, LOAD_H, "day's load", (0.0, 50.0, 100.0), y)
    out.append(_series(xs, review.daily_load, y, "line-load"))
    return out


def _time_axis(at: _Layout) -> list[str]:
    out: list[str] = []
    for at_s, name in hour_ticks(at.x.lo, at.x.hi):
        tx = at.x(at_s)
        out.append(line(tx, at.bottom, tx, at.bottom + 4.0, "tick-mark"))
        out.append(text(tx, at.bottom + 18.0, name, "tick", "middle"))
    return out


def timeline_chart(review: DayReview, labels: Mapping[int, str]) -> str:
    """Heart rate, stress and the day's load over the day, with session bands and prompts."""
    first, last = _span(review)
    at = _Layout(LinearScale(first, last, LEFT, WIDTH - RIGHT))
    xs = [at.x(float(t)) for t in review.minute_s + MINUTE_S / 2]
    out = _bands(review, labels, at, last)
    out += _hr_panel(review, at, xs)
    out += _stress_panel(review, at, xs)
    out += _load_panel(review, at, xs)
    out += _time_axis(at)
    description = (
        f"Heart rate (beats per minute), stress (0-100, high from {HIGH_STRESS:.0f}) and the "
        f"day's load (0-100) for each minute from {clock(first)} to {clock(last)}; coloured "
        "bands are the sessions and triangles the prompts that were shown."
    )
    title = "Heart rate, stress and load through the day"
    return svg_document(WIDTH, at.bottom + AXIS_H, title, description, out, "timeline")


def _rows_frame(rows: int, top: float) -> tuple[float, float]:
    return top, top + rows * ROW_H


def _row_name(y: float, row: SessionRow, label: str) -> list[str]:
    return [
        rect(8.0, y + 6.0, 10.0, 10.0, f"swatch {_kind_class(row.kind)}"),
        text(24.0, y + 16.0, f"{clock(row.start_s)}  {label}", "row-name"),
    ]


def _value_axis(
    top: float, bottom: float, scale: LinearScale, ticks: Sequence[float], unit: str
) -> list[str]:
    out: list[str] = []
    for value in ticks:
        tx = scale(value)
        out.append(
            f'<line class="grid" x1="{tx:.1f}" x2="{tx:.1f}" y1="{top:.1f}" y2="{bottom:.1f}"/>'
        )
        out.append(text(tx, bottom + 16.0, f"{value:.0f}{unit}", "tick", "middle"))
    return out


def load_chart(sessions: Sequence[SessionRow], labels: Mapping[int, str]) -> str:
    """One bar per session: its load, 0-100, and whether the helper marked it heavy."""
    top, bottom = _rows_frame(len(sessions), 8.0)
    scale = LinearScale(0.0, 100.0, NAME_W, WIDTH - RIGHT - 150.0)
    out = _value_axis(top, bottom, scale, (0.0, 25.0, 50.0, 75.0, 100.0), "")
    for i, row in enumerate(sessions):
        y = top + i * ROW_H
        label = labels[row.session_id]
        out += _row_name(y, row, label)
        if row.load is None:
            out.append(text(NAME_W + 4.0, y + 16.0, "not measured", "note"))
            continue
        width = scale(row.load) - scale(0.0)
        title = f"{_session_title(row, label)}: load {row.load:.0f} of 100"
        out.append(
            rect(
                NAME_W, y + 4.0, max(width, 1.5), ROW_H - 8.0, f"bar {_kind_class(row.kind)}", title
            )
        )
        words = f"{row.load:.0f}" + ("  · marked heavy" if row.marked_heavy else "")
        out.append(text(NAME_W + max(width, 1.5) + 6.0, y + 16.0, words, "value"))
    description = (
        "The load of each session, from 0 to 100: how long and how far stress stayed "
        "above the resting range during it."
    )
    return svg_document(WIDTH, bottom + 26.0, "Load of each session", description, out, "load")


@dataclass(frozen=True, slots=True)
class SessionGap:
    """A session and the minutes after it: until the next session, or the end of the data."""

    row: SessionRow
    minutes_after: float | None
    before: str
    """``"the next session"`` or ``"the end of the recording"``."""


def session_gaps(review: DayReview) -> list[SessionGap]:
    """Each ended session with the time there was after it to recover in."""
    ended = sorted((s for s in review.sessions if s.end_s is not None), key=lambda s: s.start_s)
    data_end = float(review.minute_s[-1]) + MINUTE_S if review.minute_s.size else None
    out: list[SessionGap] = []
    for row in ended:
        assert row.end_s is not None
        later = [s.start_s for s in review.sessions if s.start_s >= row.end_s and s is not row]
        if later:
            out.append(
                SessionGap(row, max(0.0, (min(later) - row.end_s) / 60.0), "the next session")
            )
        elif data_end is not None:
            out.append(
                SessionGap(row, max(0.0, (data_end - row.end_s) / 60.0), "the end of the recording")
            )
        else:
            out.append(SessionGap(row, None, "the end of the recording"))
    return out


def recovery_words(gap: SessionGap, *, short: bool = False) -> str:
    """Recovery after a session in plain words (``short`` for a table cell)."""
    minutes = gap.row.recovery_min
    if minutes is not None:
        if minutes < 1.0:
            return "at once" if short else "already near baseline"
        return f"{minutes:.0f} min" if short else f"back near baseline after {minutes:.0f} min"
    if gap.row.load is None:
        return "–" if short else "not measured"
    if short:
        return f"not before {gap.before.removeprefix('the ')}"
    room = "" if gap.minutes_after is None else f" ({gap.minutes_after:.0f} min later)"
    return f"not back near baseline before {gap.before}{room}"


def recovery_chart(gaps: Sequence[SessionGap], labels: Mapping[int, str]) -> str:
    """After each session: the time until the next one (pale) and the recovery time (solid)."""
    top, bottom = _rows_frame(len(gaps), 8.0)
    longest = max(
        [g.minutes_after or 0.0 for g in gaps] + [g.row.recovery_min or 0.0 for g in gaps] + [10.0]
    )
    axis_max = min(RECOVERY_AXIS_MAX_MIN, 10.0 * math.ceil(longest / 10.0))
    scale = LinearScale(0.0, axis_max, NAME_W, WIDTH - RIGHT - 330.0)
    out = _value_axis(top, bottom, scale, nice_ticks(0.0, axis_max, 4), " min")
    for i, gap in enumerate(gaps):
        y = top + i * ROW_H
        label = labels[gap.row.session_id]
        out += _row_name(y, gap.row, label)
        words = recovery_words(gap)
        title = f"{_session_title(gap.row, label)}: {words}"
        if gap.minutes_after is not None:
            room = min(gap.minutes_after, axis_max)
            out.append(rect(NAME_W, y + 5.0, scale(room) - scale(0.0), ROW_H - 10.0, "room", title))
        if gap.row.recovery_min is not None:
            minutes = min(gap.row.recovery_min, axis_max)
            out.append(
                rect(
                    NAME_W,
                    y + 5.0,
                    max(scale(minutes) - scale(0.0), 2.0),
                    ROW_H - 10.0,
                    "recovered",
                    title,
                )
            )
        out.append(text(scale(axis_max) + 8.0, y + 16.0, words, "value"))
    description = (
        "After each session: the pale bar is the time until the next session (drawn up to "
        f"{RECOVERY_AXIS_MAX_MIN:.0f} minutes), the solid bar the minutes until three minutes "
        "in a row were near baseline."
    )
    return svg_document(
        WIDTH, bottom + 26.0, "Recovery after each session", description, out, "recovery"
    )
