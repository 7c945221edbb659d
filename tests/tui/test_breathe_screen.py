"""Pilot tests of the breathing screen: a manual clock paces, synthetic beats drive the heart."""

from __future__ import annotations

import pytest
from textual.widgets import Sparkline, Static

from sensors.clock import ManualClock
from signals.breathing.pacer import BreathPattern
from tests.support.breathing import AMPLITUDE_BPM, BEAT_EPOCH_S, beats_between, history, stats
from tests.support.hosts import BreatheHost
from tui.screens.breathe import BreathBar, BreatheScreen


def cue(screen: BreatheScreen) -> str:
    return str(screen.query_one("#breathe-cue", Static).content)


async def test_a_full_minute_at_six_per_minute() -> None:
    clock = ManualClock(start=500.0)
    screen = BreatheScreen(clock=clock, duration_s=60.0, reason="Your heart has been racing.")
    app = BreatheHost(screen)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        assert cue(screen) == "Breathe in…  5"
        assert screen.query_one(BreathBar).fill == 0.0

        clock.now += 2.5
        screen.add_beats(*beats_between(0.0, 2.5))
        screen.tick()
        await pilot.pause()
        assert cue(screen) == "Breathe in…  3"
        assert screen.query_one(BreathBar).fill == pytest.approx(0.5)

        clock.now += 4.0  # 6.5 s: 1.5 s into the exhale
        screen.add_beats(*beats_between(2.5, 6.5))
        screen.tick()
        await pilot.pause()
        assert cue(screen) == "Breathe out…  4"

        # The rest of the minute, a beat batch and a frame every half second.
        elapsed = 6.5
        while elapsed < 60.0:
            clock.now += 0.5
            screen.add_beats(*beats_between(elapsed, elapsed + 0.5))
            elapsed += 0.5
            screen.tick()
        await pilot.pause()
        assert screen.has_class("-done")
        summary = str(screen.query_one("#breathe-summary", Static).content)
        assert "6 breaths in 1:00" in summary
        assert app.results == []

        await pilot.press("enter")
        await pilot.pause()

    [result] = app.results
    assert result is not None
    assert result.completed is True
    assert (result.pattern, result.rate_per_min) == ("paced", 6.0)
    assert result.duration_s == pytest.approx(60.0)
    assert result.breaths == 6
    assert result.mean_swing_bpm == pytest.approx(2 * AMPLITUDE_BPM, rel=0.05)
    assert result.hr_start_bpm is not None and result.hr_end_bpm is not None
    assert 60.0 < result.hr_start_bpm < 70.0 and 60.0 < result.hr_end_bpm < 70.0
    assert result.coherence_score is None  # one minute of beats is under the 64-s window


async def test_escape_stops_early_with_what_was_measured() -> None:
    clock = ManualClock()
    screen = BreatheScreen(clock=clock, duration_s=180.0)
    app = BreatheHost(screen)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        clock.now += 23.0
        screen.add_beats(*beats_between(0.0, 23.0))
        screen.tick()
        await pilot.pause()
        assert cue(screen) == "Breathe in…  2"
        await pilot.press("escape")
        await pilot.pause()

    [result] = app.results
    assert result is not None
    assert result.completed is False
    assert result.duration_s == pytest.approx(23.0)
    assert result.breaths == 2
    assert result.mean_swing_bpm == pytest.approx(2 * AMPLITUDE_BPM, rel=0.05)


async def test_plus_minus_change_the_rate_and_p_cycles_patterns() -> None:
    clock = ManualClock()
    screen = BreatheScreen(clock=clock, duration_s=120.0)
    app = BreatheHost(screen)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        clock.now += 12.5  # one breath done, half-way through the next inhale
        screen.tick()
        await pilot.press("plus")
        assert screen.pattern.rate_per_min == pytest.approx(6.5)
        assert screen.pattern.inhale_s == pytest.approx(60.0 / 6.5 / 2)
        assert "6.50 breaths/min" in str(screen.query_one("#breathe-pattern", Static).content)
        assert screen.query_one(BreathBar).fill == pytest.approx(0.5)  # phase kept
        await pilot.press("minus", "minus")
        assert screen.pattern.rate_per_min == pytest.approx(5.5)
        for _ in range(20):
            await pilot.press("minus")
        assert screen.pattern.rate_per_min == pytest.approx(3.0)  # the floor

        await pilot.press("p")
        assert screen.pattern == BreathPattern.box()
        await pilot.press("p")
        assert screen.pattern == BreathPattern.extended_exhale()
        await pilot.press("p")
        assert screen.pattern == BreathPattern.paced()
        await pilot.press("escape")
        await pilot.pause()

    [result] = app.results
    assert result is not None
    assert result.completed is False
    assert result.breaths == 1
    assert result.mean_swing_bpm is None  # no beats arrived


