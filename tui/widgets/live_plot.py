"""The live screen's plot: heart rate and stress over a sliding window, on a :class:`TimeChart`.

Heart rate comes from the beats, downsampled as they arrive: one point per
:data:`HR_STEP_S` seconds of beat time (``60000 / mean RR`` of the plausible
beats in that step), so the work per beat batch stays a few additions and the
chart never holds more than a few hundred points, even on a 100x replay. A gap
in the beats (a flagged gap, or a step without beats) breaks the line. Stress
comes once a minute (0-100, NaN when the minute was not scored, which breaks
its line too), coloured by its band. Sessions in the window are shaded as bands.

Each beat batch costs a few additions per beat; the plot is handed new data
only when a heart-rate step closes or a minute arrives (at most ten times a
second on a 100x replay), and the chart draws lazily, once, at the next refresh.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final

import numpy as np

from signals.artifacts.batch import RR_MAX_MS, RR_MIN_MS
from tui.widgets.chart import TimeChart
from tui.widgets.series import Band, Series

if TYPE_CHECKING:
    from sensors.beats import Beat

__all__ = ["HR_STEP_S", "STRESS_SHADES", "WINDOW_S", "LivePlot"]

WINDOW_S: Final = 30 * 60.0
"""Span of the plot, in seconds of beat time (the last 30 minutes)."""
HR_STEP_S: Final = 10.0
"""One heart-rate point per this many seconds of beats."""
MINUTE_S: Final = 60.0
HR_COLOUR: Final = "#e06c75"
STRESS_COLOUR: Final = "#c8a85a"
STRESS_SHADES: Final = (
    (0.0, "#6a9fb5"),  # rest 0-25
    (25.5, "#7fae8a"),  # low 26-50
    (50.5, "#c8a85a"),  # medium 51-75
    (75.5, "#c8845a"),  # high 76-100
)
"""Colours of the stress bands (as the stress bar on the live screen), by lowest score."""
_HR_POINTS: Final = int(WINDOW_S / HR_STEP_S) + 4
_STRESS_POINTS: Final = int(WINDOW_S / MINUTE_S) + 2


class LivePlot(TimeChart):
    """Heart rate (bpm, left axis) and stress (0-100, right axis) over the last 30 minutes."""

    DEFAULT_CSS = """
    LivePlot { height: 1fr; min-height: 5; }
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.now_s: float | None = None
        self._hr: deque[tuple[float, float]] = deque(maxlen=_HR_POINTS)
        self._stress: deque[tuple[float, float]] = deque(maxlen=_STRESS_POINTS)
        self._step: int | None = None  # index of the open heart-rate step
        self._step_rr_ms = 0.0
        self._step_beats = 0
        self._bands: tuple[Band, ...] = ()

    # -- data -----------------------------------------------------------------------------------

    def add_beats(self, beats: Sequence[Beat]) -> None:
        """Take a batch of beats (times in epoch seconds, RR in ms).

        The plot is redrawn when the batch closed a step: once per ``HR_STEP_S`` of
        beats at most, however the beats are batched.
        """
        closed = False
        for beat in beats:
            step = math.floor(beat.time_s / HR_STEP_S)
            if self._step is not None and (step != self._step or beat.gap_before):
                self._close_step(broken=beat.gap_before or step > self._step + 1)
                closed = True
            self._step = step
            if RR_MIN_MS <= beat.rr_ms <= RR_MAX_MS:
                self._step_rr_ms += beat.rr_ms
                self._step_beats += 1
        if beats:
            self.now_s = beats[-1].time_s
        if closed:
            self._update()

    def _close_step(self, *, broken: bool) -> None:
        assert self._step is not None
        if self._step_beats:
            hr = 60000.0 * self._step_beats / self._step_rr_ms
            self._hr.append(((self._step + 0.5) * HR_STEP_S, hr))
        if broken:
            self._hr.append(((self._step + 1) * HR_STEP_S, math.nan))
        self._step_rr_ms, self._step_beats = 0.0, 0

    def add_minute(self, start_s: float, stress: int | None) -> None:
        """A scored minute: its start (epoch s) and stress (0-100; None when not scored)."""
        self._stress.append((start_s + MINUTE_S / 2, math.nan if stress is None else stress))
        self._update()

    def set_sessions(self, sessions: Iterable[tuple[float, float | None, str]]) -> None:
        """Sessions as (start, end or None while open, kind), epoch seconds; redraws."""
        self._bands = tuple(
            Band(start_s, end_s if end_s is not None else math.inf, kind)
            for start_s, end_s, kind in sessions
        )
        self._update()

    # -- what is shown ---------------------------------------------------------------------------

    def hr_points(self) -> tuple[list[float], list[float]]:
        """Heart-rate points of the closed steps: middle of the step (epoch s), bpm (NaN: a gap)."""
        return [t for t, _ in self._hr], [v for _, v in self._hr]

    def ranges(self) -> tuple[tuple[float, float] | None, tuple[float, float] | None]:
        """(lowest, highest) heart rate and stress within the window, None when none."""
        if self.now_s is None:
            return None, None
        since = self.now_s - WINDOW_S
        times, values = self.hr_points()
        hr = [v for t, v in zip(times, values, strict=True) if t >= since and math.isfinite(v)]
        stress = [v for t, v in self._stress if t >= since and math.isfinite(v)]
        return (
            (min(hr), max(hr)) if hr else None,
            (min(stress), max(stress)) if stress else None,
        )

    def _update(self) -> None:
        if self.now_s is None:
            return
        lo, hi = self.now_s - WINDOW_S, self.now_s
        hr_t, hr = self.hr_points()
        stress_t = [t for t, _ in self._stress]
        stress = [v for _, v in self._stress]
        bands = [
            Band(max(b.start_s, lo), min(b.end_s, hi), b.kind)
            for b in self._bands
            if b.start_s < hi and b.end_s > lo
        ]
        self.set_data(
            [
                Series("heart rate (bpm)", np.array(hr_t), np.array(hr), HR_COLOUR),
                Series(
                    "stress (0-100)",
                    np.array(stress_t),
                    np.array(stress),
                    STRESS_COLOUR,
                    (0.0, 100.0),
                    STRESS_SHADES,
                ),
            ],
            x_range=(lo, hi),
            bands=bands,
        )
