"""Typed modal screens for sessions: start one, and the check-in after one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Final

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, RadioButton, RadioSet, SelectionList, Static, Switch

from companion.errors import HoldspaceError
from companion.sessions import LABEL_MAX_CHARS, LABEL_PRIVACY_NOTE, SESSION_KINDS, validate_label

__all__ = [
    "TENSION_PLACES",
    "CheckInAnswers",
    "CheckInScreen",
    "SessionStart",
    "StartSessionScreen",
]

TENSION_PLACES: Final = ("shoulders", "chest", "stomach", "jaw", "head", "breath")
NOTE_MAX_CHARS: Final = 200


@dataclass(frozen=True, slots=True)
class SessionStart:
    """What the helper chose: the kind of session and their own code for it."""

    kind: str
    label: str


@dataclass(frozen=True, slots=True)
class CheckInAnswers:
    """A post-session check-in, in the helper's own terms."""

    tension: tuple[str, ...]
    intensity: int | None
    heavy: bool
    note: str

    def answers(self) -> dict[str, str | int | bool]:
        """As stored and heard by the prompt policy (only what was given)."""
        out: dict[str, str | int | bool] = {"heavy": self.heavy}
        if self.tension:
            out["tension"] = ", ".join(self.tension)
        if self.intensity is not None:
            out["intensity"] = self.intensity
        if self.note:
            out["note"] = self.note
        return out


class StartSessionScreen(ModalScreen[SessionStart | None]):
    """Choose a kind (arrows or keys 1-7), tab to type a code; enter starts, escape cancels.

    ``s`` then ``enter`` starts a session of the last kind at once; the code is optional.
    """

    CSS_PATH = "holdspace.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "submit", "Start", priority=True),
        *(
            Binding(str(i + 1), f"kind({i})", kind, show=False)
            for i, kind in enumerate(SESSION_KINDS)
        ),
    ]

    def __init__(self, kind: str = "client", label: str = "") -> None:
        super().__init__()
        self.initial_kind = kind
        self.initial_label = label

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label("Start a session", classes="dialog-title")
            with RadioSet(id="kind"):
                for i, kind in enumerate(SESSION_KINDS):
                    yield RadioButton(f"{i + 1} {kind}", value=kind == self.initial_kind)
            yield Input(
                value=self.initial_label,
                placeholder="your own code, e.g. C-07",
                max_length=LABEL_MAX_CHARS,
                id="label",
            )
            yield Static(LABEL_PRIVACY_NOTE, id="label-note", classes="note")
            yield Static("", id="error", classes="error")
            yield Static("1-7 kind · tab code · enter start · escape cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#kind", RadioSet).focus()

    def action_kind(self, index: int) -> None:
        buttons = list(self.query(RadioButton))
        if 0 <= index < len(buttons):
            buttons[index].value = True

    def action_cancel(self) -> None:
        self.dismiss(None)

    @property
    def kind(self) -> str:
        pressed = self.query_one("#kind", RadioSet).pressed_index
        return SESSION_KINDS[pressed] if pressed >= 0 else "other"

    def action_submit(self) -> None:
        try:
            label = validate_label(self.query_one("#label", Input).value)
        except HoldspaceError as exc:
            self.query_one("#error", Static).update(str(exc))
            return
        self.dismiss(SessionStart(self.kind, label))


class CheckInScreen(ModalScreen[CheckInAnswers | None]):
    """After a session: where tension sits, how strong, heavy or not, a note. Optional."""

    CSS_PATH = "holdspace.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "skip", "Skip"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(self, session_text: str) -> None:
        super().__init__()
        self.session_text = session_text

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label(f"Check in after {self.session_text}", classes="dialog-title")
            yield Static("Where do you feel tension?", classes="question")
            yield SelectionList[str](*((p, p) for p in TENSION_PLACES), id="tension")
            yield Static("How strong, 0-10?", classes="question")
            yield Input(placeholder="0-10", type="integer", max_length=2, id="intensity")
            with Horizontal(classes="row"):
                yield Static("Was it heavy?", classes="question")
                yield Switch(value=False, id="heavy")
            yield Input(placeholder="a short note (optional)", max_length=NOTE_MAX_CHARS, id="note")
            yield Static("", id="error", classes="error")
            yield Static("ctrl+s save · escape skip", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#tension", SelectionList).focus()

    def action_skip(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        text = self.query_one("#intensity", Input).value.strip()
        intensity: int | None = None
        if text:
            intensity = int(text) if text.lstrip("-").isdigit() else -1
            if not 0 <= intensity <= 10:
                self.query_one("#error", Static).update("Intensity is a number from 0 to 10.")
                return
        self.dismiss(
            CheckInAnswers(
                tension=tuple(self.query_one("#tension", SelectionList).selected),
                intensity=intensity,
                heavy=self.query_one("#heavy", Switch).value,
                note=self.query_one("#note", Input).value.strip(),
            )
        )
