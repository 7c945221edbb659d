"""The rise of the smoothed heart rate within half a minute: movement rather than stress.

A heart rate that jumps by more than about 20 bpm within 30 s is more likely
movement (standing up, stairs) than psychological load, so such a minute is
not scored (:mod:`signals.scores.stress`). The heart rate here is the mean over the
last :data:`SMOOTH_S` seconds of beats (artifacts left out; at least
:data:`MIN_BEATS` beats), and a beat's rise is how far it stands above the
lowest such heart rate of the last :data:`SPAN_S` seconds. Both windows stop
at a gap and at a loss of signal (:meth:`RiseTracker.reset`).

The RR intervals are summed in whole microseconds, exactly, so the beat-by-beat
path (:meth:`RiseTracker.feed`, a live strap) and the array path
(:meth:`RiseTracker.feed_arrays`, an imported file) give the same floats.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = ["MIN_BEATS", "SMOOTH_S", "SPAN_S", "RiseTracker"]

SMOOTH_S: Final = 10.0
"""Heart rate for the rise rule is the mean over this many seconds."""
SPAN_S: Final = 30.0
"""The rise is measured against the lowest smoothed heart rate of this span, in seconds."""
MIN_BEATS: Final = 5
"""Fewest beats in the smoothing window before a rise is measured."""

FloatArray = npt.NDArray[np.float64]


class RiseTracker:
    """Feed beats in order; get each beat's rise (or the largest of a batch).

    Examples
    --------
    >>> rise = RiseTracker()
    >>> rise.feed([(0.5 * k, 500.0, False) for k in range(1, 41)])  # 20 s at 120 bpm
    0.0
    >>> rise.feed([(20.0 + 0.4 * k, 400.0, False) for k in range(1, 31)])  # then 150 bpm
    30.0
    """

    __slots__ = ("_lows", "_sum_us", "_times", "_us")

    def __init__(self) -> None:
        # The included beats of the last SMOOTH_S seconds (RR in whole microseconds,
        # their exact sum), and the candidates for the lowest heart rate of the last
        # SPAN_S seconds as (time_s, hr), increasing in both.
        self._times: deque[float] = deque()
        self._us: deque[int] = deque()
        self._sum_us = 0
        self._lows: deque[tuple[float, float]] = deque()

    def reset(self) -> None:
        """Forget every beat (a gap, a loss of signal)."""
        self._times.clear()
        self._us.clear()
        self._sum_us = 0
        self._lows.clear()

    def feed(self, beats: Sequence[tuple[float, float, bool]]) -> float | None:
        """Beats as (time_s, rr_ms or NaN for an artifact, gap_before); the largest rise
        in bpm among them, None when none is measured."""
        times, us, lows = self._times, self._us, self._lows
        total = self._sum_us
        best: float | None = None
        for time_s, rr, gap_before in beats:
            if gap_before:
                self.reset()
                total = 0
            if rr == rr:  # included
                rr_us = round(rr * 1000.0)
                times.append(time_s)
                us.append(rr_us)
                total += rr_us
            start_s = time_s - SMOOTH_S
            while times and times[0] < start_s:
                times.popleft()
                total -= us.popleft()
            since_s = time_s - SPAN_S
            while lows and lows[0][0] < since_s:
                lows.popleft()
            n = len(us)
            if n < MIN_BEATS or total <= 0:
                continue
            hr = 60000.0 / (total / (n * 1000.0))
            while lows and lows[-1][1] >= hr:
                lows.pop()
            lows.append((time_s, hr))
            rise = hr - lows[0][1]
            if best is None or rise > best:
                best = rise
        self._sum_us = total
        return best

    def feed_arrays(
        self, time_s: FloatArray, rr_ms: FloatArray, gap_before: npt.NDArray[np.bool_]
    ) -> FloatArray:
        """:meth:`feed` for many beats (times in order) at once: each beat's rise in bpm,
        NaN where none is measured; the tracker is left as :meth:`feed` leaves it."""
        m = time_s.size
        if m == 0:
            return np.empty(0)
        # Index, among these beats, of the first beat of each one's gap-free stretch.
        own_start = np.where(gap_before, np.arange(m), -1)
        np.maximum.accumulate(own_start, out=own_start)
        included = rr_ms == rr_ms
        rr_us = np.rint(np.where(included, rr_ms, 0.0) * 1000.0)
        # The smoothing window over the carried beats, then these.
        c = len(self._times)
        t = np.concatenate((np.fromiter(self._times, np.float64, c), time_s))
        us = np.concatenate((np.fromiter(self._us, np.int64, c), rr_us.astype(np.int64)))
        counts = np.concatenate(([0], np.cumsum(np.concatenate((np.ones(c, np.int64), included)))))
        sums = np.concatenate(([0], np.cumsum(us)))
        stretch = np.where(own_start >= 0, own_start + c, 0)
        first = np.maximum(np.searchsorted(t, time_s - SMOOTH_S, side="left"), stretch)
        stop = np.arange(c + 1, c + m + 1)
        n = counts[stop] - counts[first]
        total = sums[stop] - sums[first]
        measured = (n >= MIN_BEATS) & (total > 0)
        safe_n = np.where(measured, n, 1).astype(np.float64)
        mean_rr = total.astype(np.float64) / (safe_n * 1000.0)
        hr = np.where(measured, 60000.0 / np.where(measured, mean_rr, 1.0), np.nan)
        # The lowest heart rate of the last SPAN_S seconds: carried candidates, then these.
        k = len(self._lows)
        low_t = np.concatenate((np.fromiter((x for x, _ in self._lows), np.float64, k), time_s))
        low_hr = np.concatenate((np.fromiter((h for _, h in self._lows), np.float64, k), hr))
        low_stretch = np.where(own_start >= 0, own_start + k, 0)
        low_first = np.maximum(np.searchsorted(low_t, time_s - SPAN_S, side="left"), low_stretch)
        rises = hr - _window_min(low_hr, low_first, np.arange(k, k + m))
        self._remember(t, us, included, stretch[-1], low_t, low_hr, low_stretch[-1], c)
        return np.where(measured, rises, np.nan)

    def _remember(
        self,
        t: FloatArray,
        us: npt.NDArray[np.int64],
        included: npt.NDArray[np.bool_],
        stretch: int,
        low_t: FloatArray,
        low_hr: FloatArray,
        low_stretch: int,
        carried: int,
    ) -> None:
        """The state :meth:`feed` would have left after the last of the beats."""
        last_s = float(t[-1])
        keep = np.concatenate((np.ones(carried, np.bool_), included))
        keep[: int(stretch)] = False
        keep &= t >= last_s - SMOOTH_S
        self._times = deque(t[keep].tolist())
        self._us = deque(us[keep].tolist())
        self._sum_us = sum(self._us)
        # Candidates: measured, in the last stretch and span, each lower than every later one.
        ok = low_hr == low_hr
        ok[: int(low_stretch)] = False
        ok &= low_t >= last_s - SPAN_S
        cand_t, cand_hr = low_t[ok], low_hr[ok]
        later_min = np.minimum.accumulate(cand_hr[::-1])[::-1]
        strict = np.ones(cand_hr.size, np.bool_)
        strict[:-1] = cand_hr[:-1] < later_min[1:]
        self._lows = deque(zip(cand_t[strict].tolist(), cand_hr[strict].tolist(), strict=True))


def _window_min(
    values: FloatArray, first: npt.NDArray[np.intp], last: npt.NDArray[np.intp]
) -> FloatArray:
    """Minimum of ``values[first[i] : last[i] + 1]`` ignoring NaN, per ``i`` (inf if none).

    A sparse table: level ``j`` holds the minimum of each run of ``2**j``
    values, and a window is covered by two runs of the largest level that fits.
    """
    if last.size == 0:
        return np.empty(0)
    clean = np.where(values == values, values, np.inf)
    width = last - first + 1
    empty = width <= 0
    width = np.where(empty, 1, width)
    level = np.zeros(width.size, dtype=np.intp)
    np.log2(width, out=level, casting="unsafe")
    # log2 of an exact power of two is exact; guard the others against rounding.
    level -= (1 << level) > width
    level += (1 << (level + 1)) <= width
    levels = [clean]
    for j in range(1, int(level.max()) + 1):
        prev, step = levels[-1], 1 << (j - 1)
        levels.append(np.minimum(prev[:-step], prev[step:]))
    lowest = np.full(width.size, np.inf)
    for j in np.unique(level).tolist():
        pick = np.flatnonzero(level == j)
        lo = np.where(empty[pick], 0, first[pick])
        hi = np.where(empty[pick], 0, last[pick] - (1 << j) + 1)
        table = levels[j]
        lowest[pick] = np.minimum(table[lo], table[hi])
    lowest[empty] = np.inf
    return lowest
