"""One VEVENT block read on its own, and what keeps it from the plan.

:func:`read_event` parses a block from :mod:`companion.connect.calendar.split` with icalendar and
checks it: a fault in a property read here (times, recurrence, UID, SUMMARY, CATEGORIES,
STATUS, TRANSP) skips the event, a fault anywhere else (CREATED, DTSTAMP, DESCRIPTION, an
alarm) does not, and a line that is no content line is dropped. Each problem is a
:class:`Skipped` line naming the file's line; no sentence quotes file content beyond a
cleaned, shortened time value or TZID (titles can name clients).

References: RFC 5545, sections 3.1 (content lines), 3.6.1 (VEVENT), 3.8.2 (date and time).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from companion.connect.calendar.split import Block
from companion.text import clean_text

if TYPE_CHECKING:
    from icalendar import Component

__all__ = ["Skipped", "as_utc", "line_in", "read_event", "reason"]


@dataclass(frozen=True, slots=True)
class Skipped:
    """Part of a file left out of the plan: the line it starts on and one sentence.

    The sentence names no file content (titles can name clients).
    """

    line: int
    message: str

    def text(self, path: Path) -> str:
        """One line for a person: ``work.ics line 120: the event ends ... ; skipped.``"""
        return f"{path} line {self.line}: {self.message}."


_CONTENT_LINE: Final = re.compile(
    r'[A-Za-z0-9-]+(?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*)*:'
)
"""The start of an RFC 5545 content line: a name, parameters, then a colon."""

_TIME_PROPS: Final = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE", "DURATION", "RRULE")
_USED_PROPS: Final = frozenset({*_TIME_PROPS, "UID", "SUMMARY", "CATEGORIES", "STATUS", "TRANSP"})
"""Properties read here: a fault in any other (CREATED, DTSTAMP, ...) does not matter."""


def reason(error: object) -> str:
    """A library's error, first clause only: its tail can quote file content (titles, names)."""
    return clean_text(re.split(r"[:\n]", str(error), maxsplit=1)[0]).strip().rstrip(".!")[:80]


def _name(line: str) -> str:
    return re.split("[;:]", line, maxsplit=1)[0].upper()


def _used_text(block: Block, skipped: list[Skipped]) -> str:
    """The block's BEGIN, END and the properties read here, as text; other lines are dropped.

    Attendees, descriptions, alarms and vendor properties are most of a real calendar and
    none of a plan: leaving them unparsed halves the reading time. A line that is no content
    line is told as ignored.
    """
    keep: list[str] = []
    depth = 0  # 1 inside the VEVENT itself, 2 and more inside its alarms
    for number, text in block.lines:
        name = _name(text)
        if name == "BEGIN":
            depth += 1
            outer = depth == 1
        elif name == "END":
            outer = depth == 1
            depth -= 1
        elif _CONTENT_LINE.match(text):
            outer = depth == 1 and name in _USED_PROPS
        else:
            skipped.append(Skipped(number, "this is not an iCalendar content line; ignored"))
            continue
        if outer:
            keep.append(text)
    return "\r\n".join(keep) + "\r\n"


def read_event(block: Block, skipped: list[Skipped]) -> Component | None:
    """One VEVENT block parsed and checked, or None with the reason added to ``skipped``."""
    import icalendar

    try:
        event = icalendar.Event.from_ical(_used_text(block, skipped))
    except Exception as exc:  # icalendar raises ValueError, KeyError, IndexError, ...
        skipped.append(
            Skipped(block.begin, f"the event is not valid iCalendar ({reason(exc)}); skipped")
        )
        return None
    problem = _problem(event)
    if problem is None:
        return event
    prop, message = problem
    skipped.append(Skipped(line_in(block, prop), f"{message}; skipped"))
    return None


def line_in(block: Block, prop: str | None, nth: int = 0) -> int:
    """The line of the ``nth`` ``prop`` in a block (its BEGIN line when absent or None)."""
    found = [number for number, text in block.lines if prop is not None and _name(text) == prop]
    return found[min(nth, len(found) - 1)] if found else block.begin


def _problem(event: Component) -> tuple[str | None, str] | None:
    """The first thing that keeps an event from the plan, as (property, sentence), or None."""
    for component in event.walk():
        for prop, message in component.errors:
            if prop is None or prop not in _USED_PROPS or component is not event:
                continue  # a line that is no property, or one not read here
            detail = " ".join(message.split()) if prop in _TIME_PROPS else reason(message)
            return prop, f"{prop} is malformed ({clean_text(detail)[:120]})"
    if "DTSTART" not in event:
        return "BEGIN", "the event has no DTSTART"
    for prop in _TIME_PROPS:
        for tzid, value in _zoned_values(event, prop):
            if isinstance(value, datetime) and value.tzinfo is None:
                return prop, (
                    f"time zone {clean_text(tzid)[:60]!r} is neither defined in the file "
                    "(VTIMEZONE) nor a known IANA zone name"
                )
    for prop in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        if prop in event and not isinstance(event.decoded(prop), date):
            return prop, f"{prop} must be one date or date-time"
    start = event.decoded("DTSTART")
    if "DTEND" in event:
        end = event.decoded("DTEND")
        if isinstance(start, datetime) != isinstance(end, datetime):
            return "DTEND", "DTEND is not the same value type as DTSTART"
        if as_utc(end, UTC) < as_utc(start, UTC):
            return "DTEND", "the event ends (DTEND) before it starts"
    elif "DURATION" in event:
        duration = event.decoded("DURATION")
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


def as_utc(value: date, local: tzinfo) -> datetime:
    """A DATE or DATE-TIME as an aware UTC datetime: dates at local midnight, floating in local."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=local)
    return value.astimezone(UTC)
