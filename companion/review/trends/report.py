"""Trends over 7 or 30 days, from day summaries, session analyses, prompts and minutes.

Six parts, each with its own plain-language headline (or lines):

- **daily load**: the peak and the end-of-day value of the day's load (0-100, see
  :mod:`signals.scores.load`) for every day of the period; a day without a summary is ``None``;
- **load by session kind**: total and mean session ``load`` (0-100) per kind, with n;
- **stress by hour of day**: mean per-minute stress score (0-100) for each local hour,
  with the number of scored minutes behind it;
- **heavy sessions per ISO week**: count (marked or measured heavy) and their mean peak stress;
- **what followed an act**: over accepted prompts with before/after markers, the mean
  change of stress (mean of the minutes after minus the minute before) and of heart rate;
- **shown against held prompts** (with learning on): per act, the change after prompts
  shown against prompts held back by chance (:mod:`companion.review.trends.effects`), the
  honest comparison the part above cannot make (it mixes the act with the moments in which
  a helper feels able to accept);
- **connection effect**: stress, heart rate, RMSSD and recovery in supervision and peer
  sessions against client sessions, and the end-of-day load on days with a colleague
  contact against days without (:mod:`companion.review.trends.support`).

A day still being recorded (no summary yet, or one older than what is stored for it:
:func:`companion.pipeline.summary.summary_is_current`) is in every part **so far**: its load and
hours are read from its stored minutes, it counts as recorded, and it is named as "so
far" (:attr:`Trends.so_far`). Only comparisons of end-of-day loads leave it out, and say so.

Nothing here is a diagnosis. Each headline says what moved and against which baseline
(the period's mean, all sessions, the previous week, the minute before), says "in your
own data", and shows n so that small samples stay visible. Raw beats are never read:
only day summaries, sessions, prompts and per-minute documents (at most 1440 a day).

This module reads the store (:func:`trends`) and computes stress by hour of day; four
other parts are computed in :mod:`companion.review.trends.loads`, the connection effect in
:mod:`companion.review.trends.support` (which also reads the colleague book in the store's
data directory).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from companion.pipeline.summary import stress_by_hour, summary_is_current
from companion.review.trends.acts import ActOutcomes, act_outcomes
from companion.review.trends.effects import Effects, effects
from companion.review.trends.loads import (
    DailyLoads,
    HeavyWeeks,
    KindLoads,
    daily_loads,
    heavy_weeks,
    kind_loads,
)
from companion.review.trends.numbers import MIN_DAYS, OWN_DATA, num
from companion.review.trends.support import (
    ConnectionEffect,
    connection_effect,
    read_contact_days,
)
from companion.store.store import Store
from companion.store.types import StoredSession, local_day

__all__ = [
    "HourProfile",
    "HourStress",
    "Trends",
    "latest_day",
    "trends",
]

WINDOW_HOURS: Final = 3
"""Width of the stretch of hours the hour headline looks for."""
MIN_HOUR_MINUTES: Final = 10
"""Scored minutes an hour needs to be part of that stretch."""
NOTABLE_STRESS: Final = 5.0
"""Points above the period's mean stress that make a stretch of hours worth naming."""


@dataclass(frozen=True, slots=True)
class HourStress:
    """Local hour 0-23: ``n_minutes`` scored minutes and their mean stress (None without any)."""

    hour: int
    n_minutes: int
    mean_stress: float | None


@dataclass(frozen=True, slots=True)
class HourProfile:
    """All 24 hours; ``heaviest`` are the hours the headline names (empty when none stand out)."""

    hours: tuple[HourStress, ...]
    heaviest: tuple[int, ...]
    mean_all: float | None
    n_minutes: int
    headline: str


@dataclass(frozen=True, slots=True)
class Trends:
    """Trends over the ``days`` days from ``first`` to ``end`` (both included)."""

    end: date
    days: int
    first: date
    daily: DailyLoads
    kinds: KindLoads
    hours: HourProfile
    heavy: HeavyWeeks
    acts: ActOutcomes
    connection: ConnectionEffect
    effects: Effects | None = None
    """Shown against held prompts, when the period holds any randomised prompt (learning on)."""
    so_far: tuple[date, ...] = ()
    """Days of the period still being recorded: in every part with their data so far."""

    @property
    def n_days_recorded(self) -> int:
        return self.daily.n_recorded


def latest_day(store: Store) -> date | None:
    """The most recent day with stored data, if any."""
    days = store.days()
    return days[-1] if days else None


def trends(store: Store, end: date, days: int = 7) -> Trends:
    """Trends over the ``days`` local days up to and including ``end``."""
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    first = end - timedelta(days=days - 1)
    calendar = [first + timedelta(days=i) for i in range(days)]
    summaries: dict[date, Mapping[str, Any] | None] = {d: store.day_summary(d) for d in calendar}
    in_period = [s for s in store.sessions() if first <= s.day <= end]
    so_far = _days_so_far(store, calendar, summaries, in_period)
    for day in so_far:
        summaries[day] = _summary_so_far(store, day)
    recorded = [d for d in calendar if summaries[d] is not None]
    sessions = [
        (s, store.session_analysis(s.session_id) or {}) for s in in_period if s.end_s is not None
    ]
    prompts = [p for p in store.prompts() if first <= local_day(float(p["raised_s"])) <= end]
    day_hours = (_day_hours(store, d, summaries[d] or {}) for d in recorded)
    few = f"Not enough days yet ({len(recorded)} of {days}) to see a pattern"
    enough = len(recorded) >= MIN_DAYS
    contact_days, book_problem = read_contact_days(store.data_dir)
    return Trends(
        end=end,
        days=days,
        first=first,
        daily=daily_loads(calendar, summaries, few, so_far=so_far),
        kinds=kind_loads(sessions, days, None if enough else few + " by session kind."),
        hours=_hours(day_hours, days, None if enough else few + " by hour of day."),
        heavy=heavy_weeks(calendar, sessions, None if enough else few + " across weeks."),
        acts=act_outcomes(prompts),
        connection=connection_effect(sessions, summaries, contact_days, book_problem=book_problem),
        effects=_learned(store, end, days, prompts),
        so_far=so_far,
    )


