"""The guided resting measurement: five quiet minutes for a personal baseline.

:class:`RestingScreen` is a typed modal screen. ``enter`` starts it; from then on
the app hands it every beat (:meth:`RestingScreen.add_beats`, the same call the
breathing exercise takes) and :class:`signals.scores.baseline.RestingMeasurement` turns
them into progress and, after five minutes, a resting heart rate and RMSSD. The
screen returns the :class:`~signals.scores.baseline.Baseline` for the app to store, or
None: cancelled, or the signal was too poor to trust (it says why).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import PurePath
from typing import ClassVar, Final, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, ProgressBar, Static

from signals.artifacts.batch import screen_artifacts
from signals.scores.baseline import Baseline, RestingMeasurement
from tui.widgets.dialog import DialogBody, DialogFoot

__all__ = [
    "MORNING_S",
    "RESTING_S",
    "RestingScreen",
    "morning_words",
    "resting_words",
    "time_left_text",
]

RESTING_S: Final = 300.0
"""A resting measurement lasts five minutes."""
MORNING_S: Final = 180.0
"""A morning reading lasts three minutes (``companion.readiness``; at least the two a
resting measurement needs)."""

_INTRO: Final = (
    "Sit comfortably, feet on the floor, and breathe as you normally do for five "
    "minutes. Holdspace measures your heart at rest, so it can tell later what "
    "moved against your own calm rather than published averages."
)


_MORNING_INTRO: Final = (
    "Sit comfortably, feet on the floor, and breathe as you normally do for three "
    "minutes, before your first session. Holdspace compares this morning with your "
    "usual mornings: a description of today, not a verdict."
)


def time_left_text(progress: float, duration_s: float) -> str:
    """The time left, in words that agree with the bar's percentage (17% of five
    minutes is "about 4 min to go", not 5); under a minute, in seconds."""
    left_s = max(0.0, (1.0 - progress) * duration_s)
    if left_s >= 60.0:
        return f"about {round(left_s / 60.0)} min to go."
    return f"about {max(10, 10 * round(left_s / 10.0))} s to go."


def resting_words(baseline: Baseline) -> str:
    """The result in plain words (a description of this rest, not a diagnosis)."""
    rmssd_ms = math.exp(baseline.ln_rmssd)
    return (
        f"At rest your heart beat about {baseline.hr_bpm:.0f} times a minute, and the "
        f"beat-to-beat variation (RMSSD) was {rmssd_ms:.0f} ms. Holdspace measures stress "
        "against this until two weeks of your own calm minutes take over. It describes "
        "this rest; it is not a diagnosis."
    )


def morning_words(baseline: Baseline) -> str:
    """A morning reading's result in plain words (how it compares is for ``readiness``)."""
    rmssd_ms = math.exp(baseline.ln_rmssd)
    return (
        f"This morning your heart beat about {baseline.hr_bpm:.0f} times a minute at rest, "
        f"and the beat-to-beat variation (RMSSD) was {rmssd_ms:.0f} ms. Keep it to compare "
        "it with your usual mornings (holdspace readiness). It is not a diagnosis."
    )


