"""The day's calendar events become planned sessions: an iCalendar (``.ics``) file, event by event.

A *planned session* is one occurrence of a calendar event that overlaps the local days asked
for, with its start and end in epoch seconds and a session kind chosen by :class:`KindRules`
(from the words of its title and categories: see :mod:`companion.connect.calendar.rules`).
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

Import keeps what it can. A file that cannot be read, is not UTF-8, is larger than
:data:`MAX_FILE_BYTES` or holds no VCALENDAR raises one :class:`CalendarError`. Inside it,
each event is read on its own (:mod:`companion.connect.calendar.split`), and an event that cannot be
a session plan is skipped with one :class:`Skipped` line naming its line: no DTSTART, a
malformed time, recurrence, UID, SUMMARY, CATEGORIES, STATUS or TRANSP, an end before its
start, a DTSTART and DTEND of different types, an unknown TZID, a recurrence refused or over
the limits of :mod:`companion.connect.calendar.expand`, or one the library cannot expand. Faults in
properties not used here (CREATED, DTSTAMP, DESCRIPTION, ...) are ignored, and a line that is
no content line is dropped with a warning. An unknown X-WR-TIMEZONE is ignored with a warning
(floating times are then taken in ``tz``). A single event whose DTSTART and DTEND dates lie
well outside the days asked for is not parsed at all (nor warned about): a calendar of ten
years reads in a fraction of a second. Titles are cleaned of control characters
(:func:`companion.text.clean_text`).

References: RFC 5545 (iCalendar), sections 3.6.1 (VEVENT), 3.8.2.4 (DTSTART), 3.8.5 (recurrence).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from companion.connect.calendar import expand as limits
from companion.connect.calendar.event import Skipped, as_utc, line_in, read_event, reason
from companion.connect.calendar.rules import KindRules
from companion.connect.calendar.split import Block, Line, outside_window, split_calendar, unfold
from companion.errors import HoldspaceError
from companion.text import clean_text

if TYPE_CHECKING:
    from icalendar import Component

__all__ = [
    "MAX_FILE_BYTES",
    "CalendarError",
    "CalendarImport",
    "PlannedSession",
    "p_to_doc",
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
    title : the event's SUMMARY, cleaned of control characters, only when the helper allowed
        titles to be kept; else None.
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


def p_to_doc(planned: PlannedSession) -> dict[str, Any]:
    """A planned session as the store keeps it (and ``holdspace calendar --json`` prints it)."""
    return {
        "uid": planned.uid,
        "start_s": planned.start_s,
        "end_s": planned.end_s,
        "kind": planned.kind,
        "label": planned.label,
        "title": planned.title,
        "all_day": planned.all_day,
    }


@dataclass(frozen=True, slots=True)
class CalendarImport:
    """What a calendar file gives: planned sessions, sorted by start, and what was skipped."""

    sessions: tuple[PlannedSession, ...]
    skipped: tuple[Skipped, ...]


class CalendarError(HoldspaceError):
    """A calendar file that cannot be imported; the message names the file and line."""


MAX_FILE_BYTES: Final = 16 * 1024 * 1024
"""The largest calendar read: ten years of a full diary is a few megabytes; reading is about
a second per 3 MB of events in the days asked for, and memory a few times the file."""

_DEFAULT_KIND_RULES: Final = KindRules()
"""The built-in rules and default kind: one shared instance, frozen like every KindRules."""

_QUERY_MARGIN: Final = timedelta(days=2)
"""Widening of the expansion window for zone offsets; occurrences are then filtered exactly."""


def read_calendar(
    path: Path,
    first: date,
    last: date,
    *,
    rules: KindRules = _DEFAULT_KIND_RULES,
    keep_titles: bool = False,
    tz: tzinfo | None = None,
) -> CalendarImport:
    """Planned sessions for the events overlapping local days ``first``..``last`` inclusive.

    ``tz`` is the local zone (default: this machine's). Sessions are sorted by start; see the
    module docstring for recurrences, time zones, all-day events, overlaps and skipped events.
    Raises :class:`CalendarError` when the file as a whole cannot be imported.
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CalendarError(
                f"{path} is {size / 2**20:.0f} MB; Holdspace reads calendars up to "
                f"{MAX_FILE_BYTES // 2**20} MB (export fewer years?)."
            )
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
) -> CalendarImport:
    """:func:`read_calendar` on bytes already read; ``path`` names the file in messages."""
    if last < first:
        raise ValueError(f"last day {last} is before first day {first}.")
    if len(data) > MAX_FILE_BYTES:
        raise CalendarError(f"{path} is larger than {MAX_FILE_BYTES // 2**20} MB.")
    local = tz if tz is not None else _local_zone()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CalendarError(f"{path} line {line} is not UTF-8 text.") from None
    lines = unfold(text)
    if not any(t.upper() == "BEGIN:VCALENDAR" for _, t in lines):
        raise CalendarError(f"{path} is not an iCalendar file (no BEGIN:VCALENDAR).")
    parts = split_calendar(lines)
    skipped = [Skipped(f.line, f.message) for f in parts.faults]
    wr_zone = _frame(parts.properties, parts.timezones, skipped)
    window = (
        datetime.combine(first, time(), local) - _QUERY_MARGIN,
        datetime.combine(last, time(), local) + timedelta(days=1) + _QUERY_MARGIN,
    )
    budget = _Budget()
    occurrences: list[Any] = []
    for group in _by_uid(parts.events):
        if outside_window(group, first, last, _QUERY_MARGIN):
            continue
        read = [(b, e) for b in group if (e := read_event(b, skipped)) is not None]
        if not read:
            continue
        found = _expand(read, window, first, wr_zone, budget)
        if isinstance(found, Skipped):
            skipped.append(found)
            if budget.full:
                break
            continue
        occurrences.extend(found)
        budget.occurrences += len(found)
    window_s = (_midnight_s(first, local), _midnight_s(last + timedelta(days=1), local))
    sessions = (_session(o, rules, keep_titles, local) for o in occurrences if _counts(o))
    return CalendarImport(
        sessions=tuple(
            sorted(
                (s for s in sessions if _overlaps(s, window_s)),
                key=lambda s: (s.start_s, s.end_s, s.uid),
            )
        ),
        skipped=tuple(sorted(skipped, key=lambda k: k.line)),
    )


