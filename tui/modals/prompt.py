"""Typed modal screens for prompts: the invitation and a pause.

The breathing exercise lives in :mod:`tui.screens.breathe`, reaching a colleague in
:mod:`tui.modals.contact`. Timers read the injected
clock, so a test moves time by hand and calls ``tick()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Final

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Label, Static

from companion.prompts.records import Response

if TYPE_CHECKING:
    from companion.prompts.records import Prompt
    from sensors.clock import Clock
    from tui.beat_watch import BeatWatch

__all__ = [
    "PauseResult",
    "PauseScreen",
    "PromptScreen",
]

PAUSE_S: Final = 120.0
"""A pause lasts two minutes unless ended sooner."""

_INVITE: Final = {
    "pause": "Take a short pause?",
    "breathe": "A few slow breaths?",
    "contact": "Reach out to a colleague?",
}
_ACCEPT: Final = {
    "pause": "start a 2-minute pause",
    "breathe": "start breathing",
    "contact": "choose how",
}


class PromptScreen(ModalScreen[Response | None]):
    """A kind invitation with its reason; enter accepts, z snoozes, escape dismisses.

    A key pressed before the invitation appeared was meant for the screen below (``r``
    for the review, say): it never answers the invitation. The invitation steps aside
    (dismissed with None: it waits to be offered again, unanswered) and the key is
    pressed again on the screen it was meant for.
    """

    CSS_PATH = "../holdspace.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "answer('accepted')", "Yes"),
        Binding("z", "answer('snoozed')", "Snooze 30 min"),
        Binding("escape", "answer('dismissed')", "Not now"),
    ]

    def __init__(self, prompt: Prompt) -> None:
        super().__init__()
        self.prompt = prompt
        self.opened_time = Message().time
        """When the invitation was opened, on the clock Textual stamps its events with."""

    def compose(self) -> ComposeResult:
        kind = self.prompt.kind
        with Vertical(id="dialog", classes=f"dialog prompt -{kind}"):
            yield Label(_INVITE.get(kind, "A moment for yourself?"), classes="dialog-title")
            yield Static(self.prompt.reason, id="reason")
            yield Static(
                f"enter {_ACCEPT.get(kind, 'yes')} · z snooze 30 min · escape not now",
                classes="hint",
            )

    def on_key(self, event: events.Key) -> None:
        if event.time < self.opened_time:  # pressed before the invitation was there
            event.stop()
            event.prevent_default()
            self.dismiss(None)
            self.app.call_later(self.app.simulate_key, event.key)

    def action_answer(self, response: Response) -> None:
        self.dismiss(response)


@dataclass(frozen=True, slots=True)
class PauseResult:
    """How a pause went: its length and the heart rate at its start and end."""

    completed: bool
    duration_s: float
    hr_start_bpm: int | None
    hr_end_bpm: int | None

    def to_json(self) -> dict[str, object]:
        return {
            "completed": self.completed,
            "duration_s": round(self.duration_s, 1),
            "hr_start_bpm": self.hr_start_bpm,
            "hr_end_bpm": self.hr_end_bpm,
        }


class PauseScreen(ModalScreen[PauseResult]):
    """Two quiet minutes: a countdown and the heart rate settling.

    With ``beats`` (the app's watch on the feed), the heart rate shows only while
    beats come in: when they stop, the screen says so, and a heart rate from
    before is never kept as the pause's start or end.
    """

    CSS_PATH = "../holdspace.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "finish", "End pause")]

    def __init__(
        self,
        clock: Clock,
        duration_s: float = PAUSE_S,
        hr_bpm: int | None = None,
        beats: BeatWatch | None = None,
    ):
        super().__init__()
        self.clock = clock
        self.duration_s = duration_s
        self.started = clock.monotonic()
        self.beats = beats
        if beats is not None and not beats.live:
            hr_bpm = None  # the last heart rate is old: not the start of this pause
        self.hr_start_bpm = hr_bpm
        self.hr_now_bpm = hr_bpm
        self._timer: Timer | None = None
        self._done = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog pause"):
            yield Label("Pause", classes="dialog-title")
            yield Static(
                "Let your shoulders drop. Look at something far away. Nothing to do.",
                classes="note",
            )
            yield Static("", id="countdown")
            yield Static("", id="pause-hr")
            yield Static("escape end the pause", classes="hint")

    def on_mount(self) -> None:
        self._timer = self.set_interval(0.5, self.tick)
        self.tick()

    def heart_rate(self, hr_bpm: int) -> None:
        """The latest heart rate (the app passes each one on while the pause lasts)."""
        if self.hr_start_bpm is None:
            self.hr_start_bpm = hr_bpm
        self.hr_now_bpm = hr_bpm

    @property
    def elapsed_s(self) -> float:
        return max(0.0, self.clock.monotonic() - self.started)

    def tick(self) -> None:
        """Draw one frame from the injected clock; the pause ends itself when time is up."""
        left = max(0.0, self.duration_s - self.elapsed_s)
        self.query_one("#countdown", Static).update(f"{int(left) // 60}:{int(left) % 60:02d}")
        silence = self.beats.silence if self.beats is not None else None
        if silence is not None:
            self.hr_now_bpm = None  # no reading now; a new beat brings one back
            self.query_one("#pause-hr", Static).update(f"No heart rate now — {silence}.")
        elif self.hr_now_bpm is not None:
            start = self.hr_start_bpm if self.hr_start_bpm is not None else self.hr_now_bpm
            self.query_one("#pause-hr", Static).update(
                f"heart rate {self.hr_now_bpm} bpm (at the start {start} bpm)"
            )
        if left <= 0.0:
            self._finish(completed=True)

    def action_finish(self) -> None:
        self._finish(completed=self.elapsed_s >= self.duration_s)

    def _finish(self, *, completed: bool) -> None:
        if self._done:
            return
        self._done = True
        if self._timer is not None:
            self._timer.stop()
        live = self.beats is None or self.beats.live
        self.dismiss(
            PauseResult(
                completed=completed,
                duration_s=min(self.elapsed_s, self.duration_s),
                hr_start_bpm=self.hr_start_bpm,
                hr_end_bpm=self.hr_now_bpm if live else None,
            )
        )
