"""The live screen after the QA pass of issue 15 in a real terminal (third pass).

At 80x24 the day's load read "Today's load   " once it reached 10 (the stress bar and the
load shared a line 36 cells wide); a failed message lost its keys (k, i) off the prompt
line, and ``i`` was on no keys sheet, footer or palette; after the stream ended, ``s``
opened a dialog that started nothing, the card kept the last minute's "signal poor ·
RMSSD 38 ms" and the stress card blamed a disconnected strap.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from tests.support.app import Day
from tests.support.screens import screen_text
from tui.modals.keys import KeysScreen
from tui.modals.session import StartSessionScreen
from tui.screens.live import LiveScreen

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
async def day(data_dir: Path) -> AsyncIterator[Day]:
    d = Day(data_dir)
    yield d
    d.store.close()


def _live(app: Any) -> LiveScreen:
    live = app.screen
    assert isinstance(live, LiveScreen)
    return live


def _drawn(widget: Static) -> str:
    """The text drawn in ``widget``'s region, its lines joined by a space."""
    region = widget.region
    lines = screen_text(widget.app).split("\n")[region.y : region.bottom]
    return " ".join(line[region.x : region.right].strip() for line in lines).strip()


async def _to_the_end(day: Day, pilot: Any) -> None:
    await day.gate.until(float("inf"))
    while day.app.beat_watch.ended is None:  # the run's end reaches the app
        await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_day_s_load_number_always_shows(day: Day, size: tuple[int, int]) -> None:
    async with day.app.run_test(size=size) as pilot:
        await day.until(pilot, "11:00")
        live = _live(day.app)
        live.peek_until(float("inf"))  # inside a client session: the numbers on show
        await pilot.pause()
        minute = live.last_minute
        assert minute is not None and minute.daily_load >= 10, "the day's load is two digits"
        load = live.query_one("#load", Static)
        assert _drawn(load) == f"Today's load {minute.daily_load:.0f}"
        live.show_minute(dataclasses.replace(minute, daily_load=100.0))
        await pilot.pause()
        assert _drawn(load) == "Today's load 100"
        assert _drawn(live.query_one("#stress-head", Static)).startswith("Stress")


async def test_after_the_end_s_says_so_and_the_card_says_no_beats_come(day: Day) -> None:
    async with day.app.run_test(size=(80, 24)) as pilot:
        await day.until(pilot, "11:40")
        live = _live(day.app)
        assert "RMSSD" in str(live.query_one("#vitals").render())
        await _to_the_end(day, pilot)
        while not isinstance(day.app.screen, LiveScreen):  # what the end offered
            await pilot.press("escape")
            await pilot.pause()
        day.app.clear_notifications()
        await pilot.press("s")
        await pilot.pause()
        assert not isinstance(day.app.screen, StartSessionScreen), "a dialog that starts nothing"
        said = [str(n.message) for n in day.app._notifications]
        assert any("has ended" in text for text in said), said
        vitals = str(live.query_one("#vitals").render())
        assert "RMSSD" not in vitals and "signal" not in vitals
        assert "no beats are coming in" in vitals
        card = str(live.query_one("#stress-why").render())
        assert "disconnected" not in card and "has ended" in card
        link = str(live.query_one("#link").render())
        assert link.count("ended") == 1, link


async def test_in_person_is_on_the_keys_sheet_the_palette_and_after_a_failure_the_footer(
    day: Day,
) -> None:
    from tui.actions.connect import MessageAttempt

    app = day.app
    async with app.run_test(size=(120, 40)) as pilot:
        await day.until(pilot, "08:20")
        live = _live(app)

        def footer_keys() -> set[str]:
            return {k.key for k in live.query(FooterKey) if k.display}

        assert "i" not in footer_keys(), "i shows with nothing waiting"
        app.failed_send = MessageAttempt("Sam", "Coffee later?", False, None, "refused")
        live.show_note("Not sent to Sam: refused k tries again · i: talk in person instead.")
        await pilot.pause()
        await pilot.pause()
        assert "i" in footer_keys()
        titles = {c.title for c in app.get_system_commands(live)}
        assert "Talk in person instead" in titles
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)
        sheet = str(app.screen.query_one("#keys-sheet", Static).render())
        assert "Talk in person instead" in sheet


async def test_a_long_note_keeps_two_rows_at_80x24(day: Day) -> None:
    """The failed message's keys came after the error: the line gives it two rows."""
    async with day.app.run_test(size=(80, 24)) as pilot:
        await day.until(pilot, "08:20")
        live = _live(day.app)
        note = (
            "Not sent to Sam: Could not reach 127.0.0.1:9 (connection refused). "
            "k tries again · i talk in person"
        )
        live.show_note(note)
        await pilot.pause()
        assert _drawn(live.query_one("#prompt-area", Static)) == note


def _top_name(app: Any) -> str:
    """The screen on top, by name (read anew: the keys pressed change it)."""
    return type(app.screen).__name__


def _footer_line(app: Any) -> str:
    return screen_text(app).rstrip("\n").split("\n")[-1]


async def test_the_footer_follows_the_dialog_on_top_of_another(day: Day) -> None:
    """Under Add a colleague (``c`` in the contact dialog) the footer kept the contact
    dialog's "^t Talk in person  esc Not now"; the contact dialog's footer had no ``c``."""
    from tui.modals.contact import ContactScreen
    from tui.screens.colleagues import AddColleagueScreen

    async with day.app.run_test(size=(80, 24)) as pilot:
        await day.until(pilot, "08:20")
        await pilot.press("k")
        await pilot.pause()
        assert _top_name(day.app) == ContactScreen.__name__
        await pilot.pause()
        assert "c Add a colleague" in _footer_line(day.app)
        await pilot.press("c")
        await pilot.pause()
        assert _top_name(day.app) == AddColleagueScreen.__name__
        await pilot.pause()
        footer = _footer_line(day.app)
        assert "esc Cancel" in footer and "Not now" not in footer, footer
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert "esc Not now" in _footer_line(day.app)


