"""The app's part in prompts: offering them, the helper's answer, and the acts they invite.

:class:`PromptActions` is mixed into :class:`tui.app.HoldspaceApp`. A delivered
prompt waits while a dialog is open or prompts are quiet (inside a client session,
or any session if the helper chose), and is offered when the live screen is back.
Accepting one opens its act: a pause, the breathing exercise or the contact dialog;
what the act measured is kept with the prompt's id.
"""

from __future__ import annotations

from collections import deque
from dataclasses import asdict
from typing import TYPE_CHECKING

from sensors.clock import Clock
from tui.app_connect import ConnectActions
from tui.live_screen import LiveScreen, clock_text
from tui.notify import PromptAlerts
from tui.prompt_modals import PauseResult, PauseScreen, PromptScreen

if TYPE_CHECKING:
    from companion.prompts import Prompt, Response
    from tui.breathe import BreathResult

__all__ = ["PromptActions"]


class PromptActions(ConnectActions):
    """Prompts offered and answered, and the acts; the app provides the attributes below."""

    clock: Clock
    alerts: PromptAlerts
    live_screen: LiveScreen | None
    waiting_prompts: deque[Prompt]
    hr_bpm: int | None

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
        """Show the next prompt, unless a dialog is open or prompts are quiet."""
        if not self.waiting_prompts or self.prompts_quiet:
            return
        if not isinstance(self.screen, LiveScreen):
            return  # offered when the open dialog closes
        prompt = self.waiting_prompts.popleft()
        if self.live_screen is not None:
            self.live_screen.show_prompt(prompt)

        def answered(response: Response | None) -> None:
            self._answer(prompt, response or "dismissed")

        self.push_screen(PromptScreen(prompt), answered)
        session = self.live.session
        self.alerts.prompt_shown(prompt.kind, self.settings, session.kind if session else None)

    def _answer(self, prompt: Prompt, response: Response) -> None:
        try:
            self.live.respond(prompt.prompt_id, response)
        except ValueError as exc:  # answered twice; keep the first answer
            self.log.warning(str(exc))
        words = {"accepted": "yes", "snoozed": "snoozed for 30 min", "dismissed": "not now"}
        self._note(f"{clock_text(self.live.now_s or prompt.raised_s)} · {words[response]}")
        if response == "accepted":
            self._act(prompt.kind, prompt)

    # -- the helper's acts ----------------------------------------------------------------------

    def _act(self, kind: str, prompt: Prompt | None = None) -> None:
        prompt_id = prompt.prompt_id if prompt is not None else None
        reason = prompt.reason if prompt is not None else ""
        if kind == "pause":

            def paused(result: PauseResult | None) -> None:
                if result is not None:
                    self.live.record_act("pause", result.to_json(), prompt_id)
                    self._note(_pause_text(result))

            self.push_screen(PauseScreen(self.clock, hr_bpm=self.hr_bpm), paused)
        elif kind == "breathe":
            from tui.breathe import BreatheScreen

            def breathed(result: BreathResult | None) -> None:
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
                ),
                breathed,
            )
        else:
            self.open_contact(prompt)

    def action_pause(self) -> None:
        self._act("pause")

    def action_breathe(self) -> None:
        self._act("breathe")

    def action_contact(self) -> None:
        self._act("contact")

    def action_snooze(self) -> None:
        until = self.live.snooze(30.0)
        if until is None:
            return
        self._note(f"Prompts are quiet until {clock_text(until)}.")


def _pause_text(result: PauseResult) -> str:
    if result.hr_start_bpm is not None and result.hr_end_bpm is not None:
        return (
            f"Pause of {result.duration_s / 60:.1f} min: heart rate {result.hr_start_bpm} → "
            f"{result.hr_end_bpm} bpm."
        )
    return f"Pause of {result.duration_s / 60:.1f} min."


def _breath_text(result: BreathResult) -> str:
    text = f"{result.breaths} slow breaths"
    if result.mean_swing_bpm is not None:
        text += f", heart rate swinging {result.mean_swing_bpm:.0f} bpm per breath"
    return text + "."
