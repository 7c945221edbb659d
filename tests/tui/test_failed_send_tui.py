"""A colleague's channel that fails, on the screen: nothing on the terminal, the failure stays.

The channel is a JSON webhook on a closed loopback port (connection refused), with a
password in it. The logging is set up as the ``holdspace`` command sets it up
(:func:`companion.logfile.command_logging` in ``main``, then
:func:`companion.logfile.screen_logging` in ``run_screen``): while the screen runs,
nothing but Textual may write to the terminal (``capfd`` reads file descriptors 1 and
2), the log file gets the lines, masked, and the helper gets a notification. A failed
send stays on the colleague's row and on the live screen's prompt line, with the keys
to try again and to talk in person instead.
"""

from __future__ import annotations

import stat
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import Checkbox, Input, OptionList

from companion.connect.colleagues import add_colleague, load_book
from companion.logfile import command_logging, screen_logging
from companion.store.store import Store
from sensors.clock import ManualClock
from tests.support.app import idle
from tests.support.heavy_day import at
from tests.support.loopback import LOOPBACK, SECRET, closed_port
from tui.app import HoldspaceApp
from tui.modals.contact import ContactScreen
from tui.screens.colleagues import ColleaguesScreen
from tui.screens.live import LiveScreen

pytestmark = [
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated"),
    pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning"),
]

SIZE = (80, 24)
NOW_S = at("10:42")
"""When the helper acts (the app's wall time; 2026-11-23, UTC in the tests)."""


@pytest.fixture(autouse=True)
def _only_loopback(loopback_only: list[Any]) -> list[Any]:
    return loopback_only


@dataclass
class Setup:
    app: HoldspaceApp
    data: Path
    port: int


@pytest.fixture
async def setup(data_dir: Path) -> AsyncIterator[Setup]:
    port = closed_port()
    add_colleague(data_dir, "Sam", [f"json://sam:{SECRET}@{LOOPBACK}:{port}/hook"], now_s=NOW_S)
    store = Store(data_dir)
    app = HoldspaceApp(idle, store=store, clock=ManualClock(0.0))
    app.wall_time = lambda: NOW_S
    yield Setup(app, data_dir, port)
    store.close()


async def _settle(pilot: Any, screen: Any = None) -> None:
    """Wait for the workers of ``screen`` (all the app's but the run, without one)."""
    app = pilot.app
    for worker in [w for w in app.workers if w.name != "feed"]:
        if screen is None or worker.node is screen:
            await worker.wait()
    await pilot.pause()


def _top(app: HoldspaceApp) -> Screen[Any]:
    """The screen on top (read through a call: the keys pressed change it)."""
    return app.screen


def _row(screen: ColleaguesScreen, index: int = 0) -> str:
    return str(screen.query_one("#colleague-list", OptionList).get_option_at_index(index).prompt)


def _refused(port: int) -> str:
    return f"Could not reach {LOOPBACK}:{port} (connection refused)"


def test_the_last_failure_is_the_last_entry_when_it_failed() -> None:
    from companion.connect.colleagues import ColleagueBook, ContactRecord
    from companion.connect.contact import failure_line, failure_reason

    refused = "Could not reach 127.0.0.1:9 (connection refused): check the address and port."
    failed = ContactRecord(NOW_S, "Sam", "message", False, refused, "JSON webhook")
    sent = ContactRecord(NOW_S + 60, "Sam", "message", True, "Sent to Sam by e-mail.")
    other = ContactRecord(NOW_S + 90, "Robin", "test", False, refused)
    assert ColleagueBook(contacts=(failed, other)).last_failure("sam") == failed
    assert ColleagueBook(contacts=(failed, sent, other)).last_failure("Sam") is None
    assert failure_reason(refused) == "Could not reach 127.0.0.1:9 (connection refused)"
    assert failure_reason("The mail server at h:25 did not accept the user name or password.") == (
        "The mail server at h:25 did not accept the user name or password"
    )
    assert failure_line(failed, NOW_S + 3600) == (
        "last try 10:42 failed: Could not reach 127.0.0.1:9 (connection refused)"
    )
    assert failure_line(other, NOW_S + 86_400).startswith("last test message 2026-11-23 10:43")


async def test_a_failing_test_message_writes_nothing_on_the_terminal(
    setup: Setup, capfd: pytest.CaptureFixture[str]
) -> None:
    app = setup.app
    capfd.readouterr()  # what came before the screen
    with command_logging("info", setup.data), screen_logging(setup.data) as log_path:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("c")
            screen = app.screen
            assert isinstance(screen, ColleaguesScreen)
            await pilot.press("t")
            await _settle(pilot, screen)
            shown = [str(n.message) for n in app._notifications]
            row = _row(screen)
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""

    assert any(_refused(setup.port) in text for text in shown), shown
    assert _refused(setup.port) in row
    logged = log_path.read_text(encoding="utf-8")
    assert "Connection error occurred sending JSON notification" in logged  # Apprise's warning
    assert f"(json://sam:***@{LOOPBACK}:{setup.port}/***)" in logged  # our line, masked
    assert SECRET not in logged
    assert stat.S_IMODE(log_path.stat().st_mode) == 0o600


