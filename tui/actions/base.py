"""What the app's action groups share: the one base each of them derives from.

The groups (:mod:`tui.actions.prompts`, :mod:`tui.actions.connect`,
:mod:`tui.actions.plan`, :mod:`tui.actions.settings`) are siblings: each derives from
:class:`AppBase` alone, none imports another, and :class:`tui.app.HoldspaceApp` combines
them (Textual finds their ``action_*`` methods, handlers and ``BINDINGS`` along the MRO).
:class:`AppBase` holds what more than one of them uses:

- the state the app sets up (the live session, the settings, the store, the live screen);
- the clock of the helper's acts (:meth:`AppBase._act_time_s`);
- the steps the app itself owns (writing the prompt line, starting a run, ...);
- the few steps one group offers another, declared here and implemented by the group that
  owns them: the contact dialog and its unsent message (connect), the end of an act a
  prompt opened (prompts).

Each declared step raises :class:`NotImplementedError` here; a group never declares a
sibling's step itself, so the implementation is the only one along the MRO.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App

from companion.live.session import LiveSession
from companion.settings import Settings

if TYPE_CHECKING:
    from textual.widget import AwaitMount

    from companion.prompts.records import Prompt
    from companion.sessions import Session
    from companion.store.store import Store
    from tui.screens.live import LiveScreen

__all__ = ["AppBase", "Runner"]

Runner = Callable[[LiveSession], Awaitable[Any]]
"""What the app runs: e.g. ``lambda live: live.replay(path, speed=60)``."""


class AppBase(App[str | None]):
    """The app as its action groups see it; :class:`tui.app.HoldspaceApp` provides the state."""

    settings: Settings
    settings_dir: Path | None
    store: Store | None
    live: LiveSession
    live_screen: LiveScreen | None
    wall_time: Callable[[], float] = staticmethod(time.time)
    """When contacts happen before any source time has arrived; tests set it."""

    def _act_time_s(self) -> float:
        """When the helper acts: the stream's time once it runs (the demo's virtual clock,
        like the acts and prompts), else the wall clock. One clock for the contact log."""
        now = self.live.now_s
        return now if now is not None else self.wall_time()

    # -- the app's own steps (tui.app) ----------------------------------------------------------

    def _note(self, text: str) -> None:
        """Write ``text`` on the live screen's prompt line."""
        raise NotImplementedError

    def _start(self, runner: Runner) -> None:
        """Start the run (a worker)."""
        raise NotImplementedError

    def _open_live_screen(self) -> AwaitMount:
        raise NotImplementedError

    def _check_in(self, session: Session) -> None:
        """The check-in dialog after ``session`` ended."""
        raise NotImplementedError

    async def action_demo(self) -> None:
        raise NotImplementedError

    # -- offered by tui.actions.connect -----------------------------------------------------------

    def open_contact(
        self, prompt: Prompt | None = None, *, message: str | None = None, chosen: str | None = None
    ) -> None:
        """Open the contact dialog (for ``prompt``, when it came from one)."""
        raise NotImplementedError

    def unsent_message_waits(self) -> bool:
        """Whether a message that did not go out waits (to be tried again, or talked instead)."""
        raise NotImplementedError

    # -- offered by tui.actions.prompts -----------------------------------------------------------

    def act_closed(self, prompt: Prompt | None) -> None:
        """An act ``prompt`` opened is over (None: no prompt opened it)."""
        raise NotImplementedError
