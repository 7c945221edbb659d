"""Breathing rate from respiratory sinus arrhythmia (RSA) in the RR series.

Breathing modulates the RR intervals (shorter on inhalation, longer on
exhalation). Two views of that modulation are combined, per window of
:data:`MINUTE_WINDOW_S` (60 s):

1. **Tachogram** (:mod:`signals.breathing.tachogram`). RR intervals more than
   20 % away from the median of the 11 around them (ectopic, missed or extra
   beats) are replaced by interpolation; the series is resampled once at 4 Hz
   by linear interpolation between beats, on the absolute grid ``k / 4`` s.
   Samples inside a gap, or in a gap-free stretch shorter than 30 s, are
   invalid. A window with fewer than
   :data:`MIN_VALID_SHARE` (75 %) valid samples gets no estimate. Each window's
   valid samples lose their mean and linear trend; invalid ones are set to 0.
2. **Search band.** From :attr:`BreathingParams.low_hz` (0.1 Hz, 6/min) to
   ``min(0.7 Hz, HR / 2)``, HR the window's mean heart rate in Hz: beats sample
   the RSA, so nothing above half the heart rate (the Nyquist rate of beat
   sampling) can be told apart from aliasing; the fixed 0.4 Hz HF edge used
   before cut off 25 breaths/min (0.417 Hz).
3. **Spectral peak.** Hann window, FFT, power multiplied by ``f²`` (the
   spectrum of the RR *derivative*): the RR background falls roughly as
   ``1/f²`` (Mayer waves near 0.1 Hz, slow trends), and whitening stops it from
   outweighing a small, fast respiratory peak. The rate is the highest
   whitened peak in the band, refined by a parabola through log power.
   The **concentration** is the share of the in-band whitened power within
   the Hann main lobe (``±2 / window``) of that peak.
4. **Counting.** The window, band-passed to the same band (FFT, smooth edges),
   is counted by the "advanced counting" of Schäfer & Kratky
   (:mod:`signals.breathing.counting`, threshold
   :attr:`BreathingParams.threshold_frac` of the upper quartile of the
   extremum-to-extremum distances).
5. **Fusion.** When the two rates agree within
   :attr:`BreathingParams.agreement_per_min`, the estimate is their mean;
   otherwise the rate cannot be told and is None. ``quality`` =
   concentration × ``max(0, 1 − |difference| / (2 × agreement))``: at least
   half the concentration when a rate is given, below half when refused.

Validation (``python -m bench.breathing_bench``; RR from the ECG, not
artefact-corrected; reference breaths from impedance pneumography; each
60-s reference window scored). MARSH: 20 healthy adults, 291 minutes at
6–24.5 breaths/min including paced slow and fast segments. The three
:class:`BreathingParams` were chosen by leave-one-subject-out cross-validation
over a grid of 18 sets (cost: absolute error, 2 breaths/min per refused
window); pooled held-out figures: MAE 0.77 breaths/min on the 91.8 % of minutes
with a rate, 93.6 % of them within 2/min, MAE 0.50 / 0.74 / 1.64 below 10, in
10–18 and above 18/min; the same set was chosen in 19 of 20 folds. With the
shipped set: MAE 0.68, 94.7 % within 2/min, 90.4 % rated. The former estimator
(HF-band maximum, 120-s windows) scored MAE 2.23 on all minutes and 8.5 above
18/min; the plainest (highest RR-spectrum point in 0.1–0.5 Hz) 2.97 and 9.5.
BIDMC (31 ICU recordings, weak RSA, arrhythmias, 248 minutes): a rate for
33 % of the minutes, MAE 2.25 and 70 % within 2/min there, against 5.66 and
40 % for the plainest estimator on all minutes (3.89 on the same minutes);
the former estimator, which never refuses, scored 2.85 on all minutes. Most
ICU minutes are refused: their RSA is too weak for spectrum and count to agree.
Speed: 2,699 windows over the 106,459 beats of a 22.5-h Holter day in ~0.2 s.

Spans (:func:`breathing_estimate`) are tiled with half-overlapping windows;
the rate is the median of the windows with a rate. :func:`estimate_from_spectrum`
is the whitened spectral peak alone (step 3 on a given spectrum, band
0.1–0.5 Hz), for callers that hold only a long Welch spectrum.

References
----------
Hirsch JA, Bishop B. Respiratory sinus arrhythmia in humans: how breathing
pattern modulates heart rate. Am J Physiol 1981;241:H620-H629. Schäfer A, Kratky
KW. Estimation of breathing rate from respiratory sinus arrhythmia: comparison
of various methods. Ann Biomed Eng 2008;36(3):476-485. Charlton PH et al.
An assessment of algorithms to estimate respiratory rate from the
electrocardiogram and photoplethysmogram. Physiol Meas 2016;37(4):610-626.
Charlton PH et al. Breathing rate estimation from the electrocardiogram and
photoplethysmogram: a review. IEEE Rev Biomed Eng 2018;11:2-20. Julien C. The
enigma of Mayer waves. Cardiovasc Res 2006;70:12-21.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from signals.breathing.counting import count_breath_rates
from signals.breathing.tachogram import (
    RESAMPLE_HZ,
    resampled_tachogram,
    window_row_plain,
    window_rows,
)
from signals.hrv.frequency import RRSpectrum
from signals.hrv.time_domain import BoolArray, FloatArray, as_series

__all__ = [
    "BREATHING_PARAMS",
    "HIGH_LIMIT_HZ",
    "MINUTE_WINDOW_S",
    "MIN_RATED_SHARE",
    "MIN_VALID_SHARE",
    "NYQUIST_SHARE",
    "SLOW_RATE_PER_MIN",
    "BreathingEstimate",
    "BreathingParams",
    "MinuteBreathing",
    "band_passed",
    "breathing_estimate",
    "breathing_in_window",
    "breathing_in_windows",
    "breathing_rate",
    "breathing_rate_per_minute",
    "detrended",
    "estimate_from_spectrum",
    "estimate_in_band",
]

MINUTE_WINDOW_S: Final = 60.0
"""Analysis window, in seconds: 60 s follows minute-to-minute changes of rate
(during development, counting alone on MARSH: MAE 1.0 breaths/min with 60-s
windows, 1.7 with 90-s ones)."""
MIN_VALID_SHARE: Final = 0.75
"""Least share of valid samples for a window to get an estimate."""
HIGH_LIMIT_HZ: Final = 0.7
"""Upper end of the search band, in Hz (42 breaths/min), whatever the heart rate."""
NYQUIST_SHARE: Final = 0.5
"""The search band ends at this share of the mean heart rate (beat-sampling Nyquist)."""
MIN_RATED_SHARE: Final = 0.5
"""Least share of a span's windows with a rate for the span to get one."""
SLOW_RATE_PER_MIN: Final = 9.0
"""Rates below this, in breaths per minute, are flagged ``slow`` (below the HF band)."""
WHITENING_POWER: Final = 2.0
"""The power spectrum is multiplied by ``f`` to this power (the RR derivative's spectrum)."""
BAND_EDGE_HZ: Final = (0.01, 0.02)
"""Widths of the logistic low and high edges of the counting band-pass, in Hz."""
SPAN_LOW_HZ: Final = 0.1
SPAN_HIGH_HZ: Final = 0.5
"""Search band of :func:`estimate_from_spectrum` (no heart rate known), in Hz."""
SPAN_PEAK_HALF_WIDTH_HZ: Final = 0.05
"""Half-width of the region averaged around the peak of a long spectrum, in Hz."""
SECONDS_PER_MIN: Final = 60.0
_FFT_MIN: Final = 1024


