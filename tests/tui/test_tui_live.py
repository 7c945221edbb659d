"""Pilot tests of the live companion on a replayed heavy day, driven by stream time.

A :class:`~tests.support.gated.GatedSource` releases the recording up to a chosen
time; keys go in through the Pilot; the assertions read the store and the
screen stack. Timers read a :class:`~sensors.clock.ManualClock`. No sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from tests.support.app import SIZE, Day
from tests.support.heavy_day import at
from tests.support.screens import assert_snapshot, screen_text
from tui.modals.prompt import PauseScreen, PromptScreen
from tui.modals.session import CheckInScreen, StartSessionScreen
from tui.screens.breathe import BreatheScreen
from tui.screens.live import RECENT_BEATS_MAX, LiveScreen
from tui.screens.review import ReviewScreen, SessionDetailScreen


async def _loaded(pilot: Any, screen: Any) -> None:
    """Wait for a screen's reading worker (not the app's run, which the gate holds)."""
    readers = [w for w in pilot.app.workers if w.node is screen]
    for worker in readers:
        await worker.wait()
    await pilot.pause()


@pytest.fixture
async def day(data_dir: Path) -> AsyncIterator[Day]:
    d = Day(data_dir)
    yield d
    d.store.close()


async def test_a_day_by_keys_sessions_check_in_and_a_prompt_deferred_to_the_session_end(
    day: Day,
) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:27")
        live = day.app.live_screen
        assert isinstance(day.app.screen, LiveScreen) and live is not None
        assert live.hr_bpm is not None and 40 < live.hr_bpm < 120

        # Start a peer session by key: kind 3, tab, the helper's own code.
        await pilot.press("s")
        assert isinstance(day.app.screen, StartSessionScreen)
        assert "never a client's name" in str(day.app.screen.query_one("#label-note").render())
        await pilot.press("3", "tab", *"P-1", "enter")
        await day.until(pilot, "08:34")
        assert day.app.live.session is not None and day.app.live.session.kind == "peer"

        # End it by key and answer the check-in.
        await pilot.press("e")
        assert isinstance(day.app.screen, CheckInScreen)
        await pilot.press("space")  # shoulders
        await pilot.press("tab", *"6", "tab", "enter", "ctrl+s")
        await day.until(pilot, "08:35")
        ours = [s for s in day.store.sessions() if s.label == "P-1"]
        assert len(ours) == 1 and ours[0].kind == "peer" and ours[0].heavy is True
        assert ours[0].start_s == pytest.approx(at("08:27"), abs=5)
        assert ours[0].end_s == pytest.approx(at("08:34"), abs=5)
        (check_in,) = day.store.check_ins()
        assert check_in["session_id"] == ours[0].session_id
        assert check_in["answers"] == {
            "heavy": True,
            "tension": "shoulders",
            "intensity": 6,
            "feeling": "heavy",
        }

        # The heavy mark asks for a colleague: offered now (no client session runs).
        assert isinstance(day.app.screen, PromptScreen)
        assert day.app.screen.prompt.kind == "contact"
        await pilot.press("escape")
        assert isinstance(day.app.screen, LiveScreen)

        # 10:45 a pause is raised inside client session C-52: nothing pops up, the
        # screen is discreet; it is offered when the session ends (11:30:18).
        await day.until(pilot, "11:00")
        assert isinstance(day.app.screen, LiveScreen)
        assert day.app.live.session is not None and day.app.live.session.kind == "client"
        assert live.has_class("-discreet")
        await day.until(pilot, "11:31")
        assert not live.has_class("-discreet")
        assert isinstance(day.app.screen, PromptScreen)
        offered = day.app.screen.prompt
        assert offered.delivered_s == pytest.approx(at("11:30") + 18)

        # Accept: a two-minute pause on the injected clock, while the heart keeps beating
        # as a strap's would (the gate releases 5 s of the day per step of the clock).
        await pilot.press("enter")
        pausing = day.app.screen
        assert isinstance(pausing, PauseScreen)
        assert pausing.hr_start_bpm is not None
        step_s = 5.0
        paused_at = at("11:31")
        for k in range(1, 25):  # the 24th step reaches two minutes: the pause ends itself
            day.clock.now += step_s
            await day.gate.until(paused_at + k * step_s)
            pausing.tick()
            await pilot.pause()
            if k == 12:
                assert str(pausing.query_one("#pause-hr").render()).startswith("heart rate ")
        assert isinstance(day.app.screen, LiveScreen)
        assert live.prompt_line.startswith("Pause of 2.0 min: heart rate ")

        # A breathing exercise, asked for by key, run to its end on the injected clock
        # while the heart keeps beating.
        breathed_at = paused_at + 24 * step_s
        await pilot.press("b")
        breathe = day.app.screen
        assert isinstance(breathe, BreatheScreen)
        # Opened with the last 90 s of beats: the heart's coherence shows at once.
        recent = live.recent_beats()
        assert 85.0 < recent[-1][0] - recent[0][0] <= 90.0
        assert len(live.last_beats) <= RECENT_BEATS_MAX
        await pilot.pause()
        assert "Coherence —" not in str(breathe.query_one("#breathe-stats").render())
        for k in range(1, 37):
            day.clock.now += step_s
            await day.gate.until(breathed_at + k * step_s)
            breathe.tick()
            await pilot.pause()
            if k == 2:
                assert_snapshot(day.app, "breathe")
        assert "breaths" in str(breathe.query_one("#breathe-summary").render())
        await pilot.press("enter")
        assert isinstance(day.app.screen, LiveScreen)

        # Review of the day so far: our session with its load; its detail; back.
        await pilot.press("r")
        review = day.app.screen
        assert isinstance(review, ReviewScreen)
        await _loaded(pilot, review)
        table = review.query_one(DataTable)
        labels = [str(table.get_row_at(i)[2]) for i in range(table.row_count)]
        assert labels[:3] == ["P-1", "C-33", "C-36"]
        assert_snapshot(day.app, "review")
        table.move_cursor(row=1)
        await pilot.press("enter")
        detail = day.app.screen
        assert isinstance(detail, SessionDetailScreen)
        await _loaded(pilot, detail)
        c33 = next(s for s in day.store.sessions() if s.label == "C-33")
        analysis = day.store.session_analysis(c33.session_id)
        assert analysis is not None  # stored when its report was ready, mid-run
        rmssd = analysis["hrv"]["time"]["rmssd_ms"]
        assert f"{rmssd:.1f}" in screen_text(day.app)
        await pilot.press("escape", "escape")
        assert isinstance(day.app.screen, LiveScreen)

    stored = {p["prompt_id"]: p for p in day.store.prompts()}
    assert stored[offered.prompt_id]["response"] == "accepted"
    (pause,) = [a for a in day.store.acts() if a["kind"] == "pause"]
    assert pause["prompt_id"] == offered.prompt_id
    assert pause["result"]["completed"] is True and pause["result"]["duration_s"] == 120.0
    assert pause["result"]["hr_start_bpm"] is not None
    assert pause["result"]["hr_end_bpm"] is not None
    (breath,) = [a for a in day.store.acts() if a["kind"] == "breathe"]
    assert breath["prompt_id"] is None  # asked for, not prompted
    assert breath["result"]["completed"] is True
    assert breath["result"]["breaths"] == 18  # 3 min at 6 per minute
    assert breath["result"]["hr_start_bpm"] is not None
    dismissed = [p for p in stored.values() if p["response"] == "dismissed"]
    assert [p["kind"] for p in dismissed] == ["contact"]


async def test_the_label_is_a_short_code_and_optional(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:27")
        await pilot.press("s", "tab", *("x" * 40), "enter")
        await day.until(pilot, "08:28")
        assert day.app.live.session is not None
        assert day.app.live.session.label == "x" * 32
        # s, enter: a session of the same kind at once, no code needed.
        await pilot.press("e", "escape", "s", "enter")
        await day.until(pilot, "08:29")
        assert day.app.live.session is not None
        assert (day.app.live.session.kind, day.app.live.session.label) == ("client", "")


async def test_snapshot_of_the_live_screen(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "10:30")
        assert_snapshot(day.app, "live")
        # Inside client session C-52 the plot goes with the other numbers.
        await day.until(pilot, "11:00")
        text = screen_text(day.app)
        assert "In session" in text
        assert "bpm" not in text and "stress" not in text.lower() and "━" not in text
