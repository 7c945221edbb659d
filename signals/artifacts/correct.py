"""Artifact correction: the normal-to-normal series after :func:`screen_artifacts`.

As in Lipponen & Tarvainen (2019) and Kubios HRV: a missed beat splits its
interval in two, an extra beat merges its two halves, and ectopic, long, short
and implausible intervals are replaced by interpolation from the normal
intervals around them, within their gap-free segment.

References
----------
Lipponen JA, Tarvainen MP. A robust algorithm for heart rate variability time
series artefact correction using novel beat classification. J Med Eng Technol
2019;43(3):173-181.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from signals.artifacts.batch import ArtifactScreen, screen_artifacts, segment_bounds
from signals.artifacts.lipponen import ArtifactKind
from signals.hrv.pchip import pchip

__all__ = ["CorrectedRR", "correct_artifacts"]


@dataclass(frozen=True, slots=True, eq=False)
class CorrectedRR:
    """Result of :func:`correct_artifacts`: the corrected (normal-to-normal) series.

    The beat count changes (a missed beat adds one, an extra beat removes one),
    so every corrected interval says where it comes from.

    Attributes
    ----------
    rr_ms : corrected RR intervals, in milliseconds.
    gap_before : gap flags, carried over from the input (a merged or split
        interval inherits the flag of its first input interval).
    source_index : index of the input interval each corrected interval ends
        with: its closing beat is that interval's closing beat (for a merge,
        the second of the two; both halves of a split share their source).
    end_offset_ms : where each corrected interval ends, in milliseconds,
        relative to the end of its source interval: ``-rr / 2`` for the first
        half of a split, 0 otherwise. Corrected beat times are
        ``time_s[source_index] + end_offset_ms / 1000``.
    changed : True where the value is not the input interval as it was
        (interpolated, split or merged).
    inserted : beats inserted (one per missed beat).
    removed : beats removed (one per extra beat).
    """

    rr_ms: npt.NDArray[np.float64]
    gap_before: npt.NDArray[np.bool_]
    source_index: npt.NDArray[np.intp]
    end_offset_ms: npt.NDArray[np.float64]
    changed: npt.NDArray[np.bool_]
    inserted: int
    removed: int


_SPLIT: Final = -1
_MERGED: Final = -2
_INTERPOLATED: Final = (
    ArtifactKind.ECTOPIC,
    ArtifactKind.LONG,
    ArtifactKind.SHORT,
    ArtifactKind.OUT_OF_RANGE,
    ArtifactKind.EXTRA,
)


@dataclass(frozen=True, slots=True, eq=False)
class _Expanded:
    """Corrected intervals before interpolation, one row per output interval.

    ``beat`` is the input interval each row comes from (the first of a merged
    pair), ``kind`` its :class:`ArtifactKind`, or ``_SPLIT`` / ``_MERGED``.
    """

    rr_ms: npt.NDArray[np.float64]
    gap_before: npt.NDArray[np.bool_]
    beat: npt.NDArray[np.intp]
    source_index: npt.NDArray[np.intp]
    end_offset_ms: npt.NDArray[np.float64]
    kind: npt.NDArray[np.int64]


def _expanded(
    rr: npt.NDArray[np.float64], kind: npt.NDArray[np.int8], gaps: npt.NDArray[np.bool_]
) -> _Expanded:
    """Split missed beats and merge extra pairs, for the whole series at once.

    Within each run of extra beats of one segment, beats are paired from the
    run's start: ``(0, 1), (2, 3), ...``; a last unpaired one stays (and is
    interpolated later).
    """
    n = rr.size
    at = np.arange(n)
    seg_start = gaps.copy()
    seg_start[:1] = True
    extra = kind == ArtifactKind.EXTRA
    run_start = extra & (seg_start | ~np.concatenate(([False], extra[:-1])))
    first_of_run = np.maximum.accumulate(np.where(run_start, at, 0)) if n else at
    second = extra & ((at - first_of_run) % 2 == 1)
    first = np.concatenate((second[1:], [False]))
    missed = kind == ArtifactKind.MISSED
    beat = np.repeat(at, 1 + missed - second)
    repeated = np.concatenate(([False], beat[1:] == beat[:-1]))  # second half of a split
    split, merged = missed[beat], first[beat]
    partner = np.minimum(beat + 1, max(n - 1, 0))
    value = np.where(split, rr[beat] / 2.0, np.where(merged, rr[beat] + rr[partner], rr[beat]))
    out_kind = np.where(split, _SPLIT, np.where(merged, _MERGED, kind[beat].astype(np.int64)))
    return _Expanded(
        rr_ms=value,
        gap_before=gaps[beat] & ~repeated,
        beat=beat,
        source_index=np.where(merged, beat + 1, beat),
        end_offset_ms=np.where(split & ~repeated, -value, 0.0),
        kind=out_kind,
    )


def _ends_ms(rr: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Beat times within a segment, in ms (a missing value bridged linearly, none negative)."""
    finite = np.isfinite(rr)
    if not finite.any():
        return np.arange(1.0, rr.size + 1.0)
    at = np.arange(rr.size)
    filled = np.interp(at, at[finite], rr[finite])
    ends: npt.NDArray[np.float64] = np.cumsum(np.maximum(filled, 0.0))
    return ends


