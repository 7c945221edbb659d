"""The chest's own breathing beside the pacer's guide, and the live screen's "why" for a
moving minute (issue 19), at 80x24 and 120x40."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from textual.app import App
from textual.geometry import Region
from textual.widgets import Static

from companion.pipeline.results import MinuteResult
from companion.pipeline.stage import SignalStage
from sensors.clock import ManualClock
from sensors.events import AccSamples
from signals.scores.baseline import Baseline
from tests.support.breathing import beats_between
from tests.support.chest_stream import T0, acc_frames, chest_day
from tests.support.hosts import BreatheHost
from tui.screens.breathe import BreathBar, BreatheScreen
from tui.screens.live import LiveScreen

SIZES = [(80, 24), (120, 40)]
BASE = Baseline("resting", 62.0, 4.0, 3.6, 0.3, 5, 1, "test")


def _feed(screen: BreatheScreen, frames: Sequence[AccSamples]) -> None:
    for frame in frames:
        n = len(frame.samples_mg)
        times = [frame.first_sample_s + k / frame.rate_hz for k in range(n)]
        screen.add_chest(times, frame.samples_mg)


def _inside(screen_size: tuple[int, int], region: Region) -> bool:
    width, height = screen_size
    return bool(region) and Region(0, 0, width, height - 1).contains_region(region)


@pytest.mark.parametrize("size", SIZES)
async def test_the_chest_band_shows_under_the_guide(size: tuple[int, int]) -> None:
    clock = ManualClock(start=100.0)
    screen = BreatheScreen(clock=clock, duration_s=120.0, reason="A minute for yourself.")
    app = BreatheHost(screen)
    frames = acc_frames(T0, T0 + 40.0, [])  # still, breathing 15/min
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert not screen.has_class("-chest")
        _feed(screen, frames[:28])  # 20 s of samples
        screen.tick()
        await pilot.pause()
        assert screen.has_class("-chest")
        chest = screen.query_one("#breathe-chest", BreathBar)
        guide = screen.query_one("#breathe-bar", BreathBar)
        label = screen.query_one("#breathe-chest-label", Static)
        for widget in (chest, guide, label, screen.query_one("#breathe-stats", Static)):
            assert _inside(size, widget.region), f"{widget!r} at {widget.region} not in sight"
        assert guide.region.bottom <= label.region.y  # the chest under the guide
        fills = []
        for k in range(28, len(frames), 2):  # ~1.4 s a step: the breath goes in and out
            _feed(screen, frames[k : k + 2])
            clock.now += 1.44
            screen.add_beats(*beats_between(clock.now - 101.44, clock.now - 100.0))
            screen.tick()
            fills.append(chest.fill)
        assert max(fills) - min(fills) > 0.5  # it follows the breath, 4 s a breath
        assert all(0.0 <= f <= 1.0 for f in fills)


@pytest.mark.parametrize("size", SIZES)
async def test_without_an_accelerometer_the_pacer_is_as_before(size: tuple[int, int]) -> None:
    screen = BreatheScreen(clock=ManualClock(start=100.0), duration_s=60.0)
    app = BreatheHost(screen)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert not screen.has_class("-chest")
        assert not screen.query_one("#breathe-chest", BreathBar).region
        assert not screen.query_one("#breathe-chest-label", Static).region
        assert screen.query_one("#breathe-bar", BreathBar).region.height == 3


class _LiveHost(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.live = LiveScreen()

    def on_mount(self) -> None:
        self.push_screen(self.live)


def _walking_minute() -> MinuteResult:
    day = chest_day(minutes=14)
    stage = SignalStage(BASE, offload="inline")
    k = 0
    for beat in day.beats:
        while k < len(day.acc) and day.acc[k].arrival_s <= beat.time_s:
            stage.on_event(day.acc[k])
            k += 1
        stage.on_beats((beat,), {})
    stage.finish()
    return next(m for m in stage.minutes if m.moving and m.epoch.is_good)


@pytest.mark.parametrize("size", SIZES)
async def test_a_moving_minute_says_why_it_is_not_scored(size: tuple[int, int]) -> None:
    minute = _walking_minute()
    app = _LiveHost()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.live.show_minute(minute)
        await pilot.pause()
        head = str(app.live.query_one("#stress-head", Static).content)
        why = str(app.live.query_one("#stress-why", Static).content)
        assert head == "Stress: not scored while moving"
        assert why.startswith("No stress score this minute: heart rate up with movement")
        assert "walking, 108 steps" in why
        assert _inside(size, app.live.query_one("#stress-why", Static).region)