def _learned(
    store: Store, end: date, days: int, prompts: Sequence[Mapping[str, Any]]
) -> Effects | None:
    """Shown against held prompts, only when some prompt of the period was randomised."""
    if not any(num(p.get("hold_probability")) is not None for p in prompts):
        return None
    return effects(store, end, days)


def _days_so_far(
    store: Store,
    calendar: Sequence[date],
    summaries: Mapping[date, Mapping[str, Any] | None],
    sessions: Sequence[StoredSession],
) -> tuple[date, ...]:
    """Days of ``calendar`` still being recorded (see module docstring).

    Of the days with stored beats: one without a summary; one with a summary and an
    open session; and the latest, when something stored on it starts after its
    summary's last beat (its minutes are read for that: only the one day's).
    """
    with_beats = [d for d in store.days() if calendar[0] <= d <= calendar[-1]]
    out = []
    for day in with_beats:
        mine = [s for s in sessions if s.day == day]
        summary = summaries[day]
        if summary is None:
            out.append(day)
            continue
        last_s = None
        if with_beats and day == with_beats[-1]:
            minutes = [float(m["start_s"]) for m in store.epochs(day) if num(m.get("hr_bpm"))]
            last_s = max([*minutes, *(s.start_s for s in mine)], default=None)
        open_session = any(s.end_s is None for s in mine)
        if not summary_is_current(summary, open_session=open_session, last_data_s=last_s):
            out.append(day)
    return tuple(out)


def _summary_so_far(store: Store, day: date) -> dict[str, Any]:
    """What a day still being recorded holds so far, in the shape of a day summary:
    the load of its latest stored minute and its highest, and its hours."""
    minutes = store.epochs(day)
    loads = [x for m in minutes if (x := num(m.get("daily_load"))) is not None]
    return {
        "daily_load": loads[-1] if loads else None,
        "daily_load_peak": max(loads) if loads else None,
        "stress_by_hour": stress_by_hour(minutes),
        "so_far": True,
    }


# -- stress by hour of day ----------------------------------------------------------------


def _part_of_day(hour: int) -> str:
    if hour < 12:
        return "Mornings"
    if hour < 14:
        return "Middays"
    return "Afternoons" if hour < 18 else "Evenings"


def _day_hours(store: Store, day: date, summary: Mapping[str, Any]) -> list[list[float]]:
    """The day summary's hour profile when it has one, else computed from its minutes."""
    kept = summary.get("stress_by_hour")
    if isinstance(kept, list) and len(kept) == 24:
        return [[float(n), float(total)] for n, total in kept]
    return stress_by_hour(store.epochs(day))


def _hours(days_hours: Iterable[list[list[float]]], days: int, few: str | None) -> HourProfile:
    sums, counts = [0.0] * 24, [0] * 24
    for profile in days_hours:
        for hour, (n_scored, total) in enumerate(profile):
            counts[hour] += int(n_scored)
            sums[hour] += total
    hours = tuple(
        HourStress(h, counts[h], sums[h] / counts[h] if counts[h] else None) for h in range(24)
    )
    n = sum(counts)
    mean_all = sum(sums) / n if n else None
    best: tuple[float, int] | None = None
    for start in range(24 - WINDOW_HOURS + 1):
        window = range(start, start + WINDOW_HOURS)
        if all(counts[h] >= MIN_HOUR_MINUTES for h in window):
            mean = sum(sums[h] for h in window) / sum(counts[h] for h in window)
            if best is None or mean > best[0]:
                best = (mean, start)
    heaviest: tuple[int, ...] = ()
    if mean_all is None:
        headline = f"No scored minutes in these {days} days."
    elif few is not None:
        headline = few
    elif best is None or best[0] < mean_all + NOTABLE_STRESS:
        headline = (
            f"No {WINDOW_HOURS}-hour stretch stood more than {NOTABLE_STRESS:.0f} points above "
            f"the mean stress of {mean_all:.0f} ({n} minutes), {OWN_DATA}."
        )
    else:
        mean, start = best
        heaviest = tuple(range(start, start + WINDOW_HOURS))
        n_window = sum(counts[h] for h in heaviest)
        headline = (
            f"{_part_of_day(start + WINDOW_HOURS // 2)} ({start}–{start + WINDOW_HOURS} h) "
            f"carried the most stress in these {days} days (mean {mean:.0f} vs {mean_all:.0f} "
            f"over the day; {n_window} of {n} minutes), {OWN_DATA}."
        )
    return HourProfile(hours, heaviest, mean_all, n, headline)
