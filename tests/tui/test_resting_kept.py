"""A resting measurement kept with enter is the baseline at once (issue 15, QA).

``m``, five quiet minutes, enter ("keep it"): the stress panel still named the old
baseline ("published norms… not yet your own"), and stress stayed measured against
it until the next start. Now the running stage measures against the new one from the
next minute and the stress panel names it at once; two weeks of the helper's own
calm minutes still come first, as at a start.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from companion.pipeline.baselines import RESTING_SETTING
from tests.support.app import SIZE, Day
from tests.support.heavy_day import at
from tui.screens.live import LiveScreen
from tui.screens.resting import RestingScreen


@pytest.fixture
async def day(data_dir: Path) -> AsyncIterator[Day]:
    d = Day(data_dir)
    yield d
    d.store.close()


def _why(live: LiveScreen) -> str:
    return str(live.query_one("#stress-why").render())


async def _measure(day: Day, pilot: object) -> RestingScreen:
    await day.until(pilot, "08:27")
    await pilot.press("m", "enter")  # type: ignore[attr-defined]
    resting = day.app.screen
    assert isinstance(resting, RestingScreen) and resting.state == "measuring"
    await day.gate.until(at("08:27") + 5 * 60 + 30)
    await pilot.pause()  # type: ignore[attr-defined]
    assert resting.state == "done", resting.reason
    return resting


async def test_a_kept_resting_baseline_shows_and_counts_at_once(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        live = day.app.live_screen
        assert live is not None
        resting = await _measure(day, pilot)
        kept = resting.result
        assert kept is not None
        assert "resting measurement" not in _why(live)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(day.app.screen, LiveScreen)
        assert f"Baseline: {kept.note}" in _why(live)
        assert day.app.live.baseline == kept
        assert "from now on" in live.prompt_line
        await day.until(pilot, "08:35")  # the next minutes are scored against it
        assert f"Baseline: {kept.note}" in _why(live)
        assert day.store.setting(RESTING_SETTING) is not None


async def test_two_weeks_of_calm_minutes_still_come_first(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        live = day.app.live_screen
        assert live is not None
        await day.until(pilot, "08:26")
        stage = day.app.live.stage
        assert stage is not None
        rolling = dataclasses.replace(stage.baseline, source="rolling-14d", note="your 14 days")
        stage.use_baseline(rolling)
        await _measure(day, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert day.app.live.baseline == rolling
        assert "two weeks" in live.prompt_line and "from now on" not in live.prompt_line
        assert day.store.setting(RESTING_SETTING) is not None
