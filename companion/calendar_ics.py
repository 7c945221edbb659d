"""The day's calendar events become planned sessions: an iCalendar (``.ics``) file, read whole.

A *planned session* is one occurrence of a calendar event that overlaps the local days asked
for, with its start and end in epoch seconds and a session kind chosen by :class:`KindRules`
(from the words of its title and categories: see :mod:`companion.calendar_rules`).
Recurring events are expanded (RRULE, RDATE, EXDATE and RECURRENCE-ID overrides) by
``recurring_ical_events``; times honour each event's TZID (a VTIMEZONE block or an IANA name),
UTC ``Z`` times and the calendar's ``X-WR-TIMEZONE``. Decisions:

- *Floating* times (no TZID, no ``Z``) are taken in ``X-WR-TIMEZONE`` when the calendar names
  one, else in the local zone ``tz`` the caller gives.
- *All-day* events (``DTSTART;VALUE=DATE``) are not sessions: nobody is with a client for 24
  hours. They are returned with ``all_day=True``, spanning local midnight to local midnight of
  their day(s), so a caller can show them ("Training day") but must not start them.
- *Overlapping* events are all returned: a double booking is the helper's to resolve, and the
  caller decides which one to start.
- Cancelled (``STATUS:CANCELLED``) and free-time (``TRANSP:TRANSPARENT``) occurrences are
  skipped, whether all-day or not.
- Event titles can name clients: the SUMMARY is kept only with ``keep_titles=True``; the label
  is built from the kind and the local start time, and the id is a hash, never the raw UID.

Import is all-or-nothing: a file that cannot be read, decoded or parsed, an event without
DTSTART or ending before it starts, and a TZID neither defined in the file nor known to the
time-zone database each raise one :class:`CalendarError` naming the file (and the line).

References: RFC 5545 (iCalendar), sections 3.6.1 (VEVENT), 3.8.2.4 (DTSTART), 3.8.5 (recurrence).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from companion.calendar_rules import DEFAULT_RULES, KindRule, KindRules  # re-exported
from companion.errors import HoldspaceError

if TYPE_CHECKING:
    from icalendar import Component

__all__ = [
    "DEFAULT_RULES",
    "CalendarError",
    "KindRule",
    "KindRules",
    "PlannedSession",
    "parse_calendar",
    "read_calendar",
]


@dataclass(frozen=True, slots=True)
class PlannedSession:
    """One occurrence of a calendar event on the days asked for.

    Attributes
    ----------
    start_s, end_s : start and end, seconds since the Unix epoch (end == start for an event
        without DTEND or DURATION).
    kind : one of :data:`sensors.events.SESSION_KINDS`, chosen by :class:`KindRules`.
    label : a neutral label, kind and local start time, such as ``client-0900``; never the title.
    title : the event's SUMMARY, only when the helper allowed titles to be kept; else None.
    uid : first 16 hex digits of the SHA-256 of the event UID and its recurrence start, stable
        across imports and free of the raw UID (which can carry names or addresses).
    all_day : an all-day event, spanning local midnight to midnight: shown, never started.
    """

    start_s: float
    end_s: float
    kind: str
    label: str
    title: str | None
    uid: str
    all_day: bool


class CalendarError(HoldspaceError):
    """A calendar file that cannot be imported; the message names the file and line."""


_DEFAULT_KIND_RULES: Final = KindRules()
"""The built-in rules and default kind: one shared instance, frozen like every KindRules."""

_QUERY_MARGIN: Final = timedelta(days=2)
"""Widening of the expansion window for zone offsets; occurrences are then filtered exactly."""

_CONTENT_LINE: Final = re.compile(
    r'[A-Za-z0-9-]+(?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*)*:'
)
"""The start of an RFC 5545 content line: a name, parameters, then a colon."""

_TIME_PROPS: Final = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE", "DURATION", "RRULE")

_Span = tuple[str, int, int]
"""A component's name and its BEGIN and END line numbers (0 when unknown)."""


