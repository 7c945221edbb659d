"""Every screen and dialog fits at 80x24 and at 120x40.

A Pilot walk over the gated replay of the heavy day opens each screen and dialog by
its keys, tabs through every focusable widget and asserts that the focused widget is
inside the screen and scrolled into view (nothing clips it), that each dialog's
``.hint`` with its save/cancel keys is in sight, and that each full screen keeps the
keys sheet (``?``) and ``q`` in its footer. The live screen keeps heart rate, the
stress line, the session line and the prompt line at 80x24.

The QA pass in a real terminal (issue 15) added: no footer label is ever cut (keys that do
not fit are left out whole, the live day's keys show on the live screen only, and under a
dialog the footer shows the dialog's own keys); a dialog leaves the footer's line free;
no scrollbar is drawn against content; titles, legends, the baseline sentence and the
check-in column are whole.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding, BindingsMap
from textual.errors import NoWidget
from textual.geometry import Region
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Input, Static, Switch
from textual.widgets._footer import FooterKey

from companion.connect.colleagues import add_colleague
from tests.support.app import Day
from tests.support.heavy_day import at
from tests.support.screens import screen_text
from tui.modals.calendar import CalendarFileScreen
from tui.modals.contact import ContactScreen
from tui.modals.keys import KeysScreen
from tui.modals.prompt import PauseScreen, PromptScreen
from tui.modals.report import SaveReportScreen
from tui.modals.session import CheckInScreen, StartSessionScreen
from tui.modals.settings import SettingsScreen
from tui.screens.breathe import BreatheScreen
from tui.screens.colleagues import AddColleagueScreen, ColleaguesScreen
from tui.screens.live import LiveScreen
from tui.screens.resting import RestingScreen
from tui.screens.review import ReviewScreen, SessionDetailScreen
from tui.screens.setup import SetupScreen
from tui.screens.trends import TrendsScreen
from tui.widgets.day_strip import day_strip
from tui.widgets.dialog import DialogBody
from tui.widgets.footer import KeysFooter
from tui.widgets.parts import PartsLine, join_parts

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
        assert_dialog_keys_in_footer(pilot.app, name)
    else:  # the keys in the footer: the screen's own, and `?` for all of them
        footer = screen.query_one(Footer)
        keys = {key.key: key for key in footer.query(FooterKey) if key.display}
        wanted = [
            key
            for key, (node, binding, enabled, _) in screen.active_bindings.items()
            if node is screen and binding.show and enabled
        ]
        if isinstance(footer, KeysFooter):
            assert "question_mark" in keys and "q" in keys, f"{name}: no ? or q in the footer"
            assert "escape" not in wanted or "escape" in keys, f"{name}: no way back shown"
            if pilot.app.size.width >= 120:
                assert set(wanted) <= set(keys), f"{name}: {set(wanted) - set(keys)} left out"
            shown = [key for key in wanted if key in keys]
            assert shown == wanted[: len(shown)], f"{name}: keys left out out of order"
            live = {key for key, widget in keys.items() if widget.action in LIVE_ACTIONS}
            assert not live, f"{name} shows the live screen's keys {live}"
        for key in keys:
            assert_in_sight(keys[key], f"{name} footer")
        assert_footer_whole(pilot.app, name)
    if not isinstance(screen, ModalScreen):  # (a dialog's fields may touch its scrollbar)
        assert_no_scrollbar_against_content(pilot.app, name)
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


LIVE_ACTIONS = frozenset(b.action for b in LiveScreen.BINDINGS if isinstance(b, Binding))
"""The live day's acts (the live screen's own keys)."""


def footer_line(app: Any) -> str:
    return screen_text(app).rstrip("\n").split("\n")[-1]


def assert_footer_whole(app: Any, name: str) -> None:
    """Every label in the footer is whole: the line is the shown keys, nothing cut."""
    line = footer_line(app)
    assert "▏" not in line, f"{name}: a cut marker in the footer: {line!r}"
    footer = app.screen_stack[-1].query(KeysFooter)
    if not footer:
        footer = [s for s in app.screen_stack if s.query(KeysFooter)][-1].query(KeysFooter)
    words = [
        f"{key.key_display} {key.description}".strip()
        for key in footer.first().query(FooterKey)
        if key.display
    ]
    assert words, f"{name}: an empty footer"
    rest = line
    for word in words:
        assert word in rest, f"{name}: {word!r} is cut in the footer {line!r}"
        rest = rest.split(word, 1)[1]


def assert_dialog_keys_in_footer(app: Any, name: str) -> None:
    """Under a dialog the footer shows the dialog's own keys only, and the dialog leaves
    the footer's line free."""
    dialog = app.screen
    below = [s for s in app.screen_stack[:-1] if s.query(KeysFooter)]
    if not below or dialog.query(Footer):  # the breathing exercise has its own footer
        return
    footer = below[-1].query_one(KeysFooter)
    keys = {key.key for key in footer.query(FooterKey) if key.display}
    own = {key for key, b in dialog.active_bindings.items() if b.binding.show and b.node is not app}
    assert keys and keys <= own, f"{name}: the footer shows {keys}, the dialog's keys are {own}"
    assert not keys & {"question_mark", "q"}, f"{name}: the footer offers keys that do nothing"
    for frame in dialog.query(".dialog"):
        assert frame.region.bottom <= app.size.height - 1, f"{name}: the dialog covers the footer"
    assert_footer_whole(app, name)


