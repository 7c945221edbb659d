"""Lipponen & Tarvainen (2019) beat classification on one gap-free RR segment.

This module holds the numerics of the algorithm; :mod:`signals.artifacts.batch` runs
it per segment, groups its labels into events and adds the plausibility check.

Definition
----------
For RR intervals ``RR(j)`` in ms (``RR(j)`` ends at beat ``j``):

- ``dRR(j) = RR(j) - RR(j-1)``, the successive difference;
- ``mRR(j) = RR(j) - med(j)``, where ``med`` is the median of the
  :data:`MEDIAN_WINDOW_BEATS` intervals centred on ``j``; negative values are
  doubled (short beats weigh twice);
- each series is divided by its own time-varying threshold
  ``Th = ALPHA * QD``, where ``QD = (Q3 - Q1) / 2`` is the quartile deviation of
  the absolute series over :data:`THRESHOLD_WINDOW_BEATS` beats centred on
  ``j`` (Berntson et al. 1990 for the quartile-deviation threshold). Windows
  are truncated at the segment ends; quartiles interpolate linearly;
- the subspaces of the normalised ``dRR``: ``S12(j) = max(dRR(j-1), dRR(j+1))``
  for ``dRR(j) > 0``, ``min(...)`` for ``dRR(j) < 0``; ``S22(j) = min(dRR(j+1),
  dRR(j+2))`` for ``dRR(j) >= 0``, ``max(...)`` for ``dRR(j) < 0`` (reflected at
  the segment ends).

Classification follows Figure 1 of the paper, over the beats with
``|dRR| > 1`` only: **ectopic** when ``dRR > 1 and S12 < -C1 dRR - C2`` or
``dRR < -1 and S12 > -C1 dRR + C2``; otherwise the beat (and the next one
when ``|dRR(j+1)| < |dRR(j+2)|``) is **long** (``dRR > 1 and S22 < -1``),
**short** (``dRR < -1 and S22 > 1``) or either (``|mRR| > 3``); a short beat with
``|RR(j) + RR(j+1) - med(j)| < Th2(j)`` is an **extra** beat, a long beat with
``|RR(j) / 2 - med(j)| < Th2(j)`` a **missed** beat. The last two intervals of a
segment lack the look-ahead and are never classified. This is the flow of
NeuroKit2 ``signal_fixpeaks(method="kubios")``, which reproduces it index for
index (``tests/signals/test_artifacts.py``).

One addition, off with ``ceiling_fraction=None``: both thresholds are capped
at ``ceiling_fraction * med(j)``. The adaptive thresholds grow with whatever
dominates the window, so with frequent ectopy (bigeminy, trigeminy) ``QD``
itself is made of ectopic beats and nothing stands out; the cap (25 % of the
local median RR, the "medium" level of Kubios' threshold-based correction) only
bites where ``ALPHA * QD`` exceeds it, which normal sinus rhythm rarely does.

References
----------
Lipponen JA, Tarvainen MP. A robust algorithm for heart rate variability time
series artefact correction using novel beat classification. J Med Eng Technol
2019;43(3):173-181. doi:10.1080/03091902.2019.1640306

Berntson GG, Quigley KS, Jang JF, Boysen ST. An approach to artifact
identification: application to heart period data. Psychophysiology
1990;27(5):586-598.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from signals.markers.order_stats import window_order_statistics, window_quartile_deviation

__all__ = [
    "ALPHA",
    "C1",
    "C2",
    "MEDIAN_WINDOW_BEATS",
    "THRESHOLD_CEILING_FRACTION",
    "THRESHOLD_WINDOW_BEATS",
    "ArtifactKind",
    "SegmentFeatures",
    "candidate_kind",
    "classify",
    "is_ectopic",
    "rolling_median",
    "rolling_quartile_deviation",
    "segment_features",
]

FloatArray = npt.NDArray[np.float64]

ALPHA: Final = 5.2
"""Threshold multiplier of the quartile deviation (dimensionless)."""
THRESHOLD_WINDOW_BEATS: Final = 91
"""Beats in the centred window of the quartile deviation."""
MEDIAN_WINDOW_BEATS: Final = 11
"""Beats in the centred median filter that gives ``med(j)``."""
C1: Final = 0.13
"""Slope of the ectopic decision boundary in subspace 1 (dimensionless)."""
C2: Final = 0.17
"""Offset of the ectopic decision boundary in subspace 1 (normalised units)."""
THRESHOLD_CEILING_FRACTION: Final = 0.25
"""Default cap on both thresholds, as a fraction of the local median RR."""
_MRR_LIMIT: Final = 3.0
"""``|mRR| > 3`` (normalised) marks a long or short beat."""
_CHUNK_ROWS: Final = 4096


class ArtifactKind(enum.IntEnum):
    """What an RR interval is judged to be."""

    NORMAL = 0
    ECTOPIC = 1
    MISSED = 2
    EXTRA = 3
    LONG = 4
    SHORT = 5
    OUT_OF_RANGE = 6


def _edge_rows(x: FloatArray, window: int, rows: npt.NDArray[np.intp]) -> FloatArray:
    """Truncated centred windows around ``rows``, NaN-padded to ``window`` columns."""
    half = window // 2
    padded = np.concatenate((np.full(half, np.nan), x, np.full(half, np.nan)))
    return sliding_window_view(padded, window)[rows]


def _interior_and_edges(n: int, window: int) -> tuple[slice, npt.NDArray[np.intp]]:
    half = window // 2
    if n < window:
        return slice(0, 0), np.arange(n)
    return slice(half, n - half), np.concatenate((np.arange(half), np.arange(n - half, n)))


def rolling_quartile_deviation(x: npt.ArrayLike, window: int) -> FloatArray:
    """Quartile deviation ``(Q3 - Q1) / 2`` over a centred window of ``window`` samples.

    Windows are truncated at the ends (as pandas ``rolling(center=True,
    min_periods=1)``) and quartiles interpolate linearly between order
    statistics (numpy's default). Interior windows of finite values go through
    a rank filter (:mod:`signals.markers.order_stats`, the same floats as sorting each
    window); with NaN they are sorted row-wise in chunks.
    """
    values = np.asarray(x, dtype=np.float64)
    n = values.size
    out = np.empty(n)
    interior, edges = _interior_and_edges(n, window)
    if interior.stop > interior.start and np.isfinite(values).all():
        out[interior] = window_quartile_deviation(values, window)
    elif interior.stop > interior.start:
        lo = 0.25 * (window - 1)
        hi = 0.75 * (window - 1)
        views = sliding_window_view(values, window)
        for start in range(0, views.shape[0], _CHUNK_ROWS):
            # A full row sort beats np.partition here (SIMD sorting networks).
            part = np.sort(views[start : start + _CHUNK_ROWS], axis=1)
            q1 = _linear(part, lo)
            q3 = _linear(part, hi)
            out[interior.start + start : interior.start + start + part.shape[0]] = (q3 - q1) / 2.0
    if edges.size:
        rows = _edge_rows(values, window, edges)
        out[edges] = (_nan_row_quantile(rows, 0.75) - _nan_row_quantile(rows, 0.25)) / 2.0
    return out


def _nan_row_quantile(rows: FloatArray, q: float) -> FloatArray:
    """Row-wise linear quantile ignoring NaN (as ``np.nanquantile(rows, q, axis=1)``).

    Vectorised: ``np.nanquantile`` over rows falls back to a Python loop per row.
    Every row must hold at least one value.
    """
    part = np.sort(rows, axis=1)  # NaN sort last
    count = np.count_nonzero(~np.isnan(rows), axis=1)
    position = q * (count - 1)
    below = np.floor(position).astype(np.intp)
    above = np.minimum(below + 1, count - 1)
    frac = position - below
    lower = np.take_along_axis(part, below[:, None], axis=1)[:, 0]
    upper = np.take_along_axis(part, above[:, None], axis=1)[:, 0]
    return np.asarray(lower + (upper - lower) * frac, dtype=np.float64)


def _linear(sorted_rows: FloatArray, position: float) -> FloatArray:
    below = int(np.floor(position))
    frac = position - below
    if frac == 0.0:
        return sorted_rows[:, below]
    return sorted_rows[:, below] * (1.0 - frac) + sorted_rows[:, below + 1] * frac


def rolling_median(x: npt.ArrayLike, window: int) -> FloatArray:
    """Median over a centred window of ``window`` samples, truncated at the ends."""
    values = np.asarray(x, dtype=np.float64)
    out = np.empty(values.size)
    interior, edges = _interior_and_edges(values.size, window)
    if interior.stop > interior.start and window % 2 and np.isfinite(values).all():
        # An odd window's median is its middle order statistic, exactly.
        (out[interior],) = window_order_statistics(values, window, [window // 2])
    elif interior.stop > interior.start:
        out[interior] = np.median(sliding_window_view(values, window), axis=1)
    if edges.size:
        out[edges] = _nan_row_quantile(_edge_rows(values, window, edges), 0.5)
    return out


@dataclass(frozen=True, slots=True, eq=False)
class SegmentFeatures:
    """The normalised series of one segment (all arrays have the segment's length).

    Attributes
    ----------
    drr : dRR divided by its threshold (NaN where the threshold is 0).
    mrr : mRR (negatives doubled) divided by its threshold (NaN where it is 0).
    s12, s22 : the subspace coordinates paired with ``drr``.
    median_rr_ms : ``med(j)``, in milliseconds.
    th2_ms : the mRR threshold, in milliseconds (the tolerance of the missed
        and extra tests).
    """

    drr: FloatArray
    mrr: FloatArray
    s12: FloatArray
    s22: FloatArray
    median_rr_ms: FloatArray
    th2_ms: FloatArray


def _normalise(x: FloatArray, threshold: FloatArray) -> FloatArray:
    out = np.full(x.size, np.nan)
    np.divide(x, threshold, out=out, where=threshold > 0.0)
    return out


def segment_features(
    rr_ms: FloatArray,
    drr_ms: FloatArray,
    *,
    ceiling_fraction: float | None = THRESHOLD_CEILING_FRACTION,
) -> SegmentFeatures:
    """Thresholds, normalised series and subspaces of one gap-free segment.

    Parameters
    ----------
    rr_ms : RR intervals of the segment, in milliseconds (finite).
    drr_ms : successive differences ``RR(j) - RR(j-1)`` in milliseconds; the
        caller chooses ``drr_ms[0]`` (no predecessor inside the segment).
    ceiling_fraction : cap on both thresholds as a fraction of ``med(j)``;
        None for the thresholds of the paper.
    """
    median_rr = rolling_median(rr_ms, MEDIAN_WINDOW_BEATS)
    mrr_ms = rr_ms - median_rr
    mrr_ms = np.where(mrr_ms < 0.0, 2.0 * mrr_ms, mrr_ms)
    th1 = ALPHA * rolling_quartile_deviation(np.abs(drr_ms), THRESHOLD_WINDOW_BEATS)
    th2 = ALPHA * rolling_quartile_deviation(np.abs(mrr_ms), THRESHOLD_WINDOW_BEATS)
    if ceiling_fraction is not None:
        ceiling = ceiling_fraction * median_rr
        th1 = np.minimum(th1, ceiling)
        th2 = np.minimum(th2, ceiling)
    drr = _normalise(drr_ms, th1)
    padded = np.pad(drr, 2, mode="reflect")
    before, after, after2 = padded[1:-3], padded[3:-1], padded[4:]
    s12 = np.where(
        drr > 0.0, np.maximum(before, after), np.where(drr < 0.0, np.minimum(before, after), 0.0)
    )
    s22 = np.where(
        drr >= 0.0, np.minimum(after, after2), np.where(drr < 0.0, np.maximum(after, after2), 0.0)
    )
    return SegmentFeatures(
        drr=drr,
        mrr=_normalise(mrr_ms, th2),
        s12=s12,
        s22=s22,
        median_rr_ms=median_rr,
        th2_ms=th2,
    )


def is_ectopic(drr: float, s12: float) -> bool:
    """Subspace 1 test: the beat sits in an NPN or PNP pattern of normalised dRR."""
    return (drr > 1.0 and s12 < -C1 * drr - C2) or (drr < -1.0 and s12 > -C1 * drr + C2)


def candidate_kind(
    drr: float,
    s22: float,
    mrr: float,
    rr_ms: float,
    next_rr_ms: float,
    median_rr_ms: float,
    th2_ms: float,
) -> ArtifactKind:
    """Subspace 2 and the missed / extra tests for one candidate beat."""
    long = drr > 1.0 and s22 < -1.0
    short = drr < -1.0 and s22 > 1.0
    if not (long or short or abs(mrr) > _MRR_LIMIT):
        return ArtifactKind.NORMAL
    if short and abs(rr_ms + next_rr_ms - median_rr_ms) < th2_ms:
        return ArtifactKind.EXTRA
    if long and abs(rr_ms / 2.0 - median_rr_ms) < th2_ms:
        return ArtifactKind.MISSED
    if long or (not short and rr_ms > median_rr_ms):
        return ArtifactKind.LONG
    return ArtifactKind.SHORT


def candidate_kinds(
    drr: FloatArray,
    s22: FloatArray,
    mrr: FloatArray,
    rr_ms: FloatArray,
    next_rr_ms: FloatArray,
    median_rr_ms: FloatArray,
    th2_ms: FloatArray,
) -> npt.NDArray[np.int8]:
    """:func:`candidate_kind` of every element at once (same tests, same order)."""
    long = (drr > 1.0) & (s22 < -1.0)
    short = (drr < -1.0) & (s22 > 1.0)
    normal = ~(long | short | (np.abs(mrr) > _MRR_LIMIT))
    extra = short & (np.abs(rr_ms + next_rr_ms - median_rr_ms) < th2_ms)
    missed = long & (np.abs(rr_ms / 2.0 - median_rr_ms) < th2_ms)
    longer = long | (~short & (rr_ms > median_rr_ms))
    return np.select(
        [normal, extra, missed, longer],
        [ArtifactKind.NORMAL, ArtifactKind.EXTRA, ArtifactKind.MISSED, ArtifactKind.LONG],
        ArtifactKind.SHORT,
    ).astype(np.int8)


def classify(rr_ms: FloatArray, features: SegmentFeatures) -> npt.NDArray[np.int8]:
    """Label each interval of a segment with its :class:`ArtifactKind` (Figure 1 flow).

    Only beats with ``|dRR| > 1`` (or an undefined dRR) are visited. When a
    candidate pulls in the next beat, the scan resumes after it. The tests
    are evaluated for all beats at once; only that resume rule is a loop, over
    the candidates of subspace 2.
    """
    n = rr_ms.size
    labels = np.zeros(n, dtype=np.int8)
    if n < 3:
        return labels
    d = features.drr
    head = d[: n - 2]
    s12 = features.s12[: n - 2]
    visit = ~(np.abs(head) <= 1.0)
    ectopic = visit & (
        ((head > 1.0) & (s12 < -C1 * head - C2)) | ((head < -1.0) & (s12 > -C1 * head + C2))
    )
    candidate = (
        visit & ~ectopic & ((np.abs(head) > 1.0) | (np.abs(features.mrr[: n - 2]) > _MRR_LIMIT))
    )
    labels[: n - 2][ectopic] = ArtifactKind.ECTOPIC
    at = np.flatnonzero(candidate)
    if at.size == 0:
        return labels
    kinds = candidate_kinds(
        d[: n - 1],
        features.s22[: n - 1],
        features.mrr[: n - 1],
        rr_ms[: n - 1],
        rr_ms[1:],
        features.median_rr_ms[: n - 1],
        features.th2_ms[: n - 1],
    ).tolist()
    pairs = (np.abs(d[at + 1]) < np.abs(d[at + 2])).tolist()
    resume = 0
    for i, pair in zip(at.tolist(), pairs, strict=True):
        # A beat taken in by the previous candidate is not visited again.
        if i < resume:
            continue
        labels[i] = kinds[i]
        if pair:
            labels[i + 1] = kinds[i + 1]
            resume = i + 2
        else:
            resume = i + 1
    return labels
