"""The app's part in prompts: offering them, the helper's answer, and the acts they invite.

:class:`PromptActions` is one of the action groups :class:`tui.app.HoldspaceApp`
combines (over :class:`tui.actions.base.AppBase`). A delivered prompt waits while a
dialog is open or prompts are quiet (inside a client session, or any session if the
helper chose), and is offered when the live screen is back. Accepting one opens its act:
a pause, the breathing exercise or the contact dialog; what the act measured is kept
with the prompt's id.

A prompt is offered on news (it was just delivered, a session ended, a minute
passed), never the moment a dialog closes, so a queued prompt never takes the key
the helper pressed next; after an answer (or the act it opened) the next one waits
:data:`ANSWER_GAP_S`, and a snooze holds those waiting too. Notes on the prompt line
expire after :data:`NOTE_EXPIRES_S`, but a message that could not be sent.
One that waited past :data:`STALE_AFTER_S` for a pause or a breath is dropped
with a note (its reason speaks of minutes long gone), an older one otherwise says
(once) when it was raised, and those still waiting when the stream ends are
dropped: the review keeps them all. An invitation taken down because a client
session began is still accepted by an enter pressed within :data:`TAKEN_DOWN_GRACE_S`.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Final

from companion.prompts.types import ASKED_RULES
from sensors.clock import Clock
from tui.actions.base import AppBase
from tui.modals.prompt import PauseResult, PauseScreen, PromptScreen
from tui.notify import PromptAlerts
from tui.screens.breathe import BreatheScreen
from tui.screens.live import LiveScreen, clock_text

if TYPE_CHECKING:
    from companion.prompts.records import Prompt, Response
    from tui.beat_watch import BeatWatch
    from tui.screens.breathe import BreathResult

__all__ = ["ANSWER_GAP_S", "STALE_AFTER_S", "TAKEN_DOWN_GRACE_S", "PromptActions"]

STALE_AFTER_S: Final = 15 * 60.0
"""A pause or breathe prompt not offered within this many seconds of the stream's time
after its delivery is dropped: its reason speaks of the body's last minutes. Contact
prompts are not dropped for age (a heavy session stays heavy); they say when."""
REWORD_AFTER_S: Final = 2 * 60.0
"""A prompt offered later than this after it was raised says when it was raised."""
ANSWER_GAP_S: Final = 3 * 60.0
"""After an answer to a prompt (or the end of the act it opened), the next waiting
prompt waits this many seconds of the stream's time: prompts never come back to back,
however fast a replay runs."""
_EARLIER: Final = re.compile(r"^Earlier, at \d\d:\d\d: ")
"""The words :meth:`PromptActions._current` puts before an older prompt's reason."""
NOTE_EXPIRES_S: Final = 5 * 60.0
"""A note on the prompt line (an answer, a snooze's end, an act done) gives way after
this many seconds of the stream's time to what holds now: the running snooze, or
:data:`IDLE_LINE`. A message that could not be sent stays until it is resolved."""
IDLE_LINE: Final = "Nothing is asking for your attention."
"""The prompt line when nothing is asking (as the live screen starts)."""
TAKEN_DOWN_GRACE_S: Final = 3.0
"""An enter within this many seconds (injected clock) of an invitation being taken
down at a client session's start still accepts it: the helper meant that one."""
_OPENED: Final = {
    "pause": "pause opened",
    "breathe": "breathing opened",
    "contact": "contact dialog opened",
}