def assert_no_scrollbar_against_content(app: Any, name: str) -> None:
    """A vertical scrollbar is drawn only beside a blank column: never against values,
    words or a chart (a thumb read as part of them: "0▇▇", "⠂▄▄")."""
    lines = screen_text(app).split("\n")
    for widget in app.screen.query("*"):
        if not (isinstance(widget, Widget) and widget.show_vertical_scrollbar):
            continue
        if not shown(widget):
            continue
        bar = widget.vertical_scrollbar.region
        x = bar.x - 1
        for y in range(bar.y, bar.bottom):
            line = lines[y] if y < len(lines) else ""
            cell = line[x] if x < len(line) else " "
            assert cell == " ", f"{name}: {widget!r}'s scrollbar against {line!r}"


def assert_columns_note_fits(review: Screen[Any]) -> None:
    """The note under the sessions explains the columns shown, each part whole."""
    table = review.query_one("#sessions", DataTable)
    headers = {str(column.label) for column in table.columns.values()}
    note = review.query_one("#columns-note", PartsLine)
    for part in note.parts:
        header = part.split(":", 1)[0]
        assert header in headers or header == "enter", f"the note explains {header}, not shown"
    lines = screen_text(review.app).split("\n")[note.region.y : note.region.bottom]
    text = " ".join(line.strip() for line in lines)
    assert all(part in text for part in note.parts) and "…" not in text, text


def assert_whole(widget: Widget, what: str) -> None:
    """Every word of ``widget``'s text is drawn in its region, in order: nothing is cut."""
    region = shown(widget)
    lines = screen_text(widget.app).split("\n")[region.y : region.bottom]
    drawn = " ".join(line[region.x : region.right] for line in lines).split()
    words = str(widget.render()).split()
    assert drawn == words, f"{what} is cut: {' '.join(drawn)!r}"


