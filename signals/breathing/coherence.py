"""The heart's answer to paced breathing: the heart-rate swing per breath and a coherence ratio.

The breath patterns and the pacer are in :mod:`signals.breathing.pacer`. Slow breathing
near 6 breaths/min (0.1 Hz) brings respiratory sinus arrhythmia (RSA: heart
rate rises on inhalation and falls on exhalation) into resonance with the
baroreflex, so the heart rate swings widely and regularly at the breathing
rate (Lehrer & Gevirtz 2014). Two live readings follow:

* :func:`breath_swings`: per completed breath, the largest minus the smallest
  instantaneous heart rate within it, in beats/min (the peak-to-valley RSA).
* :func:`coherence`: how much of the heart-rate variability sits in one
  narrow peak, after McCraty et al. (2009) (definition in its docstring).

References
----------
Lehrer PM, Gevirtz R. Heart rate variability biofeedback: how and why does it
work? Front Psychol 2014;5:756. McCraty R, Atkinson M, Tomasino D, Bradley RT.
The coherent heart. Integral Review 2009;5(2):10-115. Grossman P, Taylor EW.
Toward understanding respiratory sinus arrhythmia. Biol Psychol 2007;74:263-285.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

# The pacer's names too, for callers that import them from here.
from signals.breathing.pacer import (
    TIME_TOLERANCE_S,
    BreathPattern,
)
from signals.hrv.spline import not_a_knot_spline
from signals.hrv.time_domain import MS_PER_MIN, FloatArray

__all__ = [
    "COHERENCE_PEAK_BAND_HZ",
    "COHERENCE_PEAK_HALF_WIDTH_HZ",
    "COHERENCE_TOTAL_BAND_HZ",
    "COHERENCE_WINDOW_S",
    "BreathSwing",
    "Coherence",
    "breath_swings",
    "coherence",
    "heart_rate_bpm",
]

COHERENCE_WINDOW_S: Final = 64.0
"""Length of RR data analysed for coherence, in seconds (McCraty et al. 2009)."""
COHERENCE_RESAMPLE_HZ: Final = 4.0
"""Rate of the evenly resampled RR tachogram, in Hz."""
COHERENCE_POINTS_PER_HZ: Final = 300
"""Frequency grid density after zero padding, in points per Hz."""
COHERENCE_PEAK_BAND_HZ: Final = (0.04, 0.26)
"""Where the coherence peak is searched, in Hz."""
COHERENCE_PEAK_HALF_WIDTH_HZ: Final = 0.015
"""Half width of the peak's integration window, in Hz (0.030 Hz wide in all)."""
COHERENCE_TOTAL_BAND_HZ: Final = (0.0033, 0.4)
"""Band of the total power, in Hz."""


