"""Planned sessions from the calendar: the pure planner, and on the screen by the clock."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from companion.live.planner import MIN_LEFT_S, Planner
from tests.support.app import SIZE, Day
from tests.support.heavy_day import at
from tui.modals.session import CheckInScreen
from tui.screens.live import LiveScreen

DAY = date(2026, 11, 23)


def doc(
    uid: str, start: float, end: float, kind: str = "client", all_day: bool = False
) -> dict[str, Any]:
    label = f"{kind}-{uid}"
    return {
        "uid": uid,
        "start_s": start,
        "end_s": end,
        "kind": kind,
        "label": label,
        "all_day": all_day,
    }


def test_starts_ends_and_never_over_the_helper() -> None:
    plan = Planner(
        [doc("b", 200.0, 2000.0), doc("a", 100.0, 1000.0), doc("x", 0, 9e9, all_day=True)]
    )
    assert plan.next_change_s() == 100.0
    assert plan.step(50.0, False) is None
    step = plan.step(100.0, False)
    assert step is not None and (step.action, step.planned.uid) == ("start", "a")
    assert plan.step(500.0, True) is None
    step = plan.step(1000.0, True)
    assert step is not None and (step.action, step.planned.uid) == ("end", "a")
    # The overlapping one still has time left: it starts now.
    step = plan.step(1000.0, False)
    assert step is not None and (step.action, step.planned.uid) == ("start", "b")
    # The helper ended it by hand: it is done, nothing restarts.
    assert plan.step(1200.0, False) is None
    assert plan.next_change_s() is None


def test_a_session_of_the_helper_wins_and_too_little_left_is_not_started() -> None:
    plan = Planner([doc("a", 100.0, 1000.0)])
    assert plan.step(150.0, True) is None  # the helper tagged something themselves
    assert plan.step(1000.0 - MIN_LEFT_S + 1.0, False) is None
    plan = Planner([doc("a", 100.0, 1000.0)])
    assert plan.step(100.0, False) is not None
    skipped = plan.skip()
    assert skipped is not None and skipped.uid == "a"
    assert plan.step(200.0, False) is None


async def test_a_planned_session_starts_and_ends_itself_while_beats_arrive(data_dir: Path) -> None:
    day = Day(data_dir)
    planned = [doc("p1", at("08:27"), at("08:34"), kind="admin")]
    day.store.put_planned(planned, DAY, DAY, source="test.ics")
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:28")
        session = day.app.live.session
        assert session is not None and (session.kind, session.label) == ("admin", "admin-p1")
        await day.until(pilot, "08:35")
        assert isinstance(day.app.screen, CheckInScreen)  # ended as planned: a check-in
        await pilot.press("escape")
        stored = [s for s in day.store.sessions() if s.label == "admin-p1"]
        assert len(stored) == 1
        assert stored[0].start_s < at("08:28") and stored[0].end_s is not None
        assert at("08:34") <= stored[0].end_s < at("08:35")
    day.store.close()


async def test_one_key_says_it_is_not_happening(data_dir: Path) -> None:
    day = Day(data_dir)
    planned = [doc("p1", at("08:27"), at("08:34"), kind="admin")]
    day.store.put_planned(planned, DAY, DAY, source="test.ics")
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:28")
        assert day.app.live.session is not None
        await pilot.press("u")
        await day.until(pilot, "08:30")
        assert isinstance(day.app.screen, LiveScreen)
        assert day.app.live.session is None  # ended, and not started again
        assert day.app.live_screen is not None
        assert "not happening" in day.app.live_screen.prompt_line
    day.store.close()


ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Holdspace tests//EN\r
BEGIN:VEVENT\r
UID:admin-1@example.org\r
DTSTAMP:20261101T000000Z\r
DTSTART:20261123T082700Z\r
DTEND:20261123T083400Z\r
SUMMARY:Paperwork for client Jane Doe\r
END:VEVENT\r
END:VCALENDAR\r
"""


async def test_a_calendar_imported_on_the_screen_plans_the_day(
    data_dir: Path, tmp_path: Path
) -> None:
    ics = tmp_path / "work.ics"
    ics.write_text(ICS)
    day = Day(data_dir)
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:26")
        day.app.action_import_calendar()
        await pilot.pause()
        await pilot.press(*str(ics), "enter")
        for worker in [w for w in day.app.workers if w.name == "calendar"]:
            await worker.wait()
        await pilot.pause()
        (planned,) = day.store.planned(DAY)
        assert planned["kind"] == "admin" and planned["title"] is None
        assert "Jane" not in str(planned)
        await day.until(pilot, "08:28")
        session = day.app.live.session
        assert session is not None and session.kind == "admin"
        assert "Jane" not in session.label
    day.store.close()


async def test_events_skipped_on_the_screen_are_told_by_line(
    data_dir: Path, tmp_path: Path
) -> None:
    ics = tmp_path / "work.ics"
    broken = "BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20261123T100000Z\r\nDTEND:20261123T090000Z\r\n"
    ics.write_text(ICS.replace("END:VCALENDAR", broken + "END:VEVENT\r\nEND:VCALENDAR"))
    day = Day(data_dir)
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:26")
        day.app.action_import_calendar()
        await pilot.pause()
        await pilot.press(*str(ics), "enter")
        for worker in [w for w in day.app.workers if w.name == "calendar"]:
            await worker.wait()
        await pilot.pause()
        assert len(day.store.planned(DAY)) == 1
        shown = [str(n.message) for n in day.app._notifications]
        assert any("work.ics line" in m and "ends (DTEND) before it starts" in m for m in shown)
    day.store.close()
