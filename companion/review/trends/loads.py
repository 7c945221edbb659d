"""The trends' loads: the daily load, load by session kind and heavy sessions per week.

Each part is computed from plain documents (day summaries, sessions with their
analyses) and carries its own headline: what moved, against which baseline, "in your
own data", with n so that small samples stay visible.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from companion.review.heavy import heaviness, heavy_words
from companion.review.rows import measured_load
from companion.review.trends.numbers import (
    MIN_DAYS,
    OWN_DATA,
    date_text,
    mean,
    num,
    small_sample_text,
)
from companion.store.types import StoredSession
from sensors.events import SESSION_KINDS


@dataclass(frozen=True, slots=True)
class DayLoad:
    """One day of the period: ``peak`` and ``end`` daily load (0-100); None when unknown.

    ``so_far``: the day is still being recorded; ``end`` is its latest stored minute's load
    and ``peak`` the highest so far.
    """

    day: date
    recorded: bool
    peak: float | None
    end: float | None
    so_far: bool = False


@dataclass(frozen=True, slots=True)
class DailyLoads:
    days: tuple[DayLoad, ...]
    n_recorded: int
    mean_peak: float | None
    headline: str


@dataclass(frozen=True, slots=True)
class KindLoad:
    """Sessions of one kind: ``n`` with a load, their ``total`` and ``mean`` load (0-100)."""

    kind: str
    n: int
    total: float
    mean: float


@dataclass(frozen=True, slots=True)
class KindLoads:
    kinds: tuple[KindLoad, ...]
    n_sessions: int
    mean_all: float | None
    headline: str


@dataclass(frozen=True, slots=True)
class WeekHeavy:
    """One ISO week, as far as it lies in the period (``n_days`` of its 7 days).

    Heavy is :mod:`companion.review.heavy`'s definition: ``n_marked`` of the ``n_heavy`` you
    marked heavy, the rest had stress in the high band. ``mean_heavy_peak`` is the mean
    peak stress (0-100) of its heavy sessions.
    """

    year: int
    week: int
    monday: date
    n_days: int
    n_sessions: int
    n_heavy: int
    mean_heavy_peak: float | None
    n_marked: int = 0

    @property
    def heavy_text(self) -> str:
        """Its heavy sessions and why: "2 heavy of 4 sessions (you marked 1, high stress
        in 1 more)"."""
        return heavy_words(self.n_heavy, self.n_marked, self.n_sessions)


@dataclass(frozen=True, slots=True)
class HeavyWeeks:
    weeks: tuple[WeekHeavy, ...]
    headline: str


def daily_loads(
    calendar: Sequence[date],
    summaries: Mapping[date, Mapping[str, Any] | None],
    few: str,
    *,
    so_far: Sequence[date] = (),
) -> DailyLoads:
    """The period's days; the peaks of days ``so_far`` (still being recorded) are shown
    but not compared: the mean peak and the highest day are over finished days."""
    out = []
    for day in calendar:
        doc = summaries[day]
        if doc is None:
            out.append(DayLoad(day, recorded=False, peak=None, end=None))
        else:
            peak, last = num(doc.get("daily_load_peak")), num(doc.get("daily_load"))
            out.append(DayLoad(day, recorded=True, peak=peak, end=last, so_far=day in so_far))
    n = sum(d.recorded for d in out)
    with_peak = [d for d in out if d.peak is not None and not d.so_far]
    mean_peak = mean([d.peak for d in with_peak if d.peak is not None])
    if n == 0:
        headline = f"No days recorded in these {len(calendar)} days."
    elif n < MIN_DAYS:
        headline = few + "."
    elif mean_peak is None:
        headline = f"{n} of {len(calendar)} days recorded, none finished with a daily load yet."
    else:
        top = max(with_peak, key=lambda d: d.peak or 0.0)
        headline = (
            f"Daily load peaked highest on {top.day:%a} {date_text(top.day)} ({top.peak:.0f}), "
            f"against a mean peak of {mean_peak:.0f} over {len(with_peak)} days, {OWN_DATA}."
        )
    headline += "".join(f" {so_far_text(d)}." for d in so_far if d in summaries)
    return DailyLoads(tuple(out), n, mean_peak, headline)


