"""An iCalendar file cut into its parts, so one bad event costs that event and not the file.

:func:`split_calendar` reads the unfolded content lines of a file once and returns the
calendar's own properties, its VTIMEZONE blocks and its VEVENT blocks, each with the line
numbers of the file (1-based, the first physical line of a folded line). Other components
(VTODO, VJOURNAL, VFREEBUSY, unknown ones) are left out: they are no session plan.

Structure problems become :class:`Fault` records, not exceptions: a BEGIN left open by the
next component or by the end of the calendar (a truncated event), an END that closes nothing,
and a line outside any calendar. :func:`outside_window` then tells from the raw DTSTART and
DTEND text, without parsing, which single (non-recurring) events cannot touch the days asked
for, so a calendar holding years of past events is read in a fraction of the time.

References: RFC 5545, sections 3.1 (content lines, folding), 3.4 (iCalendar object) and 3.6
(calendar components).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

__all__ = ["Block", "CalendarParts", "Fault", "outside_window", "split_calendar", "unfold"]

Line = tuple[int, str]
"""A content line: its first physical line number (1-based) and its unfolded text."""

_NESTED: Final = {"VEVENT": frozenset({"VALARM"}), "VTIMEZONE": frozenset({"STANDARD", "DAYLIGHT"})}
"""The components each kept block may hold; any other BEGIN inside one means it was cut short."""

_RECURRING: Final = frozenset({"RRULE", "RDATE", "RECURRENCE-ID", "EXRULE"})
"""Properties that make an event part of a series, read with the rest of its UID."""

_DATE: Final = re.compile(r"(\d{4})(\d{2})(\d{2})")


@dataclass(frozen=True, slots=True)
class Fault:
    """A structure problem: the line it is on and one sentence (no file content)."""

    line: int
    message: str


@dataclass(slots=True)
class Block:
    """One VEVENT or VTIMEZONE block: its name, its lines (BEGIN to END) and first values.

    ``props`` holds the raw value of the first occurrence of each property of the component
    itself (not of a nested VALARM), uppercased name to text after the colon.
    """

    name: str
    lines: list[Line] = field(default_factory=list)
    props: dict[str, str] = field(default_factory=dict)

    @property
    def begin(self) -> int:
        return self.lines[0][0]

    @property
    def recurring(self) -> bool:
        return not _RECURRING.isdisjoint(self.props)

    def text(self) -> str:
        return "\r\n".join(t for _, t in self.lines) + "\r\n"


@dataclass(frozen=True, slots=True)
class CalendarParts:
    """A file's calendar properties, VTIMEZONE and VEVENT blocks, and structure faults."""

    properties: list[Line]
    timezones: list[Block]
    events: list[Block]
    faults: list[Fault]


def unfold(text: str) -> list[Line]:
    """Content lines with their first physical line number (1-based), folding undone."""
    out: list[Line] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw[:1] in (" ", "\t") and out:
            out[-1] = (out[-1][0], out[-1][1] + raw[1:])
        elif raw.strip():
            out.append((number, raw))
    return out


def _name(text: str) -> str:
    return re.split("[;:]", text, maxsplit=1)[0].strip().upper()


def split_calendar(lines: list[Line]) -> CalendarParts:
    """The parts of every VCALENDAR in ``lines``; see the module docstring."""
    properties: list[Line] = []
    timezones: list[Block] = []
    events: list[Block] = []
    faults: list[Fault] = []
    in_calendar = False
    block: Block | None = None
    nested: list[str] = []  # components open inside ``block``
    skipping: list[str] = []  # components open that are not kept (VTODO, ...)

    def close(fault_line: int | None) -> None:
        nonlocal block
        assert block is not None
        if fault_line is not None:
            faults.append(
                Fault(
                    block.begin,
                    f"the {block.name} has no END:{block.name} before line {fault_line}; skipped",
                )
            )
        else:
            (events if block.name == "VEVENT" else timezones).append(block)
        block = None
        nested.clear()

    for number, text in lines:
        key, _, value = text.partition(":")
        key = key.strip().upper()
        value = value.strip().upper()
        if block is not None:
            if key == "BEGIN" and value in _NESTED[block.name]:
                nested.append(value)
            elif key == "BEGIN" or (key == "END" and value == "VCALENDAR"):
                close(number)  # cut short: this line starts again below
            elif key == "END" and nested and value == nested[-1]:
                nested.pop()
            elif key == "END" and not nested and value == block.name:
                block.lines.append((number, text))
                close(None)
                continue
            elif key == "END":
                faults.append(Fault(number, f"END:{value[:20]} closes nothing here; ignored"))
                continue
            if block is not None:
                block.lines.append((number, text))
                if not nested and key not in ("BEGIN", "END"):
                    block.props.setdefault(_name(text), text.partition(":")[2])
                continue
        if skipping:
            if key == "BEGIN":
                skipping.append(value)
            elif key == "END" and value == skipping[-1]:
                skipping.pop()
            elif key == "END" and value == "VCALENDAR":
                skipping.clear()
                in_calendar = False
            continue
        if key == "BEGIN" and value == "VCALENDAR":
            in_calendar = True
        elif key == "END" and value == "VCALENDAR" and in_calendar:
            in_calendar = False
        elif not in_calendar:
            faults.append(Fault(number, "this line is outside BEGIN:VCALENDAR ... END:VCALENDAR"))
        elif key == "BEGIN" and value in _NESTED:
            block = Block(value, [(number, text)])
        elif key == "BEGIN":
            skipping.append(value)
        elif key == "END":
            faults.append(Fault(number, f"END:{value[:20]} closes nothing here; ignored"))
        else:
            properties.append((number, text))
    if block is not None:
        close(lines[-1][0] + 1)
    return CalendarParts(properties, timezones, events, faults)


def _raw_date(value: str | None) -> date | None:
    match = _DATE.match(value.strip()) if value else None
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def outside_window(group: list[Block], first: date, last: date, margin: timedelta) -> bool:
    """Whether an event, all blocks of one UID, surely falls outside ``first``..``last``.

    Only single events are judged (a series is always read): one whose DTSTART date is after
    the last day, or whose DTEND (else DTSTART) date is before the first, each widened by
    ``margin`` for time zones. Anything unclear (a DURATION, an unreadable date) is read.
    """
    if len(group) != 1 or group[0].recurring:
        return False
    props = group[0].props
    start = _raw_date(props.get("DTSTART"))
    if start is None:
        return False
    if start > last + margin:
        return True
    if "DURATION" in props:
        return False
    end = _raw_date(props.get("DTEND")) if "DTEND" in props else start
    return end is not None and end < first - margin
