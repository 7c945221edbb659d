"""The breathing exercise: a pacer with live heart biofeedback, as a typed modal screen.

Two time scales meet here, on purpose:

* the **pacer** (the cue, the growing and shrinking bar, the elapsed time and
  the breaths counted) runs on the injected ``clock`` (``clock.monotonic()``),
  so a test moves it by hand and a person sees it in real time;
* the **heart** readings (swing per breath, coherence, heart rate before and
  after, the heart-rate wave) are computed on the *beat times* given to
  :meth:`BreatheScreen.add_beats`: the stream's own seconds, which a replay may
  deliver faster than real time (:mod:`tui.screens.breath_heart`). Opened with the
  beats of the last minute or so (``recent_beats``, kept by the live screen),
  the wave and the coherence reading show from the first second, labelled as
  partly from before the exercise until its own beats fill them.

With a chest strap that has an accelerometer (the Polar H10), the chest's own
breathing shows as a second band under the pacer's (:meth:`BreatheScreen.add_chest`,
:mod:`tui.widgets.chest_wave`): the breath itself next to the guide. Without one
nothing of it shows.

A swing "per breath" is counted only for breaths the pacer has completed: a
replay may deliver minutes of beats within the exercise's first seconds, and
those are not breaths the helper took with the pacer. After no whole breath
there is no swing to report.

The screen dismisses with a :class:`BreathResult`: ``completed=True`` after the
full duration (from the summary, with enter or escape), ``completed=False``
when stopped early with escape, holding what was measured so far.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Final

import numpy as np
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Sparkline, Static

from sensors.clock import Clock
from signals.breathing.pacer import (
    PATTERNS,
    RATE_RANGE_PER_MIN,
    BreathPattern,
    Stage,
    pacer_at,
    pattern_named,
    with_rate,
)
from tui.beat_watch import BeatWatch
from tui.screens.breath_heart import HeartReadings
from tui.widgets.chest_wave import ChestWave

if TYPE_CHECKING:
    from signals.breathing.coherence import BreathSwing

__all__ = ["BreathBar", "BreathResult", "BreatheScreen"]

FRAME_S: Final = 1.0 / 15.0
"""Animation frame interval, in seconds."""
RATE_STEP_PER_MIN: Final = 0.5
"""Change of the breathing rate per ``+`` / ``-`` press, in breaths/min."""
CHEST_LABEL: Final = "Your chest, as the strap feels it"
"""The label of the chest's band, under the pacer's."""
WAVE_LABEL: Final = "Heart rate, last minute"
WAVE_LABEL_BEFORE: Final = "Heart rate and coherence, last minute — partly from before you began"
"""The wave's label while the wave or the coherence shown span beats from before."""
STAGE_CUES: Final[dict[Stage, str]] = {
    "inhale": "Breathe in…",
    "hold": "Hold",
    "exhale": "Breathe out…",
    "rest": "Pause",
}


@dataclass(frozen=True, slots=True)
class BreathResult:
    """What a breathing exercise did.

    Attributes
    ----------
    completed : True when the full duration was breathed, False when stopped early.
    pattern : name of the last pattern used.
    rate_per_min : its rate, in breaths/min.
    duration_s : time spent, in seconds (pacer clock).
    breaths : breaths completed (pacer clock).
    hr_start_bpm, hr_end_bpm : mean heart rate over the first 15 s of beats of the
        exercise and over the last 15 s, in beats/min (None without beats).
    mean_swing_bpm : mean heart-rate swing per breath the pacer completed, in
        beats/min (None before the first whole breath).
    coherence_score : mean of the coherence scores (0..100) computed every 5 s
        once 64 s of the exercise's beats were in (None before that).
    """

    completed: bool
    pattern: str
    rate_per_min: float
    duration_s: float
    breaths: int
    hr_start_bpm: float | None
    hr_end_bpm: float | None
    mean_swing_bpm: float | None
    coherence_score: float | None


