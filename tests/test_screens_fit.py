"""Every screen and dialog fits at 80x24 and at 120x40.

A Pilot walk over the gated replay of the heavy day opens each screen and dialog by
its keys, tabs through every focusable widget and asserts that the focused widget is
inside the screen and scrolled into view (nothing clips it), that each dialog's
``.hint`` with its save/cancel keys is in sight, and that each full screen keeps the
keys sheet (``?``) and ``q`` in its footer. The live screen keeps heart rate, the
stress line, the session line and the prompt line at 80x24.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.binding import BindingsMap
from textual.errors import NoWidget
from textual.geometry import Region
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Static, Switch
from textual.widgets._footer import FooterKey

from companion.colleagues import add_colleague
from tests.screens import screen_text
from tests.test_tui_live import Day, at
from tui.breathe import BreatheScreen
from tui.calendar_screen import CalendarFileScreen
from tui.colleagues_screen import AddColleagueScreen, ColleaguesScreen
from tui.contact_screen import ContactScreen
from tui.keys_screen import KeysScreen
from tui.live_screen import LiveScreen
from tui.prompt_modals import PauseScreen, PromptScreen
from tui.report_screen import SaveReportScreen
from tui.resting import RestingScreen
from tui.review import ReviewScreen, SessionDetailScreen
from tui.session_modals import CheckInScreen, StartSessionScreen
from tui.settings_screen import SettingsScreen
from tui.setup import SetupScreen
from tui.trends import TrendsScreen
from tui.widgets.day_strip import day_strip
from tui.widgets.footer import KeysFooter

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
async def day(data_dir: Path) -> AsyncIterator[Day]:
    d = Day(data_dir)
    add_colleague(
        d.store.data_dir, "Sam", ["mailto://sam:pw@localhost"], every_days=7, now_s=at("08:00")
    )
    yield d
    d.store.close()


def shown(widget: Widget) -> Region:
    """The part of ``widget`` on the screen (empty when it is not drawn at all)."""
    try:
        geometry = widget.screen.find_widget(widget)
    except NoWidget:
        return Region()
    return geometry.visible_region


def assert_in_sight(widget: Widget, what: str) -> None:
    """All of ``widget`` is drawn: inside the screen and not clipped by a scrolling parent."""
    screen_region = Region(0, 0, *widget.app.size)
    region = widget.region
    visible = shown(widget)
    assert region, f"{what}: {widget!r} is not drawn"
    assert screen_region.contains_region(region), f"{what}: {widget!r} at {region} is off-screen"
    assert visible == region, f"{what}: {widget!r} at {region} is clipped to {visible}"
    for parent in widget.ancestors:
        if isinstance(parent, Widget) and parent.is_scrollable:
            inner = parent.scrollable_content_region
            assert inner.contains_region(region), (
                f"{what}: {widget!r} at {region} is outside {parent!r}'s view {inner}"
            )


async def settle(pilot: Any) -> None:
    """Let the screen's reading workers finish and the screen lay out."""
    await pilot.pause()
    for worker in list(pilot.app.workers):
        if worker.node is pilot.app.screen:
            await worker.wait()
    await pilot.pause()


async def walk(pilot: Any, kind: type[Screen[Any]]) -> Screen[Any]:
    """Tab through every focusable widget of the screen on top; each must be in sight."""
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, kind), f"expected {kind.__name__}, got {type(screen).__name__}"
    name = f"{kind.__name__} at {pilot.app.size.width}x{pilot.app.size.height}"
    for hint in screen.query(".hint"):
        assert_in_sight(hint, f"{name} hint")
    if isinstance(screen, ModalScreen) and not isinstance(screen, BreatheScreen):
        assert screen.query(".hint"), f"{name} has no .hint"
        for title in screen.query(".dialog-title"):
            assert_in_sight(title, f"{name} title")
    else:  # the keys in the footer: the screen's own, and `?` for all of them
        footer = screen.query_one(Footer)
        keys = {key.key: key for key in footer.query(FooterKey)}
        wanted = [
            key
            for key, (node, binding, enabled, _) in screen.active_bindings.items()
            if node is screen and binding.show and enabled
        ]
        if isinstance(footer, KeysFooter):
            wanted += ["question_mark", "q"]
        for key in wanted:
            assert key in keys, f"{name}: no {key} in the footer"
            assert_in_sight(keys[key], f"{name} footer")
    chain = screen.focus_chain
    for _ in chain:
        before = screen.focused
        await pilot.press("tab")
        if screen.focused is before:  # a field that takes tab itself (the session code)
            screen.focus_next()
        await pilot.pause()
        if screen.focused is not None:
            assert_in_sight(screen.focused, f"{name} focused")
    return screen


async def close(pilot: Any, key: str = "escape") -> None:
    await pilot.press(key)
    await settle(pilot)


