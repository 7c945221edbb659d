"""Calendar import: hand-written .ics fixtures become planned sessions, or one clear error."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.connect.calendar.ics import (
    CalendarError,
    CalendarImport,
    PlannedSession,
    parse_calendar,
    read_calendar,
)
from companion.connect.calendar.rules import DEFAULT_RULES, KindRule, KindRules
from companion.errors import HoldspaceError
from tests.support.paths import FIXTURES

CALENDARS = FIXTURES / "calendars"
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")
CLIENT_DAY = date(2025, 10, 27)  # Monday after the last Sunday of October 2025 (DST ends)


def at(zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> float:
    """Epoch seconds of a wall-clock time in a zone, computed independently of the module."""
    return datetime(year, month, day, hour, minute, tzinfo=zone).timestamp()


def week(first: date, last: date, **kwargs: object) -> list[PlannedSession]:
    got = read_calendar(CALENDARS / "week.ics", first, last, tz=BERLIN, **kwargs)  # type: ignore[arg-type]
    assert got.skipped == ()
    return list(got.sessions)


def wrap(*event_lines: str) -> bytes:
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN", *event_lines, "END:VCALENDAR"]
    return ("\r\n".join(body) + "\r\n").encode()


def event(*lines: str) -> tuple[str, ...]:
    return ("BEGIN:VEVENT", "UID:t@example", *lines, "END:VEVENT")


# --- the client day ---------------------------------------------------------------------------


def test_client_day_exact_sessions() -> None:
    got = [(s.start_s, s.end_s, s.kind, s.label, s.all_day) for s in week(CLIENT_DAY, CLIENT_DAY)]
    d = (2025, 10, 27)
    assert got == [
        (at(BERLIN, *d, 8), at(BERLIN, *d, 8, 45), "client", "client-0800", False),
        (at(BERLIN, *d, 9), at(BERLIN, *d, 9, 50), "client", "client-0900", False),
        (at(BERLIN, *d, 10), at(BERLIN, *d, 10, 50), "client", "client-1000", False),
        (at(BERLIN, *d, 10, 30), at(BERLIN, *d, 11), "peer", "peer-1030", False),
        (at(BERLIN, *d, 12), at(BERLIN, *d, 12, 45), "break", "break-1200", False),
        (at(BERLIN, *d, 16), at(BERLIN, *d, 16, 45), "team", "team-1600", False),
        (at(BERLIN, *d, 17), at(BERLIN, *d, 17, 30), "admin", "admin-1700", False),
    ]


def test_overlapping_events_are_both_returned() -> None:
    sessions = week(CLIENT_DAY, CLIENT_DAY)
    c12 = next(s for s in sessions if s.label == "client-1000")
    peer = next(s for s in sessions if s.label == "peer-1030")
    assert peer.start_s < c12.end_s


def test_cancelled_and_transparent_events_are_skipped() -> None:
    titles = {s.title for s in week(CLIENT_DAY, CLIENT_DAY, keep_titles=True)}
    assert "Client C-21" not in titles  # STATUS:CANCELLED
    assert "Focus time" not in titles  # TRANSP:TRANSPARENT
    assert "Client C-07" in titles


def test_all_day_event_is_flagged_and_spans_the_local_day() -> None:
    [training] = week(date(2025, 10, 28), date(2025, 10, 28))
    assert training.all_day
    assert training.label == "client-allday"
    assert (training.start_s, training.end_s) == (
        at(BERLIN, 2025, 10, 28),
        at(BERLIN, 2025, 10, 29),
    )


def test_days_are_local_days_of_tz() -> None:
    huddle = week(date(2025, 10, 29), date(2025, 10, 29))
    assert [s.label for s in huddle] == ["team-0830"]
    # Read in New York, the Berlin 08:30 huddle is at 03:30 and the all-day event spans the
    # New York day.
    in_ny = read_calendar(
        CALENDARS / "week.ics", date(2025, 10, 29), date(2025, 10, 29), tz=NEW_YORK
    ).sessions
    assert [s.label for s in in_ny] == ["team-0330"]
    [training] = read_calendar(
        CALENDARS / "week.ics", date(2025, 10, 28), date(2025, 10, 28), tz=NEW_YORK
    ).sessions
    assert training.start_s == at(NEW_YORK, 2025, 10, 28)


# --- recurrence -------------------------------------------------------------------------------


def test_weekly_supervision_across_dst_exdate_and_override() -> None:
    sessions = [s for s in week(date(2025, 10, 1), date(2025, 11, 30)) if s.kind == "supervision"]
    expected = [
        (at(BERLIN, 2025, 10, 9, 14), at(BERLIN, 2025, 10, 9, 15)),
        # 2025-10-16 removed by EXDATE
        (at(BERLIN, 2025, 10, 23, 14), at(BERLIN, 2025, 10, 23, 15)),  # CEST, UTC+2
        (at(BERLIN, 2025, 10, 30, 14), at(BERLIN, 2025, 10, 30, 15)),  # CET, UTC+1
        (at(BERLIN, 2025, 11, 6, 15), at(BERLIN, 2025, 11, 6, 16)),  # override: moved an hour
        (at(BERLIN, 2025, 11, 13, 14), at(BERLIN, 2025, 11, 13, 15)),
    ]
    assert [(s.start_s, s.end_s) for s in sessions] == expected
    assert [s.label for s in sessions] == ["supervision-1400"] * 3 + [
        "supervision-1500",
        "supervision-1400",
    ]
    # Same local wall time, one hour more of UTC after the change.
    assert sessions[2].start_s - sessions[1].start_s == timedelta(days=7, hours=1).total_seconds()


def test_uids_are_stable_distinct_and_hide_the_raw_uid() -> None:
    first = week(date(2025, 10, 1), date(2025, 11, 30))
    again = week(date(2025, 10, 1), date(2025, 11, 30))
    assert [s.uid for s in first] == [s.uid for s in again]
    assert len({s.uid for s in first}) == len(first)
    for s in first:
        assert re.fullmatch(r"[0-9a-f]{16}", s.uid)
        assert "holdspace" not in s.uid
    # The moved occurrence keeps the id of its original slot (RECURRENCE-ID), whatever the window.
    moved = [s for s in first if s.label == "supervision-1500"]
    alone = week(date(2025, 11, 6), date(2025, 11, 6))
    assert [s.uid for s in moved] == [s.uid for s in alone if s.kind == "supervision"]


# --- privacy ----------------------------------------------------------------------------------


def test_titles_absent_unless_kept_and_labels_never_carry_them() -> None:
    hidden = week(date(2025, 10, 1), date(2025, 11, 30))
    shown = week(date(2025, 10, 1), date(2025, 11, 30), keep_titles=True)
    assert all(s.title is None for s in hidden)
    assert "Client C-07" in {s.title for s in shown}
    for s in shown:
        assert s.title is not None
        assert s.title.casefold() not in s.label.casefold()
        assert "C-07" not in s.label and len(s.label) <= 32


# --- kind rules -------------------------------------------------------------------------------


def test_categories_beat_summary() -> None:
    assert KindRules().kind_of("Client case review", ["Team"]) == "team"
    [review] = [s for s in week(CLIENT_DAY, CLIENT_DAY, keep_titles=True) if s.label == "team-1600"]
    assert review.title == "Client case review"


def test_kind_rules_words_phrases_and_default() -> None:
    rules = KindRules()
    assert rules.kind_of("Supervision with R.", []) == "supervision"
    assert rules.kind_of("Monthly STAFF meeting", []) == "team"
    assert rules.kind_of("Staff lunch", []) == "break"
    assert rules.kind_of("Session notes", []) == "admin"  # admin rules come before client
    assert rules.kind_of("Teamwork training", []) == "client"  # whole words only: no "team"
    assert rules.kind_of("Home visit", []) == "client"
    assert KindRules(default_kind="other").kind_of("Home visit", []) == "other"
    custom = KindRules(rules=(KindRule("home visit", "other"), *DEFAULT_RULES))
    assert custom.kind_of("Home Visit H-2", []) == "other"


def test_kind_rules_reject_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="meeting"):
        KindRules(rules=(KindRule("x", "meeting"),))
    with pytest.raises(ValueError, match="lunch"):
        KindRules(default_kind="lunch")


# --- other zones ------------------------------------------------------------------------------


def test_other_zone_file_converted() -> None:
    path = CALENDARS / "other-zone.ics"
    day = read_calendar(path, date(2025, 10, 28), date(2025, 10, 28), tz=BERLIN).sessions
    assert [(s.start_s, s.end_s, s.kind, s.label) for s in day] == [
        # floating: taken in tz
        (at(BERLIN, 2025, 10, 28, 8), at(BERLIN, 2025, 10, 28, 8, 30), "admin", "admin-0800"),
        # New York still on EDT (UTC-4) while Berlin is on CET: five hours apart
        (at(NEW_YORK, 2025, 10, 28, 9), at(NEW_YORK, 2025, 10, 28, 9, 50), "client", "client-1400"),
        (at(UTC, 2025, 10, 28, 16), at(UTC, 2025, 10, 28, 17), "team", "team-1700"),
    ]
    [call] = read_calendar(path, date(2025, 11, 3), date(2025, 11, 3), tz=BERLIN).sessions
    assert (call.start_s, call.label) == (at(NEW_YORK, 2025, 11, 3, 9), "supervision-1500")
    in_ny = read_calendar(path, date(2025, 10, 28), date(2025, 10, 28), tz=NEW_YORK).sessions
    assert in_ny[0].start_s == at(NEW_YORK, 2025, 10, 28, 8)  # floating follows tz
    assert [s.label for s in in_ny] == ["admin-0800", "client-0900", "team-1200"]


def test_x_wr_timezone_places_floating_times() -> None:
    got = read_calendar(
        CALENDARS / "wr-timezone.ics", date(2025, 10, 28), date(2025, 10, 28), tz=NEW_YORK
    ).sessions
    assert [(s.start_s, s.kind) for s in got] == [
        (at(BERLIN, 2025, 10, 28, 9), "client"),
        (at(UTC, 2025, 10, 28, 10), "peer"),
    ]


def test_iana_tzid_without_vtimezone_works() -> None:
    [s] = read_calendar(
        CALENDARS / "no-tz.ics", date(2025, 10, 28), date(2025, 10, 28), tz=BERLIN
    ).sessions
    lisbon = ZoneInfo("Europe/Lisbon")
    assert (s.start_s, s.end_s) == (at(lisbon, 2025, 10, 28, 9), at(lisbon, 2025, 10, 28, 10))


# --- errors and skipped events ----------------------------------------------------------------


def read_error(name: str) -> str:
    path = CALENDARS / name
    with pytest.raises(CalendarError) as caught:
        read_calendar(path, date(2025, 10, 28), date(2025, 10, 28), tz=BERLIN)
    message = str(caught.value)
    assert str(path) in message and message.endswith(".")
    assert isinstance(caught.value, HoldspaceError)
    return message


def skipped(
    data: bytes, first: date = date(2025, 10, 28), last: date | None = None
) -> CalendarImport:
    return parse_calendar(data, Path("inbox/day.ics"), first, last or first, tz=BERLIN)


def warning_lines(got: CalendarImport) -> list[str]:
    return [k.text(Path("inbox/day.ics")) for k in got.skipped]


def test_unknown_tzid_skips_that_event_naming_it() -> None:
    got = read_calendar(CALENDARS / "unknown-tz.ics", date(2025, 10, 28), date(2025, 10, 28))
    [warning] = [k.text(Path("unknown-tz.ics")) for k in got.skipped]
    assert re.search(r"line 14: time zone 'Mars/Olympus'.*; skipped\.$", warning)


def test_event_without_dtstart_is_skipped_and_the_rest_kept() -> None:
    got = read_calendar(CALENDARS / "malformed.ics", date(2025, 10, 28), date(2025, 10, 28))
    assert [s.start_s for s in got.sessions] == [at(UTC, 2025, 10, 28, 9)]
    assert [(k.line, k.message) for k in got.skipped] == [(11, "the event has no DTSTART; skipped")]


def test_a_line_that_is_no_property_is_dropped_with_a_warning() -> None:
    got = read_calendar(CALENDARS / "broken-line.ics", date(2025, 10, 28), date(2025, 10, 28))
    assert len(got.sessions) == 1
    assert [k.line for k in got.skipped] == [10]


def test_missing_file() -> None:
    assert "cannot read calendar" in read_error("absent.ics")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"BEGIN:VCALENDAR\r\nX-NAME:caf\xe9\r\n", "line 2 is not UTF-8"),
        (b"Subject: hello\r\n\r\nnot a calendar\r\n", "not an iCalendar file"),
    ],
)
def test_files_that_are_no_calendar_raise_one_clear_error(data: bytes, fragment: str) -> None:
    path = Path("inbox/day.ics")
    with pytest.raises(CalendarError, match=re.escape(fragment)) as caught:
        parse_calendar(data, path, date(2025, 10, 28), date(2025, 10, 28), tz=BERLIN)
    assert str(caught.value).startswith(str(path))


GOOD = event("DTSTART:20251028T090000Z", "DTEND:20251028T100000Z", "SUMMARY:Client")


def other(*lines: str) -> tuple[str, ...]:
    return ("BEGIN:VEVENT", "UID:other@example", *lines, "END:VEVENT")


@pytest.mark.parametrize(
    ("lines", "fragment"),
    [
        (other("DTSTART:20251028T100000Z", "DTEND:20251028T090000Z"), "line 13: the event ends"),
        (other("DTSTART:20251028T100000Z", "DURATION:-PT1H"), "line 13: DURATION is negative"),
        (other("DTSTART:20251028T100000Z", "DTEND;VALUE=DATE:20251029"), "line 13: DTEND is not"),
        (other("DTSTART:2025-10-28"), "line 12: DTSTART is malformed"),
        (other("DTSTART:20251028T100000Z", "DTSTART:20251028T110000Z"), "must be one"),
        (other("DTSTART:20251028T100000Z", "RRULE:FREQ=SOMETIMES"), "line 13: RRULE is malformed"),
        (("BEGIN:VEVENT", "UID:cut", "DTSTART:20251028T100000Z"), "line 10: the VEVENT has no END"),
    ],
)
def test_one_bad_event_is_skipped_with_its_line(lines: tuple[str, ...], fragment: str) -> None:
    got = skipped(wrap(*GOOD, *lines))
    assert [s.start_s for s in got.sessions] == [at(UTC, 2025, 10, 28, 9)]
    [warning] = warning_lines(got)
    assert warning.startswith("inbox/day.ics line ") and fragment in warning, warning
    assert "\n" not in warning


def test_a_stray_end_and_an_unknown_x_wr_timezone_are_warned_and_ignored() -> None:
    got = skipped(wrap(*GOOD, "END:VEVENT"))
    assert len(got.sessions) == 1 and "line 10: END:VEVENT closes nothing" in warning_lines(got)[0]
    got = skipped(wrap("X-WR-TIMEZONE:Mars/Olympus", *event("DTSTART:20251028T100000")))
    assert [s.start_s for s in got.sessions] == [at(BERLIN, 2025, 10, 28, 10)]
    assert "X-WR-TIMEZONE names an unknown time zone" in warning_lines(got)[0]


def test_a_malformed_created_stamp_does_not_cost_the_event() -> None:
    got = skipped(wrap(*event("CREATED:2025-10-01 oops", "DTSTART:20251028T090000Z")))
    assert len(got.sessions) == 1 and got.skipped == ()


def test_warnings_do_not_quote_titles() -> None:
    data = wrap(*event("DTSTART:20251028T100000Z", "SUMMARY:Client Jane Roe", "Jane Roe again"))
    got = skipped(data)
    assert "line 8: this is not an iCalendar content line" in warning_lines(got)[0]
    assert "Roe" not in " ".join(warning_lines(got))


# --- robustness -------------------------------------------------------------------------------

SAMPLES = [p.read_bytes() for p in sorted(CALENDARS.glob("*.ics"))]


def parse_or_error(data: bytes) -> None:
    try:
        got = parse_calendar(
            data, Path("fuzz.ics"), date(2025, 10, 27), date(2025, 10, 29), tz=BERLIN
        )
    except CalendarError:
        return
    assert all(isinstance(s, PlannedSession) for s in got.sessions)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_give_sessions_or_calendar_error(data: bytes) -> None:
    parse_or_error(data)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SAMPLES),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=4),
    st.integers(0, 60),
)
def test_mutated_samples_give_sessions_or_calendar_error(
    sample: bytes, flips: list[tuple[int, int]], dropped_line: int
) -> None:
    data = bytearray(sample)
    for offset, value in flips:
        data[offset % len(data)] = value
    lines = bytes(data).splitlines(keepends=True)
    del lines[dropped_line % len(lines)]
    parse_or_error(b"".join(lines))


def test_an_event_repeating_every_minute_is_skipped_at_once(tmp_path: Path) -> None:
    path = tmp_path / "often.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a@t\r\n"
        "DTSTAMP:20261101T000000Z\r\nDTSTART:20261123T082700Z\r\nDTEND:20261123T083400Z\r\n"
        "RRULE:FREQ=MINUTELY\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    got = read_calendar(path, date(2026, 11, 23), date(2026, 12, 23), tz=ZoneInfo("UTC"))
    assert got.sessions == ()
    assert re.fullmatch(
        r".*often\.ics line 9: the event repeats more often.*", got.skipped[0].text(path)
    )
