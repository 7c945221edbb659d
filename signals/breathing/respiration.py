"""Breathing rate from respiratory sinus arrhythmia (RSA) in the RR series.

Breathing modulates the RR intervals (shorter on inhalation, longer on
exhalation), so the RR spectrum peaks at the breathing frequency. The
estimate, for a span of beats:

1. The RR spectrum of :func:`signals.hrv.frequency.rr_spectrum` (4 Hz cubic
   spline, Hann-windowed Welch over gap-free stretches, 300 points/Hz).
2. The **usual band** is 0.15–0.4 Hz (9–24 breaths/min, the HF band). The
   **slow band** 0.08–0.15 Hz (4.8–9 breaths/min) holds slow and paced breathing
   but also the ~0.1 Hz Mayer waves of blood-pressure regulation and the broad
   low-frequency power of an active day, which often dominate a spectrum: on a
   public 5-min resting recording (belt 15.9 breaths/min) the largest peak
   above 0.1 Hz sits at 6/min, twice the height of the respiratory one. So the
   slow band wins only when breathing there is unmistakable: the power within
   ±0.02 Hz of its maximum is at least :data:`SLOW_BREATHING_CONCENTRATION`
   (60 %) of all power in 0.04–0.5 Hz **and** at least
   :data:`SLOW_BREATHING_DOMINANCE` (2) times the power within ±0.02 Hz of the
   usual band's maximum. Paced breathing at 6/min concentrates most of the
   variability in one narrow peak (75–95 % in simulations with the breathing
   amplitude 1.7–5 times the HF one). In 797 five-minute windows of three
   Holter days (PhysioNet nsr001, chf201 and a healthy 21-h record) the share
   never exceeded 0.57 (none read as slow), nor on the Kubios sample (0.50,
   whose 0.087 Hz peak region holds 6.4 times the power of its HF one). Peak
   *regions* are compared rather than PSD maxima because a maximum's height
   depends on how narrow the peak is.
   The limit of the test: a perfectly regular 0.1 Hz rhythm that holds over
   60 % of the power reads as slow breathing whatever its cause (in simulation,
   a sine 1.6 times the amplitude of the RSA); real Mayer waves are irregular
   and broader. Spontaneous breathing below 9/min without such a dominant peak
   is estimated from the usual band, with a low quality.
   A band's maximum is its highest local maximum (a PSD value above its
   lower and not below its upper neighbour), so the skirt of a larger peak
   just outside the band does not count as a peak at the band edge.
3. The rate is the power-weighted mean frequency within ±0.05 Hz of the
   chosen maximum (:data:`PEAK_HALF_WIDTH_HZ`), which may reach below 0.15 Hz.
   A centroid rather than the bare maximum, because spontaneous breathing
   varies and splits its peak (14.8 and 16.8/min on that recording).
4. **Quality** in 0..1: the share of the power between 0.05 and 0.5 Hz that lies
   within that ±0.05 Hz: near 1 for paced breathing, 0.25–0.7 on the two
   resting recordings, low when no rhythm stands out.

Validated against a respiration belt on two public recordings (NeuroKit2's
resting data, ``../shared/data/ecg-respiration``): within 1 breath/min of the
belt's median rate on both (15.9 and 8.9 breaths/min).

Per minute, :func:`breathing_rate_per_minute` applies the same estimate to a
window of :data:`MINUTE_WINDOW_S` (120 s) centred on each minute (shifted
inwards at the ends of the span), with one Welch window over it (resolution
1/120 Hz, refined by the centroid). Against the belt's median over the same
windows, the median absolute error was 0.2 and 0.4 breaths/min on the two
recordings (90-s windows: 0.3 and 2.2); the minutes that miss have a low
quality (0.12–0.35).

References
----------
Hirsch JA, Bishop B. Respiratory sinus arrhythmia in humans: how breathing
pattern modulates heart rate. Am J Physiol 1981;241:H620-H629. Schäfer A, Kratky
KW. Estimation of breathing rate from respiratory sinus arrhythmia: comparison
of various methods. Ann Biomed Eng 2008;36(3):476-485. Julien C. The enigma of
Mayer waves. Cardiovasc Res 2006;70:12-21.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from signals.hrv.frequency import WELCH_WINDOW_S, RRSpectrum, rr_spectrum
from signals.hrv.time_domain import FloatArray, as_series

__all__ = [
    "MINUTE_WINDOW_S",
    "MIN_BREATHING_STRETCH_S",
    "PEAK_HALF_WIDTH_HZ",
    "SLOW_BAND_HZ",
    "SLOW_BREATHING_CONCENTRATION",
    "SLOW_BREATHING_DOMINANCE",
    "USUAL_BAND_HZ",
    "BreathingEstimate",
    "MinuteBreathing",
    "breathing_estimate",
    "breathing_rate",
    "breathing_rate_per_minute",
    "estimate_from_spectrum",
]

USUAL_BAND_HZ: Final = (0.15, 0.4)
"""Where spontaneous breathing is searched, in Hz (9–24 breaths/min)."""
SLOW_BAND_HZ: Final = (0.08, 0.15)
"""Where slow or paced breathing is searched, in Hz (4.8–9 breaths/min)."""
SLOW_BREATHING_CONCENTRATION: Final = 0.6
"""Least share of the 0.04–0.5 Hz power near the slow maximum for slow breathing."""
SLOW_BREATHING_DOMINANCE: Final = 2.0
"""Least ratio of the power near the slow maximum to that near the usual one."""
SLOW_PEAK_HALF_WIDTH_HZ: Final = 0.02
"""Half-width of the peak regions compared for slow breathing, in Hz."""
SLOW_TEST_RANGE_HZ: Final = (0.04, 0.5)
"""Range whose power is the denominator of the slow-breathing concentration, in Hz."""
PEAK_HALF_WIDTH_HZ: Final = 0.05
"""Half-width of the region averaged around the chosen maximum, in Hz."""
QUALITY_RANGE_HZ: Final = (0.05, 0.5)
"""Range whose power is the denominator of the quality, in Hz."""
MIN_BREATHING_STRETCH_S: Final = 60.0
"""Shortest gap-free stretch used for a breathing estimate, in seconds."""
MINUTE_WINDOW_S: Final = 120.0
"""Window centred on each minute for the per-minute rate, in seconds."""
SECONDS_PER_MIN: Final = 60.0
_EPS_HZ: Final = 1e-9


@dataclass(frozen=True, slots=True)
class BreathingEstimate:
    """Breathing rate of a span of beats.

    Attributes
    ----------
    rate_per_min : breaths per minute, or None (too little gap-free data).
    quality : 0..1, the share of the 0.05–0.5 Hz power near the peak.
    slow : True when the slow band (paced / slow breathing) was chosen.
    """

    rate_per_min: float | None
    quality: float
    slow: bool


NO_ESTIMATE: Final = BreathingEstimate(None, 0.0, False)


@dataclass(frozen=True, slots=True)
class MinuteBreathing:
    """Breathing estimate of one minute.

    Attributes
    ----------
    start_s : start of the minute, in seconds on the beat clock.
    estimate : the estimate from the window centred on the minute.
    """

    start_s: float
    estimate: BreathingEstimate


def _band_peak(freqs: FloatArray, psd: FloatArray, band: tuple[float, float]) -> int:
    """Index of the highest local maximum of the PSD inside ``band`` (else its maximum)."""
    inside = np.flatnonzero((freqs >= band[0] - _EPS_HZ) & (freqs <= band[1] + _EPS_HZ))
    inner = inside[(inside > 0) & (inside < psd.size - 1)]
    peaks = inner[(psd[inner] > psd[inner - 1]) & (psd[inner] >= psd[inner + 1])]
    pool = peaks if peaks.size else inside
    return int(pool[np.argmax(psd[pool])])


def _power_near(
    freqs: FloatArray, psd: FloatArray, k: int, half_width_hz: float, rng: tuple[float, float]
) -> npt.NDArray[np.bool_]:
    near = np.abs(freqs - freqs[k]) <= half_width_hz + _EPS_HZ
    in_range = (freqs >= rng[0] - _EPS_HZ) & (freqs <= rng[1] + _EPS_HZ)
    return np.asarray(near & in_range, dtype=np.bool_)


def _is_slow_breathing(freqs: FloatArray, psd: FloatArray, k_slow: int, k_usual: int) -> bool:
    """The slow-band test of the module docstring (step 2)."""
    rng = SLOW_TEST_RANGE_HZ
    in_range = (freqs >= rng[0] - _EPS_HZ) & (freqs <= rng[1] + _EPS_HZ)
    total = float(psd[in_range].sum())
    slow = float(psd[_power_near(freqs, psd, k_slow, SLOW_PEAK_HALF_WIDTH_HZ, rng)].sum())
    usual = float(psd[_power_near(freqs, psd, k_usual, SLOW_PEAK_HALF_WIDTH_HZ, rng)].sum())
    return (
        total > 0.0
        and slow >= SLOW_BREATHING_CONCENTRATION * total
        and slow >= SLOW_BREATHING_DOMINANCE * usual
    )


def estimate_from_spectrum(spectrum: RRSpectrum) -> BreathingEstimate:
    """Breathing rate from an RR spectrum (module docstring, steps 2–4)."""
    f, p = spectrum.frequency_hz, spectrum.psd_ms2_per_hz
    k_usual = _band_peak(f, p, USUAL_BAND_HZ)
    k_slow = _band_peak(f, p, SLOW_BAND_HZ)
    slow = _is_slow_breathing(f, p, k_slow, k_usual)
    k = k_slow if slow else k_usual
    near = _power_near(f, p, k, PEAK_HALF_WIDTH_HZ, QUALITY_RANGE_HZ)
    lo, hi = QUALITY_RANGE_HZ
    near_power = float(p[near].sum())
    total = float(p[(f >= lo - _EPS_HZ) & (f <= hi + _EPS_HZ)].sum())
    if near_power <= 0.0 or total <= 0.0:
        return NO_ESTIMATE
    centroid_hz = float(np.sum(f[near] * p[near])) / near_power
    return BreathingEstimate(centroid_hz * SECONDS_PER_MIN, near_power / total, slow)


def breathing_estimate(
    time_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None = None,
    *,
    window_s: float = WELCH_WINDOW_S,
) -> BreathingEstimate:
    """Breathing rate and its quality over a span of beats (module docstring).

    Parameters
    ----------
    time_s : beat times, in seconds.
    rr_ms : RR (ideally NN) intervals, in milliseconds.
    gap_before : True where beats may be missing before a beat.
    window_s : Welch window, in seconds (300 s; shorter spans get one window).

    Returns
    -------
    BreathingEstimate
        ``rate_per_min`` None when no gap-free stretch reaches 60 s.

    References
    ----------
    Schäfer & Kratky 2008; Julien 2006.
    """
    spectrum = rr_spectrum(
        time_s, rr_ms, gap_before, window_s=window_s, min_stretch_s=MIN_BREATHING_STRETCH_S
    )
    return NO_ESTIMATE if spectrum is None else estimate_from_spectrum(spectrum)


def breathing_rate(
    time_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None = None,
) -> float | None:
    """Breathing rate over a span, in breaths/min (None when it cannot be estimated).

    The rate of :func:`breathing_estimate`; use that for the quality.
    """
    return breathing_estimate(time_s, rr_ms, gap_before).rate_per_min


def breathing_rate_per_minute(
    time_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None = None,
    *,
    window_s: float = MINUTE_WINDOW_S,
) -> tuple[MinuteBreathing, ...]:
    """Breathing rate for each whole or partial minute of a span.

    Minute ``k`` starts ``60 k`` seconds after the first beat; its estimate uses
    the beats within ``window_s`` seconds centred on the middle of the minute
    (shifted to lie inside the span when the span is long enough), one Welch
    window over them, and needs a gap-free stretch of at least 60 s.

    Parameters
    ----------
    time_s : beat times, in seconds (increasing).
    rr_ms : RR (ideally NN) intervals, in milliseconds.
    gap_before : True where beats may be missing before a beat.
    window_s : analysis window per minute, in seconds (60–120 s is sensible).

    Returns
    -------
    One :class:`MinuteBreathing` per minute, in order.
    """
    rr, gaps = as_series(rr_ms, gap_before)
    t = np.asarray(time_s, dtype=np.float64).ravel()
    if t.shape != rr.shape:
        raise ValueError("time_s and rr_ms differ in length")
    if t.size == 0:
        return ()
    n_minutes = int(np.floor((t[-1] - t[0]) / SECONDS_PER_MIN)) + 1
    latest = max(float(t[0]), float(t[-1]) - window_s)
    out = []
    for k in range(n_minutes):
        start = t[0] + k * SECONDS_PER_MIN
        left = min(max(start + (SECONDS_PER_MIN - window_s) / 2.0, float(t[0])), latest)
        a, b = np.searchsorted(t, [left, left + window_s], side="right")
        sub_gaps = gaps[a:b].copy()
        if sub_gaps.size:
            sub_gaps[0] = False
        estimate = breathing_estimate(t[a:b], rr[a:b], sub_gaps, window_s=window_s)
        out.append(MinuteBreathing(float(start), estimate))
    return tuple(out)
