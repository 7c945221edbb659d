"""The heart-rate rise: arrays (an imported file) give exactly what beat by beat (a strap) gives.

The former definition (a 10-s :class:`RollingWindow` heart rate and a monotonic
queue for the lowest of the last 30 s) is kept here as a reference: summing RR
in whole microseconds moves the rise by far less than a thousandth of a bpm.
"""

from __future__ import annotations

import itertools
import math
from collections import deque

import numpy as np
import pytest

from signals.markers.hr_rise import MIN_BEATS, SMOOTH_S, SPAN_S, RiseTracker
from signals.markers.rolling import RollingWindow

Beats = list[tuple[float, float, bool]]


class FormerRise:
    def __init__(self) -> None:
        self.smooth = RollingWindow(SMOOTH_S, min_beats=MIN_BEATS)
        self.lows: deque[tuple[float, float]] = deque()

    def reset(self) -> None:
        self.smooth.reset()
        self.lows.clear()

    def feed(self, beats: Beats) -> float | None:
        hrs: list[float | None] = []
        self.smooth._apply(beats, hrs, reset_on_gap=True)
        best = None
        for (time_s, _, gap), hr in zip(beats, hrs, strict=True):
            if gap:
                self.lows.clear()
            while self.lows and self.lows[0][0] < time_s - SPAN_S:
                self.lows.popleft()
            if hr is None:
                continue
            while self.lows and self.lows[-1][1] >= hr:
                self.lows.pop()
            self.lows.append((time_s, hr))
            rise = hr - self.lows[0][1]
            best = rise if best is None or rise > best else best
        return best


def beats(seed: int, n: int) -> Beats:
    """RR with climbs of 50 bpm and more, artifacts (NaN), gaps and a long dropout."""
    rng = np.random.default_rng(seed)
    rr = 800.0 + 60.0 * np.sin(np.arange(n) / 7.0) + rng.normal(0.0, 15.0, n)
    for start in rng.integers(0, n, 4):
        rr[start : start + 40] *= 0.6
    t = 1_700_000_000.0 + np.cumsum(rr) / 1000.0
    gaps = np.zeros(n, dtype=bool)
    gaps[rng.integers(1, n, 3)] = True
    jump = int(rng.integers(1, n))
    t[jump:] += 45.0
    gaps[jump] = True
    rr[rng.integers(0, n, n // 20)] = math.nan
    return list(zip(t.tolist(), rr.tolist(), gaps.tolist(), strict=True))


def by_arrays(tracker: RiseTracker, chunk: Beats) -> float | None:
    t, rr, gaps = (np.asarray(column) for column in zip(*chunk, strict=True))
    rises = tracker.feed_arrays(t.astype(np.float64), rr.astype(np.float64), gaps.astype(bool))
    known = rises[rises == rises]
    return float(known.max()) if known.size else None


@pytest.mark.parametrize("seed", range(12))
def test_arrays_and_beat_by_beat_agree_exactly(seed: int) -> None:
    stream = beats(seed, 3000)
    rng = np.random.default_rng(1000 + seed)
    cuts = sorted({0, len(stream), *rng.integers(1, len(stream), 60).tolist()})
    one, many, former = RiseTracker(), RiseTracker(), FormerRise()
    compared = 0
    for k, (a, b) in enumerate(itertools.pairwise(cuts)):
        if k % 17 == 5:  # a loss of signal now and then
            for tracker in (one, many, former):
                tracker.reset()
        chunk = stream[a:b]
        # Half of the chunks beat by beat on both sides: the state they leave agrees too.
        expected = one.feed(chunk)
        got = one_more = many.feed(chunk) if k % 2 else by_arrays(many, chunk)
        assert got == expected, (k, got, expected)
        was = former.feed(chunk)
        assert (was is None) == (one_more is None)
        if was is not None and one_more is not None:
            assert one_more == pytest.approx(was, abs=1e-3)
            compared += 1
    assert compared > 30


def test_a_climb_is_measured_from_the_lowest_of_the_span() -> None:
    tracker = RiseTracker()
    assert tracker.feed([(0.5 * k, 500.0, False) for k in range(1, 41)]) == 0.0
    assert tracker.feed([(20.0 + 0.4 * k, 400.0, False) for k in range(1, 31)]) == 30.0
    tracker.reset()
    assert tracker.feed([(40.0, 400.0, False), (40.4, 400.0, False)]) is None  # too few