def heart_rate_bpm(rr_ms: npt.ArrayLike) -> FloatArray:
    """Instantaneous heart rate, in beats/min: ``60000 / RR`` with RR in milliseconds."""
    rr = np.asarray(rr_ms, dtype=np.float64)
    return np.asarray(MS_PER_MIN / rr, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class BreathSwing:
    """The heart-rate swing of one breath.

    Attributes
    ----------
    breath_index : which breath, 0 for the first after ``start_s``.
    start_s : when the breath began, in seconds (on the beats' time scale).
    swing_bpm : max - min instantaneous heart rate within the breath, in beats/min.
    n_beats : beats within the breath.
    """

    breath_index: int
    start_s: float
    swing_bpm: float
    n_beats: int


def breath_swings(
    time_s: npt.ArrayLike,
    hr_bpm: npt.ArrayLike,
    pattern: BreathPattern,
    start_s: float,
    end_s: float | None = None,
    *,
    min_beats: int = 3,
) -> list[BreathSwing]:
    """Heart-rate swing (peak-to-valley RSA) of each completed breath.

    Breath ``k`` spans ``[start_s + k C, start_s + (k + 1) C)`` with ``C`` the
    pattern's cycle; it is complete when it ends by ``end_s`` (default: the last
    beat). Its swing is ``max(HR) - min(HR)`` over the beats within it. Where
    the breath starts within the heart-rate wave does not matter much: any
    window one cycle long holds one peak and one valley of a wave at the
    breathing rate. Breaths with fewer than ``min_beats`` beats (a gap) are
    left out.

    Parameters
    ----------
    time_s : beat times, in seconds, increasing.
    hr_bpm : instantaneous heart rate at each beat, in beats/min (:func:`heart_rate_bpm`).
    pattern : the breath pattern followed.
    start_s : start of the first breath, in seconds on the scale of ``time_s``.
    end_s : breaths ending after this, in seconds, are not yet complete.
    min_beats : fewest beats for a breath to count.

    References
    ----------
    Grossman P, Taylor EW. Biol Psychol 2007;74:263-285 (peak-valley RSA).
    Lehrer PM, Gevirtz R. Front Psychol 2014;5:756.
    """
    t = np.asarray(time_s, dtype=np.float64).ravel()
    hr = np.asarray(hr_bpm, dtype=np.float64).ravel()
    if t.shape != hr.shape:
        raise ValueError(f"time_s ({t.size}) and hr_bpm ({hr.size}) differ in length")
    if t.size == 0:
        return []
    stop_s = float(t[-1]) if end_s is None else end_s
    cycle_s = pattern.cycle_s
    n_breaths = math.floor((stop_s - start_s) / cycle_s + TIME_TOLERANCE_S)
    if n_breaths <= 0:
        return []
    bounds = np.searchsorted(t, start_s + cycle_s * np.arange(n_breaths + 1), side="left")
    swings = []
    for k in range(n_breaths):
        inside = hr[bounds[k] : bounds[k + 1]]
        inside = inside[np.isfinite(inside)]
        if inside.size >= max(1, min_beats):
            swing = float(inside.max() - inside.min())
            swings.append(BreathSwing(k, start_s + k * cycle_s, swing, int(inside.size)))
    return swings


@dataclass(frozen=True, slots=True)
class Coherence:
    """A coherence ratio of the last :data:`COHERENCE_WINDOW_S` of RR data.

    Attributes
    ----------
    ratio : peak power / (total power - peak power), dimensionless.
    score : 100 ratio / (1 + ratio), which is the peak's share of the total
        power in percent, 0..100.
    peak_hz : frequency of the peak, in Hz.
    peak_ms2 : power within ±0.015 Hz of the peak, in ms².
    total_ms2 : power in 0.0033–0.4 Hz, in ms².
    """

    ratio: float
    score: float
    peak_hz: float
    peak_ms2: float
    total_ms2: float


def coherence(
    time_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    *,
    window_s: float = COHERENCE_WINDOW_S,
) -> Coherence | None:
    """Coherence of the heart rhythm over the last ``window_s`` seconds of beats.

    An open formula after McCraty et al. (2009), **not** HeartMath's
    proprietary score (their emWave/Inner Balance values will differ):

    1. The RR series over the last ``window_s`` (64) seconds is resampled at
       4 Hz by a not-a-knot cubic spline (as :mod:`signals.hrv.frequency`), its
       mean removed, a Hann window applied, and its one-sided periodogram taken
       in ms²/Hz, zero-padded to a grid of 300 points/Hz.
    2. The peak is the highest local maximum of the spectrum in 0.04–0.26 Hz;
       the *peak power* is the power within ±0.015 Hz of it.
    3. ``ratio = peak / (total - peak)``, the total being the power in
       0.0033–0.4 Hz. (Some accounts of HeartMath's method square this.)
    4. ``score = 100 ratio / (1 + ratio)``, which equals ``100 peak / total``:
       the share of the variability held by the one rhythm, in percent. It is
       bounded, monotonic in the ratio, and readable without a lookup table.
       A pure sine reaches about 92 (the Hann window spreads about 8 % of a
       line's power beyond ±0.015 Hz over 64 s); white-noise RR reads about
       10–25.

    Parameters
    ----------
    time_s : beat times, in seconds, increasing.
    rr_ms : RR intervals, in milliseconds (clean beats: artefacts lower the ratio).
    window_s : analysed span, in seconds.

    Returns
    -------
    Coherence, or None with less than ``window_s`` of beats or a flat series.

    References
    ----------
    McCraty R, Atkinson M, Tomasino D, Bradley RT. The coherent heart:
    heart-brain interactions, psychophysiological coherence, and the emergence
    of system-wide order. Integral Review 2009;5(2):10-115.
    """
    t = np.asarray(time_s, dtype=np.float64).ravel()
    rr = np.asarray(rr_ms, dtype=np.float64).ravel()
    if t.shape != rr.shape:
        raise ValueError(f"time_s ({t.size}) and rr_ms ({rr.size}) differ in length")
    keep = np.isfinite(t) & np.isfinite(rr) & (rr > 0)
    t, rr = t[keep], rr[keep]
    if t.size < 4 or t[-1] - t[0] < window_s - TIME_TOLERANCE_S:
        return None
    fs = COHERENCE_RESAMPLE_HZ
    n = round(window_s * fs)
    start_s = float(t[-1]) - (n - 1) / fs
    first = max(0, int(np.searchsorted(t, start_s, side="right")) - 1)
    if t.size - first < 4:
        return None
    grid = start_s + np.arange(n) / fs
    y = not_a_knot_spline(t[first:], rr[first:], grid)
    taper = np.hanning(n)
    y = (y - y.mean()) * taper
    nfft = max(n, round(COHERENCE_POINTS_PER_HZ * fs))
    psd = np.abs(np.fft.rfft(y, n=nfft)) ** 2 / (fs * float(np.sum(taper**2)))
    psd[1 : (nfft + 1) // 2] *= 2.0  # one-sided: double all but DC (and Nyquist)
    freq = np.arange(psd.size) * fs / nfft
    df = fs / nfft
    lo, hi = COHERENCE_TOTAL_BAND_HZ
    total = float(psd[(freq >= lo) & (freq <= hi)].sum() * df)
    if not total > 0.0:
        return None
    peak_hz = _peak_frequency(freq, psd)
    half = COHERENCE_PEAK_HALF_WIDTH_HZ
    peak = float(psd[(freq >= peak_hz - half) & (freq <= peak_hz + half)].sum() * df)
    rest = total - peak
    ratio = peak / rest if rest > 0.0 else math.inf
    score = 100.0 * peak / total
    return Coherence(ratio, min(100.0, score), peak_hz, peak, total)


def _peak_frequency(freq: FloatArray, psd: FloatArray) -> float:
    """Highest local maximum in the peak band (its plain maximum when none)."""
    lo, hi = COHERENCE_PEAK_BAND_HZ
    idx = np.flatnonzero((freq >= lo) & (freq <= hi))
    inner = idx[(idx > 0) & (idx < psd.size - 1)]
    local = inner[(psd[inner] > psd[inner - 1]) & (psd[inner] >= psd[inner + 1])]
    pick = local if local.size else idx
    return float(freq[pick[np.argmax(psd[pick])]])