_IMPORT_FULL: Final = (
    f"the import stops at {limits.MAX_PER_IMPORT} occurrences; this event and the rest are skipped"
)


@dataclass(slots=True)
class _Budget:
    """What one import has spent: search steps and occurrences kept; full once over."""

    steps: int = 0
    occurrences: int = 0
    full: bool = False


def _expand(
    read: list[tuple[Block, Component]],
    window: tuple[datetime, datetime],
    first: date,
    wr_zone: str | None,
    budget: _Budget,
) -> list[Any] | Skipped:
    """The occurrences of one event (a series with its overrides) in ``window``, or why not.

    The limits are those of :mod:`companion.connect.calendar.expand`; ``budget`` is charged.
    """
    begin = read[0][0].begin
    if budget.occurrences >= limits.MAX_PER_IMPORT:
        budget.full = True
        return Skipped(begin, _IMPORT_FULL)
    if len(read) == 1 and not read[0][0].recurring:
        return [_single(read[0][1], wr_zone)]
    for block, event in read:
        refused = limits.rule_problem(event)
        if refused is not None:
            prop, nth, message = refused
            return Skipped(line_in(block, prop, nth), f"{message}; skipped")
    zone = ZoneInfo(wr_zone) if wr_zone is not None else None
    cost = sum(limits.bound_rules(e, first, window[1], zone) for _, e in read)
    if cost > limits.EVENT_STEPS_MAX:
        return Skipped(begin, "the event repeats over too long a time to expand; skipped")
    if budget.steps + cost > limits.IMPORT_STEPS_MAX:
        return Skipped(begin, "the file's recurring events take too long to expand; skipped")
    budget.steps += cost
    room = limits.MAX_PER_IMPORT - budget.occurrences
    events = [e for _, e in read]
    try:
        return limits.expand(_series(events, wr_zone), *window, min(limits.MAX_PER_EVENT, room))
    except limits.TooMany:
        if room > limits.MAX_PER_EVENT:
            return Skipped(
                begin,
                f"the event has more than {limits.MAX_PER_EVENT} occurrences in these days; "
                "skipped",
            )
        budget.full = True
        return Skipped(begin, _IMPORT_FULL)
    except Exception as exc:  # the library cannot expand input that parsed
        return Skipped(begin, f"the event cannot be expanded ({reason(exc)}); skipped")


