"""Recurrence limits: which series are expanded, how far, and how many occurrences are kept.

A calendar file is input from elsewhere, and a single RRULE can ask for millions of
occurrences (``FREQ=HOURLY;BYMINUTE=0,...,59;BYSECOND=0,...,59``), or for none at all after
a long search (``FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30`` runs to the year 9999). Every event is
therefore checked before it is expanded, and expanded lazily:

- Refused: an RRULE (any of them: an event may have several) with FREQ=SECONDLY or MINUTELY,
  or with more than one BYSECOND or BYMINUTE value (sub-hourly); more than
  :data:`MAX_RRULES` RRULE lines; more than :data:`MAX_RDATES` RDATE values.
- Moved: an open-ended DAILY, WEEKLY or HOURLY series starting years ago is moved forward by
  whole periods to just before the window (the same occurrences, a search of days, not years).
- Bounded: each RRULE gets an UNTIL no later than the end of the query window, which changes
  no occurrence inside it but stops the search there.
- Budgeted: the search from DTSTART to the end of the window costs about one step per day
  (per hour for FREQ=HOURLY, per BYHOUR value); an event over :data:`EVENT_STEPS_MAX` steps, or
  an import over :data:`IMPORT_STEPS_MAX`, is skipped.
- Capped: more than :data:`MAX_PER_EVENT` occurrences of one event in the window skip that
  event; the import keeps at most :data:`MAX_PER_IMPORT` occurrences.

Each refusal is one sentence, for a warning naming the event's line.

References: RFC 5545, section 3.3.10 (RECUR), 3.8.5.2 (RDATE), 3.8.5.3 (RRULE).
"""

from __future__ import annotations

import math
import warnings
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from icalendar import Component

__all__ = [
    "EVENT_STEPS_MAX",
    "IMPORT_STEPS_MAX",
    "MAX_PER_EVENT",
    "MAX_PER_IMPORT",
    "MAX_RDATES",
    "MAX_RRULES",
    "TooMany",
    "bound_rules",
    "expand",
    "rule_problem",
]

MAX_PER_EVENT: Final = 500
"""Occurrences of one event in the days imported: a daily event for a year is 366; more is
no session plan (an hourly alarm), and expanding it is work for nothing."""
MAX_PER_IMPORT: Final = 5_000
"""Occurrences kept from one file: ten events a day for a year and more; beyond, a plan is
unreadable and the store would only grow."""
MAX_RRULES: Final = 4
"""RRULE lines in one event: calendars write one; several hourly rules add up to sub-hourly."""
MAX_RDATES: Final = 500
"""RDATE values in one event, the same bound as its occurrences."""
EVENT_STEPS_MAX: Final = 100_000
"""Search steps (about a day each, an hour for hourly rules) from DTSTART to the end of the
window: a daily event since 1750, an hourly one for 11 years; about 0.2 s at most."""
IMPORT_STEPS_MAX: Final = 250_000
"""Search steps for all events of one file together: about 0.75 s at most."""

_SUB_HOURLY: Final = frozenset({"SECONDLY", "MINUTELY"})
_FILTERS: Final = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYSETPOS")
_PERIOD_DAYS: Final = {"YEARLY": 366, "MONTHLY": 31, "WEEKLY": 7, "DAILY": 1}


class TooMany(Exception):
    """An event has more occurrences in the window than its cap."""


def _first(recur: Any, key: str) -> Any:
    value = recur.get(key)
    return value[0] if isinstance(value, list) and value else value


