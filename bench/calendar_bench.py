"""Issue 16 item 7: calendar bombs and a long, messy calendar, timed and measured.

:func:`bombs` are files that once ran for minutes or to hundreds of megabytes (two RRULE lines,
sub-hourly BY lists, rules that never match, long hourly series, many series, huge RDATE
lists); :func:`messy_calendar` is a seeded 60,000-line calendar of ordinary events (most in the
past, some recurring) with a few broken ones. Each is imported in a fresh process, whose
wall time and peak RSS are printed (targets: 2 s and 200 MB), never asserted here; the tests
(``tests/companion/test_calendar_limits.py``) run the same inputs with generous guards.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import datetime, timedelta
from typing import Final

SEED: Final = 20261207
FIRST: Final = "2026-11-23"
DAYS: Final = 30

_HEAD: Final = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Holdspace//bench//EN\r\n"


def _calendar(*events: str) -> bytes:
    return (_HEAD + "".join(events) + "END:VCALENDAR\r\n").encode()


def _event(uid: str, *lines: str, start: str = "20261123T090000Z") -> str:
    body = "".join(f"{line}\r\n" for line in lines)
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:{start}\r\nDURATION:PT50M\r\n{body}"
        "SUMMARY:Client\r\nEND:VEVENT\r\n"
    )


def bombs() -> dict[str, bytes]:
    """Calendars that must each import in well under 2 s and 200 MB."""
    minutes = ",".join(map(str, range(60)))
    hours = ",".join(map(str, range(24)))
    rdates = ",".join(f"2026{m:02d}{d:02d}T090000Z" for m in range(1, 13) for d in range(1, 29))
    return {
        "DAILY and SECONDLY RRULE lines": _calendar(
            _event("a", "RRULE:FREQ=DAILY", "RRULE:FREQ=SECONDLY")
        ),
        "HOURLY, 60 BYMINUTE x 60 BYSECOND": _calendar(
            _event("a", f"RRULE:FREQ=HOURLY;BYMINUTE={minutes};BYSECOND={minutes}")
        ),
        "DAILY on February 30th": _calendar(
            _event("a", "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30")
        ),
        "WEEKLY on February 30th, COUNT": _calendar(
            _event("a", "RRULE:FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=30;COUNT=3")
        ),
        "HOURLY since 1900": _calendar(_event("a", "RRULE:FREQ=HOURLY", start="19000101T000000Z")),
        "HOURLY since 2000, COUNT=10^7": _calendar(
            _event("a", "RRULE:FREQ=HOURLY;COUNT=10000000", start="20000101T000000Z")
        ),
        "DAILY 24 BYHOUR since 1900": _calendar(
            _event("a", f"RRULE:FREQ=DAILY;BYHOUR={hours}", start="19000101T000000Z")
        ),
        "336 RDATE values x 2 lines": _calendar(_event("a", f"RDATE:{rdates}", f"RDATE:{rdates}")),
        "500 DAILY series since 2000": _calendar(
            *(_event(f"a{i}", "RRULE:FREQ=DAILY", start="20000101T090000Z") for i in range(500))
        ),
        "2,000 two-hourly series": _calendar(
            *(_event(f"a{i}", "RRULE:FREQ=HOURLY;INTERVAL=2") for i in range(2000))
        ),
    }


def messy_calendar(lines: int = 60_000, seed: int = SEED) -> bytes:
    """About ``lines`` lines: years of past events, the coming weeks, some series, some faults."""
    rng = random.Random(seed)
    base = datetime(2026, 11, 23, 8)
    out = [_HEAD.rstrip("\r\n")]
    i = 0
    while len(out) < lines:
        i += 1
        start = base + timedelta(days=rng.randint(-3650, 60), hours=rng.randint(0, 9))
        end = start + timedelta(minutes=rng.choice((30, 50, 60, 90)))
        event = [
            "BEGIN:VEVENT",
            f"UID:event-{i}@bench",
            "DTSTAMP:20261101T000000Z",
            "CREATED:20260101T000000Z",
            f"DTSTART:{start:%Y%m%dT%H%M%S}Z",
            f"DTEND:{end:%Y%m%dT%H%M%S}Z",
            f"SUMMARY:{rng.choice(('Client', 'Supervision', 'Team', 'Lunch'))} {i}",
            "DESCRIPTION:a longer text\\, as calendars write them",
            "STATUS:CONFIRMED",
            "END:VEVENT",
        ]
        if i % 40 == 0:
            event.insert(6, f"RRULE:FREQ=WEEKLY;COUNT={rng.randint(2, 200)}")
        match i % 997:
            case 1:
                event[3] = "CREATED:2026-01-01 broken"
            case 2:
                event[5] = f"DTEND:{start - timedelta(hours=1):%Y%m%dT%H%M%S}Z"
            case 3:
                event[5] = f"DTEND;VALUE=DATE:{start:%Y%m%d}"
            case 4:
                event.insert(6, "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31")
        out += event
    out.append("END:VCALENDAR")
    return ("\r\n".join(out) + "\r\n").encode()


def dense_calendar(lines: int = 62_000, seed: int = SEED) -> bytes:
    """About ``lines`` lines of one-off events, all in the 30 days imported (the worst case)."""
    rng = random.Random(seed)
    out = [_HEAD.rstrip("\r\n"), "X-WR-TIMEZONE:Europe/Berlin"]
    i = 0
    while len(out) < lines:
        i += 1
        start = datetime(2026, 11, 23, 8) + timedelta(
            days=rng.randint(0, 29), minutes=30 * rng.randint(0, 20)
        )
        zoned = "DTSTART;TZID=Europe/Berlin"
        out += [
            "BEGIN:VEVENT",
            f"UID:dense-{i}@bench",
            "DTSTAMP:20261101T000000Z",
            f"{zoned}:{start:%Y%m%dT%H%M%S}",
            f"DTEND;TZID=Europe/Berlin:{start + timedelta(minutes=50):%Y%m%dT%H%M%S}",
            f"SUMMARY:Client {i}",
            "ATTENDEE;CN=Someone;ROLE=REQ-PARTICIPANT:mailto:someone@example.org",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "TRIGGER:-PT10M",
            "END:VALARM",
            "END:VEVENT",
        ]
    out.append("END:VCALENDAR")
    return ("\r\n".join(out) + "\r\n").encode()


_CHILD: Final = """
import json, resource, sys, time
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo
t0 = time.perf_counter()
from companion.connect.calendar.ics import parse_calendar
first = date.fromisoformat(sys.argv[1])
got = parse_calendar(sys.stdin.buffer.read(), Path("bench.ics"), first,
                     first + timedelta(days=int(sys.argv[2]) - 1), tz=ZoneInfo("Europe/Berlin"))
print(json.dumps({"s": time.perf_counter() - t0, "sessions": len(got.sessions),
                  "skipped": len(got.skipped),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def import_in_child(data: bytes, days: int = DAYS, timeout_s: float = 60.0) -> dict[str, float]:
    """Import ``data`` in a fresh interpreter: seconds (with imports), counts and peak RSS."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, FIRST, str(days)],
        input=data,
        capture_output=True,
        timeout=timeout_s,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout)
    return result


def bench_calendar() -> None:
    print("C1  calendar import: bombs and a 60,000-line messy calendar  [targets: 2 s, 200 MB]")
    cases = {
        **bombs(),
        "60,000-line messy calendar": messy_calendar(),
        "62,000 lines, all in these 30 days": dense_calendar(),
    }
    for name, data in cases.items():
        r = import_in_child(data)
        print(
            f"    {name:<36} {r['s']:5.2f} s  {r['rss_mb']:5.0f} MB peak  "
            f"{r['sessions']:>5,.0f} sessions  {r['skipped']:>4,.0f} skipped"
        )
