"""The chest's own breathing for the pacer: how full the lungs are, as the strap feels it.

A chest strap with an accelerometer (the Polar H10) moves with each breath. The pacer
shows that movement next to its guide: :class:`ChestWave` keeps the last
:data:`CHEST_WINDOW_S` of samples and reads the newest value of
:func:`signals.motion.chest_breathing.breath_wave` (−1..1) as a fill of 0..1.

The wave is a projection on the movement's main axis, whose sign the samples cannot
fix: each new wave is turned to agree with the previous one over the samples they share,
so the bar never flips from one frame to the next. Whether a fuller bar means in or out
depends on how the strap sits; the helper sees the rhythm either way.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Final

import numpy as np

from signals.motion.chest_breathing import breath_wave

__all__ = ["CHEST_WINDOW_S", "ChestWave"]

CHEST_WINDOW_S: Final = 30.0
"""Samples the wave is worked out from, in seconds (the length ``breath_wave`` asks for)."""
_MAX_SAMPLES: Final = 30 * 200
"""Bound on the samples kept (30 s at the H10's fastest rate, 200 Hz)."""


class ChestWave:
    """The chest's breathing movement, newest value as a fill of 0..1 (None before any)."""

    def __init__(self) -> None:
        self._t: deque[float] = deque(maxlen=_MAX_SAMPLES)
        self._xyz: deque[tuple[int, int, int]] = deque(maxlen=_MAX_SAMPLES)
        self._last: dict[float, float] = {}  # the previous wave, by sample time
        self.fill: float | None = None

    def add(self, time_s: Sequence[float], xyz_mg: Sequence[tuple[int, int, int]]) -> None:
        """New samples: times in seconds (the beats' scale), x, y, z in mg."""
        self._t.extend(time_s)
        self._xyz.extend(xyz_mg)
        newest = self._t[-1] if self._t else None
        while newest is not None and self._t and self._t[0] < newest - CHEST_WINDOW_S:
            self._t.popleft()
            self._xyz.popleft()
        if len(self._t) < 8:
            return
        t = np.fromiter(self._t, dtype=np.float64, count=len(self._t))
        wave = breath_wave(t, np.asarray(self._xyz, dtype=np.float64))
        times, values = t.tolist(), wave.tolist()
        last = self._last
        agreement = sum(last[s] * w for s, w in zip(times, values, strict=True) if s in last)
        if agreement < 0:
            wave = -wave
        self._last = dict(zip(times, wave.tolist(), strict=True))
        self.fill = float((wave[-1] + 1.0) / 2.0)
