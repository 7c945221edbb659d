"""One-minute epochs of the live beat stream: markers and signal quality per clock minute.

:class:`EpochBuilder` is fed beats and "contact lost" notices as they come and
closes one :class:`Epoch` per whole minute of epoch time (``start_s`` a
multiple of 60). A minute closes at the first beat after it, or once any
event shows that :data:`GRACE_S` have passed since its end (beats may arrive a
few seconds after their time). Minutes without beats still yield an epoch, of
quality ``"no_signal"``, once the builder learns that time has passed.

Definitions
-----------
- A beat belongs to the minute ``[start_s, start_s + 60)`` that holds its time.
- ``coverage``: the share of the minute covered by the RR intervals of the
  stream, each interval spanning ``[time_s - rr_ms / 1000, time_s]`` (artifacts
  included: the strap was delivering beats).
- ``artifact_fraction``: artifact beats / beats of the minute.
- ``hr_bpm``, ``rmssd_ms``, ``ln_rmssd``: the markers (as :mod:`signals.markers.rolling`
  defines them) of the 60 s ending at the minute's end; ``rmssd_5min_ms`` and
  ``ln_rmssd_5min`` of the 300 s ending there. They are summed exactly
  (:func:`math.fsum`) when the minute closes, as a
  :class:`~signals.markers.rolling.RollingWindow` right after re-summing its window.
- ``hr_rise_bpm_30s``: the largest rise, over the beats of the minute, of the
  10-s mean heart rate above its lowest value in the preceding 30 s (within one
  gap-free stretch). Movement and posture changes raise heart rate within
  seconds; psychological load does so over minutes.
- ``quality``: ``"no_signal"`` without beats; ``"poor"`` when coverage is below
  :data:`MIN_COVERAGE`, the artifact share above :data:`MAX_ARTIFACT_FRACTION`
  or the 60-s window holds fewer than :data:`MIN_DIFFS` successive differences;
  ``"good"`` otherwise. ``quality_reason`` says why in plain words.

References
----------
Shaffer F, Ginsberg JP. An overview of heart rate variability metrics and norms.
Front Public Health 2017;5:258 (ultra-short-term RMSSD over 60 s). Munoz ML et al.
Validity of (ultra-)short recordings for heart rate variability measurements.
PLoS One 2015;10:e0138921 (RMSSD from 10 s to 60 s agrees with 5 min).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from signals.epochs.builder import EpochBuilder, _rmssd
from signals.epochs.types import (
    EPOCH_S,
    LONG_WINDOW_S,
    Epoch,
    judge_quality,
)
from signals.markers.hr_rise import RiseTracker
from signals.markers.window_markers import MIN_BEATS

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

__all__ = ["epochs_from_beats"]


def epochs_from_beats(
    time_s: Sequence[float] | FloatArray,
    rr_ms: Sequence[float] | FloatArray,
    gap_before: Sequence[bool] | BoolArray,
    artifact: Sequence[bool] | BoolArray | None = None,
    *,
    no_signal_s: Sequence[float] = (),
    disconnected_s: Sequence[float] = (),
    end_s: float | None = None,
) -> list[Epoch]:
    """Epochs of a whole recording: the incremental builder run over arrays.

    Beats in time order without notices or ``end_s`` (a whole file's calm minutes) are
    worked out minute by minute from arrays, with the builder's arithmetic: the same
    epochs, bit for bit (tests compare them), in a fraction of the time.

    Parameters
    ----------
    time_s, rr_ms, gap_before, artifact : the beats, oldest first (seconds,
        milliseconds, flags; sequences or arrays); ``artifact`` defaults to none.
    no_signal_s : times of "contact lost" notices, in seconds.
    disconnected_s : times the link dropped, in seconds.
    end_s : the recording's end; minutes up to it are closed (default: the
        minute of the last beat is left open and not returned).
    """
    if not no_signal_s and not disconnected_s and end_s is None:
        t = np.asarray(time_s, dtype=np.float64)
        if t.size and bool((t[1:] >= t[:-1]).all()) and bool(np.isfinite(t).all()):
            flags = np.zeros(t.size, np.bool_) if artifact is None else artifact
            return _closed_minutes(t, rr_ms, gap_before, flags)
    builder = EpochBuilder()
    flags_list = _as_list(artifact) if artifact is not None else [False] * len(time_s)
    notices = sorted([(t, False) for t in no_signal_s] + [(t, True) for t in disconnected_s])
    k = 0
    out: list[Epoch] = []
    beats = zip(_as_list(time_s), _as_list(rr_ms), _as_list(gap_before), flags_list, strict=True)
    for t_s, rr, gap, art in beats:
        while k < len(notices) and notices[k][0] <= t_s:
            out += builder.mark_no_signal(notices[k][0], disconnected=notices[k][1])
            k += 1
        out += builder.push(t_s, rr, gap, art)
    for notice_s, dropped in notices[k:]:
        out += builder.mark_no_signal(notice_s, disconnected=dropped)
    if end_s is not None:
        out += builder.advance_to(end_s)
    return out


def _as_list(values: Sequence[float] | Sequence[bool] | npt.NDArray[Any]) -> list[Any]:
    """Python floats and bools for the builder (as a live stream hands them over)."""
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def _closed_minutes(
    t: FloatArray,
    rr_ms: Sequence[float] | FloatArray,
    gap_before: Sequence[bool] | BoolArray,
    artifact: Sequence[bool] | BoolArray,
) -> list[Epoch]:
    """The minutes :class:`EpochBuilder` closes when pushed these beats (times finite and
    in order, no notices), computed per minute from arrays with the builder's arithmetic:
    the same exact sums (:func:`math.fsum`), coverage added beat by beat in push order."""
    rr = np.asarray(rr_ms, dtype=np.float64)
    gaps = np.asarray(gap_before, dtype=np.bool_)
    flags = np.asarray(artifact, dtype=np.bool_)
    if not t.size == rr.size == gaps.size == flags.size:
        raise ValueError("time_s, rr_ms, gap_before and artifact differ in length")
    finite = np.isfinite(rr)
    kept = np.where(finite & ~flags, rr, np.nan)
    begin = np.where(finite, t - np.where(finite, rr, 0.0) / 1000.0, t)
    d = np.full(t.size, np.nan)
    d[1:] = kept[1:] - kept[:-1]
    ok = ~gaps & (d == d)
    diff_sq = np.where(ok, d * d, 0.0)
    ok_before = np.concatenate(([0], np.cumsum(ok)))
    art_before = np.concatenate(([0], np.cumsum(flags)))
    included = finite & ~flags
    good = rr[included]
    good_before = np.concatenate(([0], np.cumsum(included)))
    rises = RiseTracker().feed_arrays(t, kept, gaps)
    first_s = math.floor(float(t[0]) / EPOCH_S) * EPOCH_S
    # Minutes close once a beat reaches their end; the last beat's minute stays open.
    count = max(int((float(t[-1]) - first_s) // EPOCH_S) - 1, 0)
    while first_s + EPOCH_S * (count + 1) <= float(t[-1]):
        count += 1
    starts = first_s + EPOCH_S * np.arange(count, dtype=np.float64)
    lo = np.searchsorted(t, starts, side="left").tolist()
    hi = np.searchsorted(t, starts + EPOCH_S, side="left").tolist()
    lo_long = np.searchsorted(t, starts + EPOCH_S - LONG_WINDOW_S, side="left").tolist()
    top_rise = _largest_rises(rises, lo, hi)
    covered = _covered_s(t, begin, starts, lo, hi).tolist()
    out = []
    for k, start_s in enumerate(starts.tolist()):
        a, b = lo[k], hi[k]
        rrs = good[good_before[a] : good_before[b]]
        hr_bpm = None
        if rrs.size >= MIN_BEATS:
            shift = math.fsum(rrs.tolist()) / rrs.size
            mean_rr = shift + math.fsum((rrs - shift).tolist()) / rrs.size
            hr_bpm = 60000.0 / mean_rr if mean_rr > 0.0 else None
        n_diffs = int(ok_before[b] - ok_before[min(a + 1, b)])
        rmssd, ln_rmssd = _rmssd(math.fsum(diff_sq[a + 1 : b].tolist()), n_diffs)
        c = lo_long[k]
        rmssd_5, ln_5 = _rmssd(
            math.fsum(diff_sq[c + 1 : b].tolist()), int(ok_before[b] - ok_before[min(c + 1, b)])
        )
        n = b - a
        art_fraction = int(art_before[b] - art_before[a]) / n if n else 0.0
        coverage = min(1.0, covered[k] / EPOCH_S)
        quality, reason = judge_quality(n, coverage, art_fraction, n_diffs, "")
        out.append(
            Epoch(
                start_s=start_s,
                n_beats=n,
                coverage=coverage,
                artifact_fraction=art_fraction,
                hr_bpm=hr_bpm,
                rmssd_ms=rmssd,
                ln_rmssd=ln_rmssd,
                rmssd_5min_ms=rmssd_5,
                ln_rmssd_5min=ln_5,
                hr_rise_bpm_30s=top_rise[k],
                n_diffs=n_diffs,
                quality=quality,
                quality_reason=reason,
            )
        )
    return out


def _covered_s(
    t: FloatArray, begin: FloatArray, starts: FloatArray, lo: list[int], hi: list[int]
) -> FloatArray:
    """Seconds of each minute covered by RR intervals, added as the builder adds them.

    Minute ``k`` sums, one after the other from 0, the positive overlaps
    ``t - max(begin, start)`` of its beats ``lo[k]:hi[k]`` and then
    ``min(t, end) - max(begin, start)`` of the beat that closes it (if any). The
    overlaps are laid out one row per minute, non-positive ones and padding as
    ``+0.0`` (adding it changes nothing), and summed by :func:`numpy.cumsum`,
    which adds strictly left to right.
    """
    if not lo:
        return np.zeros(0)
    first, end = np.asarray(lo, dtype=np.intp), np.asarray(hi, dtype=np.intp)
    closing = end < t.size
    n = end - first + closing
    row = np.repeat(np.arange(first.size), n)
    col = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    beat = first[row] + col
    part = np.minimum(t[beat], np.where(beat == end[row], starts[row] + EPOCH_S, np.inf))
    part -= np.maximum(begin[beat], starts[row])
    table = np.zeros((first.size, max(int(n.max()), 1)))
    table[row, col] = np.where(part > 0.0, part, 0.0)
    covered: FloatArray = np.cumsum(table, axis=1)[:, -1]
    return covered


def _largest_rises(rises: FloatArray, lo: list[int], hi: list[int]) -> list[float | None]:
    """The largest of ``rises[lo[k]:hi[k]]`` (consecutive spans; NaN: none), None if none."""
    if not lo:
        return []
    values = np.concatenate((np.where(rises == rises, rises, -np.inf)[: hi[-1]], [-np.inf]))
    top = np.maximum.reduceat(values, lo).tolist()  # an empty span gives its next value
    return [None if a == b or x == -math.inf else x for a, b, x in zip(lo, hi, top, strict=True)]