def _by_uid(events: list[Block]) -> Iterator[list[Block]]:
    """The blocks of each event, a series with its overrides together, in file order."""
    groups: dict[str, list[Block]] = {}
    for block in events:
        key = block.props.get("UID", "").strip() or f"line {block.begin}"
        groups.setdefault(key, []).append(block)
    yield from groups.values()


def _frame(properties: list[Line], timezones: list[Block], skipped: list[Skipped]) -> str | None:
    """Read the VTIMEZONEs (icalendar then knows their TZIDs); return a usable X-WR-TIMEZONE."""
    import icalendar  # lazily: ~120 ms

    for block in timezones:
        try:
            icalendar.Calendar.from_ical(f"BEGIN:VCALENDAR\r\n{block.text()}END:VCALENDAR\r\n")
        except Exception as exc:  # icalendar raises ValueError, KeyError, IndexError, ...
            skipped.append(Skipped(block.begin, f"the VTIMEZONE is not valid ({reason(exc)})"))
    for number, text in properties:
        key, _, value = text.partition(":")
        if key.strip().upper() == "X-WR-TIMEZONE":
            if _known_zone(value.strip()):
                return value.strip()
            skipped.append(Skipped(number, "X-WR-TIMEZONE names an unknown time zone; ignored"))
    return None


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except Exception:  # ZoneInfoNotFoundError, ValueError for odd keys
        return False
    return True


def _single(event: Component, wr_zone: str | None) -> Component:
    """A one-off event as its own occurrence, as ``recurring_ical_events`` would give it.

    Its end is DTEND, else DTSTART + DURATION; floating times (and UTC ones, which keep
    their instant) are placed in the X-WR-TIMEZONE when the calendar names one. Done here
    because the library's setup per event costs more than reading it (0.3 ms).
    """
    from icalendar import vDDDTypes

    zone = ZoneInfo(wr_zone) if wr_zone is not None else None
    for prop in ("DTSTART", "DTEND"):
        value = event.decoded(prop) if prop in event else None
        if zone is not None and isinstance(value, datetime) and value.tzinfo is None:
            event[prop] = vDDDTypes(value.replace(tzinfo=zone))
    if "DTEND" not in event and "DURATION" in event:
        event["DTEND"] = vDDDTypes(event.decoded("DTSTART") + event.decoded("DURATION"))
    return event


def _series(events: list[Component], wr_zone: str | None) -> Component:
    import icalendar

    calendar = icalendar.Calendar()
    if wr_zone is not None:
        calendar.add("X-WR-TIMEZONE", wr_zone)
    for event in events:
        calendar.add_component(event)
    return calendar


def _local_zone() -> tzinfo:
    """This machine's local zone, following its daylight-saving rules."""
    from dateutil.tz import tzlocal  # type: ignore[import-untyped]

    return tzlocal()  # type: ignore[no-any-return]


def _midnight_s(day: date, local: tzinfo) -> float:
    return datetime.combine(day, time(), local).timestamp()


def _counts(occurrence: Component) -> bool:
    """False for cancelled occurrences and for free time (TRANSP:TRANSPARENT)."""
    status = str(occurrence.get("STATUS", "")).upper()
    transp = str(occurrence.get("TRANSP", "")).upper()
    return status != "CANCELLED" and transp != "TRANSPARENT"


def _session(o: Component, rules: KindRules, keep_titles: bool, local: tzinfo) -> PlannedSession:
    start = o.decoded("DTSTART")
    all_day = not isinstance(start, datetime)
    end = o.decoded("DTEND") if "DTEND" in o else start + timedelta(days=1 if all_day else 0)
    start_s = as_utc(start, local).timestamp()
    end_s = max(as_utc(end, local).timestamp(), start_s)
    summary = clean_text(str(o.get("SUMMARY", "")))
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
