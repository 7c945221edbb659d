"""Activity per minute from the chest accelerometer: movement, step cadence, state.

For the samples of a window (``start_s <= t < end_s``, three axes in mg, any
rate from 25 to 200 Hz; :mod:`signals.motion.samples`):

1. **Coverage.** Below :data:`MIN_COVERAGE` (half the window) the state is
   ``"unknown"`` and nothing is measured.
2. **Movement intensity** ``movement_mg``: the mean, over the window, of the
   Euclidean norm of the high-passed acceleration vector,
   ``mean_t ‖a(t) − ā(t)‖``, where ``ā`` is the centred
   :data:`GRAVITY_WINDOW_S` (1 s) moving average of each axis. This is the
   high-pass-filtered Euclidean norm (HFEN) family of van Hees et al. 2013,
   with the gravity estimate they filter out taken as a 1-s running mean:
   gravity, however the strap is tilted, and slow posture drift are removed
   without calibrating the sensor (ENMO, ``max(‖a‖ − 1 g, 0)``, needs a
   calibrated 1 g and misses horizontal movement). The 1-s mean passes
   breathing (≤ 0.7 Hz) almost whole, so breathing movement is mostly removed
   with gravity: a 10-mg breath at 15/min leaves ~1 mg.
3. **Cadence.** The norm's own high-passed series ``‖a‖ − mean₁ₛ(‖a‖)``
   (dominated by the vertical bounce of each step, whatever the tilt) gets a
   Hann-windowed spectrum; the dominant peak in :data:`STEP_BAND_HZ`
   (1.4–2.5 Hz, 84–150 steps/min: walking) is refined by a parabola through
   log power. Its **periodicity** is the share of the power in
   :data:`STEP_POWER_BAND_HZ` that lies within ±:data:`STEP_PEAK_HALF_WIDTH_HZ`
   of the peak.
4. **State.** ``"still"`` when ``movement_mg < STILL_MAX_MG``; otherwise
   ``"walking"`` when the periodicity is at least :data:`MIN_STEP_SHARE` (a
   step rhythm stands out), else ``"moving"`` (fidgeting, posture changes,
   gestures: broadband). The cadence, in steps per minute, is given only for
   walking windows.

Thresholds: the H10 at rest (noise, heartbeat recoil) stays well below 20 mg;
van Hees et al. 2013 and Hildebrand et al. 2014 place the sedentary/light limit of
ENMO near 30–40 mg at the wrist and lower at the hip (trunk movement is smaller
than the wrist's); walking gives 100–400 mg on the chest (steps of ±150–400 mg).
:data:`STILL_MAX_MG` (20 mg) lies between rest and any deliberate movement.
These limits come from the literature and synthetic signals; no real H10
accelerometer recording was at hand to tune them.

References
----------
van Hees VT, Gorzelniak L, Dean León EC, et al. Separating movement and gravity
components in an acceleration signal and implications for the assessment of
human daily physical activity. PLoS One 2013;8(4):e61691.
Hildebrand M, van Hees VT, Hansen BH, Ekelund U. Age group comparability of raw
accelerometer output from wrist- and hip-worn monitors. Med Sci Sports Exerc
2014;46(9):1816-1824.
Zijlstra W, Hof AL. Assessment of spatio-temporal gait parameters from trunk
accelerations during human walking. Gait Posture 2003;18(2):1-10.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from signals.hrv.time_domain import FloatArray
from signals.motion.samples import AccWindow, acc_window, moving_average

__all__ = [
    "GRAVITY_WINDOW_S",
    "MIN_COVERAGE",
    "MIN_STEP_SHARE",
    "STEP_BAND_HZ",
    "STEP_PEAK_HALF_WIDTH_HZ",
    "STEP_POWER_BAND_HZ",
    "STILL_MAX_MG",
    "ActivityMinute",
    "ActivityState",
    "activity_in_window",
    "movement_mg",
]

ActivityState = Literal["still", "moving", "walking", "unknown"]

MIN_COVERAGE: Final = 0.5
"""Least share of the window with samples; below it the state is ``"unknown"``."""
GRAVITY_WINDOW_S: Final = 1.0
"""Length of the running mean taken as gravity (and slow drift), in seconds."""
STILL_MAX_MG: Final = 20.0
"""Movement below this, in mg, is ``"still"`` (module docstring, thresholds)."""
STEP_BAND_HZ: Final = (1.4, 2.5)
"""Step frequencies searched, in Hz (84–150 steps/min)."""
STEP_POWER_BAND_HZ: Final = (0.5, 6.0)
"""Band whose power the step peak's share is taken of, in Hz (capped at Nyquist)."""
STEP_PEAK_HALF_WIDTH_HZ: Final = 0.15
"""Half-width of the region counted as the step peak, in Hz (a cadence drifting over a minute)."""
MIN_STEP_SHARE: Final = 0.25
"""Least share of the movement power in the step peak for ``"walking"``; broadband
fidgeting puts ~5–10 % there, steady walking 40–80 %."""
_FFT_MIN: Final = 4096


