"""The live screen says once, kindly, that a below-usual morning made the day gentler."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Static

from companion.prompts.types import PolicyConfig
from companion.readiness.words import GENTLER_LINE
from companion.store.store import Store
from tests.support.app import Day
from tests.support.hosts import ReviewHost, settle
from tests.support.week import FIRST, plan, replay_mornings
from tui.widgets.clamped import ClampedText

LAST = FIRST + timedelta(days=13)
"""The morning after three heavy days of the generated run: below usual (seed 1)."""


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_below_morning_is_said_once_and_reaches_the_policy(
    data_dir: Path, tmp_path: Path, size: tuple[int, int]
) -> None:
    with Store(data_dir) as store:
        await replay_mornings(store, plan(("calm", 10), ("heavy", 3), ("calm", 1)), 1, tmp_path)
    day = Day(data_dir)
    day.app.live.run_day = LAST
    async with day.app.run_test(size=size) as pilot:
        await day.until(pilot, "08:29")
        screen = day.app.live_screen
        assert screen is not None
        assert screen.prompt_line == GENTLER_LINE
        shown = str(screen.query_one("#prompt-area", ClampedText).render())
        assert shown.startswith("Your morning reading was below your usual range")
        stage = day.app.live.stage
        assert stage is not None
        assert stage.policy.config.daily_cap == PolicyConfig().daily_cap + 1
        screen.show_note("Pause kept.")
        await day.until(pilot, "08:34")
        assert screen.prompt_line == "Pause kept."  # once: later minutes do not say it again
    day.store.close()


async def test_a_usual_morning_says_nothing(data_dir: Path, tmp_path: Path) -> None:
    with Store(data_dir) as store:
        await replay_mornings(store, plan(("calm", 6)), 1, tmp_path)
    day = Day(data_dir)
    day.app.live.run_day = FIRST + timedelta(days=5)
    async with day.app.run_test(size=(80, 24)) as pilot:
        await day.until(pilot, "08:29")
        assert day.app.live_screen is not None
        assert day.app.live_screen.prompt_line != GENTLER_LINE
        assert not day.app.live.gentler_day
    day.store.close()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_review_of_a_day_says_its_morning_against_the_usual(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    store = Store(tmp_path / "data")
    days = plan(("calm", 6), ("heavy", 2))
    await replay_mornings(store, days, seed=3, folder=tmp_path)
    last = FIRST + timedelta(days=len(days) - 1)
    app = ReviewHost(store, last)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        text = str(app.screen.query_one("#prompts-text", Static).render())
    store.close()
    assert f"Morning reading of {last}" in text
    assert "your usual range" in text and "not a diagnosis" in text
