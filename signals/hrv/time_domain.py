"""Time-domain HRV of an RR series, defined as Kubios HRV defines it.

Every function takes the RR intervals and a ``gap_before`` mask. ``rr_ms[j]`` is
the interval that ends at beat ``j``; ``gap_before[j]`` is True when beats may be
missing before beat ``j`` (the first beat of each gap-free segment). A
*successive difference* ``rr_ms[j] - rr_ms[j - 1]`` exists only when
``gap_before[j]`` is False: no difference, moving average or pair ever reaches
across a gap.

Definitions (``RR`` in ms, ``N`` intervals, ``D`` the successive differences)
---------------------------------------------------------------------------
- mean RR = ``sum(RR) / N``
- SDNN = ``sqrt(sum((RR - mean RR)^2) / (N - 1))`` (ddof = 1, as everyone)
- RMSSD = ``sqrt(mean(D^2))``
- SDSD = standard deviation of ``D`` with ddof = 1
- pNNx = ``100 * count(|D| > x) / len(D)`` in %, the denominator being the number
  of successive differences (Kubios, pyhrv, hrv-analysis; NeuroKit2 divides by
  the number of intervals instead), for x = 50 ms and x = 20 ms.
- mean HR = ``60000 / mean RR`` in beats/min (Kubios and NeuroKit2; not the
  mean of ``60000 / RR``, which is about 1 bpm higher).
- min / max HR: the extremes of the instantaneous heart rate ``60000 / RR``
  smoothed by a moving average over ``hr_average_beats`` beats. Kubios'
  default is 5 beats ("Min/Max HR as average of: 5 beats"); 1 beat gives the
  raw extremes. Only complete windows inside one gap-free segment count.

References
----------
Task Force of the ESC and NASPE. Heart rate variability: standards of
measurement, physiological interpretation and clinical use. Circulation
1996;93:1043-1065. Shaffer F, Ginsberg JP. An overview of heart rate variability
metrics and norms. Front Public Health 2017;5:258. Tarvainen MP et al. Kubios
HRV user's guide (version 3), Kubios Oy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = [
    "HR_AVERAGE_BEATS",
    "MS_PER_MIN",
    "PNN20_THRESHOLD_MS",
    "PNN50_THRESHOLD_MS",
    "FloatArray",
    "TimeDomain",
    "as_series",
    "heart_rate_extremes",
    "pair_mask",
    "pnn",
    "successive_differences",
    "time_domain",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

MS_PER_MIN: Final = 60000.0
"""Milliseconds per minute: heart rate in beats/min is ``MS_PER_MIN / RR``."""
PNN50_THRESHOLD_MS: Final = 50.0
"""Threshold of pNN50, in milliseconds."""
PNN20_THRESHOLD_MS: Final = 20.0
"""Threshold of pNN20, in milliseconds (the Kubios reference report uses it)."""
HR_AVERAGE_BEATS: Final = 5
"""Moving-average length of the min / max heart rate, in beats (Kubios default)."""


def as_series(
    rr_ms: npt.ArrayLike, gap_before: npt.ArrayLike | None = None
) -> tuple[FloatArray, BoolArray]:
    """RR intervals as float64 and the gap mask as bool, checked for equal length."""
    rr = np.asarray(rr_ms, dtype=np.float64).ravel()
    gaps = (
        np.zeros(rr.size, dtype=np.bool_)
        if gap_before is None
        else np.asarray(gap_before, dtype=np.bool_).ravel()
    )
    if gaps.shape != rr.shape:
        raise ValueError(f"rr_ms ({rr.size}) and gap_before ({gaps.size}) differ in length")
    return rr, gaps


def pair_mask(gaps: BoolArray) -> BoolArray:
    """True for each successive pair ``(j - 1, j)``, ``j >= 1``, that no gap separates."""
    return ~gaps[1:]


def successive_differences(
    rr_ms: npt.ArrayLike, gap_before: npt.ArrayLike | None = None
) -> FloatArray:
    """Successive differences ``rr[j] - rr[j - 1]`` in ms, never across a gap.

    Parameters
    ----------
    rr_ms : RR intervals, in milliseconds.
    gap_before : True where beats may be missing before an interval.

    Returns
    -------
    The differences of all pairs within gap-free segments, in order.
    """
    rr, gaps = as_series(rr_ms, gap_before)
    if rr.size < 2:
        return np.zeros(0)
    return np.diff(rr)[pair_mask(gaps)]


def pnn(diffs_ms: FloatArray, threshold_ms: float) -> float | None:
    """Share of successive differences larger than ``threshold_ms``, in %.

    The denominator is the number of successive differences (Kubios); None
    when there is none.
    """
    if diffs_ms.size == 0:
        return None
    return float(100.0 * np.count_nonzero(np.abs(diffs_ms) > threshold_ms) / diffs_ms.size)


def heart_rate_extremes(
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None = None,
    average_beats: int = HR_AVERAGE_BEATS,
) -> tuple[float | None, float | None]:
    """Min and max of the heart rate averaged over ``average_beats`` beats, in beats/min.

    The instantaneous rate ``60000 / RR`` is averaged over every run of
    ``average_beats`` consecutive intervals that lies inside one gap-free
    segment (a "valid" moving average: no padding at the ends). Kubios reports
    these extremes with a 5-beat average by default.

    Returns
    -------
    ``(min_hr_bpm, max_hr_bpm)``, or ``(None, None)`` when no segment holds
    ``average_beats`` intervals.
    """
    if average_beats < 1:
        raise ValueError("average_beats must be at least 1")
    rr, gaps = as_series(rr_ms, gap_before)
    if rr.size < average_beats:
        return None, None
    hr = MS_PER_MIN / rr
    csum = np.concatenate(([0.0], np.cumsum(hr)))
    means = (csum[average_beats:] - csum[:-average_beats]) / average_beats
    # A window [i, i + k) is gap-free when no gap starts a beat in (i, i + k).
    gcount = np.concatenate(([0], np.cumsum(gaps[1:].astype(np.int64))))
    inside = gcount[average_beats - 1 :] - gcount[: gcount.size - average_beats + 1] == 0
    if not inside.any():
        return None, None
    valid = means[inside]
    return float(valid.min()), float(valid.max())


@dataclass(frozen=True, slots=True)
class TimeDomain:
    """Time-domain HRV (see the module docstring for the definitions).

    Attributes
    ----------
    mean_rr_ms, sdnn_ms, rmssd_ms, sdsd_ms : in milliseconds.
    pnn50_pct, pnn20_pct : in % of successive differences.
    mean_hr_bpm, min_hr_bpm, max_hr_bpm : in beats/min.

    Every value is None when the series is too short for it.
    """

    mean_rr_ms: float | None
    sdnn_ms: float | None
    rmssd_ms: float | None
    sdsd_ms: float | None
    pnn50_pct: float | None
    pnn20_pct: float | None
    mean_hr_bpm: float | None
    min_hr_bpm: float | None
    max_hr_bpm: float | None

    def to_json(self) -> dict[str, float | None]:
        """The values keyed by attribute name (plain floats or None)."""
        return {
            "mean_rr_ms": self.mean_rr_ms,
            "sdnn_ms": self.sdnn_ms,
            "rmssd_ms": self.rmssd_ms,
            "sdsd_ms": self.sdsd_ms,
            "pnn50_pct": self.pnn50_pct,
            "pnn20_pct": self.pnn20_pct,
            "mean_hr_bpm": self.mean_hr_bpm,
            "min_hr_bpm": self.min_hr_bpm,
            "max_hr_bpm": self.max_hr_bpm,
        }


def time_domain(
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None = None,
    *,
    hr_average_beats: int = HR_AVERAGE_BEATS,
) -> TimeDomain:
    """Time-domain HRV of an RR series.

    Parameters
    ----------
    rr_ms : RR (ideally NN) intervals, in milliseconds.
    gap_before : True where beats may be missing before an interval; successive
        differences never cross a gap.
    hr_average_beats : moving-average length for min / max HR, in beats
        (Kubios default 5; the Kubios reference report used 1).

    Returns
    -------
    TimeDomain
        Mean RR and mean HR need one interval, SDNN two, RMSSD and pNNx one
        successive difference, SDSD two; otherwise the value is None.

    References
    ----------
    Task Force 1996; Shaffer & Ginsberg 2017; Kubios HRV user's guide.
    """
    rr, gaps = as_series(rr_ms, gap_before)
    diffs = successive_differences(rr, gaps)
    mean_rr = float(rr.mean()) if rr.size else None
    min_hr, max_hr = heart_rate_extremes(rr, gaps, hr_average_beats)
    return TimeDomain(
        mean_rr_ms=mean_rr,
        sdnn_ms=float(rr.std(ddof=1)) if rr.size >= 2 else None,
        rmssd_ms=float(np.sqrt(np.mean(diffs**2))) if diffs.size else None,
        sdsd_ms=float(diffs.std(ddof=1)) if diffs.size >= 2 else None,
        pnn50_pct=pnn(diffs, PNN50_THRESHOLD_MS),
        pnn20_pct=pnn(diffs, PNN20_THRESHOLD_MS),
        mean_hr_bpm=MS_PER_MIN / mean_rr if mean_rr else None,
        min_hr_bpm=min_hr,
        max_hr_bpm=max_hr,
    )
