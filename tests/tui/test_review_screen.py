"""The review screens driven by keys (Pilot), and the Braille charts they draw with."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from textual.widgets import DataTable, Static

from companion.errors import StoreError
from companion.store.store import Store
from tests.support.hosts import ReviewHost, settle
from tests.support.paths import ROOT
from tui.screens.review import EMPTY_STORE, LOADING_DAY, ReviewScreen, SessionDetailScreen
from tui.widgets.braille import BRAILLE_BASE
from tui.widgets.plots import draw_poincare, draw_time_chart, tachogram_series
from tui.widgets.series import Band, Series

HEAVY_DAY = date(2026, 11, 23)
SIZE = (120, 40)


@pytest.fixture
def store(heavy_day_store: Path) -> Iterator[Store]:
    with Store(heavy_day_store, read_only=True) as opened:
        yield opened


def _text(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


async def test_day_table_and_session_detail(store: Store) -> None:
    app = ReviewHost(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.review is not None and screen.review.day == HEAVY_DAY
        assert "Monday 23 November 2026" in _text(screen, "#review-title")
        assert "Compared with your own baseline: the calmest" in _text(screen, "#review-baseline")
        assert not screen.has_class("-norms")  # a baseline of this recording, not norms
        table = screen.query_one("#sessions", DataTable)
        assert table.row_count == 12
        assert [str(c) for c in table.get_row_at(3)[1:3]] == ["client", "C-52"]
        await pilot.press("down", "down", "down", "down")
        assert table.cursor_row == 4
        session = store.sessions(HEAVY_DAY)[4]
        analysis = store.session_analysis(session.session_id)
        assert analysis is not None
        await pilot.press("enter")
        await settle(app, pilot)
        detail = app.screen
        assert isinstance(detail, SessionDetailScreen)
        assert detail.session_id == session.session_id
        rmssd = f"{analysis['hrv']['time']['rmssd_ms']:.1f}"
        assert "RMSSD (ms)" in _text(detail, "#hrv-time")
        assert rmssd in _text(detail, "#hrv-time")
        assert session.label in _text(detail, "#detail-title")
        assert "higher than your baseline" in _text(detail, "#against-baseline")
        assert "Prompts" in _text(detail, "#detail-prompts")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert app.loaded == [HEAVY_DAY]


async def test_one_day_store_stays_put_with_a_notice(store: Store) -> None:
    app = ReviewHost(store, HEAVY_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert app.notices == [
            "This is the latest recorded day.",
            "This is the earliest recorded day.",
        ]
        assert screen.day == HEAVY_DAY
        assert app.loaded == [HEAVY_DAY]
        assert screen.query_one("#sessions", DataTable).row_count == 12


async def test_empty_store_says_how_to_see_a_day(tmp_path: Path) -> None:
    with Store(tmp_path / "empty") as empty:
        app = ReviewHost(empty)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, ReviewScreen)
            assert _text(screen, "#review-title") == EMPTY_STORE
            assert screen.has_class("-empty")
            await pilot.press("left_square_bracket")
            assert app.notices == [EMPTY_STORE]
            assert app.loaded == [None]


class HeldStore:
    """The heavy day, read only once the test lets the reading worker go on."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.go = threading.Event()

    def days(self) -> list[date]:
        if not self.go.wait(timeout=30.0):
            raise TimeoutError("the test never let the read go on")
        return self.store.days()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


async def test_the_frame_paints_before_the_day_is_read(store: Store) -> None:
    held = HeldStore(store)
    app = ReviewHost(held)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert _text(screen, "#review-title") == LOADING_DAY
        assert screen.has_class("-loading") and screen.review is None
        held.go.set()
        await settle(app, pilot)
        assert screen.review is not None and not screen.has_class("-loading")
        assert screen.query_one("#sessions", DataTable).row_count == 12


