"""Epochs of any length over a whole recording: markers and quality per fixed window.

A whole file's analysis (``holdspace analyze --epochs``) cuts the recording into
epochs ``[start_s, start_s + epoch_s)`` and judges each with the live rules
(:func:`~signals.epochs.types.judge_quality`). :func:`window_epoch` is the
reference definition, one epoch at a time; :func:`window_epochs` computes many
epochs at once and returns the same epochs bit for bit.

Definitions (as :mod:`signals.epochs.batch`, for an epoch of any length)
-----------------------------------------------------------------------
- ``n_beats``: beats whose time falls in ``[start_s, start_s + epoch_s)``
  (artifacts included).
- ``coverage``: the summed overlap of those beats' RR intervals
  ``[time_s - rr_ms / 1000, time_s]`` with the epoch, clipped to the epoch, as a
  share of it.
- ``artifact_fraction``: artifact beats / beats of the epoch.
- ``hr_bpm``, ``rmssd_ms``, ``ln_rmssd``, ``n_diffs``: the markers of
  :func:`~signals.markers.window_markers.batch_markers` over the ``epoch_s``
  ending at the epoch's end; ``rmssd_5min_ms`` and ``ln_rmssd_5min`` over
  ``max(300 s, epoch_s)`` ending there. ``hr_rise_bpm_30s`` is not computed (None).

How the fast path stays exact
-----------------------------
Window bounds come from :func:`numpy.searchsorted` over all epochs at once, and
counts from prefix sums of integers (exact). Each floating-point sum is taken by
:func:`numpy.sum` over a contiguous slice of an array that holds, in order, the
very values the reference sums (the included RR, the squared successive
differences), so it adds the same numbers with the same pairwise summation.

References
----------
Task Force of the ESC and NASPE. Heart rate variability: standards of
measurement, physiological interpretation and clinical use. Circulation
1996;93:1043-1065. Shaffer F, Ginsberg JP. Front Public Health 2017;5:258.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from signals.epochs.types import LONG_WINDOW_S, Epoch, judge_quality
from signals.markers.window_markers import MIN_BEATS, batch_markers

__all__ = ["window_epoch", "window_epochs"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]


def window_epoch(
    time_s: FloatArray,
    rr_ms: FloatArray,
    gap_before: BoolArray,
    artifact: BoolArray,
    start_s: float,
    epoch_s: float,
) -> Epoch:
    """Markers and quality of ``[start_s, start_s + epoch_s)``: the reference definition.

    Parameters
    ----------
    time_s : beat times (end of each RR interval), in seconds, non-decreasing.
    rr_ms : RR interval ending at each beat, in milliseconds.
    gap_before : True where beats may be missing before a beat.
    artifact : True for beats to exclude from the markers.
    start_s : start of the epoch, in seconds.
    epoch_s : length of the epoch, in seconds.
    """
    t, rr, gaps, art = time_s, rr_ms, gap_before, artifact
    end_s = start_s + epoch_s
    inside = (t >= start_s) & (t < end_s)
    n = int(inside.sum())
    begin = np.maximum(t[inside] - rr[inside] / 1000.0, start_s)
    coverage = float(np.clip(np.sum(t[inside] - begin), 0.0, epoch_s) / epoch_s)
    art_fraction = float(art[inside].mean()) if n else 0.0
    short = batch_markers(t, rr, gaps, art, end_s, epoch_s)
    long = batch_markers(t, rr, gaps, art, end_s, max(LONG_WINDOW_S, epoch_s))
    quality, reason = judge_quality(n, coverage, art_fraction, short.n_diffs, epoch_s=epoch_s)
    return Epoch(
        start_s=start_s,
        n_beats=n,
        coverage=coverage,
        artifact_fraction=art_fraction,
        hr_bpm=short.mean_hr_bpm,
        rmssd_ms=short.rmssd_ms,
        ln_rmssd=short.ln_rmssd,
        rmssd_5min_ms=long.rmssd_ms,
        ln_rmssd_5min=long.ln_rmssd,
        hr_rise_bpm_30s=None,
        n_diffs=short.n_diffs,
        quality=quality,
        quality_reason=reason,
    )


class _Series:
    """What every window of one recording draws on, worked out once.

    ``good`` holds the included RR (not an artifact, finite) in beat order and
    ``diff_sq`` the squared successive differences that count (both beats
    included, no gap before the second), in beat order; ``*_before[k]`` counts
    those of beats ``0 .. k-1`` (``diff_sq`` by the difference's second beat).
    """

    __slots__ = ("diff_sq", "diffs_before", "good", "included_before", "time_s")

    def __init__(
        self, time_s: FloatArray, rr_ms: FloatArray, gap_before: BoolArray, artifact: BoolArray
    ) -> None:
        included = ~artifact & np.isfinite(rr_ms)
        pair = np.zeros(rr_ms.size, dtype=np.bool_)
        pair[1:] = included[1:] & included[:-1] & ~gap_before[1:]
        d = np.zeros(rr_ms.size)
        d[1:] = rr_ms[1:] - rr_ms[:-1]
        self.time_s = time_s
        self.good = rr_ms[included]
        self.diff_sq = (d * d)[pair]
        self.included_before = _counts_before(included)
        self.diffs_before = _counts_before(pair)

    def markers(
        self, ends_s: FloatArray, window_s: float, hi: IntArray
    ) -> tuple[list[float | None], list[float | None], list[float | None], list[int]]:
        """Mean HR, RMSSD, ln RMSSD and the count of differences of the windows
        ``[end - window_s, end]`` (as :func:`~signals.markers.window_markers.batch_markers`)."""
        lo = np.searchsorted(self.time_s, ends_s - window_s, side="left")
        g_lo, g_hi = self.included_before[lo], self.included_before[hi]
        # A window's first beat has no difference in it (the beat before is outside).
        d_lo, d_hi = self.diffs_before[np.minimum(lo + 1, hi)], self.diffs_before[hi]
        hr: list[float | None] = []
        rmssd: list[float | None] = []
        ln: list[float | None] = []
        rr_sums = _slice_sums(self.good, g_lo, g_hi).tolist()
        sq_sums = _slice_sums(self.diff_sq, d_lo, d_hi).tolist()
        counts = zip((g_hi - g_lo).tolist(), (d_hi - d_lo).tolist(), rr_sums, sq_sums, strict=True)
        for n, nd, rr_sum, sq_sum in counts:
            if n < MIN_BEATS:
                hr.append(None)
                rmssd.append(None)
                ln.append(None)
                continue
            mean_rr = rr_sum / n
            hr.append(60000.0 / mean_rr if mean_rr > 0.0 else None)
            value = math.sqrt(max(sq_sum, 0.0) / nd) if nd > 0 else None
            rmssd.append(value)
            ln.append(math.log(value) if value is not None and value > 0.0 else None)
        return hr, rmssd, ln, (d_hi - d_lo).tolist()


def _slice_sums(values: FloatArray, lo: IntArray, hi: IntArray) -> FloatArray:
    """``np.sum(values[lo[k]:hi[k]])`` for every ``k``: NumPy's own (pairwise) sum of each
    slice, so a window equals the one taken alone bit for bit, which a difference of
    prefix sums would not."""
    out = np.zeros(len(lo))
    for k, (a, b) in enumerate(zip(np.asarray(lo).tolist(), np.asarray(hi).tolist(), strict=True)):
        if b > a:
            out[k] = values[a:b].sum()
    return out


def _counts_before(flags: BoolArray) -> IntArray:
    out = np.zeros(flags.size + 1, dtype=np.intp)
    np.cumsum(flags, out=out[1:])
    return out


def window_epochs(
    time_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike,
    artifact: npt.ArrayLike,
    starts_s: npt.ArrayLike,
    epoch_s: float,
) -> list[Epoch]:
    """:func:`window_epoch` for each start in ``starts_s``, equal bit for bit, at once.

    Parameters are those of :func:`window_epoch`, with ``starts_s`` the starts of
    the epochs, in seconds.
    """
    t = np.asarray(time_s, dtype=np.float64)
    rr = np.asarray(rr_ms, dtype=np.float64)
    art = np.asarray(artifact, dtype=np.bool_)
    starts = np.asarray(starts_s, dtype=np.float64)
    ends = starts + epoch_s
    lo = np.searchsorted(t, starts, side="left")
    hi = np.searchsorted(t, ends, side="left")
    begin = t - rr / 1000.0
    # Each epoch's parts t - max(begin, start), laid end to end, then summed per epoch.
    n_in = np.maximum(hi - lo, 0)
    first = np.cumsum(n_in) - n_in
    at = np.repeat(lo - first, n_in) + np.arange(int(n_in.sum()))
    parts = t[at] - np.maximum(begin[at], np.repeat(starts, n_in))
    covered = _slice_sums(parts, first, first + n_in)
    coverage = (np.clip(covered, 0.0, epoch_s) / epoch_s).tolist()
    n_beats = (hi - lo).tolist()
    art_before = _counts_before(art)
    art_count = (art_before[hi] - art_before[lo]).tolist()
    series = _Series(t, rr, np.asarray(gap_before, dtype=np.bool_), art)
    window_end = np.searchsorted(t, ends, side="right")
    hr, rmssd, ln, n_diffs = series.markers(ends, epoch_s, window_end)
    _, rmssd_5, ln_5, _ = series.markers(ends, max(LONG_WINDOW_S, epoch_s), window_end)
    out = []
    for k, start in enumerate(starts.tolist()):
        n = n_beats[k]
        art_fraction = art_count[k] / n if n else 0.0
        quality, reason = judge_quality(n, coverage[k], art_fraction, n_diffs[k], epoch_s=epoch_s)
        out.append(
            Epoch(
                start_s=start,
                n_beats=n,
                coverage=coverage[k],
                artifact_fraction=art_fraction,
                hr_bpm=hr[k],
                rmssd_ms=rmssd[k],
                ln_rmssd=ln[k],
                rmssd_5min_ms=rmssd_5[k],
                ln_rmssd_5min=ln_5[k],
                hr_rise_bpm_30s=None,
                n_diffs=n_diffs[k],
                quality=quality,
                quality_reason=reason,
            )
        )
    return out
