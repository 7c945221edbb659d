"""The app's part in connection: contacting a colleague, the colleagues list, reminders.

:class:`ConnectActions` is one of the action groups :class:`tui.app.HoldspaceApp`
combines (over :class:`tui.actions.base.AppBase`). The contact dialog's choice is kept
as an act (what helped, later); a message is sent in a thread worker, and its result, in
one plain sentence with no secret in it, is shown and kept in the contact log. A message
that did not go out stays on the prompt line (and on the colleague's row) with the ways
on: ``k`` opens the dialog again with the same colleague and words, ``i`` notes a talk
in person instead. Due check-ins are told to the prompt policy about once an hour of the
day, which decides when (and whether) to remind.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Final

from textual.binding import Binding, BindingType

from companion.connect.colleagues import (
    ColleagueBook,
    ContactRecord,
    due_check_ins,
    load_book,
    record_contact,
)
from companion.connect.contact import (
    day_load_line,
    send_to,
    talked_in_person,
    team_status_line,
    with_load_line,
)
from companion.errors import HoldspaceError
from tui.actions.base import AppBase
from tui.modals.contact import ContactScreen
from tui.screens.colleagues import AddColleagueScreen, ColleaguesScreen, save_new_colleague

if TYPE_CHECKING:
    from textual.worker import Worker

    from companion.prompts.records import Prompt
    from companion.sessions import Session
    from tui.modals.contact import ContactRequest
    from tui.screens.colleagues import NewColleague

__all__ = ["ConnectActions", "MessageAttempt"]

REMINDER_CHECK_S: Final = 3600.0
"""How often (in the source's time) due check-ins are told to the policy."""
_CHOICE_WORDS: Final = {"message": "message", "in_person": "in-person", "not_now": "not-now"}


@dataclass(frozen=True, slots=True)
class MessageAttempt:
    """A message on its way, and, when no channel took it, kept in memory (never on
    disk) to try again.

    name : the colleague.
    message : the words as the helper wrote them (without the line about the day).
    with_load : the helper had ticked the line about the day.
    prompt_id : the prompt the message answered, if any.
    detail : the result sentence, secrets masked (once it failed).
    """

    name: str
    message: str
    with_load: bool
    prompt_id: str | None
    detail: str = ""


class ConnectActions(AppBase):
    """Contact, colleagues and check-in reminders; the app provides the attributes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "in_person_instead", "Talk in person instead", show=False),
    ]

    contact_worker: Worker[list[ContactRecord]] | None = None
    failed_send: MessageAttempt | None = None
    """The last message that did not go out, until it is sent or replaced by a talk."""
    _reminded_at_s: float | None = None

    @property
    def data_dir(self) -> Path | None:
        """Where the colleagues live: the settings' folder, else the store's."""
        if self.settings_dir is not None:
            return self.settings_dir
        return self.store.data_dir if self.store is not None else None

    def colleague_book(self) -> ColleagueBook:
        """The colleague book (empty without a data folder, or when it cannot be read)."""
        if self.data_dir is None:
            return ColleagueBook()
        try:
            return load_book(self.data_dir)
        except HoldspaceError as exc:
            self.notify(str(exc), severity="error")
            return ColleagueBook()

    def today_minutes(self) -> list[tuple[float, int | None]]:
        """(start, stress) of today's minutes so far, from the running stage."""
        stage = self.live.stage
        now = self.live.now_s
        if stage is None or now is None:
            return []
        day = datetime.fromtimestamp(now).date()
        return [
            (m.epoch.start_s, m.score.score)
            for m in stage.minutes
            if datetime.fromtimestamp(m.epoch.start_s).date() == day
        ]

    # -- contact ------------------------------------------------------------------------------

    def marked_heavy_today(self) -> bool:
        """Whether the helper marked a session of today heavy (the day's line says so)."""
        now = self.live.now_s
        if self.store is None or now is None:
            return False
        day = datetime.fromtimestamp(now).date()
        return any(s.heavy is True for s in self.store.sessions(day))

    def open_contact(
        self, prompt: Prompt | None = None, *, message: str | None = None, chosen: str | None = None
    ) -> None:
        """Open the contact dialog (for ``prompt``, when it came from one).

        Opened plainly (``k``) while a message waits to be tried again, the dialog
        starts from it: the same colleague, words and choice of the line about the day.
        """
        now = self.live.now_s
        line = (
            day_load_line(self.today_minutes(), now, marked_heavy=self.marked_heavy_today())
            if now is not None
            else None
        )
        prompt_id = prompt.prompt_id if prompt is not None else None
        book = self.colleague_book()
        failed = self.failed_send
        if failed is not None and book.last_failure(failed.name) is None:
            self.failed_send = failed = None  # sent since, or talked (the colleagues list)
        with_load = False
        if (
            failed is not None
            and prompt is None
            and message is None
            and (chosen is None or chosen.casefold() == failed.name.casefold())
        ):
            message, chosen, with_load = failed.message, failed.name, failed.with_load
            prompt_id = failed.prompt_id

        def chosen_way(request: ContactRequest | None) -> None:
            self.act_closed(prompt)  # the gap before the next prompt starts
            self._contact_chosen(request, prompt_id, line)
            if prompt is not None and (request is None or request.way == "not_now"):
                self._note("Contact dialog closed: no one was contacted.")  # was "…opened"

        screen = ContactScreen(
            book.colleagues,
            reason=prompt.reason if prompt is not None else "",
            load_line=line,
            message=message,
            chosen=chosen,
            with_load=with_load and line is not None,
            can_add=self.data_dir is not None,
        )
        self.push_screen(screen, chosen_way)

    def on_contact_screen_add_colleague(self, message: ContactScreen.AddColleague) -> None:
        """``c`` in a contact dialog without colleagues: the add form, then the dialog
        offers the new colleague (it stays open, with its reason and prompt)."""
        dialog = message.dialog
        if self.data_dir is None:
            self.notify("Nothing is stored in this run, so there is no colleagues list.")
            return

        def added(answer: NewColleague | None) -> None:
            if answer is not None:
                self.run_worker(
                    lambda: self._add_from_contact(answer, dialog),
                    name="add-colleague",
                    group="contact",
                    thread=True,
                    exit_on_error=False,
                )

        self.push_screen(AddColleagueScreen(), added)

    def _add_from_contact(self, answer: NewColleague, dialog: ContactScreen) -> None:
        """On a worker thread: save the colleague, then hand the book to the dialog."""
        assert self.data_dir is not None
        try:
            colleague = save_new_colleague(self.data_dir, answer, self._act_time_s())
        except HoldspaceError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        colleagues = self.colleague_book().colleagues
        if dialog.is_attached:  # still open: it offers the new colleague
            self.call_from_thread(dialog.show_colleagues, colleagues, colleague.name)
        self.call_from_thread(self.notify, f"Saved {colleague.name}.")

    def _contact_chosen(
        self, request: ContactRequest | None, prompt_id: str | None, load_line: str | None
    ) -> None:
        way = request.way if request is not None else "not_now"
        act: dict[str, object] = {"choice": _CHOICE_WORDS[way]}
        if request is not None and request.name is not None:
            act["to"] = request.name
        if way != "message":  # a message is kept once its send is over, with how it went
            self.live.record_act("contact", act, prompt_id)
        if request is None or way == "not_now":
            return
        book = self.colleague_book()
        if way == "in_person":
            self._note("A conversation in person — good.")
            if request.name is not None and self.data_dir is not None:
                colleague = book.find(request.name)
                talked_in_person(
                    self.data_dir, colleague, now_s=self._act_time_s(), prompt_id=prompt_id
                )
                self._forget_failure(request.name)
            return
        assert request.name is not None
        try:
            colleague = book.find(request.name)
        except HoldspaceError as exc:
            self.live.record_act("contact", {**act, "sent": False}, prompt_id)
            self.notify(str(exc), severity="error")
            return
        text = with_load_line(request.message, load_line if request.with_load else None)
        self._note(f"Sending to {colleague.name}…")
        attempt = MessageAttempt(colleague.name, request.message, request.with_load, prompt_id)
        self.contact_worker = self.run_worker(
            lambda: self._send(attempt, text),
            name="contact",
            group="contact",
            thread=True,
            exit_on_error=False,
        )

    def _send(self, sending: MessageAttempt, text: str) -> list[ContactRecord]:
        """On a worker thread: send, log, and report back to the screen."""
        assert self.data_dir is not None
        try:
            colleague = load_book(self.data_dir).find(sending.name)
            records = send_to(
                self.data_dir,
                colleague,
                text,
                now_s=self._act_time_s(),
                prompt_id=sending.prompt_id,
            )
        except HoldspaceError as exc:
            self.call_from_thread(self._record_send, sending, sent=False)
            self.call_from_thread(self.notify, str(exc), severity="error")
            return []
        self.call_from_thread(self._sent, records, sending)
        return records

    def _record_send(self, sending: MessageAttempt, *, sent: bool) -> None:
        """Keep the message as an act, with whether it went out (``sent``)."""
        act = {"choice": "message", "to": sending.name, "sent": sent}
        self.live.record_act("contact", act, sending.prompt_id)

    def _sent(self, records: list[ContactRecord], sending: MessageAttempt) -> None:
        self._record_send(sending, sent=bool(records) and records[-1].ok)
        if not records:
            self.notify("This colleague has no channel to send to.", severity="warning")
            return
        last = records[-1]
        self._refresh_colleagues()
        if last.ok:
            self._forget_failure(sending.name)
            self._note(last.detail)
            self.notify(last.detail)
            return
        self.failed_send = replace(sending, detail=last.detail)
        self._note(
            f"Not sent to {sending.name} — k tries again (your words are kept) · "
            f"i: talk in person instead. {last.detail}"
        )
        self.notify(last.detail, title=f"Not sent to {sending.name}", severity="error")

    def unsent_message_waits(self) -> bool:
        """Whether a message that did not go out waits (:attr:`failed_send`)."""
        return self.failed_send is not None

    def _forget_failure(self, name: str) -> None:
        """A message to ``name`` went out, or a talk replaced it: nothing waits any more."""
        if self.failed_send is not None and self.failed_send.name.casefold() == name.casefold():
            self.failed_send = None

    def action_in_person_instead(self) -> None:
        """The message that did not go out becomes a talk in person (``i``)."""
        failed = self.failed_send
        if failed is None or self.data_dir is None:
            self.notify("No message is waiting to go out; k reaches out to a colleague.")
            return
        try:
            colleague = self.colleague_book().find(failed.name)
            talked_in_person(
                self.data_dir, colleague, now_s=self._act_time_s(), prompt_id=failed.prompt_id
            )
        except HoldspaceError as exc:
            self.notify(str(exc), severity="error")
            return
        self.live.record_act(
            "contact", {"choice": "in-person", "to": failed.name}, failed.prompt_id
        )
        self.failed_send = None
        self._refresh_colleagues()
        self._note(f"Noted: you will talk with {failed.name} in person instead — good.")

    def on_colleagues_screen_write_again(self, message: ColleaguesScreen.WriteAgain) -> None:
        """``r`` on a colleague whose message failed: the contact dialog, for them."""
        self.open_contact(chosen=message.name)

    def on_colleagues_screen_talked_in_person(
        self, message: ColleaguesScreen.TalkedInPerson
    ) -> None:
        """``i`` in the colleagues list settles a message to them that did not go out."""
        failed = self.failed_send
        if failed is not None and failed.name.casefold() == message.name.casefold():
            self.failed_send = None
            self._note(f"Noted: you talked with {failed.name} in person instead — good.")

    def _refresh_colleagues(self) -> None:
        """Redraw the colleagues list if it is open (a send or a talk changed a row)."""
        if isinstance(self.screen, ColleaguesScreen):
            self.screen.reload()

    # -- colleagues and reminders ---------------------------------------------------------------

    def session_contact(self, session: Session) -> None:
        """A supervision or peer session labelled with a colleague's name is a contact."""
        if session.kind not in ("supervision", "peer") or self.data_dir is None:
            return
        names = {c.name.casefold(): c.name for c in self.colleague_book().colleagues}
        name = names.get(session.label.strip().casefold())
        if name is None:
            return
        when = session.end_s if session.end_s is not None else session.start_s
        record = ContactRecord(
            when, name, "session", True, f"A {session.kind} session with {name}."
        )
        try:
            record_contact(self.data_dir, record)
        except HoldspaceError as exc:
            self.notify(str(exc), severity="error")

    def action_colleagues(self) -> None:
        if self.data_dir is None:
            self.notify("Nothing is stored in this run, so there is no colleagues list.")
            return
        self.push_screen(ColleaguesScreen(self.data_dir, now_s=self._act_time_s()))

    def action_team_check_in(self) -> None:
        """A one-line status for the team, from today's bands, to a team channel."""
        line = team_status_line(
            self.today_minutes(), self._act_time_s(), marked_heavy=self.marked_heavy_today()
        )
        team = next((c for c in self.colleague_book().colleagues if c.role == "team"), None)
        self.open_contact(message=line, chosen=team.name if team is not None else None)

    def check_reminders(self) -> None:
        """Tell the policy which check-ins are due, about once an hour of the source's time."""
        now = self.live.now_s
        if now is None or self.data_dir is None:
            return
        if self._reminded_at_s is not None and now - self._reminded_at_s < REMINDER_CHECK_S:
            return
        self._reminded_at_s = now
        self.live.colleagues_due(due_check_ins(self.colleague_book(), now))
