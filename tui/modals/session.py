"""Typed modal screens for sessions: start one, and the check-in after one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Final

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Input, Label, SelectionList, Static, Switch

from companion.errors import HoldspaceError
from companion.sessions import LABEL_MAX_CHARS, LABEL_PRIVACY_NOTE, validate_label
from sensors.events import SESSION_KINDS
from tui.widgets.dialog import DialogBody, DialogFoot

__all__ = [
    "TENSION_PLACES",
    "CheckInAnswers",
    "CheckInScreen",
    "LabelInput",
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


_KIND_DIGITS: Final = "".join(str(i + 1) for i in range(len(SESSION_KINDS)))
"""Keys that choose a kind before the code is started: 1-7."""


class LabelInput(Input):
    """The code field of :class:`StartSessionScreen`, which has the keyboard from the start.

    Until the helper starts the code (``tab``, or a key that is not a kind's digit),
    digits 1-7 choose the kind; from then on every key is part of the code. One
    widget takes every key, in the order typed, so nothing depends on how fast a
    focus change lands: a burst like ``3``, ``tab``, ``P-1``, ``enter`` from the
    terminal comes out as kind 3 with code P-1.
    """

    typing: reactive[bool] = reactive(False)
    """True once the helper is typing the code (digits are then part of it)."""

    @dataclass
    class KindKey(Message):
        """A kind's digit pressed before the code: ``index`` 0-6 of SESSION_KINDS."""

        index: int

    @dataclass
    class Typing(Message):
        """The helper started (``typing`` True) or left (False) the code."""

        typing: bool

    def watch_typing(self, typing: bool) -> None:
        self.post_message(self.Typing(typing))

    async def _on_key(self, event: events.Key) -> None:
        if event.key in ("tab", "shift+tab"):
            self.typing = event.key == "tab" and not self.typing
            event.stop()
            event.prevent_default()
            return
        digit = event.character if event.character and len(event.character) == 1 else None
        if not self.typing and digit is not None and digit in _KIND_DIGITS:
            self.post_message(self.KindKey(_KIND_DIGITS.index(digit)))
            event.stop()
            event.prevent_default()
            return
        if event.is_printable:
            self.typing = True
        await super()._on_key(event)

    def _on_paste(self, event: events.Paste) -> None:
        self.typing = True
        super()._on_paste(event)


class KindList(Static):
    """The kinds of session, one a line, the chosen one marked; a click chooses one.

    Drawn from the index it is given (no state of its own), so it always shows
    what the dialog will start, however fast keys come.
    """

    @dataclass
    class Clicked(Message):
        index: int

    def show(self, chosen: int) -> None:
        lines = Text()
        for i, kind in enumerate(SESSION_KINDS):
            mark = "●" if i == chosen else "○"
            lines.append(f"{mark} {i + 1} {kind}\n", style="bold" if i == chosen else "")
        lines.rstrip()
        self.update(lines)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and 0 <= offset.y < len(SESSION_KINDS):
            self.post_message(self.Clicked(offset.y))


class StartSessionScreen(ModalScreen[SessionStart | None]):
    """Choose a kind (keys 1-7 or the arrows), then type a code; enter starts, escape cancels.

    The code field has the keyboard all along (see :class:`LabelInput`): ``tab`` (or
    any key that is not a kind's digit) starts the code, ``tab`` again goes back to
    choosing the kind. ``s`` then ``enter`` starts a session of the last kind at
    once; the code is optional.
    """

    CSS_PATH = "../holdspace.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "submit", "Start"),
        Binding("up", "step_kind(-1)", "Previous kind", show=False),
        Binding("down", "step_kind(1)", "Next kind", show=False),
    ]

    def __init__(self, kind: str = "client", label: str = "") -> None:
        super().__init__()
        self.initial_kind = kind
        self.initial_label = label
        self._kind_index = SESSION_KINDS.index(kind) if kind in SESSION_KINDS else 0

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label("Start a session", classes="dialog-title")
            with DialogBody():
                yield KindList(id="kind")
                yield LabelInput(
                    value=self.initial_label,
                    placeholder="your own code, e.g. C-07 (tab, or just type)",
                    max_length=LABEL_MAX_CHARS,
                    id="label",
                )
                yield Static(LABEL_PRIVACY_NOTE, id="label-note", classes="note")
            with DialogFoot():
                yield Static("", id="error", classes="error")
                yield Static(
                    "1-7 or ↑↓ kind · tab code · enter start · escape cancel", classes="hint"
                )

    def on_mount(self) -> None:
        self.query_one(KindList).show(self._kind_index)
        label = self.query_one("#label", LabelInput)
        label.typing = bool(self.initial_label)
        label.focus()
        self._show_typing(label.typing)

    @on(LabelInput.KindKey)
    def _kind_key(self, message: LabelInput.KindKey) -> None:
        self.action_kind(message.index)

    @on(LabelInput.Typing)
    def _typing(self, message: LabelInput.Typing) -> None:
        self._show_typing(message.typing)

    def _show_typing(self, typing: bool) -> None:
        self.query_one("#dialog").set_class(not typing, "-choosing-kind")

    @on(KindList.Clicked)
    def _kind_clicked(self, message: KindList.Clicked) -> None:
        self.action_kind(message.index)

    def action_kind(self, index: int) -> None:
        if 0 <= index < len(SESSION_KINDS):
            self._kind_index = index
            self.query_one(KindList).show(index)

    def action_step_kind(self, step: int) -> None:
        self.action_kind((self._kind_index + step) % len(SESSION_KINDS))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @property
    def kind(self) -> str:
        return SESSION_KINDS[self._kind_index]

    @on(Input.Submitted, "#label")
    def action_submit(self) -> None:
        try:
            label = validate_label(self.query_one("#label", Input).value)
        except HoldspaceError as exc:
            self.query_one("#error", Static).update(str(exc))
            return
        self.dismiss(SessionStart(self.kind, label))


class CheckInScreen(ModalScreen[CheckInAnswers | None]):
    """After a session: where tension sits, how strong, heavy or not, a note. Optional."""

    CSS_PATH = "../holdspace.tcss"
    AUTO_FOCUS = ""  # on_mount focuses the places without scrolling past their question
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
            with DialogBody():
                yield Static("Where do you feel tension?", classes="question")
                yield SelectionList[str](*((p, p) for p in TENSION_PLACES), id="tension")
                yield Static("How strong, 0-10?", classes="question")
                yield Input(placeholder="0-10", type="integer", max_length=2, id="intensity")
                with Horizontal(classes="row"):
                    yield Static("Was it heavy?", classes="question")
                    yield Switch(value=False, id="heavy")
                yield Input(
                    placeholder="a short note (optional)", max_length=NOTE_MAX_CHARS, id="note"
                )
            with DialogFoot():
                yield Static("", id="error", classes="error")
                yield Static("ctrl+s save · escape skip", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#tension", SelectionList).focus(scroll_visible=False)

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