def read_calendar(
    path: Path,
    first: date,
    last: date,
    *,
    rules: KindRules = _DEFAULT_KIND_RULES,
    keep_titles: bool = False,
    tz: tzinfo | None = None,
) -> list[PlannedSession]:
    """Planned sessions for the events overlapping local days ``first``..``last`` inclusive.

    ``tz`` is the local zone (default: this machine's). Sessions are sorted by start; see the
    module docstring for recurrences, time zones, all-day events, overlaps and skipped events.
    Raises :class:`CalendarError` when the file cannot be imported; nothing is returned then.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CalendarError(f"cannot read calendar {path} ({exc.strerror or exc}).") from None
    return parse_calendar(data, path, first, last, rules=rules, keep_titles=keep_titles, tz=tz)


def parse_calendar(
    data: bytes,
    path: Path,
    first: date,
    last: date,
    *,
    rules: KindRules = _DEFAULT_KIND_RULES,
    keep_titles: bool = False,
    tz: tzinfo | None = None,
) -> list[PlannedSession]:
    """:func:`read_calendar` on bytes already read; ``path`` names the file in messages."""
    if last < first:
        raise ValueError(f"last day {last} is before first day {first}.")
    local = tz if tz is not None else _local_zone()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CalendarError(f"{path} line {line} is not UTF-8 text.") from None
    lines = _unfolded(text)
    if not any(t.upper() == "BEGIN:VCALENDAR" for _, t in lines):
        raise CalendarError(f"{path} is not an iCalendar file (no BEGIN:VCALENDAR).")
    calendar = _parse(text, lines, path)
    _validate(calendar, lines, path)
    window_s = (_midnight_s(first, local), _midnight_s(last + timedelta(days=1), local))
    try:
        occurrences = list(_occurrences(calendar, first, last, local))
    except Exception as exc:  # recurrence expansion of input that parsed but cannot expand
        raise CalendarError(
            f"{path} has events that cannot be expanded ({_reason(exc)})."
        ) from None
    sessions = (_session(o, rules, keep_titles, local) for o in occurrences if _counts(o))
    return sorted(
        (s for s in sessions if _overlaps(s, window_s)), key=lambda s: (s.start_s, s.end_s, s.uid)
    )


def _parse(text: str, lines: list[tuple[int, str]], path: Path) -> Component:
    """The calendar icalendar reads from ``text``, or an error naming the first bad line."""
    import icalendar  # lazily: ~120 ms

    try:
        return icalendar.Calendar.from_ical(text)
    except Exception as exc:  # icalendar raises ValueError, KeyError, IndexError, ...
        named = re.search(r'Property "([^"]+)"', str(exc))
        bad = next(
            (n for n, t in lines if not _CONTENT_LINE.match(t) or (named and _name(t) == named[1])),
            _structure(lines)[1],
        )
        where = f" line {bad}" if bad is not None else ""
        raise CalendarError(f"{path}{where} is not valid iCalendar ({_reason(exc)}).") from None


def _reason(error: object) -> str:
    """A library's error, first clause only: its tail can quote file content (titles, names)."""
    return re.split(r"[:\n]", str(error), maxsplit=1)[0].strip().rstrip(".!")[:80]


def _name(line: str) -> str:
    return re.split("[;:]", line, maxsplit=1)[0].upper()


def _local_zone() -> tzinfo:
    """This machine's local zone, following its daylight-saving rules."""
    from dateutil.tz import tzlocal  # type: ignore[import-untyped]

    return tzlocal()  # type: ignore[no-any-return]


def _unfolded(text: str) -> list[tuple[int, str]]:
    """Content lines with their first physical line number (1-based), folding undone."""
    out: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw[:1] in (" ", "\t") and out:
            out[-1] = (out[-1][0], out[-1][1] + raw[1:])
        elif raw.strip():
            out.append((number, raw))
    return out


def _structure(lines: list[tuple[int, str]]) -> tuple[list[_Span], int | None]:
    """Components as (name, BEGIN line, END line) in file order, as ``walk()`` lists them,
    and the line of the first END that does not close the innermost open BEGIN, if any."""
    found: list[_Span] = []
    open_: list[int] = []
    stray: int | None = None
    for number, text in lines:
        key, _, value = text.partition(":")
        if key.upper() == "BEGIN":
            open_.append(len(found))
            found.append((value.strip().upper(), number, number))
        elif key.upper() == "END":
            index = open_.pop() if open_ else None
            if index is None or found[index][0] != value.strip().upper():
                stray = number if stray is None else stray
            if index is not None:
                found[index] = (found[index][0], found[index][1], number)
    return found, stray


def _validate(calendar: Component, lines: list[tuple[int, str]], path: Path) -> None:
    """Raise for broken properties, events without DTSTART, ends before starts, unknown TZIDs."""
    components = calendar.walk()
    spans = _structure(lines)[0]
    if [c.name for c in components] != [name for name, _, _ in spans]:
        spans = [(str(c.name), 0, 0) for c in components]  # line numbers unknown
    for component, span in zip(components, spans, strict=True):
        problem = _problem(component)
        if problem is not None:
            prop, message = problem
            raise CalendarError(f"{path} {_line_of(lines, span, prop)}: {message}.")


def _line_of(lines: list[tuple[int, str]], span: _Span, prop: str | None) -> str:
    """Where ``prop`` is in a component: its first line, else a bad content line for None."""
    _, begin, end = span
    for number, text in lines:
        if begin <= number <= end and (
            not _CONTENT_LINE.match(text) if prop is None else _name(text) == prop
        ):
            return f"line {number}"
    return f"line {begin}" if begin else "an event"


_TOO_OFTEN: Final = frozenset({"SECONDLY", "MINUTELY"})
"""Recurrences refused: they are no session plan, and expanding them takes long."""