class RestingScreen(ModalScreen[Baseline | None]):
    """Five quiet minutes: enter starts, the beats fill the bar, enter keeps the result.

    Parameters
    ----------
    duration_s : the measurement's length, in seconds (default five minutes).
    first_run : worded as the last step of the first-run setup.
    purpose : ``"baseline"`` (the resting baseline) or ``"morning"`` (the morning reading:
        three minutes by default, its own words; the caller keeps the result with
        ``companion.readiness.reading.save_screen_reading``).
    """

    CSS_PATH: ClassVar[list[str | PurePath]] = ["../holdspace.tcss", "../settings.tcss"]
    TAKES_GAPS: ClassVar[bool] = True
    """The app hands this screen each beat's gap flag with its beats."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "next", "Start / keep", priority=True),
        Binding("escape", "cancel", "Not now"),
    ]

    def __init__(
        self,
        duration_s: float | None = None,
        *,
        first_run: bool = False,
        purpose: Literal["baseline", "morning"] = "baseline",
    ) -> None:
        super().__init__()
        self.purpose = purpose
        default_s = MORNING_S if purpose == "morning" else RESTING_S
        self.duration_s = float(duration_s if duration_s is not None else default_s)
        self.first_run = first_run
        self.state = "intro"
        """``intro``, ``measuring``, ``done`` (a result to keep) or ``failed``."""
        self.result: Baseline | None = None
        self.reason = ""
        self._measurement: RestingMeasurement | None = None
        self._time_s: list[float] = []
        self._rr_ms: list[float] = []
        self._gap: list[bool] = []

    def compose(self) -> ComposeResult:
        title = "One more step: your resting baseline" if self.first_run else "Resting baseline"
        later = " You can also do this later: m, or the command palette." if self.first_run else ""
        intro = _INTRO + later
        if self.purpose == "morning":
            title, intro = "Morning reading", _MORNING_INTRO
        with Vertical(id="dialog", classes="dialog resting"):
            yield Label(title, classes="dialog-title")
            with DialogBody():
                yield Static(intro, id="resting-text", classes="note")
                yield ProgressBar(total=100, show_eta=False, id="resting-progress")
                yield Static("", id="resting-result")
            with DialogFoot():
                yield Static("enter start · escape not now", id="resting-hint", classes="hint")

    # -- the beat feed ------------------------------------------------------------------------

    def add_beats(
        self,
        time_s: Sequence[float],
        rr_ms: Sequence[float],
        gap_before: Sequence[bool] | None = None,
    ) -> None:
        """Take new beats: times in seconds on the stream's scale, RR in milliseconds.

        ``gap_before`` marks beats after missing ones (none when not given).
        Beats before ``enter`` and after the five minutes are not used.
        """
        measurement = self._measurement
        if measurement is None or self.state != "measuring":
            return
        gaps = gap_before if gap_before is not None else [False] * len(time_s)
        for t, rr, gap in zip(time_s, rr_ms, gaps, strict=True):
            if measurement.done:
                break
            measurement.push(t, rr, gap)
            self._time_s.append(t)
            self._rr_ms.append(rr)
            self._gap.append(gap)
        self.query_one("#resting-progress", ProgressBar).update(progress=100 * measurement.progress)
        if measurement.done:
            self._finish()
        else:
            self._say(f"Sitting quietly… {time_left_text(measurement.progress, self.duration_s)}")

    def _finish(self) -> None:
        """Judge the five minutes with each beat screened for artifacts."""
        assert self._measurement is not None
        flagged = screen_artifacts(self._rr_ms, self._gap).flagged
        judged = RestingMeasurement(self.duration_s, start_s=self._measurement.start_s)
        for t, rr, gap, art in zip(self._time_s, self._rr_ms, self._gap, flagged, strict=True):
            judged.push(t, rr, gap, bool(art))
        self.result = judged.result()
        if self.result is None:
            self.state = "failed"
            self.reason = judged.reason
            self.add_class("-failed")
            self._say(f"The signal was too poor to keep this one: {self.reason}. Not saved.")
            self._hint("enter close · escape close")
        else:
            self.state = "done"
            words = morning_words if self.purpose == "morning" else resting_words
            self._say(words(self.result))
            self._hint("enter keep it · escape leave it")

    # -- keys -------------------------------------------------------------------------------------

    def action_next(self) -> None:
        if self.state == "intro":
            self.state = "measuring"
            self._measurement = RestingMeasurement(self.duration_s)
            self._say("Sitting quietly… the bar fills as your heart beats.")
            self._hint("escape stop")
        elif self.state == "done":
            self.dismiss(self.result)
        elif self.state == "failed":
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _say(self, text: str) -> None:
        self.query_one("#resting-result", Static).update(text)

    def _hint(self, text: str) -> None:
        self.query_one("#resting-hint", Static).update(text)