@dataclass(frozen=True, slots=True)
class BreathingParams:
    """The tunable constants of the per-window estimate (module docstring).

    Attributes
    ----------
    low_hz : lower end of the search band, in Hz.
    threshold_frac : counting threshold, share of the upper quartile of the
        extremum-to-extremum distances.
    agreement_per_min : largest difference between the spectral and counted
        rates, in breaths per minute, for a rate to be given.
    """

    low_hz: float
    threshold_frac: float
    agreement_per_min: float


BREATHING_PARAMS: Final = BreathingParams(low_hz=0.1, threshold_frac=0.15, agreement_per_min=3.0)
"""Shipped constants: the choice of leave-one-subject-out cross-validation on
all 20 MARSH subjects (``bench/breathing_bench.py``)."""


@dataclass(frozen=True, slots=True)
class BreathingEstimate:
    """Breathing rate of a window or span of beats.

    Attributes
    ----------
    rate_per_min : breaths per minute, or None (too little gap-free data, or
        no rate can be told: spectrum and counting disagree).
    quality : 0..1, concentration × agreement (module docstring, step 5).
    slow : True when the rate is below :data:`SLOW_RATE_PER_MIN`.
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


# --- steps 2–5 on rows -----------------------------------------------------------------------


def detrended(x: FloatArray, v: BoolArray) -> FloatArray:
    """Each row minus the mean and linear trend of its valid samples; invalid samples 0."""
    n = np.maximum(v.sum(axis=1), 1)
    tt = np.broadcast_to(np.arange(x.shape[1], dtype=np.float64), x.shape)
    tc = np.where(v, tt - (np.where(v, tt, 0.0).sum(axis=1) / n)[:, None], 0.0)
    z = np.where(v, x - (np.where(v, x, 0.0).sum(axis=1) / n)[:, None], 0.0)
    slope = (tc * z).sum(axis=1) / np.maximum((tc * tc).sum(axis=1), 1e-12)
    return np.where(v, z - slope[:, None] * tc, 0.0)


def _spectral_peaks(
    z: FloatArray, low_hz: float, high_hz: FloatArray, half_width_hz: float
) -> tuple[FloatArray, FloatArray]:
    """Whitened spectral peak of each row, in Hz, and its concentration (step 3)."""
    n_fft = max(_FFT_MIN, 1 << (z.shape[1] - 1).bit_length())
    f = np.fft.rfftfreq(n_fft, 1.0 / RESAMPLE_HZ)
    power = np.abs(np.fft.rfft(z * np.hanning(z.shape[1]), n=n_fft, axis=1)) ** 2
    power *= f**WHITENING_POWER
    band = (f[None, :] >= low_hz) & (f[None, :] <= high_hz[:, None])
    k = np.clip(np.where(band, power, -1.0).argmax(axis=1), 1, f.size - 2)
    rows = np.arange(z.shape[0])
    la, lb, lc = (np.log(np.maximum(power[rows, k + d], 1e-300)) for d in (-1, 0, 1))
    curve = la - 2.0 * lb + lc
    shift = np.divide(0.5 * (la - lc), curve, out=np.zeros_like(curve), where=curve < 0.0)
    peak_hz = (k + np.clip(shift, -0.5, 0.5)) * RESAMPLE_HZ / n_fft
    in_band = np.where(band, power, 0.0)
    near = np.abs(f[None, :] - peak_hz[:, None]) <= half_width_hz
    total = in_band.sum(axis=1)
    share = np.divide(
        (in_band * near).sum(axis=1), total, out=np.zeros_like(total), where=total > 0
    )
    return peak_hz, share


def band_passed(z: FloatArray, low_hz: float, high_hz: FloatArray) -> FloatArray:
    """Each row band-passed to ``[low_hz, high_hz]`` by FFT with logistic edges."""
    m = z.shape[1]
    n_fft = 1 << (2 * m - 1).bit_length()
    f = np.fft.rfftfreq(n_fft, 1.0 / RESAMPLE_HZ)[None, :]
    low_w, high_w = BAND_EDGE_HZ
    gain = 1.0 / (1.0 + np.exp(-(f - low_hz) / low_w))
    gain = gain / (1.0 + np.exp(np.clip((f - high_hz[:, None]) / high_w, -50.0, 50.0)))
    return np.fft.irfft(np.fft.rfft(z, n=n_fft, axis=1) * gain, n=n_fft, axis=1)[:, :m]


def _estimate_rows(
    x: FloatArray, v: BoolArray, window_s: float, params: BreathingParams
) -> tuple[BreathingEstimate, ...]:
    """Steps 2–5 of the module docstring for each row."""
    if x.shape[0] == 0:
        return ()
    ok = v.mean(axis=1) >= MIN_VALID_SHARE
    mean_rr = np.divide(
        np.where(v, x, 0.0).sum(axis=1), v.sum(axis=1), out=np.ones(x.shape[0]), where=ok
    )
    high_hz = np.minimum(HIGH_LIMIT_HZ, NYQUIST_SHARE * 1000.0 / np.maximum(mean_rr, 1.0))
    return estimate_in_band(x, v, window_s, high_hz, params)


def estimate_in_band(
    x: FloatArray, v: BoolArray, window_s: float, high_hz: FloatArray, params: BreathingParams
) -> tuple[BreathingEstimate, ...]:
    """Steps 3–5 of the module docstring for each row of a 4-Hz breathing series.

    ``x`` (rows × samples at :data:`~signals.breathing.tachogram.RESAMPLE_HZ`) is any
    breathing series (RR, chest movement, R amplitude); ``v`` marks valid samples; the
    search band of row ``i`` is ``[params.low_hz, high_hz[i]]``. A row with fewer than
    :data:`MIN_VALID_SHARE` valid samples, or whose spectrum and count disagree by more
    than ``params.agreement_per_min``, gets no rate; quality = concentration × agreement.
    """
    ok = v.mean(axis=1) >= MIN_VALID_SHARE
    z = detrended(x, v)
    peak_hz, share = _spectral_peaks(z, params.low_hz, high_hz, 2.0 / window_s)
    counted = count_breath_rates(
        band_passed(z, params.low_hz, high_hz),
        v,
        threshold_frac=params.threshold_frac,
        resample_hz=RESAMPLE_HZ,
    )
    spectral = peak_hz * SECONDS_PER_MIN
    diff = np.abs(spectral - counted)
    tol = params.agreement_per_min
    agreement = np.clip(1.0 - np.nan_to_num(diff, nan=np.inf) / (2.0 * tol), 0.0, 1.0)
    quality = np.where(ok, share * agreement, 0.0)
    given = ok & (diff <= tol)
    rate = (spectral + counted) / 2.0
    return tuple(
        BreathingEstimate(float(r), float(q), bool(r < SLOW_RATE_PER_MIN))
        if g
        else BreathingEstimate(None, float(q), False)
        for r, q, g in zip(rate, quality, given, strict=True)
    )


# --- public API ------------------------------------------------------------------------------


def _series(
    time_s: npt.ArrayLike, rr_ms: npt.ArrayLike, gap_before: npt.ArrayLike | None
) -> tuple[FloatArray, FloatArray, BoolArray]:
    rr, gaps = as_series(rr_ms, gap_before)
    t = np.asarray(time_s, dtype=np.float64).ravel()
    if t.shape != rr.shape:
        raise ValueError("time_s and rr_ms differ in length")
    return t, rr, gaps


def breathing_in_windows(
    time_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None,
    centres_s: npt.ArrayLike,
    *,
    window_s: float = MINUTE_WINDOW_S,
    params: BreathingParams = BREATHING_PARAMS,
) -> tuple[BreathingEstimate, ...]:
    """Breathing estimate of many windows at once (module docstring).

    Window ``i`` covers ``[centres_s[i] - window_s / 2, centres_s[i] + window_s / 2)``
    (to the nearest 0.25-s sample). The whole series is resampled once and the
    windows are processed as one matrix: ~2,700 windows of a 22-h day cost well
    under a second. Gives the same result as :func:`breathing_in_window`.

    Parameters
    ----------
    time_s : beat times, in seconds (increasing).
    rr_ms : RR (ideally NN) intervals, in milliseconds.
    gap_before : True where beats may be missing before a beat (None: no gaps).
    centres_s : window centres, in seconds on the beat clock.
    window_s : window length, in seconds.
    params : tunable constants (the shipped ones by default).

    Returns
    -------
    One :class:`BreathingEstimate` per centre, in order.

    References
    ----------
    Schäfer & Kratky 2008; Charlton et al. 2016, 2018.
    """
    t, rr, gaps = _series(time_s, rr_ms, gap_before)
    centres = np.asarray(centres_s, dtype=np.float64).ravel()
    if t.size < 2:
        return tuple(NO_ESTIMATE for _ in centres)
    x, v = window_rows(resampled_tachogram(t, rr, gaps), centres, window_s)
    return _estimate_rows(x, v, window_s, params)


def breathing_in_window(
    time_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None,
    centre_s: float,
    *,
    window_s: float = MINUTE_WINDOW_S,
    params: BreathingParams = BREATHING_PARAMS,
) -> BreathingEstimate:
    """Breathing estimate of one window: the plain reference of :func:`breathing_in_windows`.

    Resamples only the window, sample by sample
    (:func:`signals.breathing.tachogram.window_row_plain`), then applies the
    same steps 2–5.
    """
    t, rr, gaps = _series(time_s, rr_ms, gap_before)
    if t.size < 2:
        return NO_ESTIMATE
    x, v = window_row_plain(t, rr, gaps, float(centre_s), window_s)
    return _estimate_rows(x, v, window_s, params)[0]


def _combined(estimates: Sequence[BreathingEstimate]) -> BreathingEstimate:
    """A span's estimate from its windows: median rate and quality of those with a rate.

    None unless at least :data:`MIN_RATED_SHARE` of the windows have a rate (without
    a breathing rhythm, spectrum and count still agree by chance in a few windows).
    """
    if not estimates:
        return NO_ESTIMATE
    rated = [e for e in estimates if e.rate_per_min is not None]
    if len(rated) < MIN_RATED_SHARE * len(estimates) or not rated:
        return BreathingEstimate(None, float(np.median([e.quality for e in estimates])), False)
    rate = float(np.median([e.rate_per_min for e in rated if e.rate_per_min is not None]))
    quality = float(np.median([e.quality for e in rated])) * len(rated) / len(estimates)
    return BreathingEstimate(rate, quality, rate < SLOW_RATE_PER_MIN)


def breathing_estimate(
    time_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None = None,
    *,
    window_s: float = MINUTE_WINDOW_S,
) -> BreathingEstimate:
    """Breathing rate and its quality over a span of beats.

    The span is tiled with windows of ``window_s`` every ``window_s / 2``
    (one window centred on the span when it is shorter); the rate is the
    median of the windows with a rate, the quality their median quality times
    the share of windows with a rate; no rate unless half the windows have one.

    Parameters
    ----------
    time_s : beat times, in seconds.
    rr_ms : RR (ideally NN) intervals, in milliseconds.
    gap_before : True where beats may be missing before a beat.
    window_s : analysis window, in seconds.

    Returns
    -------
    BreathingEstimate
        ``rate_per_min`` None when no window has a rate.

    References
    ----------
    Schäfer & Kratky 2008; Charlton et al. 2018.
    """
    t, rr, gaps = _series(time_s, rr_ms, gap_before)
    if t.size < 2:
        return NO_ESTIMATE
    span = float(t[-1] - t[0])
    if span <= window_s:
        centres = np.array([(t[0] + t[-1]) / 2.0])
    else:
        count = math.floor((span - window_s) / (window_s / 2.0)) + 1
        offset = (span - window_s - (count - 1) * window_s / 2.0) / 2.0
        centres = t[0] + offset + window_s / 2.0 + np.arange(count) * window_s / 2.0
    return _combined(breathing_in_windows(t, rr, gaps, centres, window_s=window_s))


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

    Minute ``k`` starts ``60 k`` seconds after the first beat; its estimate is
    that of :func:`breathing_in_windows` for a window of ``window_s`` centred on
    the middle of the minute, shifted to lie inside the span when the span is
    long enough.

    Parameters
    ----------
    time_s : beat times, in seconds (increasing).
    rr_ms : RR (ideally NN) intervals, in milliseconds.
    gap_before : True where beats may be missing before a beat.
    window_s : analysis window per minute, in seconds.

    Returns
    -------
    One :class:`MinuteBreathing` per minute, in order.
    """
    t, rr, gaps = _series(time_s, rr_ms, gap_before)
    if t.size == 0:
        return ()
    n_minutes = math.floor((t[-1] - t[0]) / SECONDS_PER_MIN) + 1
    starts = t[0] + SECONDS_PER_MIN * np.arange(n_minutes)
    latest = max(float(t[0]), float(t[-1]) - window_s)
    left = np.minimum(np.maximum(starts + (SECONDS_PER_MIN - window_s) / 2.0, t[0]), latest)
    estimates = breathing_in_windows(t, rr, gaps, left + window_s / 2.0, window_s=window_s)
    return tuple(MinuteBreathing(float(s), e) for s, e in zip(starts, estimates, strict=True))