def _rules(component: Component) -> list[Any]:
    values = component.get("RRULE")
    if values is None:
        return []
    return values if isinstance(values, list) else [values]


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def rule_problem(component: Component) -> tuple[str, int, str] | None:
    """(property, which of its lines from 0, sentence) refusing a series, or None."""
    rules = _rules(component)
    if len(rules) > MAX_RRULES:
        return "RRULE", 0, f"the event has {len(rules)} RRULE lines, more than {MAX_RRULES}"
    for nth, recur in enumerate(rules):
        if not hasattr(recur, "get"):
            return "RRULE", nth, "RRULE is malformed"
        freq = str(_first(recur, "FREQ") or "").upper()
        if freq in _SUB_HOURLY or any(len(recur.get(k, [])) > 1 for k in ("BYSECOND", "BYMINUTE")):
            return "RRULE", nth, "the event repeats more often than hourly: no session plan"
        if _never(recur, component.decoded("DTSTART")):
            return "RRULE", nth, "the event's RRULE gives no date for decades"
    rdates = component.get("RDATE")
    count = sum(
        len(getattr(v, "dts", [v]))
        for v in (rdates if isinstance(rdates, list) else [rdates])
        if v is not None
    )
    if count > MAX_RDATES:
        return "RDATE", 0, f"the event has {count} RDATE values, more than {MAX_RDATES}"
    return None


_PROBE_YEAR: Final = 9940
"""Probes start here and run to the end of dateutil's calendar (9999): about 60 years."""
PROBE_STEPS: Final = 20_000
"""What a probe costs, in search steps (a daily rule probed for 60 years)."""


def _needs_probe(recur: Any) -> bool:
    """A rule that can filter every day away (February 30th, a sixth Monday)."""
    days = [str(d) for d in recur.get("BYDAY", [])]
    return any(k in recur for k in _FILTERS) or any(d[:1] in "+-0123456789" for d in days)


def _never(recur: Any, start: date) -> bool:
    """Whether a filtering rule yields nothing in about 60 years of the same calendar cycle.

    dateutil searches such a rule to the year 9999 (seconds of work) whatever its UNTIL, so
    it is tried once, at the end of time, from the same place in the 28-year cycle.
    """
    if not _needs_probe(recur):
        return False
    from dateutil.rrule import rrulestr  # type: ignore[import-untyped]

    probe = recur.copy()
    for key in ("COUNT", "UNTIL"):
        probe.pop(key, None)
    year = _PROBE_YEAR + (start.year - _PROBE_YEAR) % 28
    clock = start.time() if isinstance(start, datetime) else datetime.min.time()
    try:
        when = datetime.combine(date(year, start.month, min(start.day, 28)), clock)
        rule = rrulestr(probe.to_ical().decode(), dtstart=when)
        return rule.after(when, inc=True) is None
    except (ValueError, TypeError, OverflowError):
        return True


def _steps(recur: Any, start: date, stop: date) -> int:
    """About how many steps dateutil takes from ``start`` to ``stop`` for one rule."""
    freq = str(_first(recur, "FREQ") or "").upper()
    interval = max(1, int(_first(recur, "INTERVAL") or 1))
    until = _first(recur, "UNTIL")
    end = min(stop, _day(until)) if isinstance(until, date) else stop
    days = max(0, (end - start).days) + 1
    per_day = 24 / interval if freq == "HOURLY" else max(1, len(recur.get("BYHOUR", [])))
    steps = days * per_day
    count = _first(recur, "COUNT")
    if isinstance(count, int) and freq in _PERIOD_DAYS and not any(k in recur for k in _FILTERS):
        steps = min(steps, count * interval * _PERIOD_DAYS[freq] * per_day)
    return int(steps)


_REBASE_DAYS: Final = {"DAILY": 1, "WEEKLY": 7}
"""Period of the open-ended rules moved forward (HOURLY moves by whole days: 1)."""


