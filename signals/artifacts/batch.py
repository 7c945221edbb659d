"""Artifact detection in RR series: Lipponen & Tarvainen (2019), per gap-free segment.

:func:`screen_artifacts` classifies every RR interval as normal, **ectopic**,
**missed**, **extra**, **long**, **short** or **out of range**, and counts events
by type. It is the day-level and report-level screen (``artifacts_fraction``
and the counts by type gate what is reported and scored).

Definition
----------
- The series is cut into gap-free segments (``gap_before`` marks the first beat
  of each). No comparison ever reaches across a gap: successive differences,
  medians and thresholds are computed within a segment. The first interval of a
  segment has no predecessor, so its ``dRR`` is 0 (NeuroKit2 compares it
  with the mean of the series, which flags normal first beats in strong
  respiratory sinus arrhythmia); a bad first beat still shows in the ``dRR``
  of the second.
- Segments of at least :data:`MIN_SEGMENT_BEATS` intervals are classified by the
  algorithm of Lipponen & Tarvainen (2019): see :mod:`signals.artifacts.lipponen` for
  the definition and its constants (``ALPHA`` 5.2, a 91-beat quartile-deviation
  window, an 11-beat median, ``C1`` 0.13, ``C2`` 0.17) and for the threshold
  ceiling added for frequent ectopy (``threshold_ceiling=None`` turns it off).
- Every interval, in every segment, also gets the plausibility check: RR
  outside ``[RR_MIN_MS, RR_MAX_MS]`` is ``out_of_range`` unless the algorithm
  already gave it a class; a value that is not finite always is (the algorithm
  sees it bridged linearly from its neighbours).

Events and the ``flagged`` mask
-------------------------------
``flagged`` marks every interval that is not normal-to-normal, i.e. every one
that correction changes or removes. The algorithm labels one interval per
event; the event spans more:

- an **ectopic** beat lies between two abnormal intervals (the premature one
  and the compensatory pause). The algorithm labels the second; both are
  flagged and the pair counts once. In a run of consecutive ectopic labels
  (bigeminy) every second label starts a new ectopic beat;
- an **extra** beat splits one interval in two: both halves are flagged, one event;
- a **missed** beat makes one interval too long: one interval, one event;
- **long**, **short**, **out_of_range**: one interval, one event.

:func:`signals.artifacts.correct.correct_artifacts` then gives the
normal-to-normal series as the paper and Kubios correct it: a missed beat
splits its interval in two, an extra beat merges its two halves, and every
other flagged interval is replaced by interpolation from the normal intervals
around it. :class:`signals.artifacts.live.detector.LiveArtifactDetector` is the
incremental twin for the live stream.

References
----------
Lipponen JA, Tarvainen MP. A robust algorithm for heart rate variability time
series artefact correction using novel beat classification. J Med Eng Technol
2019;43(3):173-181. Berntson GG et al. An approach to artifact identification:
application to heart period data. Psychophysiology 1990;27:586-598.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from signals.artifacts.lipponen import (
    THRESHOLD_CEILING_FRACTION,
    ArtifactKind,
    classify,
    segment_features,
)

__all__ = [
    "MIN_SEGMENT_BEATS",
    "RR_MAX_MS",
    "RR_MIN_MS",
    "ArtifactScreen",
    "group_events",
    "screen_artifacts",
    "segment_bounds",
]

RR_MIN_MS: Final = 300.0
"""Shortest plausible RR interval, in milliseconds (200 bpm)."""
RR_MAX_MS: Final = 2000.0
"""Longest plausible RR interval, in milliseconds (30 bpm)."""
MIN_SEGMENT_BEATS: Final = 5
"""Shorter gap-free segments get the plausibility check only."""

_ABSORBABLE: Final = np.array(
    [ArtifactKind.NORMAL, ArtifactKind.LONG, ArtifactKind.SHORT], dtype=np.int8
)


@dataclass(frozen=True, slots=True, eq=False)
class ArtifactScreen:
    """Result of :func:`screen_artifacts`.

    Attributes
    ----------
    flagged : boolean mask over the RR intervals, True for each interval that is
        not normal-to-normal (to be corrected or excluded).
    kind : :class:`ArtifactKind` code of each interval (``int8``); both
        intervals around an ectopic beat are ``ECTOPIC``, both halves of an
        extra beat ``EXTRA``.
    ectopic, missed, extra, long, short, out_of_range : number of events by type.
    """

    flagged: npt.NDArray[np.bool_]
    kind: npt.NDArray[np.int8]
    ectopic: int
    missed: int
    extra: int
    long: int
    short: int
    out_of_range: int

    @property
    def count(self) -> int:
        """Number of flagged RR intervals."""
        return int(self.flagged.sum())

    @property
    def fraction(self) -> float:
        """Share of flagged RR intervals in 0..1 (0 for an empty series)."""
        return float(self.flagged.mean()) if self.flagged.size else 0.0

    def counts(self) -> dict[str, int]:
        """Events by type, keyed by the attribute names."""
        return {
            "ectopic": self.ectopic,
            "missed": self.missed,
            "extra": self.extra,
            "long": self.long,
            "short": self.short,
            "out_of_range": self.out_of_range,
        }


def segment_bounds(gap_before: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``(start, end)`` of each gap-free segment; the first beat always starts one."""
    starts = np.flatnonzero(gap_before)
    if starts.size == 0 or starts[0] != 0:
        starts = np.concatenate(([0], starts))
    ends = np.concatenate((starts[1:], [gap_before.size]))
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True) if b > a]


