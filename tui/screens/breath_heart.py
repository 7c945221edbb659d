"""The heart's side of the breathing exercise, on beat time: no Textual, no clock.

:class:`HeartReadings` takes the beats the screen receives and keeps what the
exercise shows and reports: the heart-rate wave of the last minute, the swing
of each breath, a coherence reading every 5 s of beats, and the mean heart rate
at the start and at the end. Beat times are the stream's own seconds, which a
replay may deliver faster than real time; nothing here reads a clock.

Swing windows are one breath cycle long and start at the exercise's first beat
(or at the last beat before a change of pattern); any window one cycle long
holds one peak and one valley of the heart-rate wave, so its phase against the
pacer does not matter. Beats from before the exercise (``recent_beats``) fill
the wave and the coherence window at once, so both show from the first second,
and :attr:`HeartReadings.includes_before` says so while they span such beats (the
screen labels them); swings, the heart rates at the start and the end, and the
reported coherence (over windows of the exercise's own beats only) count from the
exercise's first beat, as without them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np

from signals.breathing.coherence import (
    COHERENCE_WINDOW_S,
    BreathSwing,
    breath_swings,
    coherence,
    heart_rate_bpm,
)
from signals.breathing.pacer import BreathPattern

__all__ = ["COHERENCE_STEP_S", "HR_WINDOW_S", "WAVE_STEP_S", "WAVE_WINDOW_S", "HeartReadings"]

WAVE_WINDOW_S: Final = 60.0
"""Span of the heart-rate wave shown, in seconds of beat time."""
WAVE_STEP_S: Final = 0.5
"""Sampling step of the heart-rate wave, in seconds."""
HR_WINDOW_S: Final = 15.0
"""Span averaged for the heart rate at the start and at the end, in seconds of beat time."""
COHERENCE_STEP_S: Final = 5.0
"""How often coherence is recomputed, in seconds of beat time."""


class HeartReadings:
    """Beats in, readings out (see module).

    Parameters
    ----------
    pattern : the breath pattern followed (swings are per breath of it).
    recent_beats : beats from before the exercise, (time in s, RR in ms), oldest first.
    """

    def __init__(
        self, pattern: BreathPattern, recent_beats: Sequence[tuple[float, float]] = ()
    ) -> None:
        self._pattern = pattern
        self._beat_s = [float(t) for t, _ in recent_beats]
        self._rr_ms = [float(rr) for _, rr in recent_beats]
        self._last_before_s = self._beat_s[-1] if self._beat_s else None
        self._changed = bool(recent_beats)
        self._start_s: float | None = None  # the exercise's first beat
        self._swing_start_s: float | None = None
        self._closed_swings: list[BreathSwing] = []
        self.swings: list[BreathSwing] = []
        """Swings of the completed breaths of the exercise."""
        self.coherence_now: float | None = None
        """The last coherence reading (0-100), shown; may span beats from before."""
        self._coherence_at_s: float | None = None  # the last beat of that reading
        self.coherence_scores: list[float] = []
        """Coherence readings over windows of the exercise's own beats."""
        self._next_coherence_s: float | None = None
        if self._beat_s:
            self._next_coherence_s = self._beat_s[0] + COHERENCE_WINDOW_S
            self._read_coherence()

    def add(self, time_s: Sequence[float], rr_ms: Sequence[float]) -> None:
        """New beats of the exercise: times in seconds on the stream's scale, RR in ms."""
        if len(time_s) != len(rr_ms):
            raise ValueError(f"time_s ({len(time_s)}) and rr_ms ({len(rr_ms)}) differ in length")
        if not time_s:
            return
        self._beat_s.extend(float(t) for t in time_s)
        self._rr_ms.extend(float(r) for r in rr_ms)
        self._changed = True
        if self._swing_start_s is None:  # the exercise's beats start with this one
            self._start_s = self._swing_start_s = float(time_s[0])
            if self._next_coherence_s is None:
                self._next_coherence_s = self._start_s + COHERENCE_WINDOW_S
        self.swings = self._closed_swings + self._current_swings()
        self._read_coherence()

    def change_pattern(self, pattern: BreathPattern) -> None:
        """Follow another pattern from the last beat on; the swings so far are kept."""
        if self._swing_start_s is not None:
            self._closed_swings += self._current_swings()
            self._swing_start_s = self._beat_s[-1]
        self._pattern = pattern

    @property
    def includes_before(self) -> bool:
        """Whether the wave or the coherence shown span beats from before the exercise."""
        before_s = self._last_before_s
        if before_s is None:
            return False
        wave_before = self._beat_s[-1] - WAVE_WINDOW_S <= before_s
        at_s = self._coherence_at_s
        coherence_before = at_s is not None and at_s - COHERENCE_WINDOW_S <= before_s
        return wave_before or coherence_before

    def take_changed(self) -> bool:
        """Whether beats came since the last call (the wave needs drawing)."""
        changed, self._changed = self._changed, False
        return changed

    def mean_hr(self, first: bool) -> float | None:
        """Mean heart rate (60000 / mean RR) over the first or the last 15 s of the
        exercise's beats, in beats/min; None before its first beat."""
        start_s = self._start_s
        if start_s is None:
            return None
        t = np.asarray(self._beat_s)
        rr = np.asarray(self._rr_ms)
        if first:
            near = (t >= start_s) & (t <= start_s + HR_WINDOW_S)
        else:
            near = t >= max(start_s, float(t[-1]) - HR_WINDOW_S)
        return float(60000.0 / rr[near].mean())

    def wave(self) -> list[float]:
        """Heart rate over the last minute of beats, on an even grid, in beats/min."""
        if len(self._beat_s) < 2:
            return []
        t = np.asarray(self._beat_s)
        hr = heart_rate_bpm(self._rr_ms)
        lo = max(float(t[0]), float(t[-1]) - WAVE_WINDOW_S)
        grid = np.arange(lo, float(t[-1]), WAVE_STEP_S)
        return [float(x) for x in np.interp(grid, t, hr)]

    def _read_coherence(self) -> None:
        """A coherence reading every 5 s of beats once the window is full."""
        last_s = self._beat_s[-1]
        if self._next_coherence_s is None or last_s < self._next_coherence_s:
            return
        reading = coherence(self._beat_s, self._rr_ms)
        if reading is not None:
            self.coherence_now = reading.score
            self._coherence_at_s = last_s
            if self._start_s is not None and last_s >= self._start_s + COHERENCE_WINDOW_S:
                self.coherence_scores.append(reading.score)
        self._next_coherence_s = last_s + COHERENCE_STEP_S

    def _current_swings(self) -> list[BreathSwing]:
        if self._swing_start_s is None:
            return []
        return breath_swings(
            self._beat_s, heart_rate_bpm(self._rr_ms), self._pattern, self._swing_start_s
        )