def so_far_text(day: date) -> str:
    """How a day still being recorded is named: "Mon 7 Dec so far (still being recorded)"."""
    return f"{day:%a} {date_text(day)} so far (still being recorded)"


def kind_loads(
    sessions: Sequence[tuple[StoredSession, Mapping[str, Any]]], days: int, few: str | None
) -> KindLoads:
    loads: dict[str, list[float]] = defaultdict(list)
    for stored, analysis in sessions:
        load = measured_load(analysis)  # a session without a scored minute has no load
        if load is not None:
            loads[stored.kind].append(load)
    order = [k for k in SESSION_KINDS if k in loads] + sorted(set(loads) - set(SESSION_KINDS))
    kinds = tuple(
        KindLoad(k, len(loads[k]), sum(loads[k]), sum(loads[k]) / len(loads[k])) for k in order
    )
    every = [x for k in order for x in loads[k]]
    mean_all = mean(every)
    if mean_all is None:
        headline = f"No sessions with a measured load in these {days} days."
    elif few is not None:
        headline = few
    else:
        top = max(kinds, key=lambda k: k.mean)
        headline = (
            f"{top.kind.capitalize()} sessions carried the most load per session (mean "
            f"{top.mean:.0f}, n={top.n}), against {mean_all:.0f} across all {len(every)} "
            f"sessions, {OWN_DATA}.{small_sample_text(top.n)}"
        )
    return KindLoads(kinds, len(every), mean_all, headline)


def heavy_weeks(
    calendar: Sequence[date],
    sessions: Sequence[tuple[StoredSession, Mapping[str, Any]]],
    few: str | None,
) -> HeavyWeeks:
    week_days: dict[tuple[int, int], list[date]] = defaultdict(list)
    for day in calendar:
        year, week, _ = day.isocalendar()
        week_days[(year, week)].append(day)
    n_sessions: dict[tuple[int, int], int] = defaultdict(int)
    peaks: dict[tuple[int, int], list[float | None]] = defaultdict(list)
    n_marked: dict[tuple[int, int], int] = defaultdict(int)
    for stored, analysis in sessions:
        year, week, _ = stored.day.isocalendar()
        n_sessions[(year, week)] += 1
        found = heaviness(stored.heavy, analysis, kind=stored.kind)
        if found.heavy:
            peaks[(year, week)].append(num(analysis.get("stress_peak")))
            n_marked[(year, week)] += found.marked
    weeks = tuple(
        WeekHeavy(
            year=key[0],
            week=key[1],
            monday=date.fromisocalendar(key[0], key[1], 1),
            n_days=len(days),
            n_sessions=n_sessions[key],
            n_heavy=len(peaks[key]),
            mean_heavy_peak=mean([p for p in peaks[key] if p is not None]),
            n_marked=n_marked[key],
        )
        for key, days in week_days.items()
    )
    active = [w for w in weeks if w.n_sessions]
    if not active:
        headline = f"No sessions in these {len(calendar)} days."
    elif few is not None:
        headline = few
    else:
        last = active[-1]
        before = active[-2] if len(active) > 1 else None
        partial = any(w.n_days < 7 for w in (last, before) if w is not None)
        headline = (
            f"The week of {date_text(last.monday)}{_days_text(last, partial)} "
            f"held {_heavy_text(last)}"
        )
        if before is not None:
            headline += (
                f", against {before.n_heavy} of {before.n_sessions} in the week of "
                f"{date_text(before.monday)}{_days_text(before, partial)}"
            )
        headline += f", {OWN_DATA}."
    return HeavyWeeks(weeks, headline)


def _days_text(week: WeekHeavy, partial: bool) -> str:
    """How many of the week's days are in view, when a compared week is partial."""
    return f" ({week.n_days} day{'s' * (week.n_days != 1)} in view)" if partial else ""


def _heavy_text(week: WeekHeavy) -> str:
    text = week.heavy_text
    if week.mean_heavy_peak is None:
        return text
    peak = f"mean peak stress {week.mean_heavy_peak:.0f}"
    return f"{text[:-1]}; {peak})" if text.endswith(")") else f"{text} ({peak})"