class PromptActions(AppBase):
    """Prompts offered and answered, and the acts; the app provides the attributes below."""

    clock: Clock
    alerts: PromptAlerts
    waiting_prompts: deque[Prompt]
    hr_bpm: int | None
    beat_watch: BeatWatch
    answered_s: float | None = None
    """When the helper last answered a prompt or closed the act it opened (stream time)."""
    taken_down: tuple[Prompt, float] | None = None
    """The invitation a client session's start took down, and when (``clock.monotonic()``)."""
    snoozed_until_s: float | None = None
    """End of the snooze the prompt area speaks of, in the stream's epoch seconds."""
    note_s: float | None = None
    """When the prompt line's note was written (stream time); None: it does not expire."""

    # -- prompts --------------------------------------------------------------------------------

    @property
    def in_client_session(self) -> bool:
        session = self.live.session
        return session is not None and session.kind == "client"

    @property
    def prompts_quiet(self) -> bool:
        """Whether prompts wait: inside a client session, or any session if the helper chose.

        The policy itself holds prompts raised in client sessions until their end;
        with ``quiet_in == "all"`` the screen also holds what the policy delivered.
        """
        session = self.live.session
        return self.settings.quiet_during(session.kind if session is not None else None)

    def _offer_waiting(self) -> None:
        """Show the next prompt still current, unless a dialog is open, prompts are quiet
        or snoozed, or an answer came less than :data:`ANSWER_GAP_S` ago."""
        if not self.waiting_prompts or self.prompts_quiet:
            return
        if not isinstance(self.screen, LiveScreen):
            return  # offered on news once the open dialog has closed
        now = self.live.now_s
        if now is not None and self._holding(now):
            return
        prompt: Prompt | None = None
        while self.waiting_prompts and prompt is None:
            prompt = self._current(self.waiting_prompts.popleft())
        if prompt is None:
            return
        base = _EARLIER.sub("", prompt.reason)
        self._note(f"{clock_text(prompt.raised_s)} · {base}")  # the time once, when raised

        def answered(response: Response | None) -> None:
            if response is None:  # a key meant for the live screen: offered again later
                self.waiting_prompts.appendleft(prompt)
                return
            self._answer(prompt, response)

        self.push_screen(PromptScreen(prompt), answered)
        session = self.live.session
        self.alerts.prompt_shown(prompt.kind, self.settings, session.kind if session else None)

    def _holding(self, now: float) -> bool:
        """Whether waiting prompts wait still: a snooze runs, or an answer was just given.

        One the helper asked for (a check-in asking for support) passes a snooze, as in
        the policy, but not the gap after an answer."""
        if self.answered_s is not None and now - self.answered_s < ANSWER_GAP_S:
            return True
        until = self.snoozed_until_s
        if until is None or now >= until:
            return False
        return not all(self._asked(p) for p in self.waiting_prompts)

    def _asked(self, prompt: Prompt) -> bool:
        """Whether the helper asked for ``prompt`` (it passes snoozes)."""
        stage = self.live.stage
        try:
            return stage is not None and stage.policy.record(prompt.prompt_id).rule in ASKED_RULES
        except KeyError:
            return False

    def _current(self, prompt: Prompt) -> Prompt | None:
        """``prompt`` as it may still be offered now, or None (dropped, with a note).

        An older one says when it was raised, once: offered again (taken down at a
        session's start), its reason is not worded twice.
        """
        now = self.live.now_s
        since = prompt.delivered_s if prompt.delivered_s is not None else prompt.raised_s
        base = _EARLIER.sub("", prompt.reason)
        if now is None or now - prompt.raised_s <= REWORD_AFTER_S:
            return prompt
        if prompt.kind != "contact" and now - since > STALE_AFTER_S:
            self._note(
                f"The {prompt.kind} prompt of {clock_text(prompt.raised_s)} was not shown in "
                "time; the review keeps it."
            )
            return None
        return replace(prompt, reason=f"Earlier, at {clock_text(prompt.raised_s)}: {base}")

    def drop_waiting(self, why: str) -> None:
        """Drop the prompts still waiting (the stream has ended), saying so."""
        n = len(self.waiting_prompts)
        self.waiting_prompts.clear()
        if n:
            what = "A prompt was" if n == 1 else f"{n} prompts were"
            self._note(f"{what} not shown: {why}. The review keeps {'it' if n == 1 else 'them'}.")

    def action_accept_taken_down(self) -> None:
        """Enter on the live screen: accept the invitation just taken down, if any."""
        taken, self.taken_down = self.taken_down, None
        if taken is None:
            return
        prompt, at = taken
        if self.clock.monotonic() - at > TAKEN_DOWN_GRACE_S:
            return
        if prompt in self.waiting_prompts:
            self.waiting_prompts.remove(prompt)
        self._answer(prompt, "accepted")

    def _answer(self, prompt: Prompt, response: Response) -> None:
        self.taken_down = None
        self.answered_s = self.live.now_s
        try:
            self.live.respond(prompt.prompt_id, response)
        except ValueError as exc:  # answered twice; keep the first answer
            self.log.warning(str(exc))
        now = self.live.now_s or prompt.raised_s
        words = {"accepted": "yes", "snoozed": "snoozed", "dismissed": "not now"}
        text = f"{clock_text(now)} · {words[response]}"
        if response == "accepted":
            text += f" — {_OPENED[prompt.kind]}"
        elif response == "snoozed":
            self.snoozed_until_s = now + self._snooze_on_answer_s()
            text += f" until {clock_text(self.snoozed_until_s)}"
        self._note(text)
        if response == "accepted":
            self._act(prompt.kind, prompt)

    def _snooze_on_answer_s(self) -> float:
        """How long answering "snoozed" silences prompts, in seconds (the policy's setting)."""
        stage = self.live.stage
        if stage is not None:
            return stage.policy.config.snooze_on_response_s
        return self.settings.policy_config().snooze_on_response_s

    def check_snooze(self) -> None:
        """Once the snooze the prompt area speaks of is over, say prompts are back."""
        until, now = self.snoozed_until_s, self.live.now_s
        if until is None or now is None or now < until:
            return
        self.snoozed_until_s = None
        self._note(f"Prompts are on again (the snooze ended at {clock_text(until)}).")

    def expire_note(self) -> None:
        """A note older than :data:`NOTE_EXPIRES_S` gives way to what holds now."""
        now, written = self.live.now_s, self.note_s
        if now is None or written is None or now - written < NOTE_EXPIRES_S:
            return
        if self.unsent_message_waits():
            return  # "Not sent to …" stays until it is sent, or a talk replaces it
        self.note_s = None
        until = self.snoozed_until_s
        text = IDLE_LINE
        if until is not None and now < until:
            text = f"Prompts are quiet until {clock_text(until)}."
        if self.live_screen is not None:
            self.live_screen.show_note(text)

    # -- the helper's acts ----------------------------------------------------------------------

    def _act(self, kind: str, prompt: Prompt | None = None) -> None:
        prompt_id = prompt.prompt_id if prompt is not None else None
        reason = prompt.reason if prompt is not None else ""
        if kind == "pause":

            def paused(result: PauseResult | None) -> None:
                self.act_closed(prompt)
                if result is not None:
                    self.live.record_act("pause", result.to_json(), prompt_id)
                    self._note(_pause_text(result))

            self.push_screen(
                PauseScreen(self.clock, hr_bpm=self.hr_bpm, beats=self.beat_watch), paused
            )
        elif kind == "breathe":

            def breathed(result: BreathResult | None) -> None:
                self.act_closed(prompt)
                if result is not None:
                    self.live.record_act("breathe", asdict(result), prompt_id)
                    self._note(_breath_text(result))

            # The last ~90 s of beats, so the heart's wave and coherence show at once.
            recent = self.live_screen.recent_beats() if self.live_screen is not None else []
            self.push_screen(
                BreatheScreen(
                    self.clock,
                    self.settings.breath_pattern(),
                    reason=reason,
                    recent_beats=recent,
                    beats=self.beat_watch,
                ),
                breathed,
            )
        else:
            self.open_contact(prompt)

    def act_closed(self, prompt: Prompt | None) -> None:
        """An act a prompt opened is over: the gap before the next prompt starts now."""
        if prompt is not None:
            self.answered_s = self.live.now_s

    def action_pause(self) -> None:
        self._act("pause")

    def action_breathe(self) -> None:
        self._act("breathe")

    def action_contact(self) -> None:
        self._act("contact")

    def action_snooze(self) -> None:
        if self.live_screen is None:
            self.notify("This is the review: prompts come on the live screen (run holdspace).")
            return
        until = self.live.snooze(30.0)
        if until is None:
            self.notify(f"Nothing to snooze yet. {self.live.not_ready}")
            return
        self.snoozed_until_s = until
        self._note(f"Prompts are quiet until {clock_text(until)}.")
        if self.in_client_session:  # the prompt area is hidden: say it where it shows
            self.notify(
                f"Prompts are already quiet in client sessions; snoozed until {clock_text(until)}."
            )


