"""Breathing from the chest accelerometer: a rate per window and a live breathing wave.

Breathing tilts and lifts the chest wall a little (a few mg of the gravity
vector's projection on the strap's axes, at the breathing rate). For a window
``[start_s, end_s)``:

1. **Coverage and stillness.** Fewer samples than
   :data:`~signals.breathing.respiration.MIN_VALID_SHARE` (75 %) of the window:
   no estimate. Movement (:func:`signals.motion.activity.movement_mg`) at or
   above :data:`~signals.motion.activity.STILL_MAX_MG`: no rate and quality 0,
   since walking or fidgeting moves the chest far more than breathing does
   (tens to hundreds of mg against a few). A **posture change** within the
   window (the gravity direction, averaged over :data:`POSTURE_SMOOTH_S` — one
   slow breath, so breathing averages out — turns by more than
   :data:`POSTURE_SHIFT_MAX_DEG`): no estimate either, since the tilt's step is
   tens of mg and no detrending takes it out of the breathing band.
2. **Down to 4 Hz.** Each axis is smoothed by a :data:`SMOOTH_S` (0.5 s) centred
   running mean (zeros at 2, 4, 6 Hz: steps and heartbeat recoil do not alias
   into the breathing band) and averaged in 0.25-s bins on the grid
   ``start_s + k / 4``; empty bins are invalid.
3. **Gravity drift out, band-limited.** Each axis loses its mean and linear
   trend and is band-passed to 0.08–0.7 Hz (the RSA estimator's own FFT
   band-pass with logistic edges; :data:`CHEST_PARAMS`).
4. **Principal axis.** The breathing movement lies mostly along one direction
   of the strap, which depends on posture and fit: the three band-passed axes
   are projected on the first principal component of their 3×3 covariance over
   the window (PCA), oriented so that its largest component is positive.
5. **Rate.** The projection goes through
   :func:`signals.breathing.waveform.breathing_in_series` (whitened spectral
   peak and advanced counting, which must agree; band 0.08–0.7 Hz): the RSA
   estimator's rule and quality scale.

:func:`breath_wave` is the display version for the pacer: the same smoothing,
gravity removed by an :data:`WAVE_GRAVITY_S` (8 s) running mean, the principal
axis of the span, scaled to −1..1.

References
----------
Bates A, Ling MJ, Mann J, Arvind DK. Respiratory rate and flow waveform
estimation from tri-axial accelerometer data. Int Conf Body Sensor Networks
2010:144-150. Jolliffe IT. Principal
Component Analysis, 2nd ed. Springer 2002. Schäfer & Kratky 2008 (counting).
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt

from signals.breathing.respiration import (
    BREATHING_PARAMS,
    HIGH_LIMIT_HZ,
    MIN_VALID_SHARE,
    NO_ESTIMATE,
    BreathingEstimate,
    BreathingParams,
    band_passed,
    detrended,
)
from signals.breathing.waveform import SERIES_HZ, breathing_in_series
from signals.hrv.time_domain import BoolArray, FloatArray
from signals.motion.activity import STILL_MAX_MG, movement_mg
from signals.motion.samples import AccWindow, acc_window, as_acc, grid_means, moving_average

__all__ = [
    "CHEST_PARAMS",
    "POSTURE_SHIFT_MAX_DEG",
    "POSTURE_SMOOTH_S",
    "SMOOTH_S",
    "WAVE_GRAVITY_S",
    "WAVE_SCALE_PERCENTILE",
    "breath_wave",
    "chest_breathing",
    "posture_shift_deg",
    "principal_projection",
]

SMOOTH_S: Final = 0.5
"""Running mean applied before going down to 4 Hz, in seconds."""
WAVE_GRAVITY_S: Final = 8.0
"""Running mean taken as gravity by :func:`breath_wave`, in seconds (two slow breaths)."""
CHEST_PARAMS: Final = BreathingParams(
    low_hz=0.08, threshold_frac=BREATHING_PARAMS.threshold_frac, agreement_per_min=3.0
)
"""The estimator's constants for the chest: the RSA set with the band opened down to
0.08 Hz (4.8/min), so that 6/min, the slowest paced rate, is not on the band's edge
(the RR series needs 0.1 Hz to keep Mayer waves out; chest movement has none)."""
POSTURE_SMOOTH_S: Final = 10.0
"""Gravity is the running mean over this many seconds when judging posture: one breath at
6/min, the slowest paced rate, so breathing itself averages out (a boxcar's first zero)."""
POSTURE_SHIFT_MAX_DEG: Final = 1.0
"""A window whose gravity direction turns by more than this (degrees) holds a posture
change. On generated paced breathing the steady minutes turn by at most 0.24° and the
minute of sitting down by 1.3-5.3°; a real change of posture is several degrees."""
WAVE_SCALE_PERCENTILE: Final = 95.0
"""The wave is divided by this percentile of its absolute value, then clipped to ±1."""


def principal_projection(x: FloatArray, valid: BoolArray | None = None) -> FloatArray:
    """Rows of ``x`` (samples × axes) projected on their first principal component.

    The component is the eigenvector of the largest eigenvalue of the
    covariance of the (valid) rows, oriented so that its largest-magnitude
    entry is positive; the projection is centred on the valid rows' mean.
    """
    use = x if valid is None else x[valid]
    if use.shape[0] < 2:
        return np.zeros(x.shape[0])
    centre = use.mean(axis=0)
    _, vectors = np.linalg.eigh(np.cov((use - centre).T))
    axis = vectors[:, -1]
    axis = axis * (1.0 if axis[np.argmax(np.abs(axis))] >= 0.0 else -1.0)
    out: FloatArray = (x - centre) @ axis
    return out


def posture_shift_deg(window: AccWindow) -> float:
    """The largest angle, in degrees, between the window's gravity direction (its samples'
    :data:`POSTURE_SMOOTH_S` running mean) at any sample and its median direction."""
    gravity = moving_average(window.xyz_mg, max(1, round(POSTURE_SMOOTH_S * window.rate_hz)))
    norms = np.linalg.norm(gravity, axis=1)
    keep = norms > 0.0
    if not keep.any():
        return 0.0
    units = gravity[keep] / norms[keep, None]
    reference = np.median(units, axis=0)
    size = float(np.linalg.norm(reference))
    if size == 0.0:
        return 0.0
    cosines = np.clip(units @ (reference / size), -1.0, 1.0)
    return float(np.degrees(np.arccos(cosines.min())))


def chest_breathing(
    t_s: npt.ArrayLike,
    xyz_mg: npt.ArrayLike,
    start_s: float,
    end_s: float,
    *,
    params: BreathingParams = CHEST_PARAMS,
) -> BreathingEstimate:
    """Breathing rate from the chest accelerometer over ``[start_s, end_s)``.

    Parameters
    ----------
    t_s : sample times, in seconds (increasing), on the beat clock.
    xyz_mg : samples, shape ``(n, 3)``, in mg (25–200 Hz).
    start_s, end_s : the window, in seconds (60 s, as for the RSA estimate).
    params : the estimator's constants (the RSA estimator's shipped ones).

    Returns
    -------
    BreathingEstimate
        Rate None and quality 0 while moving or walking or when the posture
        changed within the window; rate None when
        spectrum and count disagree (module docstring).

    References
    ----------
    Bates et al. 2010 (breathing from a chest accelerometer); Schäfer & Kratky 2008.
    """
    window = acc_window(t_s, xyz_mg, start_s, end_s)
    if window.coverage < MIN_VALID_SHARE or window.t_s.size < 8:
        return NO_ESTIMATE
    if movement_mg(window) >= STILL_MAX_MG:
        return NO_ESTIMATE
    if posture_shift_deg(window) > POSTURE_SHIFT_MAX_DEG:
        return NO_ESTIMATE
    smooth = moving_average(window.xyz_mg, max(1, round(SMOOTH_S * window.rate_hz)))
    n_bins = math.floor((end_s - start_s) * SERIES_HZ)
    binned, valid = grid_means(window.t_s, smooth, start_s, n_bins, SERIES_HZ)
    axes = binned.T
    v = np.broadcast_to(valid, axes.shape)
    top = np.full(3, HIGH_LIMIT_HZ)
    band = band_passed(detrended(axes, v), params.low_hz, top)
    projection = principal_projection(band.T, valid)
    return breathing_in_series(projection, valid, high_hz=HIGH_LIMIT_HZ, params=params)


def breath_wave(t_s: npt.ArrayLike, xyz_mg: npt.ArrayLike) -> FloatArray:
    """The recent breathing movement, one value per sample, scaled to −1..1 (for the pacer).

    Each axis is smoothed by a :data:`SMOOTH_S` running mean, loses its
    :data:`WAVE_GRAVITY_S` running mean (gravity and posture drift; both means
    shrink at the ends, so the newest sample is judged on the data before it),
    and the result is projected on the span's principal axis, divided by the
    :data:`WAVE_SCALE_PERCENTILE` percentile of its absolute value and clipped.
    Pass the last ~30 s of samples. A posture change shows as a brief step.

    Parameters
    ----------
    t_s : sample times, in seconds (increasing).
    xyz_mg : samples, shape ``(n, 3)``, in mg.

    Returns
    -------
    One value per sample in −1..1 (zeros with fewer than 8 samples or no movement).
    """
    t, xyz = as_acc(t_s, xyz_mg)
    if t.size < 8:
        return np.zeros(t.size)
    step_s = float(np.median(np.diff(t)))
    rate = 1.0 / step_s if step_s > 0.0 else 1.0
    smooth = moving_average(xyz, max(1, round(SMOOTH_S * rate)))
    breathing = smooth - moving_average(smooth, max(1, round(WAVE_GRAVITY_S * rate)))
    wave = principal_projection(breathing)
    scale = float(np.percentile(np.abs(wave), WAVE_SCALE_PERCENTILE))
    if scale <= 0.0 or not np.isfinite(scale):
        return np.zeros(t.size)
    out: FloatArray = np.clip(wave / scale, -1.0, 1.0)
    return out
