"""The colleagues list: who the helper checks in with, how to reach them, and when.

Channel addresses hold passwords or tokens: they are typed into a password field,
stored mode 0600 on this machine and only ever shown masked. Adding a colleague
checks the address with Apprise, and a test message goes out, in thread workers.

A failed attempt (a test, or a message from the contact dialog) stays on the colleague's
row, read from the contact log, until something comes after it: ``r`` tries again (a test
is sent again; for a message the contact dialog opens, through :class:`ColleaguesScreen.
WriteAgain` to the app), ``i`` notes that you talked in person instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from companion.connect.colleagues import (
    ROLES,
    Colleague,
    ColleagueBook,
    ContactRecord,
    add_colleague,
    last_contact_text,
    load_book,
    parse_rhythm,
    remove_colleague,
)
from companion.connect.contact import TEST_MESSAGE, failure_line, send_to, talked_in_person
from companion.connect.secrets import mask_url
from companion.errors import HoldspaceError
from tui.widgets.dialog import DialogBody, DialogFoot
from tui.widgets.footer import KeysFooter

__all__ = ["AddColleagueScreen", "ColleaguesScreen", "NewColleague", "save_new_colleague"]

PRIVACY_NOTE = (
    "Channel addresses hold passwords or tokens: they stay on this machine (mode 0600) "
    "and are shown masked. Nothing about your body is sent unless you add it to a message."
)


@dataclass(frozen=True, slots=True)
class NewColleague:
    """The add form's answers (the repr masks the channel: a crash report prints locals)."""

    name: str
    channel: str
    role: str
    rhythm: str

    def __repr__(self) -> str:
        return (
            f"NewColleague(name={self.name!r}, channel={mask_url(self.channel)!r}, "
            f"role={self.role!r}, rhythm={self.rhythm!r})"
        )


def save_new_colleague(data_dir: Path, answer: NewColleague, now_s: float) -> Colleague:
    """Check the add form's channel with Apprise and save the colleague (blocking: call
    it on a thread). Raises :class:`HoldspaceError` with a sentence to show."""
    every = parse_rhythm(answer.rhythm) if answer.rhythm else None
    return add_colleague(
        data_dir,
        answer.name,
        [answer.channel] if answer.channel else [],
        role=answer.role,
        every_days=every,
        now_s=now_s,
    )


