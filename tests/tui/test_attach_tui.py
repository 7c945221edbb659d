"""The app attached to a running recorder, driven by keys: the recorder stores what they do.

The recorder is :class:`tests.support.attach.Recorder`: a live session on a gated replay of
the heavy fixture, served on the socket as ``holdspace record`` serves its strap. The app
opens the store read-only, as ``holdspace`` does when a recorder is running.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from companion.cli.screen import attach_runner
from companion.live.remote_recorder import STOPPED
from companion.store.store import Store
from sensors.clock import ManualClock
from tests.support.attach import Recorder
from tests.support.screens import screen_text
from tui.app import HoldspaceApp
from tui.modals.prompt import PromptScreen
from tui.modals.session import CheckInScreen, StartSessionScreen
from tui.screens.live import LiveScreen

SIZE = (110, 40)
MAX_TURNS = 2000
"""Safety net only: each wait ends as soon as its condition holds."""


async def until(pilot: Any, condition: Callable[[], bool]) -> None:
    """Let the app (and the recorder, on the same loop) run until ``condition`` holds."""
    for _ in range(MAX_TURNS):
        if condition():
            return
        await pilot.pause()
    raise AssertionError("the condition never held")


async def test_keys_on_an_attached_screen_start_and_end_a_session_in_the_recorder(
    data_dir: Path,
    sock_path: Path,
) -> None:
    rec = Recorder(data_dir, sock_path)
    await rec.start()
    reader = Store(data_dir, read_only=True)
    try:
        app = HoldspaceApp(attach_runner(sock_path), store=reader, clock=ManualClock(1000.0))
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.live.running)
            await rec.until("08:27")
            await until(pilot, lambda: (app.live.now_s or 0) >= (rec.live.now_s or 1))
            live = app.live_screen
            assert isinstance(app.screen, LiveScreen) and live is not None
            assert live.hr_bpm is not None and 40 < live.hr_bpm < 140

            # s, kind 2 (supervision), the helper's own code: the recorder starts it.
            await pilot.press("s")
            assert isinstance(app.screen, StartSessionScreen)
            await pilot.press("2", "tab", *"T-7", "enter")
            await until(pilot, lambda: app.live.session is not None)
            (ours,) = [s for s in rec.store.sessions() if s.label == "T-7"]
            assert ours.kind == "supervision" and ours.end_s is None
            assert "In session: supervision T-7" in screen_text(app)

            # e and a heavy check-in: the recorder ends it, stores the answers, and its
            # policy asks for a colleague, which the screen offers; escape says not now.
            await rec.until("08:33")
            await until(pilot, lambda: (app.live.now_s or 0) >= (rec.live.now_s or 1))
            await pilot.press("e")
            assert isinstance(app.screen, CheckInScreen)
            await pilot.press("space", "tab", "6", "tab", "enter", "ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, PromptScreen))
            assert isinstance(app.screen, PromptScreen)
            prompt = app.screen.prompt
            assert prompt.kind == "contact"
            await pilot.press("escape")
            assert app.live.attached is not None
            await app.live.attached.settled()
            (ours,) = [s for s in rec.store.sessions() if s.label == "T-7"]
            assert ours.heavy is True and ours.end_s is not None
            (check_in,) = rec.store.check_ins()
            assert check_in["session_id"] == ours.session_id
            assert check_in["answers"]["intensity"] == 6
            stored = {p["prompt_id"]: p for p in rec.store.prompts()}
            assert stored[prompt.prompt_id]["response"] == "dismissed"

            # The recorder stops: the link line says so, and s says why it cannot start.
            await rec.stop()
            await until(pilot, lambda: live.link.state == "stopped")
            assert STOPPED in screen_text(app)
            await pilot.press("s")
            assert isinstance(app.screen, LiveScreen)
            assert any("recorder has stopped" in str(n.message) for n in app._notifications)
        assert app.store is reader and reader.read_only  # the screen never wrote
    finally:
        reader.close()
        await rec.close()
