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

from signals.artifacts.batch import ArtifactKind, ArtifactScreen, screen_artifacts, segment_bounds
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


class _Builder:
    """Corrected intervals of one gap-free segment, before interpolation."""

    def __init__(self) -> None:
        self.rr: list[float] = []
        self.gap: list[bool] = []
        self.src: list[int] = []
        self.off: list[float] = []
        self.kind: list[int] = []

    def add(self, rr_ms: float, gap: bool, src: int, off_ms: float, kind: int) -> None:
        self.rr.append(rr_ms)
        self.gap.append(gap)
        self.src.append(src)
        self.off.append(off_ms)
        self.kind.append(kind)


def _segment(
    rr: npt.NDArray[np.float64], kind: npt.NDArray[np.int8], gap: bool, start: int
) -> _Builder:
    out = _Builder()
    j, end = 0, rr.size
    while j < end:
        k = int(kind[j])
        first_gap = gap and j == 0
        if k == ArtifactKind.MISSED:
            half = float(rr[j]) / 2.0
            out.add(half, first_gap, start + j, -half, _SPLIT)
            out.add(half, False, start + j, 0.0, _SPLIT)
            j += 1
        elif k == ArtifactKind.EXTRA and j + 1 < end and kind[j + 1] == k:
            out.add(float(rr[j] + rr[j + 1]), first_gap, start + j + 1, 0.0, _MERGED)
            j += 2
        else:
            out.add(float(rr[j]), first_gap, start + j, 0.0, k)
            j += 1
    return out


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
    parts: list[_Builder] = []
    changed: list[npt.NDArray[np.bool_]] = []
    values: list[npt.NDArray[np.float64]] = []
    for start, end in segment_bounds(gaps):
        part = _segment(rr[start:end], screen.kind[start:end], bool(gaps[start]), start)
        kind = np.asarray(part.kind)
        value = np.asarray(part.rr)
        ends_ms = _ends_ms(rr[start:end])[np.asarray(part.src) - start] + np.asarray(part.off)
        anchor = kind == ArtifactKind.NORMAL
        fill = np.isin(kind, _INTERPOLATED) & anchor.any()
        if fill.any():
            x, y = ends_ms[anchor], value[anchor]
            at = np.clip(ends_ms[fill], x[0], x[-1])
            value[fill] = _pchip(x, y, at) if x.size >= 2 else y[0]
        parts.append(part)
        values.append(value)
        changed.append(fill | (kind == _SPLIT) | (kind == _MERGED))
    kinds = [np.asarray(p.kind) for p in parts]
    return CorrectedRR(
        rr_ms=np.concatenate(values) if values else np.zeros(0),
        gap_before=np.asarray([g for p in parts for g in p.gap], dtype=np.bool_),
        source_index=np.asarray([i for p in parts for i in p.src], dtype=np.intp),
        end_offset_ms=np.asarray([o for p in parts for o in p.off], dtype=np.float64),
        changed=np.concatenate(changed) if changed else np.zeros(0, np.bool_),
        inserted=sum(int(np.count_nonzero(k == _SPLIT)) // 2 for k in kinds),
        removed=sum(int(np.count_nonzero(k == _MERGED)) for k in kinds),
    )


def _pchip(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], at: npt.NDArray[np.float64]
) -> Any:
    return pchip(x, y, at)
