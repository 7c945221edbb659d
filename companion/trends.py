"""Trends over 7 or 30 days, from day summaries, session analyses, prompts and minutes.

Five parts, each with its own plain-language headline:

- **daily load**: the peak and the end-of-day value of the day's load (0-100, see
  :mod:`signals.load`) for every day of the period; a day without a summary is ``None``;
- **load by session kind**: total and mean session ``load`` (0-100) per kind, with n;
- **stress by hour of day**: mean per-minute stress score (0-100) for each local hour,
  with the number of scored minutes behind it;
- **heavy sessions per ISO week**: count (marked or measured heavy) and their mean peak stress;
- **what followed an act**: over accepted prompts with before/after markers, the mean
  change of stress (mean of the minutes after minus the minute before) and of heart rate.

Nothing here is a diagnosis. Each headline says what moved and against which baseline
(the period's mean, all sessions, the previous week, the minute before), says "in your
own data", and shows n so that small samples stay visible. Raw beats are never read:
only day summaries, sessions, prompts and per-minute documents (at most 1440 a day).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from companion.sessions import SESSION_KINDS
from companion.store import Store, StoredSession, local_day

__all__ = [
    "ACT_KINDS",
    "MIN_ACTS",
    "MIN_DAYS",
    "ActOutcome",
    "ActOutcomes",
    "DailyLoads",
    "DayLoad",
    "HeavyWeeks",
    "HourProfile",
    "HourStress",
    "KindLoad",
    "KindLoads",
    "Trends",
    "WeekHeavy",
    "latest_day",
    "stress_by_hour",
    "trends",
]

MIN_DAYS: Final = 3
"""Recorded days below which no pattern across days is named."""
MIN_ACTS: Final = 3
"""Accepted acts with before/after markers below which acts are not compared."""
SMALL_N: Final = 5
"""A count below this is called a small sample in a headline."""
WINDOW_HOURS: Final = 3
"""Width of the stretch of hours the hour headline looks for."""
MIN_HOUR_MINUTES: Final = 10
"""Scored minutes an hour needs to be part of that stretch."""
NOTABLE_STRESS: Final = 5.0
"""Points above the period's mean stress that make a stretch of hours worth naming."""
ACT_KINDS: Final = ("pause", "breathe", "contact")
_ACT_NAMES: Final = {
    "pause": "Pausing",
    "breathe": "Breathing",
    "contact": "Contacting a colleague",
}
_OWN: Final = "in your own data"


@dataclass(frozen=True, slots=True)
class DayLoad:
    """One day of the period: ``peak`` and ``end`` daily load (0-100); None when unknown."""

    day: date
    recorded: bool
    peak: float | None
    end: float | None


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
class WeekHeavy:
    """One ISO week, as far as it lies in the period (``n_days`` of its 7 days).

    ``mean_heavy_peak`` is the mean peak stress (0-100) of its heavy sessions.
    """

    year: int
    week: int
    monday: date
    n_days: int
    n_sessions: int
    n_heavy: int
    mean_heavy_peak: float | None


@dataclass(frozen=True, slots=True)
class HeavyWeeks:
    weeks: tuple[WeekHeavy, ...]
    headline: str


@dataclass(frozen=True, slots=True)
class ActOutcome:
    """Accepted prompts of one kind with before/after markers.

    ``stress_change``: mean over acts of (mean stress of the minutes after minus the
    stress of the minute before), in score points; ``hr_change_bpm`` the same for
    heart rate, in beats per minute (over the acts where both are known).
    """

    kind: str
    n: int
    stress_change: float | None
    hr_change_bpm: float | None


@dataclass(frozen=True, slots=True)
class ActOutcomes:
    """``unanswered``: delivered prompts with markers but no answer recorded (left out)."""

    acts: tuple[ActOutcome, ...]
    n: int
    unanswered: int
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
    summaries = {d: store.day_summary(d) for d in calendar}
    recorded = [d for d in calendar if summaries[d] is not None]
    sessions = [
        (s, store.session_analysis(s.session_id) or {})
        for s in store.sessions()
        if s.end_s is not None and first <= s.day <= end
    ]
    prompts = [p for p in store.prompts() if first <= local_day(float(p["raised_s"])) <= end]
    day_hours = (_day_hours(store, d, summaries[d] or {}) for d in recorded)
    few = f"Not enough days yet ({len(recorded)} of {days}) to see a pattern"
    enough = len(recorded) >= MIN_DAYS
    return Trends(
        end=end,
        days=days,
        first=first,
        daily=_daily(calendar, summaries, few),
        kinds=_kinds(sessions, days, None if enough else few + " by session kind."),
        hours=_hours(day_hours, days, None if enough else few + " by hour of day."),
        heavy=_weeks(calendar, sessions, None if enough else few + " across weeks."),
        acts=_acts(prompts),
    )


