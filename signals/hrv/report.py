"""The HRV report of a span of beats: artifacts, time, frequency, nonlinear, stress, breathing.

:func:`hrv_report` is the one entry point for session and day reports. Steps:

1. Intervals that are not finite are dropped (the next beat gets a gap).
2. Artifacts are screened (Lipponen & Tarvainen 2019,
   :func:`signals.artifacts.batch.screen_artifacts`) and summarised in
   :class:`ArtifactSummary` in every case.
3. With ``correct=True`` the normal-to-normal series is built by
   :func:`signals.artifacts.correct.correct_artifacts` (missed beats split,
   extra beats merged, other artifacts interpolated within their gap-free
   segment), each corrected interval keeping the time of its closing beat.
   This step lives in :func:`normal_to_normal` alone.
4. The markers of :mod:`signals.hrv.time_domain`, :mod:`signals.hrv.frequency`,
   :mod:`signals.hrv.nonlinear`, :mod:`signals.hrv.indices` and
   :mod:`signals.breathing.respiration` are computed on that series, gaps respected.

Values that cannot be computed (too few beats, no stretch long enough for a
spectrum) are None, never NaN. ``n_beats`` counts the analysed intervals;
``duration_s`` runs from the start of the first analysed interval to the last
beat, gaps included.

Costs: a 5-min span takes a few milliseconds; a 22-h Holter day (106 000
beats) about a second, most of it in the artifact screen (sample entropy is
sampled on long spans, see :mod:`signals.hrv.nonlinear`).

References
----------
Task Force of the ESC and NASPE. Circulation 1996;93:1043-1065. Lipponen JA,
Tarvainen MP. J Med Eng Technol 2019;43(3):173-181. Shaffer F, Ginsberg JP.
Front Public Health 2017;5:258. Tarvainen MP et al. Kubios HRV user's guide.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from signals.artifacts.batch import ArtifactScreen, screen_artifacts
from signals.artifacts.correct import correct_artifacts
from signals.breathing.respiration import (
    BreathingEstimate,
    breathing_estimate,
)
from signals.hrv.frequency import FrequencyDomain, frequency_domain, rr_spectrum
from signals.hrv.indices import (
    AutonomicNorms,
    StressIndices,
    autonomic_indices,
    baevsky_stress_index,
)
from signals.hrv.nonlinear import Nonlinear, nonlinear
from signals.hrv.time_domain import HR_AVERAGE_BEATS, FloatArray, TimeDomain, as_series, time_domain

__all__ = ["ArtifactSummary", "HRVReport", "hrv_report", "normal_to_normal"]

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class ArtifactSummary:
    """Artifacts found in the span before any correction.

    Attributes
    ----------
    fraction : share of RR intervals flagged, 0..1.
    ectopic, missed, extra : number of events of each kind.
    long_short : long, short and implausible (out-of-range) intervals.
    """

    fraction: float
    ectopic: int
    missed: int
    extra: int
    long_short: int

    @classmethod
    def from_screen(cls, screen: ArtifactScreen) -> ArtifactSummary:
        """Summarise a :class:`~signals.artifacts.batch.ArtifactScreen`."""
        return cls(
            fraction=float(screen.fraction),
            ectopic=int(screen.ectopic),
            missed=int(screen.missed),
            extra=int(screen.extra),
            long_short=int(screen.long + screen.short + screen.out_of_range),
        )

    def to_json(self) -> dict[str, float | int]:
        """The values keyed by attribute name."""
        return {
            "fraction": self.fraction,
            "ectopic": self.ectopic,
            "missed": self.missed,
            "extra": self.extra,
            "long_short": self.long_short,
        }


@dataclass(frozen=True, slots=True)
class HRVReport:
    """HRV report of a span of beats (see :func:`hrv_report`).

    Attributes
    ----------
    n_beats : number of analysed RR intervals.
    duration_s : from the start of the first interval to the last beat, in s.
    artifacts, time, frequency, nonlinear, stress : the parts.
    respiration : breathing rate (breaths/min) and its quality.
    """

    n_beats: int
    duration_s: float
    artifacts: ArtifactSummary
    time: TimeDomain
    frequency: FrequencyDomain
    nonlinear: Nonlinear
    stress: StressIndices
    respiration: BreathingEstimate

    def to_json(self) -> dict[str, object]:
        """Plain JSON-ready dict: numbers, None and nested dicts only."""
        return {
            "n_beats": self.n_beats,
            "duration_s": self.duration_s,
            "artifacts": self.artifacts.to_json(),
            "time": self.time.to_json(),
            "frequency": self.frequency.to_json(),
            "nonlinear": self.nonlinear.to_json(),
            "stress": self.stress.to_json(),
            "respiration": {"rate_per_min": self.respiration.rate_per_min},
        }


def _finite(
    time_s: FloatArray, rr: FloatArray, gaps: BoolArray
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Drop non-finite intervals or times; the beat after a dropped one gets a gap."""
    ok = np.isfinite(rr) & np.isfinite(time_s)
    if ok.all():
        return time_s, rr, gaps
    dropped_before = np.concatenate(([False], ~ok[:-1]))
    gaps = gaps | dropped_before
    return time_s[ok], rr[ok], gaps[ok]


