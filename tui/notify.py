"""A prompt on screen can ring the bell and raise a desktop notification.

:class:`PromptAlerts` decides (from the helper's :class:`~companion.settings.Settings`
and the session running) and sends: the terminal's bell through ``App.bell()``, a
notification as an escape sequence the terminal understands, written through
Textual's driver (as ``App.copy_to_clipboard`` writes OSC 52, there being no public
call for other sequences), else the desktop's notifier through Apprise on a worker
thread. Nothing goes out inside a client session, nor inside any session when the
helper chose quiet in all of them. Failures are logged, never raised; when the
desktop's notifier cannot be reached the helper is told once per run, on the screen.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, Final

from textual.app import App

from companion.connect.notify import (
    TerminalMethod,
    desktop_notify_failure,
    osc_sequence,
    prompt_text,
    terminal_method,
)
from companion.settings import Settings

__all__ = ["NO_DESKTOP_NOTICE", "PromptAlerts"]

log = logging.getLogger("holdspace.notify")

NO_DESKTOP_NOTICE: Final = (
    "Desktop notifications are not available here ({why}); prompts still show on the screen."
)
"""Said once per run when the desktop's notifier does not take a notification."""


class PromptAlerts:
    """Bell and desktop notification for the prompts ``app`` shows.

    Parameters
    ----------
    app : the running app (its driver, bell and workers).
    env : the environment the terminal is detected from (default ``os.environ``).
    emit : writes an escape sequence (default: Textual's driver; tests capture it).
    bell : rings the bell (default ``app.bell``).
    desktop : the desktop notifier, ``(title, body) -> None`` when sent, else why not
        (default Apprise's, not used when the app runs headless), run on a worker thread.
    """

    def __init__(
        self,
        app: App[Any],
        *,
        env: Mapping[str, str] | None = None,
        emit: Callable[[str], None] | None = None,
        bell: Callable[[], None] | None = None,
        desktop: Callable[[str, str], str | None] | None = None,
    ) -> None:
        self.app = app
        self.method: TerminalMethod | None = terminal_method(os.environ if env is None else env)
        self._emit = emit if emit is not None else self._write
        self._bell = bell if bell is not None else app.bell
        self._desktop = desktop if desktop is not None else desktop_notify_failure
        self._real_desktop = desktop is None
        self.desktop_failure: str | None = None
        """Why the desktop's notifier did not take the first notification it refused."""

    def prompt_shown(self, kind: str, settings: Settings, session_kind: str | None) -> bool:
        """A prompt of ``kind`` is on screen; alert as the settings say. True when one went out."""
        if settings.quiet_during(session_kind):
            return False
        alerted = False
        try:
            if settings.bell:
                self._bell()
                alerted = True
            if settings.desktop_notify and self.notify(*prompt_text(kind)):
                alerted = True
        except Exception as exc:  # an alert must never take the app down
            log.info("could not alert for a prompt: %s", exc)
            return False
        return alerted

    def notify(self, title: str, body: str) -> bool:
        """Raise a desktop notification the best way this terminal allows; False if none."""
        if self.method is not None:
            self._emit(osc_sequence(self.method, title, body))
            return True
        if self._real_desktop and self.app.is_headless:
            return False  # a headless app (tests, a pipe) never pops up on the desktop
        self.app.run_worker(
            partial(self._send_desktop, title, body),
            name="notify",
            group="notify",
            thread=True,
            exit_on_error=False,
        )
        return True

    def _send_desktop(self, title: str, body: str) -> None:
        """On a worker thread: notify; the first refusal of the run is told on the screen."""
        why = self._desktop(title, body)
        if why is None or self.desktop_failure is not None:
            return
        self.desktop_failure = why
        notice = NO_DESKTOP_NOTICE.format(why=why)
        self.app.call_from_thread(self.app.notify, notice, severity="warning", timeout=10)

    def _write(self, sequence: str) -> None:
        driver = getattr(self.app, "_driver", None)
        if self.app.is_headless or driver is None:
            return
        driver.write(sequence)
        driver.flush()