def estimate_from_spectrum(spectrum: RRSpectrum) -> BreathingEstimate:
    """Breathing rate from a long RR spectrum alone: its whitened peak (step 3).

    The highest value of ``f² × PSD`` in 0.1–0.5 Hz, refined to the
    power-weighted mean frequency within ±0.05 Hz of it (spontaneous breathing
    varies and splits its peak over minutes); the quality is the share of the
    whitened in-band power in that region. No counting and no heart-rate limit (a spectrum does
    not carry them), so prefer :func:`breathing_estimate` when the beats are at hand.
    """
    f, p = spectrum.frequency_hz, spectrum.psd_ms2_per_hz
    band = (f >= SPAN_LOW_HZ) & (f <= SPAN_HIGH_HZ)
    if np.count_nonzero(band) < 3:
        return NO_ESTIMATE
    white = p * f**WHITENING_POWER
    inside = np.flatnonzero(band)
    k = int(inside[np.argmax(white[inside])])
    if white[k] <= 0.0:
        return NO_ESTIMATE
    near = band & (np.abs(f - f[k]) <= SPAN_PEAK_HALF_WIDTH_HZ)
    near_power = float(white[near].sum())
    peak_hz = float(np.sum(f[near] * white[near])) / near_power
    quality = near_power / float(white[band].sum())
    rate = peak_hz * SECONDS_PER_MIN
    return BreathingEstimate(rate, quality, rate < SLOW_RATE_PER_MIN)
