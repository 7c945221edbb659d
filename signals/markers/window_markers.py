"""Time-domain markers of one window, computed directly: the reference definition.

:class:`RollingMarkers` holds the markers of one window, and :func:`batch_markers`
computes them two-pass from the beats of the window; the live
:class:`~signals.markers.rolling.RollingWindow` equals it to floating-point precision.
The definitions, and the references they follow, are in :mod:`signals.markers.rolling`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = ["MIN_BEATS", "RollingMarkers", "batch_markers"]

MIN_BEATS: Final = 2
"""Fewest included beats for any marker; with fewer, every marker is None."""


@dataclass(frozen=True, slots=True)
class RollingMarkers:
    """Time-domain markers of one window (definitions in :mod:`signals.markers.rolling`).

    Attributes
    ----------
    window_s : window length, in seconds.
    window_end_s : end of the window (epoch seconds); None before the first beat.
    n_beats : included (non-artifact, finite) beats in the window.
    n_diffs : successive differences in the window.
    mean_rr_ms : mean RR, in milliseconds.
    mean_hr_bpm : 60000 / ``mean_rr_ms``, in beats per minute.
    sdnn_ms : standard deviation of RR (ddof = 1), in milliseconds.
    rmssd_ms : root mean square of successive differences, in milliseconds; None
        without a difference.
    ln_rmssd : natural logarithm of ``rmssd_ms``; None when RMSSD is None or 0.
    """

    window_s: float
    window_end_s: float | None
    n_beats: int
    n_diffs: int
    mean_rr_ms: float | None
    mean_hr_bpm: float | None
    sdnn_ms: float | None
    rmssd_ms: float | None
    ln_rmssd: float | None


def _markers(
    window_s: float,
    window_end_s: float | None,
    n: int,
    nd: int,
    mean_rr: float,
    var: float,
    sum_sq_diff: float,
    min_beats: int,
) -> RollingMarkers:
    if n < max(min_beats, 1):
        return RollingMarkers(window_s, window_end_s, n, nd, None, None, None, None, None)
    rmssd = math.sqrt(max(sum_sq_diff, 0.0) / nd) if nd > 0 else None
    return RollingMarkers(
        window_s=window_s,
        window_end_s=window_end_s,
        n_beats=n,
        n_diffs=nd,
        mean_rr_ms=mean_rr,
        mean_hr_bpm=60000.0 / mean_rr if mean_rr > 0.0 else None,
        sdnn_ms=math.sqrt(max(var, 0.0)) if n >= 2 else None,
        rmssd_ms=rmssd,
        ln_rmssd=math.log(rmssd) if rmssd is not None and rmssd > 0.0 else None,
    )


def batch_markers(
    time_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike,
    artifact: npt.ArrayLike,
    window_end_s: float,
    window_s: float,
    *,
    min_beats: int = MIN_BEATS,
) -> RollingMarkers:
    """Markers of the window ending at ``window_end_s``: the reference definition.

    Parameters
    ----------
    time_s : beat times (end of each RR interval), in seconds, non-decreasing.
    rr_ms : RR interval ending at each beat, in milliseconds.
    gap_before : True where beats may be missing before a beat.
    artifact : True for beats to exclude.
    window_end_s : end of the window, in seconds (inclusive).
    window_s : window length, in seconds; the window is
        ``[window_end_s - window_s, window_end_s]``.
    min_beats : fewest included beats for any marker.

    Returns
    -------
    RollingMarkers
        Computed directly (two-pass) on the beats of the window.
    """
    t = np.asarray(time_s, dtype=np.float64)
    lo = int(np.searchsorted(t, window_end_s - window_s, side="left"))
    hi = int(np.searchsorted(t, window_end_s, side="right"))
    rr = np.asarray(rr_ms, dtype=np.float64)[lo:hi]
    gaps = np.asarray(gap_before, dtype=np.bool_)[lo:hi]
    included = ~np.asarray(artifact, dtype=np.bool_)[lo:hi] & np.isfinite(rr)
    good = rr[included]
    pair = included[1:] & included[:-1] & ~gaps[1:]
    diffs = np.diff(rr)[pair]
    n = int(good.size)
    nd = int(diffs.size)
    mean_rr = float(np.mean(good)) if n else math.nan
    var = float(np.var(good, ddof=1)) if n >= 2 else math.nan
    sum_sq = float(np.sum(diffs * diffs))
    return _markers(window_s, window_end_s, n, nd, mean_rr, var, sum_sq, min_beats)