def correct_artifacts(
    rr_ms: npt.ArrayLike,
    screen: ArtifactScreen | None = None,
    gap_before: npt.ArrayLike | None = None,
) -> CorrectedRR:
    """Correct the artifacts found by :func:`~signals.artifacts.batch.screen_artifacts`.

    - **missed** beat: its interval is split into two equal halves (a beat is
      inserted halfway);
    - **extra** beat: its two halves are merged back into one interval (the
      beat between them is removed);
    - **ectopic**, **long**, **short**, **out of range** (and a lone extra
      half): the value is replaced by interpolation over time from the normal
      intervals of the same gap-free segment. The interpolant is a
      shape-preserving piecewise cubic (PCHIP) rather than the paper's cubic
      spline, so a run of corrected beats cannot overshoot; before the first
      and after the last normal interval it is held flat. A segment without
      any normal interval is left as it is.

    Interpolation never reaches across a gap, and an interpolated interval
    keeps the time of its closing beat, so each value pairs with a beat time
    (see :class:`CorrectedRR`) for spectral resampling.

    Parameters
    ----------
    rr_ms : RR intervals, in milliseconds.
    screen : the result of ``screen_artifacts(rr_ms, gap_before)``; computed
        here when None.
    gap_before : the gap mask (None: no gaps); True on the first beat of each
        gap-free segment.

    Returns
    -------
    CorrectedRR

    References
    ----------
    Lipponen JA, Tarvainen MP (2019) J Med Eng Technol 43(3):173-181.
    """
    rr = np.asarray(rr_ms, dtype=np.float64)
    gaps = np.zeros(rr.size, np.bool_) if gap_before is None else np.asarray(gap_before, np.bool_)
    if gaps.shape != rr.shape:
        raise ValueError("rr_ms and gap_before must have the same length")
    if screen is None:
        screen = screen_artifacts(rr, gaps)
    if screen.kind.shape != rr.shape:
        raise ValueError("the screen belongs to a series of another length")
    out = _expanded(rr, screen.kind, gaps)
    value = out.rr_ms
    anchor = out.kind == ArtifactKind.NORMAL
    fill = np.isin(out.kind, _INTERPOLATED)
    bounds = np.asarray(segment_bounds(gaps), dtype=np.intp).reshape(-1, 2)
    rows = np.searchsorted(out.beat, bounds)  # each segment's rows of ``out``
    for (start, end), (lo, hi) in zip(bounds.tolist(), rows.tolist(), strict=True):
        here = anchor[lo:hi]
        if not here.any():
            fill[lo:hi] = False
        elif fill[lo:hi].any():
            _interpolate(value[lo:hi], fill[lo:hi], here, _ends_at(rr, out, start, end, lo, hi))
    return CorrectedRR(
        rr_ms=value,
        gap_before=out.gap_before,
        source_index=out.source_index,
        end_offset_ms=out.end_offset_ms,
        changed=fill | (out.kind == _SPLIT) | (out.kind == _MERGED),
        inserted=int(np.count_nonzero(out.kind == _SPLIT)) // 2,
        removed=int(np.count_nonzero(out.kind == _MERGED)),
    )


def _ends_at(
    rr: npt.NDArray[np.float64], out: _Expanded, start: int, end: int, lo: int, hi: int
) -> npt.NDArray[np.float64]:
    """Where rows ``lo:hi`` of ``out`` (segment ``start:end``) end, in ms from the segment start."""
    ends: npt.NDArray[np.float64] = (
        _ends_ms(rr[start:end])[out.source_index[lo:hi] - start] + out.end_offset_ms[lo:hi]
    )
    return ends


def _interpolate(
    value: npt.NDArray[np.float64],
    fill: npt.NDArray[np.bool_],
    anchor: npt.NDArray[np.bool_],
    ends_ms: npt.NDArray[np.float64],
) -> None:
    """Replace ``value[fill]`` in place: PCHIP over time through the anchors, flat outside."""
    x, y = ends_ms[anchor], value[anchor]
    at = np.clip(ends_ms[fill], x[0], x[-1])
    value[fill] = _pchip(x, y, at) if x.size >= 2 else y[0]


def _pchip(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], at: npt.NDArray[np.float64]
) -> Any:
    return pchip(x, y, at)