def test_the_review_screen_loads_neither_scipy_nor_neurokit2() -> None:
    probe = (
        "import json, sys, tui.screens.review; "
        "print(json.dumps([m in sys.modules for m in ('scipy', 'neurokit2')]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == [False, False]


class BrokenStore:
    """Has a day, but its minutes cannot be read."""

    def days(self) -> list[date]:
        return [HEAVY_DAY]

    def epochs(self, day: date) -> list[dict[str, Any]]:
        raise StoreError("the file epochs.json is not valid JSON")


async def test_a_failed_read_is_shown_not_raised() -> None:
    app = ReviewHost(BrokenStore())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.has_class("-error")
        assert "Could not read the day" in _text(screen, "#review-title")
        assert "not valid JSON" in _text(screen, "#review-title")


# -- charts --------------------------------------------------------------------------------


def _rows(strips: list[Any]) -> list[str]:
    return [strip.text for strip in strips]


def test_flat_series_draws_the_top_and_bottom_dot_rows() -> None:
    t = np.arange(8.0)
    top = draw_time_chart([Series("x", t, np.ones(8), y_range=(0.0, 1.0))], None, [], 10, 3)
    low = draw_time_chart([Series("x", t, np.zeros(8), y_range=(0.0, 1.0))], None, [], 10, 3)
    assert len(top) == 3
    assert _rows(top)[1][6:] == chr(BRAILLE_BASE + 0x09) * 4  # dots 1 and 4: ⠉
    assert _rows(low)[1][6:] == chr(BRAILLE_BASE + 0xC0) * 4  # dots 7 and 8: ⣀
    assert _rows(top)[1][:6] == "  1.0 "
    assert _rows(top)[0].startswith("━ x")


def test_nan_breaks_the_line() -> None:
    t = np.arange(20.0)
    values = np.where((t > 6) & (t < 13), np.nan, 5.0)
    plot = _rows(draw_time_chart([Series("x", t, values)], None, [], 16, 3))[1][6:]
    # one dot per second across 20 dots; seconds 7-12 are missing: blank, not bridged
    assert plot == "⠤⠤⠤⠄  ⠠⠤⠤⠤"
    series = tachogram_series([0.0, 1.0, 2.0, 9.0], [800.0, 810.0, 790.0, 820.0], [0, 0, 0, 1])
    assert np.isnan(np.asarray(series.values)[3])
    assert np.asarray(series.values).size == 5


def test_clock_ticks_bands_and_a_second_axis() -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC).timestamp()
    t = start + np.arange(0.0, 3 * 3600.0 + 1, 60.0)
    hr = Series("HR (bpm)", t, 60 + t % 40, "red")
    stress = Series("stress", t, np.full(t.size, 50.0), "yellow", (0.0, 100.0))
    band = Band(start + 1.5 * 3600, start + 3 * 3600, "client")
    rows = _rows(draw_time_chart([hr, stress], None, [band], 72, 10))
    assert "▀ client" in rows[0]
    ticks = rows[-1]
    for label in ("09:00", "10:00", "11:00", "12:00"):
        assert label in ticks
    strip = rows[-2][6:-6]
    assert set(strip[: len(strip) // 2 - 1]) == {" "}
    assert set(strip[len(strip) // 2 + 1 :]) == {"▀"}
    assert rows[1].rstrip().endswith("100")
    assert rows[-3].rstrip().endswith("0")


def test_poincare_shows_sd1_and_sd2() -> None:
    rng = np.random.default_rng(1)
    rr = 800 + np.cumsum(rng.normal(0, 5, 400))
    rows = _rows(draw_poincare(rr[:-1], rr[1:], 12.3, 45.6, 40, 12))
    assert "SD1 12.3 ms" in rows[0] and "SD2 45.6 ms" in rows[0]
    dots = sum(1 for row in rows[1:] for c in row if BRAILLE_BASE < ord(c) <= BRAILLE_BASE + 0xFF)
    assert dots > 10
    assert _rows(draw_poincare([], [], None, None, 40, 12))[1].startswith("no beats")


async def test_h_saves_the_day_as_an_html_report(store: Store, tmp_path: Path) -> None:
    from textual.widgets import Input, Switch

    from tui.modals.report import SaveReportScreen

    out = tmp_path / "day.html"
    app = ReviewHost(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("h")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SaveReportScreen)
        path_input = dialog.query_one("#path", Input)
        assert path_input.value.endswith("holdspace-day-2026-11-23.html")
        path_input.value = str(out)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        page = out.read_text(encoding="utf-8")
        assert "client-3" in page and "C-52" not in page
        assert app.notices[-1] == (f"Saved the day's report (with neutral session names) to {out}.")
        # Again, with the helper's own codes: the existing file is named before it is replaced.
        await pilot.press("h")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SaveReportScreen)
        dialog.query_one("#path", Input).value = str(out)
        dialog.query_one("#keep-labels", Switch).value = True
        dialog.query_one("#path", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "exists; press enter again to replace it" in _text(dialog, "#report-error")
        assert out.read_text(encoding="utf-8") == page
        await pilot.press("enter")
        await settle(app, pilot)
        assert "C-52" in out.read_text(encoding="utf-8")
        assert app.notices[-1].startswith("Saved the day's report (with your own codes)")
