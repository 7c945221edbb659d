"""The start-session dialog by keys, as a keyboard-first person types: fast.

A terminal delivers a burst of keys in one read; nothing waits for the dialog
between them. :func:`burst` sends keys that way (straight to the driver, no
pause in between), so a key typed right after ``tab`` must still land in the
label, and ``enter`` must see every key typed before it.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.app import App
from textual.widgets import Input

from tui.modals.session import SessionStart, StartSessionScreen


class Host(App[None]):
    def __init__(self, kind: str = "client", label: str = "") -> None:
        super().__init__()
        self.kind, self.label = kind, label
        self.results: list[SessionStart | None] = []

    def on_mount(self) -> None:
        self.push_screen(StartSessionScreen(self.kind, self.label), self.results.append)


_NAMED = {"tab": "\t", "enter": "\r", "escape": "\x1b", "up": None, "down": None}
"""Keys by name, with the character a terminal sends (None: none)."""


def _key(key: str) -> events.Key:
    if key in _NAMED:
        return events.Key(key, _NAMED[key])
    return events.Key({"-": "minus", " ": "space"}.get(key, key), key)


async def burst(pilot: Any, *keys: str) -> None:
    """Send ``keys`` as one read from a terminal would: all at once, then let them settle."""
    app = pilot.app
    for key in keys:
        event = _key(key)
        event.set_sender(app)
        app._driver.send_message(event)
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("send", ["press", "burst"])
async def test_kind_tab_and_a_code_typed_at_once(send: str) -> None:
    app = Host()
    async with app.run_test() as pilot:
        keys = ("3", "tab", *"P-1", "enter")
        if send == "press":
            await pilot.press(*keys)
        else:
            await burst(pilot, *keys)
    assert app.results == [SessionStart("peer", "P-1")]


async def test_typing_a_code_needs_no_tab_and_digits_then_belong_to_it() -> None:
    app = Host(kind="supervision")
    async with app.run_test() as pilot:
        await burst(pilot, "down", *"C-07", "enter")
    assert app.results == [SessionStart("peer", "C-07")]


async def test_arrows_and_digits_choose_the_kind_in_a_burst() -> None:
    app = Host()
    async with app.run_test() as pilot:
        screen = app.screen
        assert isinstance(screen, StartSessionScreen)
        assert "never a client's name" in str(screen.query_one("#label-note").render())
        await burst(pilot, "5", "down", "down", "up")
        assert screen.kind == "break"
        await burst(pilot, "tab", "7", "enter")
    assert app.results == [SessionStart("break", "7")]


async def test_enter_alone_starts_the_last_kind_and_escape_cancels() -> None:
    app = Host(kind="team")
    async with app.run_test() as pilot:
        await burst(pilot, "enter")
    assert app.results == [SessionStart("team", "")]
    app = Host()
    async with app.run_test() as pilot:
        await burst(pilot, "tab", *"X1", "escape")
    assert app.results == [None]


async def test_a_code_is_cut_at_32_characters() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await burst(pilot, "tab", *("x" * 40), "enter")
    assert app.results == [SessionStart("client", "x" * 32)]


async def test_the_code_field_keeps_the_keyboard_and_shows_what_keys_do() -> None:
    app = Host()
    async with app.run_test() as pilot:
        screen = app.screen
        assert isinstance(screen, StartSessionScreen)
        assert isinstance(screen.focused, Input) and screen.focused.id == "label"
        dialog = screen.query_one("#dialog")
        assert dialog.has_class("-choosing-kind")
        await burst(pilot, "tab")
        assert not dialog.has_class("-choosing-kind")
        await burst(pilot, "tab", "2")  # back to the kinds: 2 chooses supervision
        assert screen.kind == "supervision" and screen.query_one("#label", Input).value == ""
        await pilot.click("#kind", offset=(4, 3))  # the fourth line: team
        assert screen.kind == "team"
        assert isinstance(screen.focused, Input)  # the code field keeps the keyboard
        await burst(pilot, "escape")