class BreathBar(Widget):
    """The lungs: a band that widens from the middle as ``fill`` rises to 1."""

    fill: reactive[float] = reactive(0.0)
    """How full the lungs are, 0..1."""

    def render(self) -> RenderResult:
        width, height = self.size.width, max(1, self.size.height)
        cells = round(min(1.0, max(0.0, self.fill)) * (width // 2))
        pad = (width - 2 * cells) // 2
        line = " " * pad + "█" * (2 * cells) + " " * (width - pad - 2 * cells)
        return "\n".join([line] * height)


def _clock_text(seconds: float) -> str:
    whole = max(0, math.floor(seconds + 1e-9))
    return f"{whole // 60}:{whole % 60:02d}"


def _or_dash(value: float | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


class BreatheScreen(ModalScreen[BreathResult]):
    """Paced breathing with the heart's answer: cue, lungs bar, heart-rate wave, swing.

    Parameters
    ----------
    clock : the injected monotonic clock; all animation and timing read it.
    pattern : the breath pattern to start with (default paced 6 breaths/min).
    duration_s : length of the exercise, in seconds.
    reason : a line saying why the exercise is offered (shown when not empty).
    recent_beats : beats from before the exercise, (time in s, RR in ms), oldest
        first, on the scale of the beats :meth:`add_beats` will take.
    beats : the app's watch on the feed; while no beats come in, the heart readings
        give way to a sentence saying so (the pacer goes on).
    """

    CSS_PATH = "../breathe.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop", "Stop"),
        Binding("plus", "change_rate(0.5)", "Faster", key_display="+"),
        Binding("minus", "change_rate(-0.5)", "Slower", key_display="-"),
        Binding("p", "next_pattern", "Pattern"),
        Binding("enter", "finish", "Close"),
        Binding("escape", "finish", "Close", show=False),
    ]

    def __init__(
        self,
        clock: Clock,
        pattern: BreathPattern | None = None,
        duration_s: float = 180.0,
        reason: str = "",
        recent_beats: Sequence[tuple[float, float]] = (),
        beats: BeatWatch | None = None,
    ) -> None:
        super().__init__()
        if not duration_s > 0:
            raise ValueError(f"duration_s must be positive, not {duration_s!r}")
        self._clock = clock
        self._pattern = BreathPattern.paced() if pattern is None else pattern
        self._duration_s = float(duration_s)
        self._reason = reason
        self._start_s: float | None = None  # pacer clock
        self._pace_origin_s = 0.0  # pacer clock time of the current pattern's breath 0
        self._breaths_before = 0  # breaths completed under earlier patterns
        self._timer: Timer | None = None
        self._result: BreathResult | None = None
        self._beats = beats
        if beats is not None and not beats.live:
            recent_beats = ()  # old beats: no wave or coherence from them
        self._heart = HeartReadings(self._pattern, recent_beats)  # on beat time
        self._chest = ChestWave()  # shown once the strap's accelerometer speaks

    @property
    def pattern(self) -> BreathPattern:
        """The pattern being paced."""
        return self._pattern

    @property
    def result(self) -> BreathResult | None:
        """The result once the full duration has passed (None before)."""
        return self._result

    def compose(self) -> ComposeResult:
        with Vertical(id="breathe-panel"):
            if self._reason:
                yield Static(self._reason, id="breathe-reason")
            yield Static(id="breathe-pattern")
            with Vertical(id="breathe-live"):
                yield Static(id="breathe-cue")
                yield BreathBar(id="breathe-bar")
                yield Static(CHEST_LABEL, id="breathe-chest-label")
                yield BreathBar(id="breathe-chest")
                yield Static(WAVE_LABEL, id="breathe-wave-label")
                yield Sparkline([], id="breathe-wave", summary_function=_mean)
                yield Static(id="breathe-stats")
            yield Static(id="breathe-summary")
        yield Footer()

    def on_mount(self) -> None:
        self._start_s = self._clock.monotonic()
        self._pace_origin_s = self._start_s
        self._show_pattern()
        self.tick()
        self._timer = self.set_interval(FRAME_S, self.tick)

    # -- the beat feed -----------------------------------------------------

    def add_beats(self, time_s: Sequence[float], rr_ms: Sequence[float]) -> None:
        """Take new beats: times in seconds on the stream's scale, RR in milliseconds.

        Called by the app with every new beat while the screen is open. Beat
        times may run faster than the pacer clock (a fast replay); the heart
        readings use them, never the clock. Ignored after the exercise ended.
        """
        if self._result is None:
            self._heart.add(time_s, rr_ms)

    def add_chest(self, time_s: Sequence[float], xyz_mg: Sequence[tuple[int, int, int]]) -> None:
        """Take the strap's accelerometer samples: times in seconds on the beats' scale,
        x, y, z in mg. The chest's band shows from the first. Ignored after the end."""
        if self._result is None:
            self._chest.add(time_s, xyz_mg)
            self.set_class(self._chest.fill is not None, "-chest")

    # -- one frame ---------------------------------------------------------

    def tick(self) -> None:
        """Draw one frame at ``clock.monotonic()``; switch to the summary at the end."""
        if self._start_s is None or self._result is not None:
            return
        now = self._clock.monotonic()
        elapsed_s = now - self._start_s
        if elapsed_s >= self._duration_s:
            self._finish()
            return
        state = pacer_at(self._pattern, now - self._pace_origin_s)
        remaining = math.ceil(state.remaining_in_stage_s - 1e-9)
        self.query_one("#breathe-cue", Static).update(f"{STAGE_CUES[state.stage]}  {remaining}")
        self.query_one("#breathe-bar", BreathBar).fill = state.fill
        if self._chest.fill is not None:
            self.query_one("#breathe-chest", BreathBar).fill = self._chest.fill
        heart = self._heart
        if heart.take_changed():
            self.query_one("#breathe-wave", Sparkline).data = heart.wave()
        self.query_one("#breathe-wave-label", Static).update(
            WAVE_LABEL_BEFORE if heart.includes_before else WAVE_LABEL
        )
        times = f"{_clock_text(elapsed_s)} / {_clock_text(self._duration_s)}"
        silence = self._beats.silence if self._beats is not None else None
        if silence is not None:  # never an old reading as if live
            self.query_one("#breathe-stats", Static).update(
                f"{silence[0].upper()}{silence[1:]} · keep breathing with the bar   ·   {times}"
            )
            return
        swings = self._paced_swings(self._breaths_before + state.breath_index)
        last = _or_dash(swings[-1].swing_bpm if swings else None, ".1f")
        score = heart.coherence_now
        self.query_one("#breathe-stats", Static).update(
            f"Swing last breath {last} bpm   ·   Coherence {_or_dash(score, '.0f')}   ·   {times}"
        )

    def _show_pattern(self) -> None:
        p = self._pattern
        stages = [("in", p.inhale_s), ("hold", p.hold_in_s), ("out", p.exhale_s)]
        stages.append(("pause", p.hold_out_s))
        shape = ", ".join(f"{word} {s:.1f} s" for word, s in stages if s > 0)
        self.query_one("#breathe-pattern", Static).update(
            f"{p.name.capitalize()} breathing · {p.rate_per_min:.2f} breaths/min · {shape}"
        )

    # -- results -----------------------------------------------------------

    def _paced_swings(self, breaths: int) -> list[BreathSwing]:
        """The swings of the first ``breaths`` breaths (those the pacer completed)."""
        return self._heart.swings[: max(0, breaths)]

    def _measure(self, completed: bool, at_s: float) -> BreathResult:
        """The result at pacer-clock time ``at_s``."""
        start_s = self._start_s if self._start_s is not None else at_s
        state = pacer_at(self._pattern, at_s - self._pace_origin_s)
        breaths = self._breaths_before + state.breath_index
        swings = [s.swing_bpm for s in self._paced_swings(breaths)]
        scores = self._heart.coherence_scores
        return BreathResult(
            completed=completed,
            pattern=self._pattern.name,
            rate_per_min=self._pattern.rate_per_min,
            duration_s=max(0.0, at_s - start_s),
            breaths=breaths,
            hr_start_bpm=self._heart.mean_hr(first=True),
            hr_end_bpm=self._heart.mean_hr(first=False),
            mean_swing_bpm=float(np.mean(swings)) if swings else None,
            coherence_score=float(np.mean(scores)) if scores else None,
        )

    def _finish(self) -> None:
        assert self._start_s is not None
        result = self._measure(True, self._start_s + self._duration_s)
        self._result = result
        if self._timer is not None:
            self._timer.stop()
        hr = f"{_or_dash(result.hr_start_bpm, '.0f')} → {_or_dash(result.hr_end_bpm, '.0f')} bpm"
        if result.hr_start_bpm is None and result.hr_end_bpm is None:
            hr = "not measured: no beats came in during the exercise"
        self.query_one("#breathe-summary", Static).update(
            f"Done: {result.breaths} breaths in {_clock_text(result.duration_s)} "
            f"at {result.rate_per_min:.2f} breaths/min.\n\n"
            f"Heart rate          {hr}\n"
            f"Swing per breath    {_or_dash(result.mean_swing_bpm, '.1f')} bpm (mean)\n"
            f"Coherence           {_or_dash(result.coherence_score, '.0f')}\n\n"
            "Press enter to close."
        )
        self.add_class("-done")
        self.refresh_bindings()

    # -- keys --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Closing only on the summary; stopping, rate and pattern only while breathing.

        Escape is bound to both stop and finish: whichever is allowed runs.
        """
        if action == "finish":
            return self._result is not None
        if action in ("stop", "change_rate", "next_pattern"):
            return self._result is None
        return True

    def action_stop(self) -> None:
        """Stop early with what was measured so far (``completed=False``).

        If the time is already up but no frame has shown it yet, the exercise
        counts as completed.
        """
        self.tick()
        if self._result is not None:
            self.dismiss(self._result)
            return
        self.dismiss(self._measure(False, self._clock.monotonic()))

    def action_finish(self) -> None:
        """Close the summary (``completed=True``)."""
        if self._result is not None:
            self.dismiss(self._result)

    def action_change_rate(self, delta_per_min: float) -> None:
        """Breathe faster or slower by ``delta_per_min`` breaths/min, within 3..12."""
        lo, hi = RATE_RANGE_PER_MIN
        rate = min(hi, max(lo, self._pattern.rate_per_min + delta_per_min))
        if not math.isclose(rate, self._pattern.rate_per_min):
            self._set_pattern(with_rate(self._pattern, rate))

    def action_next_pattern(self) -> None:
        """Switch to the next pattern of :data:`signals.breathing.pacer.PATTERNS`."""
        name = self._pattern.name
        index = PATTERNS.index(name) if name in PATTERNS else -1
        self._set_pattern(pattern_named(PATTERNS[(index + 1) % len(PATTERNS)]))

    def _set_pattern(self, pattern: BreathPattern) -> None:
        """Change pattern, keeping the breath count and the phase within the breath."""
        now = self._clock.monotonic()
        old = self._pattern
        if self._start_s is not None:
            elapsed_s = now - self._pace_origin_s
            state = pacer_at(old, elapsed_s)
            self._breaths_before += state.breath_index
            phase = min(1.0, max(0.0, elapsed_s / old.cycle_s - state.breath_index))
            self._pace_origin_s = now - phase * pattern.cycle_s
        self._heart.change_pattern(pattern)
        self._pattern = pattern
        if self.is_mounted:
            self._show_pattern()
            self.tick()


def _mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values))