class AddColleagueScreen(ModalScreen[NewColleague | None]):
    """Name, channel (an Apprise URL, typed like a password), role and check-in rhythm."""

    CSS_PATH = "../holdspace.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label("Add a colleague", classes="dialog-title")
            with DialogBody():
                yield Input(placeholder="name, as you want it shown", id="name")
                yield Input(
                    placeholder="channel, an Apprise URL: mailtos://… or ntfys://…",
                    password=True,
                    id="channel",
                )
                yield OptionList(*(Option(role, id=role) for role in ROLES), id="role")
                yield Input(
                    placeholder="check in every… (7d, 2w, weekly; empty: no rhythm)", id="rhythm"
                )
                yield Static(PRIVACY_NOTE, classes="note")
            with DialogFoot():
                yield Static("enter on the last field saves · escape cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#role", OptionList).highlighted = 0
        self.query_one("#name", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        order = ["name", "channel", "rhythm"]
        current = event.input.id or "name"
        if current != "rhythm":
            self.query_one(f"#{order[order.index(current) + 1]}", Input).focus()
            return
        role_index = self.query_one("#role", OptionList).highlighted or 0
        self.dismiss(
            NewColleague(
                name=self.query_one("#name", Input).value,
                channel=self.query_one("#channel", Input).value.strip(),
                role=ROLES[role_index],
                rhythm=self.query_one("#rhythm", Input).value.strip(),
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


class ColleaguesScreen(Screen[None]):
    """The list, with keys to add, test, retry, remove, and note a talk in person."""

    @dataclass
    class WriteAgain(Message):
        """The helper wants to write again to ``name``, whose last message failed."""

        name: str

    @dataclass
    class TalkedInPerson(Message):
        """The helper noted a talk in person with ``name`` (a failed message may be settled)."""

        name: str

    CSS_PATH = "../holdspace.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Short words, the everyday keys first: the footer leaves out whole what does not
        # fit at 80 columns (`i` then), and `?` lists every key with its tooltip.
        Binding("a", "add", "Add", tooltip="Add a colleague"),
        Binding("x", "remove", "Remove", tooltip="Remove the colleague and their channels"),
        Binding("escape", "back", "Back", tooltip="Back to the live screen"),
        Binding("t", "test", "Test", tooltip="Send a harmless test message"),
        Binding("r", "retry", "Retry", tooltip="Try a failed test or message again"),
        Binding("i", "in_person", "In person", tooltip="Note that you talked in person"),
    ]

    def __init__(self, data_dir: Path, *, now_s: float) -> None:
        super().__init__()
        self.data_dir = data_dir
        self.now_s = now_s
        self.book = ColleagueBook()

    def compose(self) -> ComposeResult:
        with Vertical(id="colleagues"):
            yield Label("Colleagues", classes="dialog-title")
            yield Static("", id="colleagues-empty", classes="note")
            yield OptionList(id="colleague-list")
            yield Static("", id="colleague-result", classes="note")
            yield Static(PRIVACY_NOTE, classes="note")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#colleague-list", OptionList).focus()

    def reload(self) -> None:
        """Read the book again and redraw the list (masked)."""
        try:
            self.book = load_book(self.data_dir)
        except HoldspaceError as exc:
            self.notify(str(exc), severity="error")
            return
        options = self.query_one("#colleague-list", OptionList)
        kept = options.highlighted
        options.clear_options()
        options.add_options(
            [Option(self.describe(c), id=f"c{i}") for i, c in enumerate(self.book.colleagues)]
        )
        if self.book.colleagues:
            in_range = kept is not None and kept < len(self.book.colleagues)
            options.highlighted = kept if in_range else 0
        self.query_one("#colleagues-empty", Static).update(
            ""
            if self.book.colleagues
            else "No colleagues yet. a adds one: start small, with one colleague for regular "
            "check-ins."
        )

    def describe(self, colleague: Colleague) -> str:
        """One line, secrets masked."""
        rhythm = f" · every {colleague.every_days} d" if colleague.every_days else ""
        last = last_contact_text(colleague, self.now_s)
        due = " · check-in due" if colleague.overdue(self.now_s) else ""
        channels = ", ".join(colleague.masked_channels())
        text = f"{colleague.name} · {colleague.role}{rhythm} · {last}{due}\n  {channels}"
        failed = self.book.last_failure(colleague.name)
        if failed is not None:
            line = failure_line(failed, self.now_s)
            text += f"\n  {line} · r retry · i talked in person instead"
        return text

    @property
    def highlighted(self) -> Colleague | None:
        index = self.query_one("#colleague-list", OptionList).highlighted
        if index is None or not 0 <= index < len(self.book.colleagues):
            return None
        return self.book.colleagues[index]

    def show_result(self, text: str) -> None:
        self.query_one("#colleague-result", Static).update(text)

    # -- actions ------------------------------------------------------------------------------

    def action_add(self) -> None:
        def added(answer: NewColleague | None) -> None:
            if answer is not None:
                self.show_result("Checking the channel…")
                self.add(answer)

        self.app.push_screen(AddColleagueScreen(), added)

    @work(thread=True, exclusive=True, group="colleagues", exit_on_error=False)
    def add(self, answer: NewColleague) -> None:
        """On a thread: check the address with Apprise, then save."""
        try:
            colleague = save_new_colleague(self.data_dir, answer, self.now_s)
        except HoldspaceError as exc:
            self.app.call_from_thread(self.show_result, str(exc))
            return
        self.app.call_from_thread(self._added, colleague)

    def _added(self, colleague: Colleague) -> None:
        self.reload()
        self.show_result(f"Saved {colleague.name}. t sends a harmless test message.")

    def action_test(self) -> None:
        colleague = self.highlighted
        if colleague is not None:
            self.show_result(f"Sending a test message to {colleague.name}…")
            self.send_test(colleague)

    @work(thread=True, exclusive=True, group="colleagues", exit_on_error=False)
    def send_test(self, colleague: Colleague) -> None:
        """On a thread: the test message through each channel until one takes it."""
        records = send_to(self.data_dir, colleague, TEST_MESSAGE, now_s=self.now_s, test=True)
        self.app.call_from_thread(self._tested, colleague, records)

    def _tested(self, colleague: Colleague, records: list[ContactRecord]) -> None:
        """The test's result: on the result line, on the row, and as a notification if it failed."""
        if not records:
            self.show_result(f"{colleague.name} has no channel.")
            return
        last = records[-1]
        self.reload()
        if last.ok:
            self.show_result(last.detail)
            return
        self.show_result(f"{last.detail} r retries · i notes a talk in person instead.")
        self.notify(last.detail, title=f"Not sent to {colleague.name}", severity="error")

    def action_retry(self) -> None:
        """Try the colleague's failed attempt again: the test, or the message (the dialog)."""
        colleague = self.highlighted
        if colleague is None:
            return
        failed = self.book.last_failure(colleague.name)
        if failed is None:
            self.show_result(f"Nothing failed for {colleague.name}. t sends a test message.")
        elif failed.way == "test":
            self.action_test()
        else:
            self.post_message(self.WriteAgain(colleague.name))

    def on_screen_resume(self) -> None:
        """Back from a dialog (the contact dialog may have sent meanwhile): read again."""
        self.reload()

    def action_in_person(self) -> None:
        colleague = self.highlighted
        if colleague is None:
            return
        try:
            talked_in_person(self.data_dir, colleague, now_s=self.now_s)
        except HoldspaceError as exc:
            self.notify(str(exc), severity="error")
            return
        self.reload()
        self.show_result(f"Noted: you talked with {colleague.name} in person.")
        self.post_message(self.TalkedInPerson(colleague.name))

    def action_remove(self) -> None:
        colleague = self.highlighted
        if colleague is None:
            return
        try:
            remove_colleague(self.data_dir, colleague.name)
        except HoldspaceError as exc:
            self.notify(str(exc), severity="error")
            return
        self.reload()
        self.show_result(f"Removed {colleague.name} and their channels.")

    def action_back(self) -> None:
        self.dismiss(None)