# -- parts ----------------------------------------------------------------------------------


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _date_text(day: date) -> str:
    return f"{day.day} {day:%b}"


def _small(n: int) -> str:
    return " A small sample: read it as a hint." if n < SMALL_N else ""


def _daily(
    calendar: Sequence[date], summaries: Mapping[date, Mapping[str, Any] | None], few: str
) -> DailyLoads:
    out = []
    for day in calendar:
        doc = summaries[day]
        if doc is None:
            out.append(DayLoad(day, recorded=False, peak=None, end=None))
        else:
            peak, last = _num(doc.get("daily_load_peak")), _num(doc.get("daily_load"))
            out.append(DayLoad(day, recorded=True, peak=peak, end=last))
    n = sum(d.recorded for d in out)
    with_peak = [d for d in out if d.peak is not None]
    mean_peak = _mean([d.peak for d in with_peak if d.peak is not None])
    if n == 0:
        headline = f"No days recorded in these {len(calendar)} days."
    elif n < MIN_DAYS:
        headline = few + "."
    elif mean_peak is None:
        headline = f"{n} of {len(calendar)} days recorded, none with a daily load yet."
    else:
        top = max(with_peak, key=lambda d: d.peak or 0.0)
        headline = (
            f"Daily load peaked highest on {top.day:%a} {_date_text(top.day)} ({top.peak:.0f}), "
            f"against a mean peak of {mean_peak:.0f} over {len(with_peak)} days, {_OWN}."
        )
    return DailyLoads(tuple(out), n, mean_peak, headline)


def _kinds(
    sessions: Sequence[tuple[StoredSession, Mapping[str, Any]]], days: int, few: str | None
) -> KindLoads:
    loads: dict[str, list[float]] = defaultdict(list)
    for stored, analysis in sessions:
        load = _num(analysis.get("load"))
        if load is not None:
            loads[stored.kind].append(load)
    order = [k for k in SESSION_KINDS if k in loads] + sorted(set(loads) - set(SESSION_KINDS))
    kinds = tuple(
        KindLoad(k, len(loads[k]), sum(loads[k]), sum(loads[k]) / len(loads[k])) for k in order
    )
    every = [x for k in order for x in loads[k]]
    mean_all = _mean(every)
    if mean_all is None:
        headline = f"No sessions with a measured load in these {days} days."
    elif few is not None:
        headline = few
    else:
        top = max(kinds, key=lambda k: k.mean)
        headline = (
            f"{top.kind.capitalize()} sessions carried the most load per session (mean "
            f"{top.mean:.0f}, n={top.n}), against {mean_all:.0f} across all {len(every)} "
            f"sessions, {_OWN}.{_small(top.n)}"
        )
    return KindLoads(kinds, len(every), mean_all, headline)


def _part_of_day(hour: int) -> str:
    if hour < 12:
        return "Mornings"
    if hour < 14:
        return "Middays"
    return "Afternoons" if hour < 18 else "Evenings"


def stress_by_hour(minutes: Iterable[Mapping[str, Any]]) -> list[list[float]]:
    """Per local hour 0-23: ``[scored minutes, sum of their stress scores]``.

    ``minutes`` are per-minute documents (``start_s`` epoch seconds, ``stress`` 0-100 or
    None). This is the shape a day summary may keep under ``"stress_by_hour"``, so that
    trends need not read the day's minutes; sums (not means) add up exactly across days.
    """
    out = [[0, 0.0] for _ in range(24)]
    for doc in minutes:
        stress = _num(doc.get("stress"))
        if stress is not None:
            cell = out[datetime.fromtimestamp(float(doc["start_s"])).hour]
            cell[0] += 1
            cell[1] += stress
    return out


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
            f"the mean stress of {mean_all:.0f} ({n} minutes), {_OWN}."
        )
    else:
        mean, start = best
        heaviest = tuple(range(start, start + WINDOW_HOURS))
        n_window = sum(counts[h] for h in heaviest)
        headline = (
            f"{_part_of_day(start + WINDOW_HOURS // 2)} ({start}–{start + WINDOW_HOURS} h) "
            f"carried the most stress in these {days} days (mean {mean:.0f} vs {mean_all:.0f} "
            f"over the day; {n_window} of {n} minutes), {_OWN}."
        )
    return HourProfile(hours, heaviest, mean_all, n, headline)


