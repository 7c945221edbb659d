"""Frequency-domain HRV: the RR spectrum with Kubios-like settings, and its band powers.

The spectrum
------------
1. The series is cut at gaps into gap-free *stretches*; stretches shorter than
   ``min_stretch_s`` are left out. Nothing is interpolated across a gap.
2. Optionally (``detrend=True``) each stretch of RR values is detrended with the
   smoothness-priors method (Tarvainen et al. 2002, lambda 500). Off by default,
   as in the Kubios reference report.
3. Each stretch is resampled at 4 Hz by a cubic spline (not-a-knot ends, the
   curve of scipy's ``CubicSpline`` and ``interp1d(kind="cubic")``) through
   ``(beat time, RR)``, from its first to its last beat.
4. Welch's method: Hann windows (symmetric, as MATLAB's) of ``window_s`` = 300 s
   with at least 50 % overlap, each window's mean removed, one-sided density in
   ms²/Hz on a grid of 300 points/Hz (``nfft = 1200`` at 4 Hz, zero padding for
   shorter windows). A stretch shorter than the window gets one window over its
   whole length (Kubios does the same); a longer one gets
   ``ceil((L - W) / (W / 2)) + 1`` windows spread evenly from its first to its
   last sample, so no tail is dropped. The PSDs of all windows of all stretches
   are averaged, weighted by window length.

Band powers
-----------
VLF 0–0.04 Hz, LF 0.04–0.15 Hz, HF 0.15–0.4 Hz (Task Force 1996). A band's power
in ms² is the trapezoidal integral of the PSD over the grid points
``lo <= f <= hi`` (the band edges fall on the 1/300 Hz grid, so neighbouring
bands share their edge and add up exactly). Total power = VLF + LF + HF
(power below 0.4 Hz). LF/HF = LF / HF; normalised units LF nu = 100 LF / (LF + HF)
and HF nu = 100 HF / (LF + HF).

On the Kubios sample (``kubios-ref``) this reproduces Kubios' FFT PSD table bin
by bin within 3 % and its LF, HF and VLF powers within 0.1 %, 0.3 % and 0.7 %.

References
----------
Task Force of the ESC and NASPE. Circulation 1996;93:1043-1065. Welch PD. IEEE
Trans Audio Electroacoust 1967;15:70-73. Tarvainen MP, Ranta-aho PO, Karjalainen
PA. An advanced detrending method with application to HRV analysis. IEEE Trans
Biomed Eng 2002;49(2):172-175. Tarvainen MP et al. Kubios HRV user's guide.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from signals.hrv.spline import not_a_knot_spline
from signals.hrv.time_domain import FloatArray, as_series

__all__ = [
    "HF_BAND_HZ",
    "LF_BAND_HZ",
    "MIN_STRETCH_S",
    "RESAMPLE_HZ",
    "SMOOTHNESS_PRIORS_LAMBDA",
    "SPECTRUM_POINTS_PER_HZ",
    "VLF_BAND_HZ",
    "WELCH_WINDOW_S",
    "FrequencyDomain",
    "RRSpectrum",
    "band_power",
    "frequency_domain",
    "gap_free_stretches",
    "rr_spectrum",
    "smoothness_priors_detrend",
]

RESAMPLE_HZ: Final = 4.0
"""Rate of the evenly resampled RR tachogram, in Hz."""
WELCH_WINDOW_S: Final = 300.0
"""Welch window length, in seconds (Kubios reference setting)."""
SPECTRUM_POINTS_PER_HZ: Final = 300
"""Frequency grid density, in points per Hz (Kubios reference setting)."""
MIN_STRETCH_S: Final = 120.0
"""Shortest gap-free stretch used for the band powers, in seconds (2 min for LF)."""
SMOOTHNESS_PRIORS_LAMBDA: Final = 500.0
"""Smoothness-priors regularisation (Kubios default; cut-off about 0.035 Hz at 4 Hz)."""
VLF_BAND_HZ: Final = (0.0, 0.04)
LF_BAND_HZ: Final = (0.04, 0.15)
HF_BAND_HZ: Final = (0.15, 0.4)


def gap_free_stretches(gaps: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``(start, end)`` index ranges of the gap-free stretches (a new one at each gap)."""
    if gaps.size == 0:
        return []
    starts = np.flatnonzero(gaps[1:]) + 1
    bounds = np.concatenate(([0], starts, [gaps.size]))
    return [(int(a), int(b)) for a, b in itertools.pairwise(bounds) if b > a]