def _pause_text(result: PauseResult) -> str:
    seconds = round(result.duration_s)
    length = f"{seconds} s" if seconds < 60 else f"{result.duration_s / 60:.1f} min"
    if result.hr_start_bpm is not None and result.hr_end_bpm is not None:
        return f"Pause of {length}: heart rate {result.hr_start_bpm} → {result.hr_end_bpm} bpm."
    return f"Pause of {length}."


BEFORE_AFTER_MIN_S: Final = 30.0
"""Breathing this long or longer gives its heart rate before and after: the first and
the last 15 s of beats (``BreathResult.hr_start_bpm``, ``hr_end_bpm``) do not overlap."""


def _breath_text(result: BreathResult) -> str:
    """The breathing exercise in a line: breaths taken and, after whole ones, the swing;
    the heart rate before and after when the exercise was long enough to measure both,
    stopped early or not."""
    if result.breaths == 0:
        text = f"Breathing stopped after {result.duration_s:.0f} s, before a whole breath."
    else:
        text = f"{result.breaths} slow breath{'s' if result.breaths != 1 else ''}"
        if result.mean_swing_bpm is not None:
            text += f", heart rate swinging {result.mean_swing_bpm:.0f} bpm per breath"
        text += "."
    start, end = result.hr_start_bpm, result.hr_end_bpm
    if result.duration_s >= BEFORE_AFTER_MIN_S and start is not None and end is not None:
        text += f" Heart rate {start:.0f} → {end:.0f} bpm."
    return text