def group_events(labels: npt.NDArray[np.int8]) -> tuple[npt.NDArray[np.int8], dict[str, int]]:
    """Turn the algorithm's one-label-per-event into interval kinds and event counts.

    Parameters
    ----------
    labels : :class:`ArtifactKind` codes of one segment as the algorithm gives them.

    Returns
    -------
    The kind of every interval (event partners included) and the counts of
    ectopic, missed, extra, long and short events.
    """
    kind = labels.copy()
    n = kind.size
    ectopic_at = np.flatnonzero(labels == ArtifactKind.ECTOPIC)
    extra_at = np.flatnonzero(labels == ArtifactKind.EXTRA)
    # Consecutive labels (bigeminy): in a run, every second one is a new ectopic beat.
    run_start = np.ones(ectopic_at.size, dtype=np.bool_)
    run_start[1:] = np.diff(ectopic_at) != 1
    first_of_run = np.maximum.accumulate(np.where(run_start, np.arange(ectopic_at.size), 0))
    ectopic_events = int(np.count_nonzero((np.arange(ectopic_at.size) - first_of_run) % 2 == 0))
    # The beat before an ectopic one is its partner (compensatory pause); the
    # one after an extra beat completes it. Only normal, long or short beats join.
    before = ectopic_at[ectopic_at > 0] - 1
    kind[before[np.isin(labels[before], _ABSORBABLE)]] = ArtifactKind.ECTOPIC
    after = extra_at[extra_at + 1 < n] + 1
    kind[after[np.isin(kind[after], _ABSORBABLE)]] = ArtifactKind.EXTRA
    return kind, {
        "ectopic": ectopic_events,
        "missed": int(np.count_nonzero(labels == ArtifactKind.MISSED)),
        "extra": int(extra_at.size),
        "long": int(np.count_nonzero(kind == ArtifactKind.LONG)),
        "short": int(np.count_nonzero(kind == ArtifactKind.SHORT)),
    }


def _segment_kinds(
    seg: npt.NDArray[np.float64], ceiling: float | None
) -> tuple[npt.NDArray[np.int8], dict[str, int]]:
    labels = np.zeros(seg.size, dtype=np.int8)
    finite = np.isfinite(seg)
    if seg.size >= MIN_SEGMENT_BEATS and finite.any():
        # A missing value is bridged linearly so it disturbs neither the
        # thresholds nor its neighbours' patterns; it is out of range itself.
        at = np.arange(seg.size)
        filled = np.interp(at, at[finite], seg[finite])
        drr = np.diff(filled, prepend=filled[0])
        labels = classify(filled, segment_features(filled, drr, ceiling_fraction=ceiling))
        labels[~finite] = ArtifactKind.NORMAL
    kind, counts = group_events(labels)
    plausible = (seg >= RR_MIN_MS) & (seg <= RR_MAX_MS)
    implausible = ((kind == ArtifactKind.NORMAL) & ~plausible) | ~finite
    kind[implausible] = ArtifactKind.OUT_OF_RANGE
    counts["out_of_range"] = int(implausible.sum())
    return kind, counts


def screen_artifacts(
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None = None,
    *,
    threshold_ceiling: float | None = THRESHOLD_CEILING_FRACTION,
) -> ArtifactScreen:
    """Classify RR intervals as normal or artifact (Lipponen & Tarvainen 2019).

    Parameters
    ----------
    rr_ms : RR intervals, in milliseconds; ``rr_ms[j]`` ends at beat ``j``.
    gap_before : optional boolean mask, True where beats may be missing before
        an interval (the first beat of each gap-free segment). Nothing is
        compared across a gap.
    threshold_ceiling : cap on the adaptive thresholds as a fraction of the
        local median RR (see :mod:`signals.artifacts.lipponen`); None for the plain
        algorithm of the paper, which misses frequent ectopy.

    Returns
    -------
    ArtifactScreen
        The ``flagged`` mask, the kind of each interval and event counts by type.
        The last two intervals of each segment are checked for plausibility only
        (the algorithm needs two beats of look-ahead).

    References
    ----------
    Lipponen JA, Tarvainen MP (2019) J Med Eng Technol 43(3):173-181.
    """
    rr = np.asarray(rr_ms, dtype=np.float64)
    gaps = (
        np.zeros(rr.size, dtype=np.bool_)
        if gap_before is None
        else np.asarray(gap_before, dtype=np.bool_)
    )
    if gaps.shape != rr.shape:
        raise ValueError("rr_ms and gap_before must have the same length")
    kind = np.zeros(rr.size, dtype=np.int8)
    totals = dict.fromkeys(("ectopic", "missed", "extra", "long", "short", "out_of_range"), 0)
    for start, end in segment_bounds(gaps):
        seg_kind, seg_counts = _segment_kinds(rr[start:end], threshold_ceiling)
        kind[start:end] = seg_kind
        for key, value in seg_counts.items():
            totals[key] += value
    return ArtifactScreen(flagged=kind != ArtifactKind.NORMAL, kind=kind, **totals)