def assert_live_fits(app: Any) -> None:
    live = app.screen
    assert isinstance(live, LiveScreen)
    name = f"live at {app.size.width}x{app.size.height}"
    for selector in ("#hr", "#stress-head", "#session", "#prompt-area", "#timeline"):
        assert_in_sight(live.query_one(selector), f"{name} {selector}")
    footer = live.query_one(KeysFooter)
    keys = {key.key: key for key in footer.query(FooterKey) if key.display}
    wanted = ["question_mark", "q"]
    if app.size.width >= 120:  # there, every key of the footer that applies now fits
        shown_keys = BindingsMap([*LiveScreen.BINDINGS, *app.BINDINGS]).shown_keys
        wanted = [
            b.key
            for b in shown_keys
            if app.check_action(b.action.removeprefix("app."), ()) is not False
        ]
    for key in wanted:
        assert_in_sight(keys[key], f"{name} footer")
    assert_footer_whole(app, name)
    text = screen_text(app)
    assert "Stress" in text and "No session running" in text
    assert "20h" in text, "the day strip is cut"
    strip = live.query_one("#timeline")
    assert text.split("\n")[strip.region.y].rstrip(" │").endswith("20h"), "the strip is short"
    assert "Baseline: the calmest 126 minutes of this recording" in str(
        live.query_one("#stress-why").render()
    )
    assert_whole(live.query_one("#stress-why"), f"{name} the stress reasons and baseline")
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
        for binding in [*LiveScreen.BINDINGS, *type(app).BINDINGS]:
            assert isinstance(binding, Binding)
            if binding.system:  # the enter for a prompt just taken down: not a key to learn
                assert binding.description not in text and "⏎" not in text
            else:
                assert (binding.tooltip or binding.description) in text
        await close(pilot)

        await pilot.press("s")
        start = await walk(pilot, StartSessionScreen)
        kinds = start.query_one("#kind").region
        rows = screen_text(app).split("\n")[kinds.y : kinds.bottom]
        assert not any("█" in row[kinds.x : kinds.right] for row in rows), rows
        await pilot.press("3", "tab", *"P-1", "enter")  # a peer session
        await settle(pilot)
        await day.until(pilot, "08:36")  # e ends a session from its 30th second
        await pilot.press("e")
        check_in = await walk(pilot, CheckInScreen)
        body = check_in.query_one(DialogBody)
        assert body.max_scroll_y == 0, "the check-in scrolls: a field starts below the fold"
        question = check_in.query(".question").first()
        for _ in range(4):  # tabbing keeps the first question in sight
            await pilot.press("tab")
            await pilot.pause()
            assert_in_sight(question, "the tension question")
        await pilot.press("shift+tab", "shift+tab", "shift+tab", "shift+tab")
        await pilot.pause()
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
        assert "starts one" not in screen_text(app) and "ends it" not in screen_text(app)
        await close(pilot)
        assert "s starts one" in screen_text(app)
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
        add = await walk(pilot, AddColleagueScreen)
        channel = add.query_one("#channel", Input)
        assert str(channel.placeholder) in screen_text(app), "the channel placeholder is cut"
        await close(pilot)
        await close(pilot)

        await pilot.press("r")
        review = await walk(pilot, ReviewScreen)
        assert review.query_one("#sessions").size.height > 5, "the table shows too few rows"
        assert_columns_note_fits(review)
        await pilot.press("h")
        await walk(pilot, SaveReportScreen)
        await close(pilot)
        await pilot.press("enter")
        await walk(pilot, SessionDetailScreen)
        await close(pilot)
        await close(pilot)

        await pilot.press("t")
        trends = await walk(pilot, TrendsScreen)
        assert_whole(trends.query_one("#trends-title"), "the trends title")
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
        assert strip.cell_len == width, "the strip leaves part of its line empty"
        assert strip.plain.startswith("07h ") and strip.plain.endswith(" 20h")
        assert "███" in strip.plain and strip.plain.count("│") == 1  # the sessions, and now


async def test_a_long_check_in_wraps_in_the_review_at_120_columns(day: Day) -> None:
    """Cut after "marked h…" on one line before: at 120 columns it takes two lines."""
    async with day.app.run_test(size=(120, 40)) as pilot:
        await day.until(pilot, "08:27")
        await pilot.press("s", "3", "tab", *"P-1", "enter")
        await day.until(pilot, "08:34")
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("space", "tab", "6", "tab", "enter", "ctrl+s")
        await day.until(pilot, "08:35")
        while not isinstance(day.app.screen, LiveScreen):
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("r")
        review = await walk(pilot, ReviewScreen)
        table = review.query_one("#sessions", DataTable)
        check_in = table.get_row_at(0)[-1]
        lines = str(check_in).split("\n")
        assert len(lines) == 2, lines
        text = " ".join(lines)
        assert "heavy (you marked it)" in text and "marked heavy" in text, text
        shown = screen_text(day.app)
        assert all(line in shown for line in lines), "the check-in's lines are not drawn"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_a_session_s_plots_keep_their_titles_and_axis(
    heavy_day_store: Path, size: tuple[int, int]
) -> None:
    from companion.store.store import Store
    from tui.app import HoldspaceApp

    with Store(heavy_day_store, read_only=True) as store:
        app = HoldspaceApp(None, store=store)
        async with app.run_test(size=size) as pilot:
            await walk(pilot, ReviewScreen)
            await pilot.press("down", "down", "down", "down", "enter")
            detail = await walk(pilot, SessionDetailScreen)
            body = detail.query_one("#detail-body")
            tacho, poincare = detail.query_one("#tachogram"), detail.query_one("#poincare")
            for chart in (tacho, poincare):  # each chart in sight, scrolled to
                body.scroll_to_widget(chart, animate=False, top=True)
                await pilot.pause()
                assert_in_sight(chart, f"{chart.id} at {size}")
                assert_no_scrollbar_against_content(app, f"{chart.id} at {size}")
            title = poincare.render_line(0).text
            assert "SD1" in title and "SD2" in title, f"the Poincaré title: {title!r}"
            ticks = tacho.render_line(tacho.size.height - 1).text
            assert len(re.findall(r"\d\d:\d\d", ticks)) >= 2, f"no time axis: {ticks!r}"