def _problem(component: Component) -> tuple[str | None, str] | None:
    """The first thing wrong with a component, as (property, message), or None."""
    for prop, message in component.errors:
        if prop is None:
            return None, "this is not an iCalendar content line (NAME:value)"
        detail = " ".join(message.split()) if prop in _TIME_PROPS else _reason(message)
        return prop, f"{prop} is malformed ({detail})"
    if component.name != "VEVENT":
        return None
    if "DTSTART" not in component:
        return "BEGIN", "the event has no DTSTART"
    for prop in _TIME_PROPS:
        for tzid, value in _zoned_values(component, prop):
            if isinstance(value, datetime) and value.tzinfo is None:
                return prop, (
                    f"time zone {tzid!r} is neither defined in the file (VTIMEZONE) "
                    "nor a known IANA zone name"
                )
    for prop in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        if prop in component and not isinstance(component.decoded(prop), date):
            return prop, f"{prop} must be one date or date-time"
    rrule = component.get("RRULE")
    freq = rrule.get("FREQ") if hasattr(rrule, "get") else None
    if freq and str(freq[0] if isinstance(freq, list) else freq).upper() in _TOO_OFTEN:
        return "RRULE", "the event repeats more often than hourly, which is not a session plan"
    start = component.decoded("DTSTART")
    if "DTEND" in component:
        end = component.decoded("DTEND")
        if isinstance(start, datetime) != isinstance(end, datetime):
            return "DTEND", "DTEND is not the same value type as DTSTART"
        if _as_utc(end, UTC) < _as_utc(start, UTC):
            return "DTEND", "the event ends (DTEND) before it starts"
    elif "DURATION" in component:
        duration = component.decoded("DURATION")
        if not isinstance(duration, timedelta) or duration < timedelta(0):
            return "DURATION", "DURATION is negative or not a duration"
    return None


def _zoned_values(component: Component, prop: str) -> Iterator[tuple[str, Any]]:
    """(TZID, decoded value) of every value of ``prop`` that carries a TZID parameter."""
    values = component.get(prop)
    for value in values if isinstance(values, list) else [values]:
        tzid = getattr(value, "params", {}).get("TZID")
        if tzid is None:
            continue
        for item in getattr(value, "dts", [value]):
            yield str(tzid), getattr(item, "dt", None)


def _as_utc(value: date, local: tzinfo) -> datetime:
    """A DATE or DATE-TIME as an aware UTC datetime: dates at local midnight, floating in local."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=local)
    return value.astimezone(UTC)


def _midnight_s(day: date, local: tzinfo) -> float:
    return datetime.combine(day, time(), local).timestamp()


def _occurrences(calendar: Component, first: date, last: date, local: tzinfo) -> Iterator[Any]:
    import recurring_ical_events  # type: ignore[import-untyped]  # lazily: ~150 ms

    start = datetime.combine(first, time(), local) - _QUERY_MARGIN
    stop = datetime.combine(last, time(), local) + timedelta(days=1) + _QUERY_MARGIN
    yield from recurring_ical_events.of(calendar).between(start, stop)


def _counts(occurrence: Component) -> bool:
    """False for cancelled occurrences and for free time (TRANSP:TRANSPARENT)."""
    status = str(occurrence.get("STATUS", "")).upper()
    transp = str(occurrence.get("TRANSP", "")).upper()
    return status != "CANCELLED" and transp != "TRANSPARENT"


def _session(o: Component, rules: KindRules, keep_titles: bool, local: tzinfo) -> PlannedSession:
    start = o.decoded("DTSTART")
    all_day = not isinstance(start, datetime)
    end = o.decoded("DTEND") if "DTEND" in o else start + timedelta(days=1 if all_day else 0)
    start_s = _as_utc(start, local).timestamp()
    end_s = max(_as_utc(end, local).timestamp(), start_s)
    summary = str(o.get("SUMMARY", ""))
    kind = rules.kind_of(summary, _categories(o))
    when = "allday" if all_day else datetime.fromtimestamp(start_s, local).strftime("%H%M")
    recurrence = o.decoded("RECURRENCE-ID") if "RECURRENCE-ID" in o else start
    if isinstance(recurrence, datetime) and recurrence.tzinfo is not None:
        recurrence = recurrence.astimezone(UTC)
    key = str(o.get("UID", "")) or f"summary:{summary}"
    digest = hashlib.sha256(f"{key}\n{recurrence.isoformat()}".encode()).hexdigest()
    return PlannedSession(
        start_s=start_s,
        end_s=end_s,
        kind=kind,
        label=f"{kind}-{when}",
        title=summary if keep_titles else None,
        uid=digest[:16],
        all_day=all_day,
    )


def _categories(occurrence: Component) -> list[str]:
    values = occurrence.get("CATEGORIES", [])
    out: list[str] = []
    for value in values if isinstance(values, list) else [values]:
        out.extend(str(c) for c in getattr(value, "cats", [value]))
    return out


def _overlaps(session: PlannedSession, window_s: tuple[float, float]) -> bool:
    """Whether a session overlaps [start, end) of the window; an instant must fall inside it."""
    start_s, end_s = window_s
    if session.end_s == session.start_s:
        return start_s <= session.start_s < end_s
    return session.start_s < end_s and session.end_s > start_s
