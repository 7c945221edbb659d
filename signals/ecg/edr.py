"""ECG-derived respiration (EDR): breathing rate from the R-amplitude series.

Breathing moves the heart relative to the electrodes and changes the chest's
impedance, so the R amplitude rises and falls with each breath (Moody et al.
1985). For a window ``[start_s, end_s)`` of :class:`~signals.ecg.beats.EcgBeats`:

1. **Beats kept.** Ectopic beats (by shape) are dropped, and so are amplitudes
   more than :data:`AMPLITUDE_OUTLIER_SHARE` (50 %) away from the median of the
   :data:`AMPLITUDE_MEDIAN_BEATS` (11) kept beats around them (noise, a
   misdetected T wave); the amplitude's own breathing swing is 5–20 %.
2. **Series.** The amplitudes of the kept beats, linearly interpolated onto the
   4-Hz grid ``start_s + k / 4``; a sample is valid when the two kept beats
   around it are at most :data:`MAX_BEAT_GAP_S` (2.5 s) apart (a dropped PVC
   leaves a gap of two RR intervals, which is bridged).
3. **Rate.** :func:`signals.breathing.waveform.breathing_in_series` (the RSA
   estimator's spectral peak and counting), the band ending at
   ``min(0.7 Hz, HR / 2)`` with HR the kept beats' mean rate: beats sample the
   amplitude, so nothing above half their rate can be told from aliasing.

:data:`EDR_PARAMS` were chosen by leave-one-subject-out cross-validation on
NeuroKit2's two resting ECG + respiration-belt recordings
(``tests/signals/test_ecg_realdata.py``, figures in its docstring).

References
----------
Moody GB, Mark RG, Zoccola A, Mantero S. Derivation of respiratory signals from
multi-lead ECGs. Computers in Cardiology 1985;12:113-116. Charlton PH et al.
An assessment of algorithms to estimate respiratory rate from the
electrocardiogram and photoplethysmogram. Physiol Meas 2016;37(4):610-626.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from signals.breathing.respiration import (
    HIGH_LIMIT_HZ,
    NO_ESTIMATE,
    NYQUIST_SHARE,
    BreathingEstimate,
    BreathingParams,
)
from signals.breathing.waveform import SERIES_HZ, breathing_in_series
from signals.ecg.beats import EcgBeats
from signals.hrv.time_domain import BoolArray, FloatArray

__all__ = [
    "AMPLITUDE_MEDIAN_BEATS",
    "AMPLITUDE_OUTLIER_SHARE",
    "EDR_PARAMS",
    "MAX_BEAT_GAP_S",
    "ecg_breathing",
    "edr_series",
]

AMPLITUDE_OUTLIER_SHARE: Final = 0.5
"""Amplitudes further than this share from the running median are dropped."""
AMPLITUDE_MEDIAN_BEATS: Final = 11
"""Beats in the running median of the amplitudes."""
MAX_BEAT_GAP_S: Final = 2.5
"""Longest stretch between two kept beats that is interpolated, in seconds."""
EDR_PARAMS: Final = BreathingParams(low_hz=0.08, threshold_frac=0.25, agreement_per_min=3.0)
"""The estimator's constants for EDR: the choice of leave-one-subject-out
cross-validation on both belt recordings (module docstring). Against the RSA
set (0.1 Hz, 0.15, 3/min): a band reaching 4.8/min and a higher counting
threshold, since the R amplitude jitters from beat to beat more than the RR."""


def _kept(beats: EcgBeats) -> BoolArray:
    """Step 1: beats of normal shape with a plausible amplitude."""
    keep = ~beats.ectopic
    amp = beats.r_amplitude_uv
    if np.count_nonzero(keep) < 3:
        return keep
    idx = np.flatnonzero(keep)
    a = amp[idx]
    half = AMPLITUDE_MEDIAN_BEATS // 2
    windows = sliding_window_view(np.pad(a, half, mode="edge"), AMPLITUDE_MEDIAN_BEATS)
    med = np.median(windows, axis=1)
    good = np.abs(a - med) <= AMPLITUDE_OUTLIER_SHARE * np.abs(med)
    keep = np.zeros_like(keep)
    keep[idx[good]] = True
    return keep


def edr_series(
    beats: EcgBeats, start_s: float, end_s: float
) -> tuple[FloatArray, BoolArray, float]:
    """The window's R-amplitude series on the 4-Hz grid, its validity, and the kept beats' rate.

    Returns the series (µV, 0 where invalid), True where valid (step 2), and
    the mean rate of the kept beats in Hz (0 with fewer than two).
    """
    n = math.floor((end_s - start_s) * SERIES_HZ)
    grid = start_s + np.arange(n) / SERIES_HZ
    keep = _kept(beats)
    t, a = beats.r_times_s[keep], beats.r_amplitude_uv[keep]
    if t.size < 2 or n == 0:
        return np.zeros(n), np.zeros(n, dtype=np.bool_), 0.0
    j = np.clip(np.searchsorted(t, grid, side="right"), 1, t.size - 1)
    span = t[j] - t[j - 1]
    valid = (grid >= t[0]) & (grid <= t[-1]) & (span <= MAX_BEAT_GAP_S)
    x = np.where(valid, np.interp(grid, t, a), 0.0)
    inside = (t >= start_s) & (t < end_s)
    rate = 0.0
    if np.count_nonzero(inside) >= 2:
        ti = t[inside]
        rate = (ti.size - 1) / float(ti[-1] - ti[0])
    return x, valid, rate


def ecg_breathing(
    ecg_beats: EcgBeats,
    start_s: float,
    end_s: float,
    *,
    params: BreathingParams = EDR_PARAMS,
) -> BreathingEstimate:
    """Breathing rate from the R amplitudes over ``[start_s, end_s)`` (module docstring).

    Parameters
    ----------
    ecg_beats : beats of an ECG stretch covering the window (:func:`signals.ecg.beats.ecg_beats`).
    start_s, end_s : the window, in seconds (60 s, as for the RSA estimate).
    params : the estimator's constants.

    Returns
    -------
    BreathingEstimate
        Rate None when under 75 % of the window is covered by kept beats or
        spectrum and count disagree.

    References
    ----------
    Moody et al. 1985; Charlton et al. 2016.
    """
    x, valid, beat_rate_hz = edr_series(ecg_beats, start_s, end_s)
    if beat_rate_hz <= 0.0:
        return NO_ESTIMATE
    high_hz = min(HIGH_LIMIT_HZ, NYQUIST_SHARE * beat_rate_hz)
    return breathing_in_series(x, valid, high_hz=high_hz, params=params)