async def test_notifications_leave_a_dialog_s_keys_and_the_live_lines_readable(day: Day) -> None:
    """At 80x24 "Saved Sam." sat over the contact dialog's keys, and "Not sent to Sam"
    over the session line: notifications now sit at the top right."""
    from tui.modals.contact import ContactScreen

    app = day.app
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await day.until(pilot, "08:20")
        live = _live(app)
        app.notify(
            "Could not reach 127.0.0.1:9 (connection refused): check the address.",
            title="Not sent to Sam",
            severity="error",
        )
        await pilot.pause()
        await pilot.pause()
        assert _drawn(live.query_one("#session", Static)).startswith("No session running")
        await pilot.press("k")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ContactScreen)
        app.notify("Saved Sam.")
        await pilot.pause()
        await pilot.pause()
        hint = dialog.query_one(".hint", Static)
        assert _drawn(hint) == str(hint.render()).strip()


async def test_the_heavy_switch_sits_beside_its_question_at_80x24(day: Day) -> None:
    """The switch sat one line above "Was it heavy?", at column 62."""
    from textual.widgets import Switch

    from tui.modals.session import CheckInScreen

    async with day.app.run_test(size=(80, 24)) as pilot:
        await day.until(pilot, "08:35")
        await pilot.press("s", "3", "tab", *"P-1", "enter")
        await day.until(pilot, "08:37")
        await pilot.press("e")
        await pilot.pause()
        check_in = day.app.screen
        assert isinstance(check_in, CheckInScreen)
        question = next(q for q in check_in.query(".question") if "heavy" in str(q.render()))
        switch = check_in.query_one("#heavy", Switch)
        assert switch.region.y <= question.region.y < switch.region.bottom, "not on its line"
        assert switch.region.x - question.region.right <= 4, "far from its question"


async def test_a_session_without_a_label_opens_with_its_kind(day: Day) -> None:
    from tui.screens.review import ReviewScreen, SessionDetailScreen

    async with day.app.run_test(size=(120, 40)) as pilot:
        await day.until(pilot, "08:35")
        await pilot.press("s", "3", "enter")  # a peer session, no label
        await day.until(pilot, "08:37")
        await pilot.press("e", "escape")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        review = day.app.screen
        assert isinstance(review, ReviewScreen)
        for worker in [w for w in day.app.workers if w.node is review]:
            await worker.wait()
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        sheet = str(day.app.screen.query_one("#keys-sheet", Static).render())
        assert "⏎" in sheet or "enter" in sheet, sheet
        await pilot.press("escape", "enter")
        await pilot.pause()
        detail = day.app.screen
        assert isinstance(detail, SessionDetailScreen)
        for worker in [w for w in day.app.workers if w.node is detail]:
            await worker.wait()
        await pilot.pause()
        title = str(detail.query_one("#detail-title", Static).render())
        assert title.startswith("peer  ·  08:3"), title


def test_the_resting_time_left_agrees_with_the_bar() -> None:
    from tui.screens.resting import time_left_text

    assert time_left_text(0.17, 300.0) == "about 4 min to go."
    assert time_left_text(0.0, 300.0) == "about 5 min to go."
    assert time_left_text(0.9, 300.0) == "about 30 s to go."


def test_no_markdown_backticks_in_screen_words() -> None:
    from tui.modals.contact import ContactScreen
    from tui.screens.review import EMPTY_STORE

    assert "`" not in EMPTY_STORE
    assert "`" not in ContactScreen([], can_add=True)._no_colleagues_text()


def test_the_keys_sheet_says_what_d_and_m_do() -> None:
    from textual.binding import Binding

    said = {b.key: b.tooltip for b in LiveScreen.BINDINGS if isinstance(b, Binding)}
    assert said["d"] == "Try the demo (when no strap is reachable)"
    assert said["m"] == "Measure your resting baseline (five quiet minutes)"
    assert said["i"] and "in person" in said["i"]


def test_the_stress_bar_fills_the_cells_it_has() -> None:
    from tui.widgets.stress_bar import bar_text

    assert bar_text(None, 20) == "" and bar_text(50, 0) == ""
    assert bar_text(100, 18) == "█" * 18
    assert bar_text(50, 20) == "█" * 10 + "░" * 10
    assert len(bar_text(98, 19)) == 19


def test_clamped_lines_end_in_an_ellipsis() -> None:
    from tui.widgets.clamped import clamp_lines

    assert clamp_lines("one two three", 20, 2).plain == "one two three"
    text = clamp_lines("aaaa bbbb cccc dddd eeee", 9, 2).plain
    assert text.split("\n") == ["aaaa bbbb", "cccc …"] or text.endswith("…"), text
    assert len(text.split("\n")) == 2 and all(len(x) <= 9 for x in text.split("\n"))


async def test_a_note_too_long_for_its_two_rows_ends_in_an_ellipsis(day: Day) -> None:
    async with day.app.run_test(size=(80, 24)) as pilot:
        await day.until(pilot, "08:20")
        live = _live(day.app)
        live.show_note("Could not reach the mail server at mail.example.org:587 " * 4)
        await pilot.pause()
        area = live.query_one("#prompt-area", Static)
        lines = screen_text(day.app).split("\n")[area.region.y : area.region.bottom]
        assert len(lines) == 2 and lines[-1].rstrip().endswith("…"), lines
