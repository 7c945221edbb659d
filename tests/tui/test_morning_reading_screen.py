"""The morning reading on the screen: the resting measurement with the morning purpose."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from companion.readiness.reading import day_reading, screen_reading
from signals.scores.baseline import Baseline
from tests.support.app import Day
from tests.support.heavy_day import at
from tui.screens.resting import MORNING_S, RestingScreen

DAY = date(2026, 11, 23)


def _keeping(dismiss: Callable[..., Any], kept: list[Baseline | None]) -> Callable[..., Any]:
    """``dismiss`` that also notes the result the screen hands back."""

    def both(result: Baseline | None = None) -> Any:
        kept.append(result)
        return dismiss(result)

    return both


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_three_quiet_minutes_make_a_morning_reading_that_wins(
    data_dir: Path, size: tuple[int, int]
) -> None:
    day = Day(data_dir)
    kept: list[Baseline | None] = []
    async with day.app.run_test(size=size) as pilot:
        await day.until(pilot, "08:27")
        await pilot.press("M")  # the key (also in the palette) opens it
        await pilot.pause()
        screen = day.app.screen
        assert isinstance(screen, RestingScreen) and screen.purpose == "morning"
        assert screen.duration_s == MORNING_S
        screen.dismiss = _keeping(screen.dismiss, kept)  # type: ignore[method-assign]
        assert "three minutes" in str(screen.query_one("#resting-text").render())
        await pilot.press("enter")
        assert screen.state == "measuring"
        await day.gate.until(at("08:27") + MORNING_S + 30)
        await pilot.pause()
        assert screen.state == "done", screen.reason
        assert str(screen.query_one("#resting-result").render()).startswith("This morning")
        await pilot.press("enter")
        await pilot.pause()
    assert len(kept) == 1 and kept[0] is not None
    reading = screen_reading(kept[0], at("08:27"), MORNING_S)
    stored = day_reading(day.store, DAY)  # kept by the app when enter took the result
    assert stored is not None and stored.source == "screen"
    assert stored.ln_rmssd == pytest.approx(reading.ln_rmssd, abs=1e-4)
    assert stored.hr_bpm == pytest.approx(reading.hr_bpm, abs=0.01)
    assert reading.source == "screen" and reading.n_minutes == 3
    day.store.close()