@dataclass(frozen=True, slots=True)
class ActivityMinute:
    """Activity of one window (a minute, usually).

    Attributes
    ----------
    start_s, end_s : the window, in seconds on the beat clock.
    movement_mg : mean high-passed acceleration norm, in mg (None when unknown).
    cadence_per_min : steps per minute when walking, else None.
    state : ``"still"``, ``"moving"``, ``"walking"`` or ``"unknown"`` (too few samples).
    coverage : share of the window with samples, 0..1.
    """

    start_s: float
    end_s: float
    movement_mg: float | None
    cadence_per_min: float | None
    state: ActivityState
    coverage: float


def movement_mg(window: AccWindow) -> float:
    """Mean norm of the high-passed acceleration vector, in mg (module docstring, step 2)."""
    width = max(1, round(GRAVITY_WINDOW_S * window.rate_hz))
    moving = window.xyz_mg - moving_average(window.xyz_mg, width)
    return float(np.linalg.norm(moving, axis=1).mean())


def _step_peak(window: AccWindow) -> tuple[float, float]:
    """Dominant step frequency in Hz and its share of the movement power (step 3)."""
    rate = window.rate_hz
    norm = np.linalg.norm(window.xyz_mg, axis=1)
    bounce = norm - moving_average(norm, max(1, round(GRAVITY_WINDOW_S * rate)))
    n_fft = max(_FFT_MIN, 1 << (bounce.size - 1).bit_length())
    f = np.fft.rfftfreq(n_fft, 1.0 / rate)
    power = np.abs(np.fft.rfft(bounce * np.hanning(bounce.size), n=n_fft)) ** 2
    band = np.flatnonzero((f >= STEP_BAND_HZ[0]) & (f <= STEP_BAND_HZ[1]))
    if band.size < 3:
        return float("nan"), 0.0
    k = int(band[np.argmax(power[band])])
    la, lb, lc = np.log(np.maximum(power[k - 1 : k + 2], 1e-300))
    curve = la - 2.0 * lb + lc
    shift = float(np.clip(0.5 * (la - lc) / curve, -0.5, 0.5)) if curve < 0.0 else 0.0
    peak_hz = (k + shift) * rate / n_fft
    total_band = (f >= STEP_POWER_BAND_HZ[0]) & (f <= min(STEP_POWER_BAND_HZ[1], rate / 2.0))
    total = float(power[total_band].sum())
    near = total_band & (np.abs(f - peak_hz) <= STEP_PEAK_HALF_WIDTH_HZ)
    share = float(power[near].sum()) / total if total > 0.0 else 0.0
    return peak_hz, share


def activity_in_window(
    t_s: npt.ArrayLike | FloatArray, xyz_mg: npt.ArrayLike, start_s: float, end_s: float
) -> ActivityMinute:
    """Movement, cadence and state of the accelerometer samples in ``[start_s, end_s)``.

    Parameters
    ----------
    t_s : sample times, in seconds (increasing), on the beat clock.
    xyz_mg : samples, shape ``(n, 3)``, in mg (any rate from 25 to 200 Hz).
    start_s, end_s : the window, in seconds.

    Returns
    -------
    ActivityMinute
        ``"unknown"`` with ``movement_mg`` None when the samples cover less than
        :data:`MIN_COVERAGE` of the window.

    References
    ----------
    van Hees et al. 2013 (HFEN/ENMO); Zijlstra & Hof 2003 (step frequency from trunk
    acceleration).
    """
    window = acc_window(t_s, xyz_mg, start_s, end_s)
    if window.coverage < MIN_COVERAGE or window.t_s.size < 8:
        return ActivityMinute(start_s, end_s, None, None, "unknown", window.coverage)
    movement = movement_mg(window)
    if movement < STILL_MAX_MG:
        return ActivityMinute(start_s, end_s, movement, None, "still", window.coverage)
    peak_hz, share = _step_peak(window)
    if share >= MIN_STEP_SHARE:
        cadence = 60.0 * peak_hz
        return ActivityMinute(start_s, end_s, movement, cadence, "walking", window.coverage)
    return ActivityMinute(start_s, end_s, movement, None, "moving", window.coverage)