def assert_live_fits(app: Any) -> None:
    live = app.screen
    assert isinstance(live, LiveScreen)
    name = f"live at {app.size.width}x{app.size.height}"
    for selector in ("#hr", "#stress-head", "#session", "#prompt-area", "#timeline"):
        assert_in_sight(live.query_one(selector), f"{name} {selector}")
    footer = live.query_one(KeysFooter)
    keys = {key.key: key for key in footer.query(FooterKey)}
    wanted = ["question_mark", "q"]
    if app.size.width >= 120:  # there, every key of the footer fits
        wanted = [b.key for b in BindingsMap(type(app).BINDINGS).shown_keys]
    for key in wanted:
        assert_in_sight(keys[key], f"{name} footer")
    text = screen_text(app)
    assert "Stress" in text and "No session running" in text
    assert "20h" in text, "the day strip is cut"
    for line in text.splitlines():  # nothing drawn beside the panels (a stray scrollbar)
        assert not line.endswith(("▅", "▂", "▆", "▇")), line


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_screen_and_dialog_fits(day: Day, size: tuple[int, int]) -> None:
    app = day.app
    async with app.run_test(size=size) as pilot:
        await day.until(pilot, "08:35")
        await settle(pilot)
        assert_live_fits(app)

        await pilot.press("question_mark")
        sheet = await walk(pilot, KeysScreen)
        text = str(sheet.query_one("#keys-sheet", Static).render())
        for binding in type(app).BINDINGS:
            assert getattr(binding, "tooltip", "") in text
        await close(pilot)

        await pilot.press("s")
        await walk(pilot, StartSessionScreen)
        await pilot.press("3", "tab", *"P-1", "enter")  # a peer session
        await settle(pilot)
        await pilot.press("e")
        check_in = await walk(pilot, CheckInScreen)
        await pilot.press("tab", "tab")  # from the tension list, past the intensity
        heavy = check_in.query_one("#heavy", Switch)
        assert check_in.focused is heavy
        assert_in_sight(heavy, "the heavy switch")
        await pilot.press("enter", "ctrl+s")  # heavy: a colleague is suggested
        await walk(pilot, PromptScreen)
        await pilot.press("enter")  # yes: the contact dialog
        await walk(pilot, ContactScreen)
        await close(pilot)

        await pilot.press("p")
        await walk(pilot, PauseScreen)
        await close(pilot)
        await pilot.press("b")
        await walk(pilot, BreatheScreen)
        await close(pilot)
        await pilot.press("m")
        await walk(pilot, RestingScreen)
        await close(pilot)
        await pilot.press("comma")
        await walk(pilot, SettingsScreen)
        await close(pilot)
        app.action_import_calendar()  # from the palette
        await walk(pilot, CalendarFileScreen)
        await close(pilot)

        await pilot.press("c")
        await walk(pilot, ColleaguesScreen)
        await pilot.press("a")
        await walk(pilot, AddColleagueScreen)
        await close(pilot)
        await close(pilot)

        await pilot.press("r")
        review = await walk(pilot, ReviewScreen)
        assert review.query_one("#sessions").size.height > 5, "the table shows too few rows"
        await pilot.press("h")
        await walk(pilot, SaveReportScreen)
        await close(pilot)
        await pilot.press("enter")
        await walk(pilot, SessionDetailScreen)
        await close(pilot)
        await close(pilot)

        await pilot.press("t")
        await walk(pilot, TrendsScreen)
        await close(pilot)

        async def no_straps() -> list[Any]:
            return []

        app.push_screen(SetupScreen(no_straps))
        await walk(pilot, SetupScreen)
        await close(pilot)
        assert isinstance(app.screen, LiveScreen)
        assert_live_fits(app)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_review_table_shows_its_columns(day: Day, size: tuple[int, int]) -> None:
    async with day.app.run_test(size=size) as pilot:
        await day.until(pilot, "11:40")
        await pilot.press("r")
        review = await walk(pilot, ReviewScreen)
        table = review.query_one("#sessions", DataTable)
        widths = sum(column.get_render_width(table) for column in table.columns.values())
        assert widths <= table.scrollable_content_region.width, "the last columns are cut"
        assert "Check-in" in screen_text(day.app)


async def test_a_long_prompt_line_ends_in_an_ellipsis(day: Day) -> None:
    async with day.app.run_test(size=(120, 40)) as pilot:
        await day.until(pilot, "08:35")
        live = day.app.screen
        assert isinstance(live, LiveScreen)
        live.show_note("Could not reach the mail server at mail.example.org:587 " * 4)
        await pilot.pause()
        line = next(x for x in screen_text(day.app).splitlines() if "Could not reach" in x)
        assert line.rstrip(" │").endswith("…")


def test_the_day_strip_fits_its_width() -> None:
    now = at("10:00")
    sessions = [(at("08:36"), at("09:25"), "client"), (at("09:34"), None, "client")]
    for width in (40, 76, 116, 200):
        strip = day_strip(sessions, now, width)
        assert strip.cell_len <= width
        assert strip.plain.startswith("07h ") and strip.plain.endswith(" 20h")
        assert "███" in strip.plain and strip.plain.count("│") == 1  # the sessions, and now