async def test_the_live_baseline_sentence_is_whole_at_80x24(day: Day) -> None:
    from signals.scores.baseline import NORMS

    async with day.app.run_test(size=(80, 24)) as pilot:
        await day.until(pilot, "08:35")
        live = day.app.screen
        assert isinstance(live, LiveScreen)
        live.baseline = NORMS
        live.redraw()
        await pilot.pause()
        why = live.query_one("#stress-why", Static)
        lines = screen_text(day.app).split("\n")[why.region.y : why.region.bottom]
        text = " ".join(line[why.region.x : why.region.right].strip() for line in lines)
        assert NORMS.note in text, text


async def test_the_link_line_breaks_between_its_parts(day: Day) -> None:
    from companion.live.listener import LinkInfo

    async with day.app.run_test(size=(120, 40)) as pilot:
        await day.until(pilot, "08:35")
        live = day.app.screen
        assert isinstance(live, LiveScreen)
        live.show_link(LinkInfo("playing", "recording heavy-day.hsrec", 60.0))
        live.show_battery(91)
        await pilot.pause()
        link = live.query_one("#link")
        lines = screen_text(day.app).split("\n")[link.region.y : link.region.bottom]
        parts = [line[link.region.x : link.region.right].strip() for line in lines]
        assert "91%" not in parts and any("battery 91%" in p for p in parts), parts


def test_parts_break_between_parts_only() -> None:
    parts = ["Replaying at 60× — recording heavy-day.hsrec", "battery 91%"]
    assert (
        join_parts(parts, 56).plain == "Replaying at 60× — recording heavy-day.hsrec\nbattery 91%"
    )
    assert join_parts(parts, 80).plain == " · ".join(parts)
    assert join_parts(["a", "", "b"], 0).plain == "a · b"


def test_a_short_session_stays_in_sight_under_the_live_chart() -> None:
    import numpy as np

    from tui.widgets.plots import draw_time_chart
    from tui.widgets.series import Band, Series

    start = at("10:00")
    band = Band(start, start + 20.0, "supervision")  # shorter than a column
    for now in np.arange(start + 30.0, start + 25 * 60.0, 7.0):
        series = [Series("hr", np.array([now - 60.0, now]), np.array([70.0, 72.0]), "#ffffff")]
        lines = draw_time_chart(series, (now - 1800.0, now), [band], 60, 8)
        band_row = "".join(segment.text for segment in lines[-2])
        assert "▀" in band_row, f"the band vanished at {now - start:.0f} s"


def test_a_chart_legend_leaves_out_whole_entries_that_do_not_fit() -> None:
    """At 80 columns the day's legend read "▀ supervision  ▀ ad": now no entry is cut."""
    import numpy as np

    from tui.widgets.plots import draw_time_chart
    from tui.widgets.series import Band, Series

    start = at("09:00")
    series = [
        Series("heart rate (bpm)", np.array([start, start + 60.0]), np.array([70.0, 72.0]), "red"),
        Series("stress (0-100)", np.array([start, start + 60.0]), np.array([5.0, 9.0]), "blue"),
    ]
    kinds = ("client", "break", "supervision", "admin")
    bands = [Band(start + i * 10.0, start + i * 10.0 + 5.0, kind) for i, kind in enumerate(kinds)]
    legend = "".join(segment.text for segment in draw_time_chart(series, None, bands, 78, 8)[0])
    words = legend.split()
    assert "ad" not in words and words[-1] in kinds, legend
