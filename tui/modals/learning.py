"""What learning does, in plain words, shown once when the helper turns it on.

A typed modal screen returning True ("Turn it on") or False ("Keep it off"); the settings
form (:mod:`tui.modals.settings`) asks it when the learning switch goes on.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import ClassVar, Final

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from tui.widgets.dialog import DialogBody, DialogFoot

__all__ = ["LEARNING_WORDS", "LearningScreen"]

LEARNING_WORDS: Final = (
    "Learning what helps you: about 1 in 5 pause and breathing prompts is held back "
    "at random and only noted, never shown. Over the weeks, what followed the prompts you "
    "saw is compared with what followed the held ones, to learn honestly whether prompts "
    "help you (`holdspace effects`, and the trends).",
    "Never held: a suggestion to contact a colleague, a prompt after a session you marked "
    "heavy, or two prompts in a row.",
    "It all stays on this computer. Turn it off here in the settings at any time.",
)
"""The explanation, one paragraph a line."""


class LearningScreen(ModalScreen[bool]):
    """The explanation; "Turn it on" (enter) dismisses True, "Keep it off" (escape) False."""

    CSS_PATH: ClassVar[list[str | PurePath]] = ["../holdspace.tcss", "../settings.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "keep_off", "Keep it off"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog settings"):
            yield Label("Learning what helps", classes="dialog-title")
            with DialogBody():
                for paragraph in LEARNING_WORDS:
                    yield Static(paragraph, classes="question")
            with DialogFoot(), Horizontal(classes="field"):
                yield Button("Turn it on", id="learning-on", compact=True)
                yield Button("Keep it off", id="learning-off", compact=True)

    def on_mount(self) -> None:
        self.query_one("#learning-on", Button).focus()

    @on(Button.Pressed, "#learning-on")
    def _on(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#learning-off")
    def action_keep_off(self) -> None:
        self.dismiss(False)