def _rebase(component: Component, first: date, zone: tzinfo | None) -> None:
    """Move an open-ended DAILY, WEEKLY or HOURLY series to start shortly before ``first``.

    Its DTSTART (and DTEND) move forward by a whole number of periods (of INTERVAL days,
    weeks, or days for hourly rules), so the grid of occurrences and every occurrence from
    the new start on are unchanged, while the search from DTSTART shrinks from years to days.
    The new start lies more than the event's length and a period before ``first``: the one
    occurrence RFC 5545 gives DTSTART whatever the rule stays outside the window. Series with
    COUNT (counted from the start), several rules, or an end that would not move with the
    start (a daylight-saving change between them) stay as written. UTC times of a calendar
    with X-WR-TIMEZONE (``zone``) repeat in that zone's wall clock, so they move in it.
    """
    from icalendar import vDDDTypes

    rules = _rules(component)
    if len(rules) != 1 or "COUNT" in rules[0]:
        return
    freq = str(_first(rules[0], "FREQ") or "").upper()
    interval = max(1, int(_first(rules[0], "INTERVAL") or 1))
    if freq == "HOURLY":
        period_days = math.lcm(interval, 24) // 24
    elif freq in _REBASE_DAYS:
        period_days = _REBASE_DAYS[freq] * interval
    else:
        return
    start = component.decoded("DTSTART")
    end = component.decoded("DTEND") if "DTEND" in component else None
    if zone is not None and isinstance(start, datetime) and start.tzname() == "UTC":
        start = start.astimezone(zone)
        end = end.astimezone(zone) if isinstance(end, datetime) else end
    length = (end - start) if isinstance(end, type(start)) else timedelta(days=2)
    if isinstance(length, timedelta) and "DURATION" in component:
        duration = component.decoded("DURATION")
        length = duration if isinstance(duration, timedelta) else length
    lead_days = max(0, length.days) + 2 + 2 * period_days
    periods = ((first - _day(start)).days - lead_days) // period_days
    if periods <= 0:
        return
    shift = timedelta(days=periods * period_days)
    new_start = start + shift
    if end is not None:
        new_end = end + shift
        if new_end - new_start != end - start:
            return
        component["DTEND"] = vDDDTypes(new_end)
    component["DTSTART"] = vDDDTypes(new_start)


def bound_rules(component: Component, first: date, stop: datetime, zone: tzinfo | None) -> int:
    """Prepare every RRULE for a search of the window; return the search steps expected.

    An open-ended daily, weekly or hourly series is moved to start shortly before ``first``
    (:func:`_rebase`; ``zone``: the X-WR-TIMEZONE), and each rule gets an UNTIL no later
    than ``stop`` (aware), in DTSTART's form, as RFC 5545 asks: a date for all-day events,
    UTC for zoned times, a floating time for floating ones.
    """
    _rebase(component, first, zone)
    start = component.decoded("DTSTART")
    if not isinstance(start, datetime):
        bound: date = stop.date() + timedelta(days=1)
    elif start.tzinfo is None:
        bound = stop.replace(tzinfo=None) + timedelta(days=1)
    else:
        bound = stop.astimezone(UTC) + timedelta(days=1)
    steps = 0
    for recur in _rules(component):
        steps += _steps(recur, _day(start), _day(bound))
        steps += PROBE_STEPS if _needs_probe(recur) else 0
        until = _first(recur, "UNTIL")
        if not isinstance(until, date) or _day(until) > _day(bound):
            recur["UNTIL"] = [bound]
    return steps


def expand(calendar: Component, start: datetime, stop: datetime, cap: int) -> list[Any]:
    """Occurrences (as components) of the series in ``calendar`` overlapping the window.

    Counted as they come; raises :class:`TooMany` at occurrence ``cap + 1``. Any other
    exception is the library's: the series cannot be expanded.
    """
    import recurring_ical_events  # type: ignore[import-untyped]  # lazily: ~150 ms

    out: list[Any] = []
    with warnings.catch_warnings():
        # COUNT with UNTIL: dateutil warns, and honours both (the earlier end wins).
        warnings.filterwarnings("ignore", "Using both 'count' and 'until'", DeprecationWarning)
        for series in recurring_ical_events.of(calendar).series:
            for occurrence in series.between(start, stop):
                if len(out) == cap:
                    raise TooMany
                out.append(occurrence.as_component(False))
    return out
