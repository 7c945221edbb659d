"""The breathing exercise claims no more than it measured (issue 15, QA of the first pass).

``b`` then escape after about 5 s said "0 slow breaths, heart rate swinging 7 bpm per
breath", and at 0:02 the screen showed "Swing last breath 10.7 · Coherence 80": a fast
replay had delivered minutes of beats within the pacer's first seconds, and the
coherence came from the 90 s of beats handed in at the opening. Now a swing counts
only for breaths the pacer completed, and the wave's label says when the wave and the
coherence shown reach back before the exercise.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.widgets import Static

from sensors.clock import ManualClock
from tests.support.app import SIZE, Day
from tests.support.breathing import AMPLITUDE_BPM, beats_between, history, stats
from tests.support.heavy_day import at
from tests.support.hosts import BreatheHost
from tui.screens.breathe import WAVE_LABEL, WAVE_LABEL_BEFORE, BreatheScreen


def wave_label(screen: BreatheScreen) -> str:
    return str(screen.query_one("#breathe-wave-label", Static).content)


async def test_a_fast_replay_gives_no_swing_before_a_whole_paced_breath() -> None:
    clock = ManualClock(start=10.0)
    screen = BreatheScreen(clock=clock, duration_s=180.0)
    app = BreatheHost(screen)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        clock.now += 2.0
        for k in range(120):  # two minutes of beats within two seconds of the pacer
            screen.add_beats(*beats_between(float(k), float(k + 1)))
        screen.tick()
        await pilot.pause()
        assert "0:02 / 3:00" in stats(screen)
        assert "Swing last breath —" in stats(screen)
        clock.now += 3.0
        await pilot.press("escape")
        await pilot.pause()

    [result] = app.results
    assert result is not None
    assert result.breaths == 0 and result.duration_s == pytest.approx(5.0)
    assert result.mean_swing_bpm is None


async def test_swings_count_only_the_breaths_the_pacer_completed() -> None:
    clock = ManualClock(start=10.0)
    screen = BreatheScreen(clock=clock, duration_s=180.0)
    app = BreatheHost(screen)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        for k in range(120):
            screen.add_beats(*beats_between(float(k), float(k + 1)))
        clock.now += 25.0  # two whole breaths of 10 s
        screen.tick()
        await pilot.pause()
        assert "Swing last breath —" not in stats(screen)
        await pilot.press("escape")
        await pilot.pause()

    [result] = app.results
    assert result is not None and result.breaths == 2
    assert result.mean_swing_bpm == pytest.approx(2 * AMPLITUDE_BPM, rel=0.1)


async def test_coherence_from_the_beats_before_the_exercise_is_labelled_so() -> None:
    clock = ManualClock(start=10.0)
    recent = history(90.0)
    screen = BreatheScreen(clock=clock, duration_s=120.0, recent_beats=recent)
    app = BreatheHost(screen)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        assert "Coherence —" not in stats(screen)  # shown at once...
        assert wave_label(screen) == WAVE_LABEL_BEFORE  # ...and said to be from before
        start_s = recent[-1][0] - 1_760_000_000.0
        for k in range(70):  # at 1x: after 64 s the exercise's own beats fill the window
            clock.now += 1.0
            screen.add_beats(*beats_between(start_s + k, start_s + k + 1))
            screen.tick()
            if k == 30:
                assert wave_label(screen) == WAVE_LABEL_BEFORE
        await pilot.pause()
        assert wave_label(screen) == WAVE_LABEL
        assert "Coherence —" not in stats(screen)
        await pilot.press("escape")
        await pilot.pause()


async def test_no_history_no_label() -> None:
    screen = BreatheScreen(clock=ManualClock(), duration_s=60.0)
    app = BreatheHost(screen)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        assert wave_label(screen) == WAVE_LABEL
        await pilot.press("escape")
        await pilot.pause()


@pytest.fixture
async def day(data_dir: Path) -> AsyncIterator[Day]:
    d = Day(data_dir)
    yield d
    d.store.close()


async def test_b_then_escape_after_five_seconds_claims_no_swing(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:30")
        await pilot.press("b")
        breathe = day.app.screen
        assert isinstance(breathe, BreatheScreen)
        for k in range(1, 6):  # a replay: a minute of beats per second of the pacer
            day.clock.now += 1.0
            await day.gate.until(at("08:30") + 60.0 * k)
            breathe.tick()
            await pilot.pause()
            assert "Swing last breath —" in stats(breathe)
        await pilot.press("escape")
        await pilot.pause()
        live = day.app.live_screen
        assert live is not None
        assert live.prompt_line == "Breathing stopped after 5 s, before a whole breath."

    (breath,) = [a for a in day.store.acts() if a["kind"] == "breathe"]
    assert breath["result"]["breaths"] == 0
    assert breath["result"]["mean_swing_bpm"] is None
