"""Confirming the strap's beats against the ECG's R peaks.

Each strap beat is paired with its nearest R peak when they are at most
``tolerance_s`` apart; an R peak claimed by several strap beats goes to the
nearest one (greedy by distance, one-to-one). With a tolerance below half the
shortest RR interval the nearest peak is the only candidate, so this is the
usual beat-by-beat comparison of QRS detectors (ANSI/AAMI EC57 uses 150 ms).

From the pairs:

- **sensitivity**: share of the R peaks the strap reported;
- **positive predictive value**: share of the strap's beats that are R peaks;
- **offset**: median of strap time − R time, in ms (the strap's fixed delay);
- **|ΔRR|**: for each two consecutive strap beats paired with two consecutive
  R peaks, the strap's interval minus the ECG's, in ms; its median absolute value
  says how well the strap's own RR agrees with the ECG beat by beat.

References
----------
ANSI/AAMI EC57:2012, Testing and reporting performance results of cardiac
rhythm and ST segment measurement algorithms (beat-by-beat matching, 150-ms window).
Gilgen-Ammann R, Schweizer T, Wyss T. RR interval signal quality of a heart rate
monitor and an ECG Holter at rest and during exercise. Eur J Appl Physiol
2019;119(7):1525-1532 (Polar H10 against ECG).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from signals.hrv.time_domain import FloatArray

__all__ = ["DEFAULT_TOLERANCE_S", "BeatAgreement", "match_beats"]

IntArray = npt.NDArray[np.intp]

DEFAULT_TOLERANCE_S: Final = 0.15
"""Matching window of ANSI/AAMI EC57, in seconds."""


@dataclass(frozen=True, slots=True, eq=False)
class BeatAgreement:
    """Beat-by-beat agreement of strap beats with ECG R peaks.

    Attributes
    ----------
    ecg_index, strap_index : indices of the paired R peaks and strap beats (in time order).
    n_ecg, n_strap : numbers of R peaks and of strap beats.
    sensitivity : paired R peaks / ``n_ecg`` (0 when there are none).
    ppv : paired strap beats / ``n_strap`` (0 when there are none).
    median_offset_ms : median strap − ECG time of the pairs, in ms (None without pairs).
    delta_rr_ms : strap RR − ECG RR for each consecutive pair of pairs, in ms.
    """

    ecg_index: IntArray
    strap_index: IntArray
    n_ecg: int
    n_strap: int
    sensitivity: float
    ppv: float
    median_offset_ms: float | None
    delta_rr_ms: FloatArray

    @property
    def median_abs_delta_rr_ms(self) -> float | None:
        """Median of ``|delta_rr_ms|``, in ms (None when empty)."""
        if self.delta_rr_ms.size == 0:
            return None
        return float(np.median(np.abs(self.delta_rr_ms)))


def match_beats(
    ecg_r_times_s: npt.ArrayLike,
    strap_beat_times_s: npt.ArrayLike,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
) -> BeatAgreement:
    """Pair strap beats with ECG R peaks within ``tolerance_s`` (module docstring).

    Parameters
    ----------
    ecg_r_times_s : R-peak times, in seconds (increasing).
    strap_beat_times_s : the strap's beat times on the same clock, in seconds (increasing).
    tolerance_s : largest distance of a pair, in seconds.

    Returns
    -------
    BeatAgreement

    References
    ----------
    ANSI/AAMI EC57:2012.
    """
    ecg = np.asarray(ecg_r_times_s, dtype=np.float64).ravel()
    strap = np.asarray(strap_beat_times_s, dtype=np.float64).ravel()
    if ecg.size == 0 or strap.size == 0:
        none = np.zeros(0, dtype=np.intp)
        return BeatAgreement(none, none, ecg.size, strap.size, 0.0, 0.0, None, np.zeros(0))
    right = np.clip(np.searchsorted(ecg, strap), 0, ecg.size - 1)
    left = np.clip(right - 1, 0, ecg.size - 1)
    nearest = np.where(np.abs(ecg[left] - strap) <= np.abs(ecg[right] - strap), left, right)
    distance = np.abs(ecg[nearest] - strap)
    candidates = np.flatnonzero(distance <= tolerance_s)
    by_distance = candidates[np.argsort(distance[candidates], kind="stable")]
    _, first = np.unique(nearest[by_distance], return_index=True)
    strap_index = np.sort(by_distance[first])
    ecg_index = nearest[strap_index]
    offsets_ms = (strap[strap_index] - ecg[ecg_index]) * 1000.0
    consecutive = (np.diff(ecg_index) == 1) & (np.diff(strap_index) == 1)
    delta = (np.diff(strap[strap_index]) - np.diff(ecg[ecg_index]))[consecutive] * 1000.0
    return BeatAgreement(
        ecg_index=ecg_index,
        strap_index=strap_index,
        n_ecg=ecg.size,
        n_strap=strap.size,
        sensitivity=ecg_index.size / ecg.size,
        ppv=strap_index.size / strap.size,
        median_offset_ms=float(np.median(offsets_ms)) if offsets_ms.size else None,
        delta_rr_ms=delta,
    )
