"""The trends screen, driven with Pilot: headlines shown, `t` toggles 7/30 days, empty store."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

from textual.widgets import DataTable

from companion.pipeline.summary import stress_by_hour
from companion.review.trends.report import trends
from companion.store.store import Store
from tests.support.hosts import TrendsHost, settle, static_text
from tui.screens.trends import EMPTY_MESSAGE, ColumnChart, TrendsScreen

HEAVY_DAY = date(2026, 11, 23)


async def test_heavy_day_headlines_and_toggle(heavy_day_store: Path) -> None:
    with Store(heavy_day_store, read_only=True) as store:
        app = TrendsHost(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, TrendsScreen)
            assert screen.has_class("-ready")
            assert [(m.span_days, m.trends is not None) for m in app.loaded] == [(7, True)]
            assert (
                static_text(app, "#daily-headline")
                == "Not enough days yet (1 of 7) to see a pattern."
            )
            assert "7 days, Tue 17 Nov to Mon 23 Nov 2026" in static_text(app, "#trends-title")
            acts = static_text(app, "#acts-headline")
            assert "3 delivered without an answer recorded are left out" in acts
            table = screen.query_one("#acts-table", DataTable)
            assert [table.get_row_at(i)[:2] for i in range(table.row_count)] == [
                ["Pause", "0"],
                ["Breathe", "0"],
                ["Contact a colleague", "0"],
            ]

            await pilot.press("t")
            await settle(app, pilot)
            assert screen.span_days == 30
            assert [m.span_days for m in app.loaded] == [7, 30]
            assert (
                static_text(app, "#daily-headline")
                == "Not enough days yet (1 of 30) to see a pattern."
            )
            assert "30 days, Sun 25 Oct to Mon 23 Nov 2026" in static_text(app, "#trends-title")

            await pilot.press("t")
            await settle(app, pilot)
            assert screen.span_days == 7
            assert "1 of 7 days recorded" in static_text(app, "#trends-title")


async def test_three_days_show_the_heaviest_hours(heavy_day_store: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(heavy_day_store, data)
    with Store(data) as store:
        summary = store.day_summary(HEAVY_DAY)
        assert summary is not None
        profile = stress_by_hour(store.epochs(HEAVY_DAY))
        for back in (1, 2):  # two more days like it, kept as summaries only
            day = HEAVY_DAY - timedelta(days=back)
            copy = {k: v for k, v in summary.items() if k != "day"}
            store.put_day_summary(day, {**copy, "stress_by_hour": profile})
    with Store(data, read_only=True) as store:
        expected = trends(store, HEAVY_DAY, 7)
        app = TrendsHost(store, end=HEAVY_DAY)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            headline = static_text(app, "#hours-headline")
            assert headline == expected.hours.headline
            assert headline.startswith("Mornings (10–13 h) carried the most stress")
            assert headline.endswith("in your own data.")
            chart = app.screen.query_one("#hours-chart", ColumnChart)
            assert "12" in chart.render().plain
            assert static_text(app, "#daily-headline") == expected.daily.headline
            assert "over 3 days" in static_text(app, "#daily-headline")
            connection = static_text(app, "#connection-lines")
            assert connection == "\n".join(expected.connection.lines)
            assert "1 supervision or peer session and 8 client sessions" in connection
            assert "1 recorded day with a colleague contact and 2 without" in connection


async def test_empty_store_says_how_to_start(tmp_path: Path) -> None:
    with Store(tmp_path / "data") as store:
        app = TrendsHost(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            assert app.screen.has_class("-empty")
            assert static_text(app, "#trends-status") == EMPTY_MESSAGE
            assert not app.screen.query_one("#trends-body").display
            assert [m.trends for m in app.loaded] == [None]


async def test_escape_leaves_the_screen(tmp_path: Path) -> None:
    with Store(tmp_path / "data") as store:
        app = TrendsHost(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            assert isinstance(app.screen, TrendsScreen)
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, TrendsScreen)


async def test_a_failed_read_is_shown_not_raised(tmp_path: Path) -> None:
    class Broken(Store):
        def days(self) -> list[date]:
            raise OSError("disk went away")

    with Broken(tmp_path / "data") as store:
        app = TrendsHost(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            assert app.screen.has_class("-error")
            assert "could not be read: disk went away" in static_text(app, "#trends-status")