def _weeks(
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
    for stored, analysis in sessions:
        year, week, _ = stored.day.isocalendar()
        n_sessions[(year, week)] += 1
        heavy = analysis.get("heavy") if "heavy" in analysis else stored.heavy
        if heavy:
            peaks[(year, week)].append(_num(analysis.get("stress_peak")))
    weeks = tuple(
        WeekHeavy(
            year=key[0],
            week=key[1],
            monday=date.fromisocalendar(key[0], key[1], 1),
            n_days=len(days),
            n_sessions=n_sessions[key],
            n_heavy=len(peaks[key]),
            mean_heavy_peak=_mean([p for p in peaks[key] if p is not None]),
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
            f"The week of {_date_text(last.monday)}{_days_text(last, partial)} "
            f"held {_heavy_text(last)}"
        )
        if before is not None:
            headline += (
                f", against {before.n_heavy} of {before.n_sessions} in the week of "
                f"{_date_text(before.monday)}{_days_text(before, partial)}"
            )
        headline += f", {_OWN}."
    return HeavyWeeks(weeks, headline)


def _days_text(week: WeekHeavy, partial: bool) -> str:
    """How many of the week's days are in view, when a compared week is partial."""
    return f" ({week.n_days} day{'s' * (week.n_days != 1)} in view)" if partial else ""


def _heavy_text(week: WeekHeavy) -> str:
    text = f"{week.n_heavy} heavy session{'s' * (week.n_heavy != 1)} of {week.n_sessions}"
    if week.mean_heavy_peak is not None:
        text += f" (mean peak stress {week.mean_heavy_peak:.0f})"
    return text


def _acts(prompts: Sequence[Mapping[str, Any]]) -> ActOutcomes:
    stress: dict[str, list[float]] = defaultdict(list)
    hr: dict[str, list[float]] = defaultdict(list)
    unanswered = 0
    for p in prompts:
        pair = p.get("before_after") or {}
        before, after = pair.get("before"), pair.get("after")
        if p.get("delivered_s") is None or not before or not after:
            continue
        s0, s1 = _num(before.get("stress")), _num(after.get("stress_mean"))
        if s0 is None or s1 is None:
            continue
        if p.get("response") is None:
            unanswered += 1
        if p.get("response") != "accepted":
            continue
        stress[p["kind"]].append(s1 - s0)
        h0, h1 = _num(before.get("hr_bpm")), _num(after.get("hr_bpm"))
        if h0 is not None and h1 is not None:
            hr[p["kind"]].append(h1 - h0)
    acts = tuple(ActOutcome(k, len(stress[k]), _mean(stress[k]), _mean(hr[k])) for k in ACT_KINDS)
    n = sum(a.n for a in acts)
    left_out = f" ({unanswered} delivered without an answer recorded are left out.)"
    if n == 0:
        headline = "No accepted pause, breathe or contact prompts with before/after minutes yet."
        headline += left_out if unanswered else ""
    elif n < MIN_ACTS:
        headline = f"Too few accepted acts yet (n={n}) to compare them."
    else:
        top = min((a for a in acts if a.n), key=lambda a: a.stress_change or 0.0)
        change = top.stress_change or 0.0
        if change >= 0:
            headline = f"No act was followed by lower stress on average (n={n}), {_OWN}."
        else:
            headline = (
                f"{_ACT_NAMES[top.kind]} was followed by the largest drop in stress "
                f"({change:+.0f} points in the minutes after, against the minute before; "
                f"n={top.n}), {_OWN}.{_small(top.n)}"
            )
    return ActOutcomes(acts, n, unanswered, headline)
