"""The connection effect: the body in supervision and peer sessions against client
sessions, and the day's load on days with a colleague contact against days without.

Two comparisons over the trends' period, each an observation about this helper's own
data, never a claim that contact causes anything, and never a diagnosis:

- **sessions**: finished supervision and peer sessions against finished client sessions
  (team, admin, break and other sessions are in neither group). Per group, from each
  session's stored analysis (:meth:`companion.pipeline.stage.SessionResult.to_json`):

  - ``stress_mean``: mean per-minute stress score of the session's scored minutes (0-100);
  - ``hr_change_bpm``: mean heart rate of its good minutes minus the baseline heart
    rate, in beats per minute;
  - ``rmssd_change_pct``: change of RMSSD against the baseline, in percent,
    ``100 * (exp(d) - 1)`` for ``d`` the mean 60-s ln RMSSD minus the baseline's
    (RMSSD: root mean square of successive RR differences; Shaffer & Ginsberg 2017);
  - ``recovery_min``: minutes from the session's end until back near baseline, where
    known (None when the helper did not get back near baseline before the next session
    or the end of the recording).

  Each mean is over the sessions where that value is known; its count says how many.
  Definitions in :mod:`signals.scores.load`.

- **days**: the day's load at the end of the day (``daily_load`` in the day summary,
  0-100, see :mod:`signals.scores.load`; the last minute's value) on recorded days with a
  colleague contact against recorded days without one. A day has a colleague contact
  when the colleague book (``DATA/colleagues.json``, :meth:`ColleagueBook.contact_days`)
  logs a real contact that day (a message sent, a talk in person, a session tagged with
  a colleague; not a test message, not a failed send), **or** a supervision or peer
  session was recorded that day. Days without a summary, or whose summary has no
  end-of-day load, are in neither group; nor is a day still being recorded (its summary
  so far, marked ``"so_far"`` by :func:`companion.review.trends.trends`), whose load has not
  ended yet: the line says it is left out.

Fewer than :data:`MIN_COMPARE` on either side of a comparison: the lines say there is
too little to compare yet, and show the counts. This module is headless and reads only
the colleague book; :func:`companion.review.trends.trends` hands it the store's documents.

References: Shaffer F, Ginsberg JP (2017). An overview of heart rate variability metrics
and norms. Front Public Health 5:258.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from companion.connect.colleagues import load_book
from companion.errors import HoldspaceError
from companion.review.trends.numbers import OWN_DATA, mean, num
from companion.store.types import StoredSession

__all__ = [
    "CLIENT_KINDS",
    "CONNECTION_KINDS",
    "MIN_COMPARE",
    "ConnectionEffect",
    "ContactDayLoads",
    "Mean",
    "SessionGroup",
    "connection_effect",
    "read_contact_days",
]

CONNECTION_KINDS: Final = ("supervision", "peer")
"""Session kinds that are themselves a colleague contact."""
CLIENT_KINDS: Final = ("client",)
"""Session kinds they are compared against."""
MIN_COMPARE: Final = 2
"""Sessions (or days) needed on each side before two sides are compared."""

_CONNECTED_NAME: Final = "supervision and peer sessions"
_CLIENT_NAME: Final = "client sessions"


@dataclass(frozen=True, slots=True)
class Mean:
    """A mean ``value`` over ``n`` known values (None when ``n`` is 0)."""

    value: float | None
    n: int


@dataclass(frozen=True, slots=True)
class SessionGroup:
    """Finished sessions of ``kinds`` in the period.

    Attributes
    ----------
    kinds : the session kinds in the group.
    n_sessions : finished sessions of those kinds (with or without an analysis).
    stress : mean per-minute stress score of each session (0-100), averaged.
    hr_change_bpm : heart rate against the baseline, in beats per minute, averaged.
    rmssd_change_pct : RMSSD against the baseline, in percent, averaged.
    recovery_min : minutes until back near baseline after the session, averaged over
        the sessions where it is known.
    """

    kinds: tuple[str, ...]
    n_sessions: int
    stress: Mean
    hr_change_bpm: Mean
    rmssd_change_pct: Mean
    recovery_min: Mean


@dataclass(frozen=True, slots=True)
class ContactDayLoads:
    """The end-of-day load (``daily_load``, 0-100) on recorded days with and without a
    colleague contact; ``contact_days`` are all the period's days with one (recorded or not).
    """

    with_contact: Mean
    without_contact: Mean
    contact_days: tuple[date, ...]
    so_far: tuple[date, ...] = ()
    """Days still being recorded, left out of the comparison."""


@dataclass(frozen=True, slots=True)
class ConnectionEffect:
    """Both comparisons and the plain lines that tell them.

    ``book_problem`` is why the colleague book could not be read (None when it could,
    or when there is none); its contacts are then left out.
    """

    connected: SessionGroup
    client: SessionGroup
    days: ContactDayLoads
    book_problem: str | None
    lines: tuple[str, ...]


def read_contact_days(data_dir: Path) -> tuple[frozenset[date], str | None]:
    """Local days with a real contact in the colleague book of ``data_dir``.

    Returns the days and None, or no days and the reason the book could not be read.
    """
    try:
        iso_days = load_book(data_dir).contact_days()
    except HoldspaceError as exc:
        return frozenset(), str(exc)
    return frozenset(date.fromisoformat(d) for d in iso_days), None


def connection_effect(
    sessions: Sequence[tuple[StoredSession, Mapping[str, Any]]],
    summaries: Mapping[date, Mapping[str, Any] | None],
    contact_days: Iterable[date],
    *,
    book_problem: str | None = None,
) -> ConnectionEffect:
    """Compare sessions and days over the period whose days are ``summaries``' keys.

    ``sessions`` are the period's finished sessions with their analyses (``{}`` without
    one); ``summaries`` each day's summary (None for a day not recorded);
    ``contact_days`` the days with a contact in the colleague book.
    """
    connected = _group(sessions, CONNECTION_KINDS)
    client = _group(sessions, CLIENT_KINDS)
    met = {s.day for s, _ in sessions if s.kind in CONNECTION_KINDS} | set(contact_days)
    in_period = tuple(sorted(d for d in summaries if d in met))
    with_contact: list[float] = []
    without_contact: list[float] = []
    so_far = tuple(sorted(d for d, doc in summaries.items() if doc and doc.get("so_far")))
    for day, summary in summaries.items():
        load = None if summary is None or day in so_far else num(summary.get("daily_load"))
        if load is not None:
            (with_contact if day in met else without_contact).append(load)
    days = ContactDayLoads(_mean(with_contact), _mean(without_contact), in_period, so_far)
    lines = [*_session_lines(connected, client), _day_line(days)]
    if book_problem is not None:
        lines.append(
            "Contacts in your colleague book are left out (only supervision and peer "
            f"sessions count here): {book_problem}"
        )
    return ConnectionEffect(connected, client, days, book_problem, tuple(lines))


def _mean(values: Sequence[float]) -> Mean:
    return Mean(mean(values), len(values))


def _group(
    sessions: Sequence[tuple[StoredSession, Mapping[str, Any]]], kinds: tuple[str, ...]
) -> SessionGroup:
    mine = [analysis for stored, analysis in sessions if stored.kind in kinds]

    def known(key: str) -> Mean:
        return _mean([v for a in mine if (v := num(a.get(key))) is not None])

    return SessionGroup(
        kinds=kinds,
        n_sessions=len(mine),
        stress=known("stress_mean"),
        hr_change_bpm=known("hr_change_bpm"),
        rmssd_change_pct=known("rmssd_change_pct"),
        recovery_min=known("recovery_min"),
    )


def _both(a: Mean, b: Mean) -> bool:
    return a.n >= MIN_COMPARE and b.n >= MIN_COMPARE


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'s' * (n != 1)}"


def _session_lines(connected: SessionGroup, client: SessionGroup) -> list[str]:
    c, k = connected, client
    if not _both(c.stress, k.stress):
        return [
            "Too little to compare sessions yet: "
            f"{_count(c.stress.n, 'supervision or peer session')} and "
            f"{_count(k.stress.n, 'client session')} with a stress score "
            f"(at least {MIN_COMPARE} of each are needed)."
        ]
    lines = [
        f"In your {_CONNECTED_NAME} ({c.stress.n}) your stress averaged {c.stress.value:.0f}, "
        f"against {k.stress.value:.0f} in {_CLIENT_NAME} ({k.stress.n}), {OWN_DATA}."
    ]
    if _both(c.hr_change_bpm, k.hr_change_bpm):
        lines.append(
            f"Heart rate against your baseline: {c.hr_change_bpm.value:+.0f} bpm in "
            f"{_CONNECTED_NAME} ({c.hr_change_bpm.n}), {k.hr_change_bpm.value:+.0f} bpm in "
            f"{_CLIENT_NAME} ({k.hr_change_bpm.n})."
        )
    if _both(c.rmssd_change_pct, k.rmssd_change_pct):
        lines.append(
            f"RMSSD against your baseline: {c.rmssd_change_pct.value:+.0f} % in "
            f"{_CONNECTED_NAME} ({c.rmssd_change_pct.n}), {k.rmssd_change_pct.value:+.0f} % "
            f"in {_CLIENT_NAME} ({k.rmssd_change_pct.n})."
        )
    if _both(c.recovery_min, k.recovery_min):
        lines.append(
            f"Back near your baseline {c.recovery_min.value:.0f} min after {_CONNECTED_NAME} "
            f"on average ({c.recovery_min.n}), {k.recovery_min.value:.0f} min after "
            f"{_CLIENT_NAME} ({k.recovery_min.n})."
        )
    return lines


def _day_line(days: ContactDayLoads) -> str:
    met, other = days.with_contact, days.without_contact
    left_out = "".join(
        f" {day:%a} {day.day} {day:%b} is still being recorded: its load is left out until "
        "the day ends."
        for day in days.so_far
    )
    if not _both(met, other):
        return (
            "Too little to compare days yet: "
            f"{_count(met.n, 'recorded day')} with a colleague contact and {other.n} without "
            f"(at least {MIN_COMPARE} of each are needed).{left_out}"
        )
    return (
        f"On the {met.n} days with a colleague contact your day's load ended at "
        f"{met.value:.0f} on average; on the {other.n} days without, {other.value:.0f}. "
        f"An observation about your own days, not a cause.{left_out}"
    )