async def test_coherence_appears_after_64_seconds_of_beats() -> None:
    clock = ManualClock()
    screen = BreatheScreen(clock=clock, duration_s=90.0)
    app = BreatheHost(screen)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        # A fast replay: 80 s of beats arrive within 10 s on the pacer clock.
        for k in range(80):
            screen.add_beats(*beats_between(float(k), float(k + 1)))
        clock.now += 10.0
        screen.tick()
        await pilot.pause()
        stats = str(screen.query_one("#breathe-stats", Static).content)
        assert "0:10 / 1:30" in stats
        assert "Coherence —" not in stats
        clock.now += 80.0
        screen.tick()
        await pilot.pause()
        await pilot.press("escape")  # escape closes the summary too, as completed
        await pilot.pause()

    [result] = app.results
    assert result is not None
    assert result.completed is True
    assert result.breaths == 9
    assert result.coherence_score is not None and result.coherence_score > 80.0


async def test_escape_after_the_time_is_up_counts_as_completed() -> None:
    clock = ManualClock()
    screen = BreatheScreen(clock=clock, pattern=BreathPattern.box(), duration_s=32.0)
    app = BreatheHost(screen)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        clock.now += 40.0  # no frame drawn since
        await pilot.press("escape")
        await pilot.pause()

    [result] = app.results
    assert result is not None
    assert result.completed is True
    assert (result.pattern, result.breaths, result.duration_s) == ("box", 2, 32.0)
    assert result.hr_start_bpm is None and result.mean_swing_bpm is None


async def test_recent_beats_show_the_wave_and_coherence_from_the_first_frame() -> None:
    clock = ManualClock(start=10.0)
    recent = history(90.0)
    screen = BreatheScreen(clock=clock, duration_s=120.0, recent_beats=recent)
    app = BreatheHost(screen)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        # No beat has arrived since the screen opened, no time has passed.
        assert len(screen.query_one("#breathe-wave", Sparkline).data or []) > 100  # 60 s
        assert "0:00 / 2:00" in stats(screen)
        coherence_text = stats(screen).split("Coherence ")[1].split()[0]
        assert coherence_text != "—" and float(coherence_text) > 80.0
        assert "Swing last breath —" in stats(screen)  # breaths count from the opening

        # 30 s of the exercise: two breaths, swings measured; readings go on.
        start_s = recent[-1][0] - BEAT_EPOCH_S
        for k in range(30):
            clock.now += 1.0
            screen.add_beats(*beats_between(start_s + k, start_s + k + 1))
            screen.tick()
        await pilot.pause()
        assert "Swing last breath —" not in stats(screen)
        await pilot.press("escape")
        await pilot.pause()

    [result] = app.results
    assert result is not None
    assert result.completed is False
    assert result.breaths == 3 and result.duration_s == pytest.approx(30.0)
    assert result.mean_swing_bpm == pytest.approx(2 * AMPLITUDE_BPM, rel=0.1)
    # The heart rate at the start is the exercise's own first 15 s (65 ± 5), not the
    # history's (81 ± 6).
    assert result.hr_start_bpm is not None and 60.0 < result.hr_start_bpm < 70.0
    # The result's coherence is over windows inside the exercise: none in 30 s.
    assert result.coherence_score is None


async def test_history_is_optional_and_does_not_change_a_screen_without_it() -> None:
    screen = BreatheScreen(clock=ManualClock(), duration_s=60.0, recent_beats=[])
    app = BreatheHost(screen)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        assert screen.query_one("#breathe-wave", Sparkline).data == []
        assert "Coherence —" in stats(screen)
        await pilot.press("escape")
        await pilot.pause()
    [result] = app.results
    assert result is not None and result.hr_start_bpm is None
