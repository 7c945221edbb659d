"""Screening RR series for artifacts: ectopic, missed and extra beats.

This module holds the day-level screen used for data-quality figures
(``artifacts_fraction``). Each RR interval is compared with the median of
its neighbours (a centred window of :data:`MEDIAN_WINDOW_BEATS` beats,
computed within each gap-free segment, never across a gap), in the spirit
of the threshold-based correction of Kubios HRV (Tarvainen et al. 2014)
and of the "20 % rule" of Malik et al. (1989):

- ``out_of_range``: RR outside ``[RR_MIN_MS, RR_MAX_MS]``;
- ``ectopic``: a short interval followed by a long one (premature beat and
  its compensatory pause), both beats flagged, counted once;
- ``missed``: RR close to twice the local median (a beat not detected);
- ``extra``: two successive RR that together make about one local median
  (a spurious detection splitting an interval);
- ``long`` / ``short``: any other interval deviating by more than
  :data:`RELATIVE_THRESHOLD` from the local median.

References: Malik M et al. (1989) Am J Cardiol 64:1344; Tarvainen MP et al.
(2014) Comput Methods Programs Biomed 113:210; Lipponen JA & Tarvainen MP
(2019) J Med Eng Technol 43:173.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from scipy.ndimage import median_filter

__all__ = [
    "MEDIAN_WINDOW_BEATS",
    "RELATIVE_THRESHOLD",
    "RR_MAX_MS",
    "RR_MIN_MS",
    "ArtifactScreen",
    "screen_artifacts",
]

RR_MIN_MS: Final = 300.0
RR_MAX_MS: Final = 2000.0
RELATIVE_THRESHOLD: Final = 0.2
MEDIAN_WINDOW_BEATS: Final = 11
_PAIR_TOLERANCE: Final = 0.2


@dataclass(frozen=True, slots=True)
class ArtifactScreen:
    """Result of :func:`screen_artifacts`.

    Attributes
    ----------
    flagged : boolean mask, True for each RR interval judged not normal-to-normal.
    ectopic, missed, extra, long, short, out_of_range : counts of events by type
        (an ectopic pair counts once).
    """

    flagged: npt.NDArray[np.bool_]
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
        return {
            "ectopic": self.ectopic,
            "missed": self.missed,
            "extra": self.extra,
            "long": self.long,
            "short": self.short,
            "out_of_range": self.out_of_range,
        }


def _segment_bounds(gap_before: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    starts = np.flatnonzero(gap_before)
    if starts.size == 0 or starts[0] != 0:
        starts = np.concatenate(([0], starts))
    ends = np.concatenate((starts[1:], [gap_before.size]))
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True) if b > a]


def screen_artifacts(
    rr_ms: npt.ArrayLike, gap_before: npt.ArrayLike | None = None
) -> ArtifactScreen:
    """Flag RR intervals that are unlikely to be normal-to-normal.

    Parameters
    ----------
    rr_ms : RR intervals, in milliseconds.
    gap_before : optional boolean mask; True where beats may be missing before
        an interval. Comparisons never reach across such a gap.

    Returns
    -------
    ArtifactScreen
    """
    rr = np.asarray(rr_ms, dtype=np.float64)
    gaps = (
        np.zeros(rr.size, dtype=np.bool_)
        if gap_before is None
        else np.asarray(gap_before, dtype=np.bool_)
    )
    if gaps.shape != rr.shape:
        raise ValueError("rr_ms and gap_before must have the same length")
    flagged = np.zeros(rr.size, dtype=np.bool_)
    totals = dict.fromkeys(("ectopic", "missed", "extra", "long", "short", "out_of_range"), 0)
    for start, end in _segment_bounds(gaps):
        seg = rr[start:end]
        out_of_range = (seg < RR_MIN_MS) | (seg > RR_MAX_MS)
        ref = median_filter(seg, size=MEDIAN_WINDOW_BEATS, mode="nearest")
        ratio = seg / ref
        short = ratio < 1.0 - RELATIVE_THRESHOLD
        long = ratio > 1.0 + RELATIVE_THRESHOLD
        seg_flag = out_of_range | short | long
        totals["out_of_range"] += int(out_of_range.sum())
        i = 0
        n = seg.size
        while i < n:
            if out_of_range[i] or not (short[i] or long[i]):
                i += 1
                continue
            nxt = i + 1 < n
            if short[i] and nxt and long[i + 1]:
                totals["ectopic"] += 1
                i += 2
            elif (
                short[i]
                and nxt
                and short[i + 1]
                and abs(ratio[i] + ratio[i + 1] - 1.0) < _PAIR_TOLERANCE
            ):
                totals["extra"] += 1
                i += 2
            elif long[i] and abs(ratio[i] - 2.0) < _PAIR_TOLERANCE * 2:
                totals["missed"] += 1
                i += 1
            else:
                totals["long" if long[i] else "short"] += 1
                i += 1
        flagged[start:end] = seg_flag
    return ArtifactScreen(flagged=flagged, **totals)