async def test_a_failed_test_stays_on_the_row_until_a_talk_in_person(setup: Setup) -> None:
    app = setup.app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, ColleaguesScreen)
        await pilot.press("t")
        await _settle(pilot, screen)
        row = _row(screen)
        assert f"last test message 10:42 failed: {_refused(setup.port)}" in row
        assert "r retry · i talked in person instead" in row

        # It is kept (the contact log): the list opened again still shows it.
        await pilot.press("escape")
        assert app.live_screen is not None and app.screen is app.live_screen
        await pilot.press("c")
        again = _top(app)
        assert isinstance(again, ColleaguesScreen)
        assert _refused(setup.port) in _row(again)

        await pilot.press("r")  # the test goes out again (and fails again)
        await _settle(pilot, again)
        assert [c.way for c in load_book(setup.data).contacts] == ["test", "test"]
        assert _refused(setup.port) in _row(again)

        await pilot.press("i")
        await pilot.pause()
        assert "failed" not in _row(again)
        book = load_book(setup.data)
        assert book.last_failure("Sam") is None
        assert book.colleagues[0].last_contact_way == "in_person"


async def _send_from_the_dialog(pilot: Any, words: str) -> None:
    app = pilot.app
    await pilot.press("k")
    dialog = app.screen
    assert isinstance(dialog, ContactScreen)
    dialog.query_one("#message", Input).value = words
    await pilot.press("ctrl+s")
    assert isinstance(app.screen, LiveScreen)
    await _settle(pilot)


async def test_a_failed_message_stays_on_the_prompt_line_with_retry_and_in_person(
    setup: Setup,
) -> None:
    app = setup.app
    acts: list[tuple[str, dict[str, Any], str | None]] = []  # no stream runs: none is stored

    def record_act(kind: str, result: Mapping[str, Any], prompt_id: str | None = None) -> None:
        acts.append((kind, dict(result), prompt_id))

    app.live.record_act = record_act  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await _send_from_the_dialog(pilot, "Could we talk after lunch?")
        live = app.live_screen
        assert live is not None
        line = live.prompt_line
        # The keys come first, so a cut line still shows the way back; then the reason.
        assert line.startswith(
            "Not sent to Sam — k tries again (your words are kept) · i: talk in person instead."
        )
        assert _refused(setup.port) in line
        assert SECRET not in line
        assert any(_refused(setup.port) in str(n.message) for n in app._notifications)

        # k: the dialog again, with Sam and the same words; it fails again.
        await pilot.press("k")
        dialog = app.screen
        assert isinstance(dialog, ContactScreen)
        assert dialog.colleague is not None and dialog.colleague.name == "Sam"
        assert dialog.query_one("#message", Input).value == "Could we talk after lunch?"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        book = load_book(setup.data)
        assert [(c.way, c.ok) for c in book.contacts] == [("message", False)] * 2
        assert live.prompt_line.startswith("Not sent to Sam")

        # On the colleague's row too: r opens the dialog for Sam, escape leaves it.
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, ColleaguesScreen)
        assert f"last try 10:42 failed: {_refused(setup.port)}" in _row(screen)
        await pilot.press("r")
        dialog = app.screen
        assert isinstance(dialog, ContactScreen)
        assert dialog.query_one("#message", Input).value == "Could we talk after lunch?"
        await pilot.press("escape")
        assert isinstance(app.screen, ColleaguesScreen)
        await pilot.press("escape")

        # i: a talk in person instead.
        await pilot.press("i")
        await pilot.pause()
        assert live.prompt_line == "Noted: you will talk with Sam in person instead — good."
        book = load_book(setup.data)
        assert book.colleagues[0].last_contact_way == "in_person"
        assert book.last_failure("Sam") is None
        assert app.failed_send is None
        assert acts[-1] == ("contact", {"choice": "in-person", "to": "Sam"}, None)
        # k now starts afresh (from the first template).
        await pilot.press("k")
        assert app.screen.query_one("#message", Input).value != "Could we talk after lunch?"
        assert (
            not app.screen.query("#with-load")
            or not app.screen.query_one("#with-load", Checkbox).value
        )


async def test_a_talk_noted_in_the_list_settles_the_failed_message(setup: Setup) -> None:
    app = setup.app
    async with app.run_test(size=SIZE) as pilot:
        await _send_from_the_dialog(pilot, "Coffee later?")
        assert app.failed_send is not None
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, ColleaguesScreen)
        await pilot.press("i")
        await pilot.pause()
        assert "failed" not in _row(screen)
        await pilot.press("escape")
        live = app.live_screen
        assert live is not None and app.screen is live
        assert live.prompt_line == "Noted: you talked with Sam in person instead — good."
        assert app.failed_send is None
