"""No old numbers shown as live (issue 15.6): when beats stop, the screens say so.

After "Recording ended" the breathing exercise showed "Coherence 69" for three
minutes and a pause "heart rate 83 bpm (at the start 83 bpm)". Now the live
screen's heart rate shows "--" with the reason, a pause and the breathing exercise
say no beats are coming in, and what they keep has no heart rate from before.
Silence is measured on the injected clock; the end comes through the listener.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.app import SIZE, Day
from tui.beat_watch import NO_BEATS_S
from tui.modals.prompt import PauseScreen
from tui.screens.breathe import BreatheScreen
from tui.screens.live import LiveScreen


@pytest.fixture
async def day(data_dir: Path) -> AsyncIterator[Day]:
    d = Day(data_dir)
    yield d
    d.store.close()


def _text(screen: object, selector: str) -> str:
    return str(screen.query_one(selector).render())  # type: ignore[attr-defined]


def _heart(live: LiveScreen) -> str:
    return str(live.query_one("#hr").value)  # type: ignore[attr-defined]


async def test_after_the_stream_ends_pause_and_breathe_show_no_old_numbers(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:30")
        live = day.app.live_screen
        assert live is not None and _heart(live) != "--"
        day.app.live.listener.live_ended()
        await pilot.pause()
        assert _heart(live) == "--"

        await pilot.press("p")
        pause = day.app.screen
        assert isinstance(pause, PauseScreen)
        assert pause.hr_start_bpm is None
        assert _text(pause, "#pause-hr") == (
            "No heart rate now — no beats coming in: the recording has ended."
        )
        day.clock.now += 121.0
        pause.tick()
        await pilot.pause()
        assert isinstance(day.app.screen, LiveScreen)

        await pilot.press("b")
        breathe = day.app.screen
        assert isinstance(breathe, BreatheScreen)
        await pilot.pause()
        stats = _text(breathe, "#breathe-stats")
        assert stats.startswith("No beats coming in: the recording has ended")
        assert "Coherence" not in stats
        day.clock.now += 181.0
        breathe.tick()
        await pilot.pause()
        summary = _text(breathe, "#breathe-summary")
        assert "not measured: no beats came in during the exercise" in summary
        assert "Coherence           —" in summary
        await pilot.press("enter")

    (paused,) = [a for a in day.store.acts() if a["kind"] == "pause"]
    assert paused["result"]["hr_start_bpm"] is None and paused["result"]["hr_end_bpm"] is None
    (breath,) = [a for a in day.store.acts() if a["kind"] == "breathe"]
    assert breath["result"]["coherence_score"] is None
    assert breath["result"]["hr_start_bpm"] is None


async def test_beats_that_stop_for_ten_seconds_of_the_clock_hide_the_heart_rate(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:30")
        live = day.app.live_screen
        assert live is not None
        shown = _heart(live)
        day.clock.now += NO_BEATS_S - 1.0
        day.app.check_clock()
        assert _heart(live) == shown
        day.clock.now += 1.0
        day.app.check_clock()
        await pilot.pause()
        assert _heart(live) == "--"
        assert "no beats coming in for 10 s" in _text(live, "#link")

        await pilot.press("p")  # a pause opened now keeps no heart rate from before
        pause = day.app.screen
        assert isinstance(pause, PauseScreen) and pause.hr_start_bpm is None
        await day.until(pilot, "08:31")  # the beats come back
        assert pause.hr_now_bpm is not None
        pause.tick()
        assert _text(pause, "#pause-hr").startswith(f"heart rate {pause.hr_now_bpm} bpm")
        await pilot.press("escape")
        await pilot.pause()
        assert _heart(live) != "--"


def test_the_clock_tick_leaves_a_live_screen_that_is_not_composed_alone() -> None:
    """The one-second tick ran before the live screen was composed (or after it was taken
    down on exit) and failed to find its heart-rate widget (seen in a full-suite run)."""
    from sensors.clock import ManualClock
    from tui.app import HoldspaceApp
    from tui.screens.live import LiveScreen

    app = HoldspaceApp(None, store=None, clock=ManualClock(0.0))
    app.live_screen = LiveScreen(beats=app.beat_watch)  # pushed, not yet composed
    app.check_clock()  # nothing to draw on yet, and no error
