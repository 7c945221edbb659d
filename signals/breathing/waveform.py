"""Breathing rate from an evenly sampled breathing waveform (chest movement, ECG-derived).

The RSA estimator of :mod:`signals.breathing.respiration` judges a 4-Hz RR
tachogram; the same steps 3–5 (whitened spectral peak, advanced counting,
agreement) judge any breathing series sampled on the same 4-Hz grid:

- the chest accelerometer's breathing movement
  (:mod:`signals.motion.chest_breathing`), whose band ends at
  :data:`~signals.breathing.respiration.HIGH_LIMIT_HZ` (0.7 Hz, 42 breaths/min);
- the ECG-derived respiration (EDR) series of R amplitudes
  (:mod:`signals.ecg.edr`), sampled by the beats, so its band also ends at half
  the heart rate, as for RSA.

Only the upper band edge differs between callers: it is given, instead of being
taken from the mean RR of the window. Everything else (detrending, Hann window,
``f²`` whitening, logistic band-pass, counting threshold, agreement and quality)
is the RSA estimator's own code
(:func:`~signals.breathing.respiration.estimate_in_band`), called here, so the three
sources' qualities are on one scale and can be compared by
:mod:`signals.breathing.fusion`.

References
----------
Schäfer A, Kratky KW. Estimation of breathing rate from respiratory sinus
arrhythmia: comparison of various methods. Ann Biomed Eng 2008;36(3):476-485.
Charlton PH et al. Breathing rate estimation from the electrocardiogram and
photoplethysmogram: a review. IEEE Rev Biomed Eng 2018;11:2-20.
"""

from __future__ import annotations

import numpy as np

from signals.breathing.respiration import (
    BREATHING_PARAMS,
    MIN_VALID_SHARE,
    NO_ESTIMATE,
    BreathingEstimate,
    BreathingParams,
    estimate_in_band,
)
from signals.breathing.tachogram import RESAMPLE_HZ
from signals.hrv.time_domain import BoolArray, FloatArray

__all__ = ["SERIES_HZ", "breathing_in_series"]

SERIES_HZ = RESAMPLE_HZ
"""Rate of the series :func:`breathing_in_series` takes, in Hz (the tachogram's 4 Hz)."""


def breathing_in_series(
    x: FloatArray,
    valid: BoolArray,
    *,
    high_hz: float,
    params: BreathingParams = BREATHING_PARAMS,
) -> BreathingEstimate:
    """Breathing rate of one window of a 4-Hz breathing series.

    Parameters
    ----------
    x : the series over the window, sampled at :data:`SERIES_HZ` (any unit:
        mg of chest movement, µV of R amplitude).
    valid : True at samples that carry data (invalid ones are ignored).
    high_hz : upper end of the search band, in Hz.
    params : the RSA estimator's tunable constants (the shipped ones by default).

    Returns
    -------
    BreathingEstimate
        Rate None when fewer than ``MIN_VALID_SHARE`` (75 %) of the samples are
        valid, or when spectrum and count disagree by more than
        ``params.agreement_per_min``; ``quality`` = concentration × agreement
        (:mod:`signals.breathing.respiration`, step 5).

    References
    ----------
    Schäfer & Kratky 2008; Charlton et al. 2018.
    """
    row = np.asarray(x, dtype=np.float64).reshape(1, -1)
    v = np.asarray(valid, dtype=np.bool_).reshape(1, -1)
    if row.shape[1] < 8 or v.mean() < MIN_VALID_SHARE or high_hz <= params.low_hz:
        return NO_ESTIMATE
    window_s = row.shape[1] / SERIES_HZ
    return estimate_in_band(np.where(v, row, 0.0), v, window_s, np.array([high_hz]), params)[0]