def normal_to_normal(
    time_s: FloatArray, rr_ms: FloatArray, gap_before: BoolArray, screen: ArtifactScreen
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """The corrected (NN) series with its beat times and gaps.

    Uses :func:`signals.artifacts.correct.correct_artifacts`; a corrected
    interval ends at its source beat's time plus its end offset.
    """
    fixed = correct_artifacts(rr_ms, screen, gap_before)
    times = time_s[fixed.source_index] + fixed.end_offset_ms / 1000.0
    return times, fixed.rr_ms, fixed.gap_before


def hrv_report(
    time_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None = None,
    *,
    correct: bool = True,
    norms: AutonomicNorms | None = None,
    hr_average_beats: int = HR_AVERAGE_BEATS,
    detrend: bool = False,
    screen: ArtifactScreen | None = None,
) -> HRVReport:
    """HRV report of a span of beats (module docstring).

    Parameters
    ----------
    time_s : beat times, in seconds (the beat closing each interval), increasing.
    rr_ms : RR intervals, in milliseconds.
    gap_before : True where beats may be missing before a beat.
    correct : correct artifacts before analysis (the summary is always given).
    norms : personal baseline for the PNS / SNS indices; None uses the
        published norms (``report.stress.norms_source`` says which).
    hr_average_beats : moving average for min / max HR, in beats (Kubios 5).
    detrend : smoothness-priors detrending before the spectrum.
    screen : :func:`~signals.artifacts.batch.screen_artifacts` of these beats, when
        the caller has it already; it is used only when every beat is finite (else,
        as when None, the finite beats are screened here).

    Returns
    -------
    HRVReport

    References
    ----------
    Task Force 1996; Lipponen & Tarvainen 2019; Kubios HRV user's guide.
    """
    rr, gaps = as_series(rr_ms, gap_before)
    t = np.asarray(time_s, dtype=np.float64).ravel()
    if t.shape != rr.shape:
        raise ValueError(f"time_s ({t.size}) and rr_ms ({rr.size}) differ in length")
    n_given = rr.size
    t, rr, gaps = _finite(t, rr, gaps)
    if rr.size == 0:
        screen_summary = ArtifactSummary(0.0, 0, 0, 0, 0)
    else:
        if screen is None or rr.size != n_given or screen.flagged.shape != rr.shape:
            screen = screen_artifacts(rr, gaps)
        screen_summary = ArtifactSummary.from_screen(screen)
        if correct:
            t, rr, gaps = normal_to_normal(t, rr, gaps, screen)
    td = time_domain(rr, gaps, hr_average_beats=hr_average_beats)
    spectrum = rr_spectrum(t, rr, gaps, detrend=detrend) if rr.size else None
    fd = frequency_domain(t, rr, gaps, spectrum=spectrum)
    nl = nonlinear(rr, gaps)
    stress = autonomic_indices(
        mean_rr_ms=td.mean_rr_ms,
        rmssd_ms=td.rmssd_ms,
        sd1_ms=nl.sd1_ms,
        sd2_ms=nl.sd2_ms,
        baevsky_si=baevsky_stress_index(rr),
        norms=norms,
    )
    breathing = breathing_estimate(t, rr, gaps)
    duration = float(t[-1] - t[0] + rr[0] / 1000.0) if rr.size else 0.0
    return HRVReport(
        n_beats=int(rr.size),
        duration_s=duration,
        artifacts=screen_summary,
        time=td,
        frequency=fd,
        nonlinear=nl,
        stress=stress,
        respiration=breathing,
    )