def smoothness_priors_detrend(
    rr_ms: npt.ArrayLike, lambda_: float = SMOOTHNESS_PRIORS_LAMBDA
) -> FloatArray:
    """Remove the slow trend of a gap-free RR stretch (smoothness priors).

    The trend is ``z = (I + lambda² D2ᵀ D2)⁻¹ rr`` with ``D2`` the second-order
    difference matrix; the result is ``rr - z`` (the trend's mean is kept out,
    so the output has about zero mean). Solved as a banded system in O(N).

    References
    ----------
    Tarvainen MP, Ranta-aho PO, Karjalainen PA (2002) IEEE Trans Biomed Eng
    49(2):172-175.
    """
    # Lazily: scipy.linalg costs ~0.1 s to import and detrending is off by default.
    from scipy.linalg import solveh_banded

    rr = np.asarray(rr_ms, dtype=np.float64)
    n = rr.size
    if n < 3:
        return rr - rr.mean() if n else rr.copy()
    lam2 = lambda_ * lambda_
    # D2ᵀD2 is symmetric pentadiagonal; solveh_banded takes its upper bands.
    diag = np.full(n, 6.0)
    diag[[1, -2]] = 5.0
    diag[[0, -1]] = 1.0
    if n == 3:
        diag[1] = 4.0
    off1 = np.full(n - 1, -4.0)
    off1[[0, -1]] = -2.0
    off2 = np.ones(n - 2)
    ab = np.zeros((3, n))
    ab[2] = 1.0 + lam2 * diag
    ab[1, 1:] = lam2 * off1
    ab[0, 2:] = lam2 * off2
    trend = solveh_banded(ab, rr)
    return np.asarray(rr - trend, dtype=np.float64)


@dataclass(frozen=True, slots=True, eq=False)
class RRSpectrum:
    """Averaged Welch PSD of an RR series.

    Attributes
    ----------
    frequency_hz : grid, in Hz (0 to the Nyquist rate).
    psd_ms2_per_hz : one-sided power spectral density, in ms²/Hz.
    n_windows : number of Welch windows averaged.
    analysed_s : total length of the stretches used, in seconds.
    """

    frequency_hz: FloatArray
    psd_ms2_per_hz: FloatArray
    n_windows: int
    analysed_s: float


def _window_starts(n_samples: int, win: int) -> npt.NDArray[np.intp]:
    if n_samples <= win:
        return np.zeros(1, dtype=np.intp)
    count = math.ceil((n_samples - win) / (win / 2)) + 1
    return np.round(np.linspace(0, n_samples - win, count)).astype(np.intp)


