"""Baevsky's stress index and the PNS / SNS indices, as open formulas.

Baevsky's stress index (as Kubios HRV reports it)
-------------------------------------------------
``SI = AMo / (2 * Mo * MxDMn)`` (Baevsky & Chernikova 2017), with

- ``Mo``: the median RR interval, in s (Kubios uses the median as the mode);
- ``AMo``: the share of RR intervals in the tallest bin of a 50 ms histogram
  whose bins start at the shortest interval, in %;
- ``MxDMn``: the spread of the RR intervals as the difference between their
  97.5th and 2.5th percentiles (linear interpolation), in s;

and Kubios reports ``sqrt(SI)`` "to make it normally distributed" (Kubios user's
guide); so do we (:attr:`StressIndices.baevsky_si`). On the Kubios sample this
gives 7.7190 against Kubios' 7.7198 (1e-4 relative). The percentile spread is
not in Baevsky's papers (they use max - min) and not printed by Kubios: it is
the spread that reproduces Kubios' value (max - min gives 5.66 on the sample).
:func:`baevsky_components` returns the parts.

PNS and SNS indices
-------------------
Kubios describes its PNS index as built from mean RR, RMSSD and Poincaré SD1,
and its SNS index from mean HR, Baevsky's stress index and SD2, each compared
with normal population values, but does not publish the weighting nor its
normal values. Ours are open: the mean of the z-scores of the markers against
a supplied ``(mean, sd)`` per marker,

- ``PNS = (z(mean RR) + z(RMSSD) + z(SD1)) / 3``
- ``SNS = (z(mean HR) + z(sqrt SI) - z(SD2)) / 3`` (less SD2 = more sympathetic),

with ``z(x) = (x - mean) / sd``. A personal baseline (``norms_source =
"personal"``) is the intended use; without one, :data:`PUBLISHED_NORMS` are the
fallback (``norms_source = "published"``): resting short-term values of healthy
adults from Nunan et al. 2010 (mean RR 926 ± 90 ms, RMSSD 42 ± 15 ms,
SDNN 50 ± 16 ms), from which SD1, SD2 and mean HR are derived with the
Poincaré identities and ``HR = 60000 / RR`` (SDs scaled alike), and Baevsky's
normal range of SI, 50–150, read as mean ± 1 SD on the square-root scale.
These do not reproduce Kubios' values (see the tests for how far they are).

References
----------
Baevsky RM, Chernikova AG. Heart rate variability analysis: physiological
foundations and main methods. Cardiometry 2017;10:66-76. Baevsky RM et al.
Methodical recommendations: use of the KARDiVAR system, 2008. Nunan D, Sandercock
GRH, Brodie DA. A quantitative systematic review of normal values for
short-term heart rate variability in healthy adults. PACE 2010;33:1407-1417.
Brennan M et al. IEEE Trans Biomed Eng 2001;48:1342-1347. Tarvainen MP et al.
Kubios HRV user's guide; Kubios, "HRV and ANS function" (kubios.com).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from signals.hrv.time_domain import MS_PER_MIN

__all__ = [
    "BAEVSKY_BIN_MS",
    "BAEVSKY_SPREAD_PERCENTILES",
    "PUBLISHED_NORMS",
    "AutonomicNorms",
    "BaevskyComponents",
    "MarkerNorm",
    "NormsSource",
    "StressIndices",
    "autonomic_indices",
    "baevsky_components",
    "baevsky_stress_index",
]

BAEVSKY_BIN_MS: Final = 50.0
"""Width of the RR histogram bins for AMo, in milliseconds."""
BAEVSKY_SPREAD_PERCENTILES: Final = (2.5, 97.5)
"""Percentiles whose difference is MxDMn, in %."""
BAEVSKY_MIN_BEATS: Final = 20
"""Fewest intervals for a stress index."""

NormsSource = Literal["personal", "published"]


@dataclass(frozen=True, slots=True)
class BaevskyComponents:
    """The parts of Baevsky's stress index (module docstring).

    Attributes
    ----------
    mo_s : median RR, in seconds.
    amo_pct : share of intervals in the modal 50 ms bin, in %.
    mxdmn_s : 97.5th minus 2.5th percentile of RR, in seconds.
    si : ``AMo / (2 Mo MxDMn)``, in 1/s² (not square-rooted).
    """

    mo_s: float
    amo_pct: float
    mxdmn_s: float
    si: float


def baevsky_components(rr_ms: npt.ArrayLike) -> BaevskyComponents | None:
    """Mo, AMo, MxDMn and SI of an RR series; None with too few or constant intervals."""
    rr = np.asarray(rr_ms, dtype=np.float64).ravel()
    rr = rr[np.isfinite(rr)]
    if rr.size < BAEVSKY_MIN_BEATS:
        return None
    lo_pct, hi_pct = BAEVSKY_SPREAD_PERCENTILES
    spread_ms = float(np.percentile(rr, hi_pct) - np.percentile(rr, lo_pct))
    if spread_ms <= 0.0:
        return None
    low = float(rr.min())
    n_bins = max(1, math.ceil((float(rr.max()) - low) / BAEVSKY_BIN_MS))
    counts, _ = np.histogram(rr, bins=n_bins, range=(low, low + n_bins * BAEVSKY_BIN_MS))
    mo_s = float(np.median(rr)) / 1000.0
    amo_pct = 100.0 * float(counts.max()) / rr.size
    mxdmn_s = spread_ms / 1000.0
    return BaevskyComponents(mo_s, amo_pct, mxdmn_s, amo_pct / (2.0 * mo_s * mxdmn_s))


def baevsky_stress_index(rr_ms: npt.ArrayLike) -> float | None:
    """Baevsky's stress index as Kubios reports it: ``sqrt(AMo / (2 Mo MxDMn))``.

    Parameters
    ----------
    rr_ms : RR (ideally NN) intervals, in milliseconds; order does not matter.

    Returns
    -------
    The square root of SI (dimensionless as reported; SI itself is in 1/s²), or
    None with fewer than 20 intervals.

    References
    ----------
    Baevsky & Chernikova 2017; Kubios HRV user's guide.
    """
    parts = baevsky_components(rr_ms)
    return math.sqrt(parts.si) if parts is not None else None


@dataclass(frozen=True, slots=True)
class MarkerNorm:
    """Reference distribution of one marker: its mean and standard deviation."""

    mean: float
    sd: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.mean) and math.isfinite(self.sd) and self.sd > 0.0):
            raise ValueError(f"a norm needs a finite mean and a positive sd, got {self}")

    def z(self, value: float) -> float:
        """``(value - mean) / sd``."""
        return (value - self.mean) / self.sd


@dataclass(frozen=True, slots=True)
class AutonomicNorms:
    """Reference ``(mean, sd)`` per marker for the PNS and SNS indices.

    Attributes
    ----------
    mean_rr_ms, rmssd_ms, sd1_ms : PNS markers, in ms.
    mean_hr_bpm : in beats/min; baevsky_si : square-root scale (as reported);
    sd2_ms : in ms (SNS markers).
    """

    mean_rr_ms: MarkerNorm
    rmssd_ms: MarkerNorm
    sd1_ms: MarkerNorm
    mean_hr_bpm: MarkerNorm
    baevsky_si: MarkerNorm
    sd2_ms: MarkerNorm


def _published_norms() -> AutonomicNorms:
    rr, rr_sd = 926.0, 90.0  # Nunan et al. 2010
    rmssd, rmssd_sd = 42.0, 15.0  # Nunan et al. 2010
    sdnn, sdnn_sd = 50.0, 16.0  # Nunan et al. 2010
    sd1 = rmssd / math.sqrt(2.0)  # SD1² = RMSSD² / 2
    sd2 = math.sqrt(2.0 * sdnn**2 - 0.5 * rmssd**2)  # SD2² = 2 SDNN² - SD1²
    hr = MS_PER_MIN / rr
    si_low, si_high = math.sqrt(50.0), math.sqrt(150.0)  # Baevsky's normal SI range
    return AutonomicNorms(
        mean_rr_ms=MarkerNorm(rr, rr_sd),
        rmssd_ms=MarkerNorm(rmssd, rmssd_sd),
        sd1_ms=MarkerNorm(sd1, sd1 * rmssd_sd / rmssd),
        mean_hr_bpm=MarkerNorm(hr, hr * rr_sd / rr),
        baevsky_si=MarkerNorm((si_low + si_high) / 2.0, (si_high - si_low) / 2.0),
        sd2_ms=MarkerNorm(sd2, sd2 * sdnn_sd / sdnn),
    )


PUBLISHED_NORMS: Final = _published_norms()
"""Population fallback (module docstring): Nunan et al. 2010 and Baevsky's SI range."""


