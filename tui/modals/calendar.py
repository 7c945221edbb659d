"""Importing a calendar from the screen: which file, then its next week becomes the plan.

Titles are not kept (they can name clients); the kind of each event comes from the
default keyword rules. The file is read in a worker; a file that is no calendar changes
nothing, and events skipped in one that is are told in a notification, by line.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui.widgets.dialog import DialogBody, DialogFoot

__all__ = ["CalendarFileScreen"]


class CalendarFileScreen(ModalScreen[str | None]):
    """Asks for the path of an .ics file; returns it (None to cancel)."""

    CSS_PATH = "../holdspace.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label("Import a calendar", classes="dialog-title")
            with DialogBody():
                yield Input(placeholder="path of an .ics file, e.g. ~/work.ics", id="ics-path")
                yield Static(
                    "The events of the next seven days become planned sessions that start and "
                    "end themselves while your strap streams (u: not happening). Event titles "
                    "are not stored: they can name clients.",
                    classes="note",
                )
            with DialogFoot():
                yield Static("enter import · escape cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#ics-path", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(text or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