def rr_spectrum(
    time_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None = None,
    *,
    window_s: float = WELCH_WINDOW_S,
    min_stretch_s: float = MIN_STRETCH_S,
    detrend: bool = False,
    resample_hz: float = RESAMPLE_HZ,
) -> RRSpectrum | None:
    """Welch PSD of the RR tachogram over the gap-free stretches (module docstring).

    Parameters
    ----------
    time_s : beat times, in seconds (the beat that closes each interval).
    rr_ms : RR intervals, in milliseconds.
    gap_before : True where beats may be missing before a beat.
    window_s : Welch window length, in seconds (at most 300 s keeps the
        300 points/Hz grid; longer windows set a finer one).
    min_stretch_s : stretches shorter than this, in seconds, are left out.
    detrend : smoothness-priors detrending of each stretch first.
    resample_hz : resampling rate, in Hz.

    Returns
    -------
    RRSpectrum, or None when no stretch is long enough.
    """
    rr, gaps = as_series(rr_ms, gap_before)
    t = np.asarray(time_s, dtype=np.float64).ravel()
    if t.shape != rr.shape:
        raise ValueError("time_s and rr_ms differ in length")
    win_max = round(window_s * resample_hz)
    nfft = max(win_max, round(SPECTRUM_POINTS_PER_HZ * resample_hz))
    total = np.zeros(nfft // 2 + 1)
    weight, n_windows, analysed = 0.0, 0, 0.0
    for a, b in gap_free_stretches(gaps):
        ts, ys = t[a:b], rr[a:b]
        span = ts[-1] - ts[0] if b - a else 0.0
        if b - a < 4 or span < min_stretch_s:
            continue
        if detrend:
            ys = smoothness_priors_detrend(ys)
        grid = ts[0] + np.arange(math.floor(span * resample_hz) + 1) / resample_hz
        y = not_a_knot_spline(ts, np.asarray(ys, dtype=np.float64), grid)
        win = min(win_max, y.size)
        taper = np.hanning(win)
        starts = _window_starts(y.size, win)
        segs = y[starts[:, None] + np.arange(win)]
        segs = (segs - segs.mean(axis=1, keepdims=True)) * taper
        power = np.abs(np.fft.rfft(segs, n=nfft, axis=1)) ** 2
        power /= resample_hz * float(np.sum(taper**2))
        power[:, 1 : (nfft + 1) // 2] *= 2.0  # one-sided: double all but DC (and Nyquist)
        total += power.sum(axis=0) * win
        weight += win * starts.size
        n_windows += starts.size
        analysed += span
    if n_windows == 0:
        return None
    freqs = np.arange(nfft // 2 + 1) * resample_hz / nfft
    return RRSpectrum(freqs, total / weight, n_windows, analysed)


def band_power(spectrum: RRSpectrum, band_hz: tuple[float, float]) -> float:
    """Power of a band in ms²: trapezoidal integral of the PSD over ``lo <= f <= hi``."""
    lo, hi = band_hz
    f = spectrum.frequency_hz
    eps = 1e-9
    inside = (f >= lo - eps) & (f <= hi + eps)
    if np.count_nonzero(inside) < 2:
        return 0.0
    return float(np.trapezoid(spectrum.psd_ms2_per_hz[inside], f[inside]))


@dataclass(frozen=True, slots=True)
class FrequencyDomain:
    """Frequency-domain HRV (module docstring).

    Attributes
    ----------
    vlf_ms2, lf_ms2, hf_ms2, total_ms2 : band powers, in ms².
    lf_hf : LF / HF (None when HF is 0).
    lf_nu, hf_nu : LF and HF in normalised units, 100 LF / (LF + HF), in %.
    """

    vlf_ms2: float | None
    lf_ms2: float | None
    hf_ms2: float | None
    lf_hf: float | None
    lf_nu: float | None
    hf_nu: float | None
    total_ms2: float | None

    def to_json(self) -> dict[str, float | None]:
        """The values keyed by attribute name (plain floats or None)."""
        return {
            "vlf_ms2": self.vlf_ms2,
            "lf_ms2": self.lf_ms2,
            "hf_ms2": self.hf_ms2,
            "lf_hf": self.lf_hf,
            "lf_nu": self.lf_nu,
            "hf_nu": self.hf_nu,
            "total_ms2": self.total_ms2,
        }


EMPTY_FREQUENCY_DOMAIN: Final = FrequencyDomain(None, None, None, None, None, None, None)


def frequency_domain(
    time_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None = None,
    *,
    detrend: bool = False,
    spectrum: RRSpectrum | None = None,
) -> FrequencyDomain:
    """Band powers of the RR spectrum (Kubios-like settings; module docstring).

    Parameters
    ----------
    time_s : beat times, in seconds.
    rr_ms : RR intervals, in milliseconds.
    gap_before : True where beats may be missing before a beat.
    detrend : smoothness-priors detrending (lambda 500) before resampling.
    spectrum : a spectrum already computed by :func:`rr_spectrum` (then the
        series arguments are not used).

    Returns
    -------
    FrequencyDomain
        All None when no gap-free stretch reaches :data:`MIN_STRETCH_S`.

    References
    ----------
    Task Force 1996; Kubios HRV user's guide; Tarvainen et al. 2002.
    """
    spec = rr_spectrum(time_s, rr_ms, gap_before, detrend=detrend) if spectrum is None else spectrum
    if spec is None:
        return EMPTY_FREQUENCY_DOMAIN
    vlf = band_power(spec, VLF_BAND_HZ)
    lf = band_power(spec, LF_BAND_HZ)
    hf = band_power(spec, HF_BAND_HZ)
    lf_hf_sum = lf + hf
    return FrequencyDomain(
        vlf_ms2=vlf,
        lf_ms2=lf,
        hf_ms2=hf,
        lf_hf=lf / hf if hf > 0 else None,
        lf_nu=100.0 * lf / lf_hf_sum if lf_hf_sum > 0 else None,
        hf_nu=100.0 * hf / lf_hf_sum if lf_hf_sum > 0 else None,
        total_ms2=vlf + lf + hf,
    )