@dataclass(frozen=True, slots=True)
class StressIndices:
    """Baevsky's stress index and the PNS / SNS indices.

    Attributes
    ----------
    baevsky_si : ``sqrt(AMo / (2 Mo MxDMn))`` as Kubios reports it.
    pns_index, sns_index : mean z-scores (module docstring); 0 = the reference.
    norms_source : "personal" when a baseline was supplied, else "published".
    """

    baevsky_si: float | None
    pns_index: float | None
    sns_index: float | None
    norms_source: NormsSource

    def to_json(self) -> dict[str, float | None]:
        """``baevsky_si``, ``pns_index`` and ``sns_index`` (plain floats or None)."""
        return {
            "baevsky_si": self.baevsky_si,
            "pns_index": self.pns_index,
            "sns_index": self.sns_index,
        }


def autonomic_indices(
    *,
    mean_rr_ms: float | None,
    rmssd_ms: float | None,
    sd1_ms: float | None,
    sd2_ms: float | None,
    baevsky_si: float | None,
    norms: AutonomicNorms | None = None,
) -> StressIndices:
    """PNS and SNS indices from the markers, against ``norms`` or the published ones.

    Parameters
    ----------
    mean_rr_ms, rmssd_ms, sd1_ms, sd2_ms : markers of the span, in ms.
    baevsky_si : square-root stress index (:func:`baevsky_stress_index`).
    norms : a personal baseline; None falls back to :data:`PUBLISHED_NORMS`.

    Returns
    -------
    StressIndices
        An index is None when one of its markers is None. Mean HR is
        ``60000 / mean RR``.

    References
    ----------
    Nunan et al. 2010; Baevsky & Chernikova 2017; Kubios, "HRV and ANS function".
    """
    ref = PUBLISHED_NORMS if norms is None else norms
    source: NormsSource = "published" if norms is None else "personal"
    pns = None
    if mean_rr_ms is not None and rmssd_ms is not None and sd1_ms is not None:
        z_sum = ref.mean_rr_ms.z(mean_rr_ms) + ref.rmssd_ms.z(rmssd_ms) + ref.sd1_ms.z(sd1_ms)
        pns = float(z_sum / 3.0)
    sns = None
    if mean_rr_ms and baevsky_si is not None and sd2_ms is not None:
        z_hr = ref.mean_hr_bpm.z(MS_PER_MIN / mean_rr_ms)
        z_sum = z_hr + ref.baevsky_si.z(baevsky_si) - ref.sd2_ms.z(sd2_ms)
        sns = float(z_sum / 3.0)
    return StressIndices(baevsky_si, pns, sns, source)
