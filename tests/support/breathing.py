"""Synthetic beats for the breathing screen: a heart at 65 ± 5 beats/min, six breaths a minute."""

from __future__ import annotations

import math
from typing import Final

from textual.widgets import Static

from tui.screens.breathe import BreatheScreen

AMPLITUDE_BPM: Final = 5.0
"""The heart rate swings 2 x 5 = 10 beats/min per breath."""
BEAT_EPOCH_S: Final = 1_760_000_000.0
"""Beat times are epoch seconds of the stream, from here."""


def beats_between(start_s: float, end_s: float) -> tuple[list[float], list[float]]:
    """Beats of a heart at 65 ± 5 beats/min, oscillating 6 times a minute.

    Times are ``BEAT_EPOCH_S + t`` for ``t`` in ``(start_s, end_s]`` (grid of
    beats fixed from t = 0, so consecutive calls join up).
    """
    t = 0.0
    times: list[float] = []
    rr: list[float] = []
    while True:
        hr = 65.0 + AMPLITUDE_BPM * math.sin(2 * math.pi * 0.1 * t)
        interval_ms = 60000.0 / hr
        t += interval_ms / 1000.0
        if t > end_s:
            return times, rr
        if t > start_s:
            times.append(BEAT_EPOCH_S + t)
            rr.append(interval_ms)


def history(span_s: float) -> list[tuple[float, float]]:
    """The beats of the ``span_s`` s before the exercise, as the live screen keeps them.

    The same wave a quarter faster (about 81 beats/min), so that what was measured
    before the exercise can be told from what was measured in it.
    """
    times, rr = beats_between(0.0, span_s)
    return [(t, 0.8 * r) for t, r in zip(times, rr, strict=True)]


def stats(screen: BreatheScreen) -> str:
    """The breathing screen's line of numbers (time, swing, coherence)."""
    return str(screen.query_one("#breathe-stats", Static).content)
