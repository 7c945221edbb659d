"""The RR tachogram resampled evenly, cut into analysis windows (for breathing estimates).

1. RR intervals more than :data:`OUTLIER_SHARE` (20 %) away from the median of
   the :data:`OUTLIER_MEDIAN_BEATS` (11) around them (ectopic, missed or extra
   beats; a 20 % rule as in Malik et al. 1989) are replaced by linear
   interpolation between their neighbours.
2. The series is resampled at :data:`RESAMPLE_HZ` (4 Hz) by linear interpolation
   between beats (each RR at the time of the beat that closes it), on the
   absolute grid ``k / 4`` s, so that every window sees the same samples
   whichever span it was cut from.
3. A sample is valid when it lies between two beats of one gap-free stretch
   spanning at least :data:`MIN_STRETCH_S` (30 s); nothing is interpolated
   across a gap. Invalid samples hold 0.
4. Window ``i`` is the ``round(window_s * 4)`` samples from
   ``round((centre_i - window_s / 2) * 4)``; samples outside the series are
   invalid.

:func:`resampled_tachogram` and :func:`window_rows` do this for a whole series
and many windows at once; :func:`window_row_plain` is the sample-by-sample
reference for one window (equal to the batched rows; tested).

References
----------
Malik M et al. Heart rate variability in relation to prognosis after myocardial
infarction: selection of optimal processing techniques. Eur Heart J
1989;10:1060-1074.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from signals.hrv.frequency import gap_free_stretches
from signals.hrv.time_domain import BoolArray, FloatArray

__all__ = [
    "MIN_STRETCH_S",
    "OUTLIER_MEDIAN_BEATS",
    "OUTLIER_SHARE",
    "RESAMPLE_HZ",
    "Tachogram",
    "resampled_tachogram",
    "window_row_plain",
    "window_rows",
]

RESAMPLE_HZ: Final = 4.0
"""Rate of the evenly resampled tachogram, in Hz."""
MIN_STRETCH_S: Final = 30.0
"""Shortest gap-free stretch of beats that is resampled, in seconds."""
OUTLIER_MEDIAN_BEATS: Final = 11
"""Beats in the running median that RR outliers are judged against."""
OUTLIER_SHARE: Final = 0.2
"""An RR differing from the running median by more than this share is replaced."""


@dataclass(frozen=True, slots=True, eq=False)
class Tachogram:
    """An evenly resampled RR series.

    Attributes
    ----------
    first_index : grid index of the first sample (sample ``i`` is at
        ``(first_index + i) / RESAMPLE_HZ`` seconds).
    rr_ms : resampled RR, in milliseconds (0 where invalid).
    valid : True where the sample comes from a usable gap-free stretch.
    """

    first_index: int
    rr_ms: FloatArray
    valid: BoolArray


def _usable_beats(t: FloatArray, gaps: BoolArray) -> BoolArray:
    """True for beats in gap-free stretches spanning at least :data:`MIN_STRETCH_S`."""
    usable = np.zeros(t.size, dtype=np.bool_)
    for a, b in gap_free_stretches(gaps):
        if b - a >= 2 and t[b - 1] - t[a] >= MIN_STRETCH_S:
            usable[a:b] = True
    return usable


def _cleaned(t: FloatArray, rr: FloatArray) -> FloatArray:
    """RR with outliers replaced by interpolation between neighbours (step 1)."""
    if rr.size < 3:
        return rr
    # Centred median, the ends repeated (SciPy's median_filter with mode="nearest").
    half = OUTLIER_MEDIAN_BEATS // 2
    windows = sliding_window_view(np.pad(rr, half, mode="edge"), OUTLIER_MEDIAN_BEATS)
    med = np.partition(windows, half, axis=1)[:, half]
    good = np.abs(rr - med) <= OUTLIER_SHARE * med
    if good.all() or np.count_nonzero(good) < 2:
        return rr
    return np.where(good, rr, np.interp(t, t[good], rr[good]))


def resampled_tachogram(t: FloatArray, rr: FloatArray, gaps: BoolArray) -> Tachogram:
    """The whole series resampled (steps 1–3 of the module docstring).

    Parameters
    ----------
    t : beat times, in seconds (increasing, at least 2).
    rr : RR intervals, in milliseconds.
    gaps : True where beats may be missing before a beat.
    """
    rr = _cleaned(t, rr)
    k0 = math.ceil(t[0] * RESAMPLE_HZ)
    grid = (k0 + np.arange(max(0, math.floor(t[-1] * RESAMPLE_HZ) - k0 + 1))) / RESAMPLE_HZ
    j = np.clip(np.searchsorted(t, grid, side="right"), 1, max(1, t.size - 1))
    usable = _usable_beats(t, gaps)
    valid = (grid < t[-1]) & ~gaps[j] & usable[j] & usable[j - 1]
    span = t[j] - t[j - 1]
    frac = np.divide(grid - t[j - 1], span, out=np.zeros_like(grid), where=span > 0)
    y = rr[j - 1] + (rr[j] - rr[j - 1]) * frac
    return Tachogram(k0, np.where(valid, y, 0.0), np.asarray(valid, dtype=np.bool_))


def window_rows(
    tachogram: Tachogram, centres_s: FloatArray, window_s: float
) -> tuple[FloatArray, BoolArray]:
    """The samples of each window, one row per centre, and their validity (step 4)."""
    y, valid = tachogram.rr_ms, tachogram.valid
    m = round(window_s * RESAMPLE_HZ)
    first = np.round((centres_s - window_s / 2.0) * RESAMPLE_HZ).astype(np.int64)
    idx = (first - tachogram.first_index)[:, None] + np.arange(m)[None, :]
    if y.size == 0:
        return np.zeros(idx.shape), np.zeros(idx.shape, dtype=np.bool_)
    safe = np.clip(idx, 0, y.size - 1)
    rows_valid = (idx >= 0) & (idx < y.size) & valid[safe]
    return np.where(rows_valid, y[safe], 0.0), rows_valid


def window_row_plain(
    t: FloatArray, rr: FloatArray, gaps: BoolArray, centre_s: float, window_s: float
) -> tuple[FloatArray, BoolArray]:
    """One window's samples computed one by one: the reference of :func:`window_rows`."""
    usable = _usable_beats(t, gaps)
    rr = _cleaned(t, rr)
    m = round(window_s * RESAMPLE_HZ)
    first = round((centre_s - window_s / 2.0) * RESAMPLE_HZ)
    x, v = np.zeros((1, m)), np.zeros((1, m), dtype=np.bool_)
    times = t.tolist()
    for i in range(m):
        g = (first + i) / RESAMPLE_HZ
        j = bisect_right(times, g)
        if g < times[0] or j >= t.size or g >= times[-1]:
            continue
        if gaps[j] or not (usable[j] and usable[j - 1]):
            continue
        span = times[j] - times[j - 1]
        frac = (g - times[j - 1]) / span if span > 0 else 0.0
        x[0, i] = rr[j - 1] + (rr[j] - rr[j - 1]) * frac
        v[0, i] = True
    return x, v
