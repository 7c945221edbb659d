"""One breathing rate from up to three sources, saying which one was used.

The sources, each a :class:`~signals.breathing.respiration.BreathingEstimate`
from the same estimator (whitened spectral peak and counting that must agree;
quality = concentration × agreement, so the qualities share one scale):

- ``"rsa"``: the heart rhythm (respiratory sinus arrhythmia in the RR series;
  any strap);
- ``"ecg"``: the ECG-derived respiration, R-amplitude modulation (Polar H10 ECG);
- ``"chest"``: the chest accelerometer's breathing movement (Polar H10 ACC).

Rule (:func:`fuse_breathing`):

1. Sources without a rate, or with quality below :data:`MIN_QUALITY`, are
   left out.
2. The **best** source is the one of highest quality (ties: chest, then ECG,
   then RSA: the more direct measurement of the breath first); ``used`` names it.
3. Sources whose rate is within :data:`MAX_DISAGREEMENT_PER_MIN` (3/min) of the
   best one's are fused with it; farther ones are never averaged in (a source
   locked on a harmonic or on Mayer waves would drag the mean to a rate nobody
   breathes at). When two of the remaining ones differ by more than 3/min from
   each other, the one farther from the best is dropped, until all agree.
4. The rate is the quality-weighted mean of the fused sources
   (``Σ qᵢ rᵢ / Σ qᵢ``); ``fused`` lists them, best first.

References
----------
Karlen W, Raman S, Ansermino JM, Dumont GA. Multiparameter respiratory rate
estimation from the photoplethysmogram. IEEE Trans Biomed Eng
2013;60(7):1946-1953 (fusing modulations only when they agree). Charlton PH et
al. Breathing rate estimation from the electrocardiogram and
photoplethysmogram: a review. IEEE Rev Biomed Eng 2018;11:2-20.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from signals.breathing.respiration import BreathingEstimate

__all__ = [
    "MAX_DISAGREEMENT_PER_MIN",
    "MIN_QUALITY",
    "PREFERENCE",
    "BreathingSource",
    "FusedBreathing",
    "fuse_breathing",
]

BreathingSource = Literal["rsa", "ecg", "chest"]

MAX_DISAGREEMENT_PER_MIN: Final = 3.0
"""Sources further apart than this, in breaths per minute, are never fused."""
MIN_QUALITY: Final = 0.0
"""Sources with a rate and at most this quality are left out (a rate with
quality 0 is possible only by rounding; the estimators already refuse weak windows)."""
PREFERENCE: Final[tuple[BreathingSource, ...]] = ("chest", "ecg", "rsa")
"""Order that breaks quality ties: the most direct measurement of the breath first."""


@dataclass(frozen=True, slots=True)
class FusedBreathing:
    """The fused breathing rate and where it came from.

    Attributes
    ----------
    rate_per_min : breaths per minute, or None when no source has a rate.
    used : the best-quality source (the one the rate rests on), or None.
    sources : every source's own estimate (None where absent), by name.
    fused : the sources averaged into the rate, best first.
    quality : quality of the best source, 0..1 (0 without a rate).
    """

    rate_per_min: float | None
    used: BreathingSource | None
    sources: Mapping[str, BreathingEstimate | None]
    fused: tuple[BreathingSource, ...] = ()
    quality: float = 0.0


def _agreeing(
    best: BreathingSource, rates: Mapping[BreathingSource, float]
) -> list[BreathingSource]:
    """Step 3: the sources near the best one, pruned until all pairs agree."""
    near = [s for s in rates if abs(rates[s] - rates[best]) <= MAX_DISAGREEMENT_PER_MIN]
    while max(rates[s] for s in near) - min(rates[s] for s in near) > MAX_DISAGREEMENT_PER_MIN:
        near.remove(max(near, key=lambda s: abs(rates[s] - rates[best])))
    return [best, *(s for s in near if s != best)]


def fuse_breathing(
    rsa: BreathingEstimate | None,
    ecg: BreathingEstimate | None,
    chest: BreathingEstimate | None,
) -> FusedBreathing:
    """Fuse the three breathing sources by the rule of the module docstring.

    Parameters
    ----------
    rsa : estimate from the RR series (respiratory sinus arrhythmia), or None.
    ecg : ECG-derived estimate, or None (no ECG stream).
    chest : chest-accelerometer estimate, or None (no ACC stream).

    Returns
    -------
    FusedBreathing
        ``used`` is the best-quality source with a rate; sources disagreeing
        with it by more than 3/min are not averaged in.

    References
    ----------
    Karlen et al. 2013; Charlton et al. 2018.
    """
    given: dict[BreathingSource, BreathingEstimate | None] = {
        "rsa": rsa,
        "ecg": ecg,
        "chest": chest,
    }
    sources: dict[str, BreathingEstimate | None] = {"rsa": rsa, "ecg": ecg, "chest": chest}
    rated = {
        name: e
        for name, e in given.items()
        if e is not None and e.rate_per_min is not None and e.quality > MIN_QUALITY
    }
    if not rated:
        return FusedBreathing(None, None, sources)
    best = max(PREFERENCE, key=lambda s: (s in rated, rated[s].quality if s in rated else -1.0))
    rates = {name: e.rate_per_min for name, e in rated.items() if e.rate_per_min is not None}
    fused = _agreeing(best, rates)
    weight = sum(rated[s].quality for s in fused)
    rate = (
        sum(rated[s].quality * rates[s] for s in fused) / weight if len(fused) > 1 else rates[best]
    )
    return FusedBreathing(rate, best, sources, tuple(fused), rated[best].quality)
