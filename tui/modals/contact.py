"""Reaching out to a colleague: choose who, edit a kind message, send or talk in person.

The dialog returns a :class:`ContactRequest`; the app sends it in a worker and keeps
the answer, so the helper can see later what helped. A line about today's load is
added only when the helper ticks it, and it holds bands only (no numbers, no labels).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from companion.connect.colleagues import Colleague
from companion.connect.contact import TEMPLATES
from tui.widgets.dialog import DialogBody, DialogFoot

__all__ = ["ContactRequest", "ContactScreen", "ContactWay"]

ContactWay = Literal["message", "in_person", "not_now"]


@dataclass(frozen=True, slots=True)
class ContactRequest:
    """What the helper chose in the contact dialog.

    Attributes
    ----------
    way : send a ``message``, note a talk ``in_person``, or ``not_now``.
    name : the colleague (None for not now, or in person with nobody chosen).
    message : the text to send, as edited.
    with_load : add the line about today's load.
    """

    way: ContactWay
    name: str | None = None
    message: str = ""
    with_load: bool = False


class ContactScreen(ModalScreen[ContactRequest]):
    """Who to reach, what to say, and how: ctrl+s sends, ctrl+t notes a talk in person.

    Without colleagues there is no one to send to: ``c`` asks the app to add one
    (:class:`AddColleague`), and the dialog then offers them (:meth:`show_colleagues`).
    """

    @dataclass
    class AddColleague(Message):
        """The helper wants to add a colleague from ``dialog`` (``c``, when it has none)."""

        dialog: ContactScreen

        @property
        def control(self) -> ContactScreen:
            return self.dialog

    CSS_PATH = "../holdspace.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "add_colleague", "Add a colleague"),  # shown while nobody is listed
        Binding("ctrl+s", "send", "Send", priority=True),
        Binding("ctrl+t", "in_person", "Talk in person", priority=True),
        Binding("escape", "not_now", "Not now"),
    ]

    def __init__(
        self,
        colleagues: Sequence[Colleague],
        *,
        reason: str = "",
        load_line: str | None = None,
        message: str | None = None,
        chosen: str | None = None,
        with_load: bool = False,
        can_add: bool = True,
    ) -> None:
        super().__init__()
        self.can_add = can_add
        """Whether ``c`` may add a colleague here (False when nothing is stored)."""
        self.colleagues = tuple(colleagues)
        self.reason = reason
        self.load_line = load_line
        self.first_message = message if message is not None else TEMPLATES[0][1]
        self.chosen = chosen
        self.first_with_load = with_load

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog contact"):
            yield Label("Reach out to a colleague", classes="dialog-title")
            with DialogBody():
                if self.reason:
                    yield Static(self.reason, classes="note", id="contact-reason")
                if not self.colleagues:
                    yield Static(self._no_colleagues_text(), classes="note", id="no-colleagues")
                else:
                    yield OptionList(
                        *(
                            Option(f"{c.name} · {c.role}", id=f"c{i}")
                            for i, c in enumerate(self.colleagues)
                        ),
                        id="who",
                    )
                    yield OptionList(
                        *(Option(short, id=f"t{i}") for i, (short, _) in enumerate(TEMPLATES)),
                        id="template",
                    )
                    yield Input(self.first_message, id="message", placeholder="your message")
                    if self.load_line is not None:
                        yield Checkbox(f"Add: “{self.load_line}”", id="with-load")
                    else:
                        yield Static("(Too little of today is measured for a line about it.)")
                with Horizontal(classes="buttons"):
                    if self.colleagues:
                        yield Button("Send", id="send", variant="primary")
                    yield Button("I'll talk in person", id="in-person")
                    yield Button("Not now", id="not-now")
            with DialogFoot():
                yield Static(self._hint_text(), classes="hint")

    def _no_colleagues_text(self) -> str:
        how = "c adds one here" if self.can_add else "Add one"
        return (
            f"No colleagues yet. {how} (or “holdspace colleagues add NAME --channel URL”); "
            "a talk in person counts too."
        )

    def _hint_text(self) -> str:
        """The keys that do something now: no send without someone to send to."""
        keys = ["ctrl+s send"] if self.colleagues else []
        if not self.colleagues and self.can_add:
            keys.append("c add a colleague")
        return " · ".join([*keys, "ctrl+t talk in person", "escape not now"])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "send":
            return bool(self.colleagues)
        if action == "add_colleague":
            return not self.colleagues and self.can_add
        return True

    def action_add_colleague(self) -> None:
        self.post_message(self.AddColleague(self))

    def show_colleagues(self, colleagues: Sequence[Colleague], chosen: str | None = None) -> None:
        """Offer ``colleagues`` (one was just added), with ``chosen`` highlighted."""
        self.colleagues = tuple(colleagues)
        self.chosen = chosen
        self.call_next(self._recomposed)

    async def _recomposed(self) -> None:
        await self.recompose()
        self.on_mount()
        self.refresh_bindings()

    def on_mount(self) -> None:
        if not self.colleagues:
            self.query_one("#in-person", Button).focus()
            return
        who = self.query_one("#who", OptionList)
        index = next(
            (
                i
                for i, c in enumerate(self.colleagues)
                if self.chosen is not None and c.name.casefold() == self.chosen.casefold()
            ),
            0,
        )
        who.highlighted = index
        who.focus()
        if self.first_with_load and self.query("#with-load"):
            self.query_one("#with-load", Checkbox).value = True

    @property
    def colleague(self) -> Colleague | None:
        """The highlighted colleague."""
        if not self.colleagues:
            return None
        index = self.query_one("#who", OptionList).highlighted
        return self.colleagues[index if index is not None else 0]

    @on(OptionList.OptionSelected, "#template")
    def _template(self, event: OptionList.OptionSelected) -> None:
        index = int((event.option.id or "t0")[1:])
        self.query_one("#message", Input).value = TEMPLATES[index][1]
        self.query_one("#message", Input).focus()

    @on(OptionList.OptionSelected, "#who")
    def _who(self) -> None:
        self.query_one("#message", Input).focus()

    @on(Input.Submitted, "#message")
    def _submitted(self) -> None:
        self.action_send()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        match event.button.id:
            case "send":
                self.action_send()
            case "in-person":
                self.action_in_person()
            case _:
                self.action_not_now()

    def action_send(self) -> None:
        colleague = self.colleague
        if colleague is None:
            return
        text = self.query_one("#message", Input).value.strip()
        if not text:
            self.notify("Write a few words first.", severity="warning")
            return
        boxes = self.query("#with-load")
        with_load = bool(boxes) and self.query_one("#with-load", Checkbox).value
        self.dismiss(ContactRequest("message", colleague.name, text, with_load))

    def action_in_person(self) -> None:
        colleague = self.colleague
        self.dismiss(ContactRequest("in_person", colleague.name if colleague else None))

    def action_not_now(self) -> None:
        self.dismiss(ContactRequest("not_now"))
