"""R peaks of a single-lead ECG through NeuroKit2, with amplitudes and beat shapes.

:func:`ecg_beats` is our one boundary with NeuroKit2's ECG functions (imported
lazily: the import costs seconds and ~200 MB, so callers run it in a worker):

1. ``nk.ecg_clean(method="neurokit")``: 0.5-Hz high-pass (5th-order
   Butterworth) and a 50-Hz powerline filter.
2. ``nk.ecg_peaks(method="neurokit", correct_artifacts=False)``: QRS complexes
   from the smoothed absolute gradient, the R peak the largest sample in each.
   No artefact correction: ectopic beats are kept and judged by shape instead.
3. R amplitude: the vertex of the parabola through the cleaned ECG's peak
   sample and its two neighbours, in µV above the high-passed baseline (the
   EDR feature, :mod:`signals.ecg.edr`). At 100–130 Hz the peak sample misses
   the true R apex by up to half a sample, which on a ~25-ms-wide R wave is
   an error as large as the breathing modulation; the parabola removes most
   of it (on NeuroKit2's 8-min belt recording, with the shipped EDR constants,
   the minutes given a rate rose from 4 to 7 of 8 and their MAE against the
   belt fell from 1.07 to 0.48 breaths/min).
4. Shapes (:mod:`signals.ecg.shape`): template correlation, QRS width,
   ectopic and ventricular flags.
5. **Quality**, 0..1: the share of beats that are explained, i.e. match the
   template or are ventricular (a PVC is a real beat; a shape that neither
   matches nor is a PVC is noise or a misdetection), times the share of the
   recording covered by plausible RR intervals (:data:`RR_RANGE_S`,
   0.3–2.0 s), so that missed stretches and noise both lower it.

NeuroKit2's DataFrames and dicts stop here; the result is a frozen dataclass of
NumPy arrays with units in the names, on the caller's clock
(``t0_s + index / rate_hz``).

References
----------
Makowski D, Pham T, Lau ZJ, et al. NeuroKit2: a Python toolbox for
neurophysiological signal processing. Behav Res Methods 2021;53(4):1689-1696.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from signals.ecg.shape import qrs_shapes
from signals.hrv.time_domain import BoolArray, FloatArray

__all__ = ["MIN_SECONDS", "RR_RANGE_S", "EcgBeats", "ecg_beats"]

MIN_SECONDS: Final = 2.0
"""Shortest ECG processed, in seconds (NeuroKit2's filters need a few beats)."""
RR_RANGE_S: Final = (0.3, 2.0)
"""Plausible RR intervals for the quality, in seconds (200 to 30 beats/min)."""


@dataclass(frozen=True, slots=True, eq=False)
class EcgBeats:
    """Beats found in an ECG stretch.

    Attributes
    ----------
    r_times_s : R-peak times, in seconds on the caller's clock.
    r_amplitude_uv : R amplitude above the high-passed baseline, in µV.
    ectopic : True where the QRS shape differs from the median beat.
    quality : 0..1 (module docstring, step 5).
    ventricular : True for premature, wide, differently shaped beats (PVCs).
    correlation : correlation of each QRS with the template.
    qrs_width_ms : QRS width of each beat, in ms (:mod:`signals.ecg.shape`).
    start_s, end_s : the stretch analysed, in seconds.
    """

    r_times_s: FloatArray
    r_amplitude_uv: FloatArray
    ectopic: BoolArray
    quality: float
    ventricular: BoolArray
    correlation: FloatArray
    qrs_width_ms: FloatArray
    start_s: float
    end_s: float


def _empty(start_s: float, end_s: float) -> EcgBeats:
    f, b = np.zeros(0), np.zeros(0, dtype=np.bool_)
    return EcgBeats(f, f, b, 0.0, b, f, f, start_s, end_s)


def _neurokit_peaks(ecg_uv: FloatArray, rate_hz: float) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    """NeuroKit2's cleaned ECG and R-peak indices (the one call into NeuroKit2)."""
    import neurokit2 as nk

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cleaned = np.asarray(nk.ecg_clean(ecg_uv, sampling_rate=rate_hz, method="neurokit"))
        _, info = nk.ecg_peaks(
            cleaned, sampling_rate=rate_hz, method="neurokit", correct_artifacts=False
        )
    peaks = np.asarray(info["ECG_R_Peaks"], dtype=np.intp)
    return cleaned.astype(np.float64), np.unique(peaks[(peaks >= 0) & (peaks < cleaned.size)])


def _apex_uv(cleaned: FloatArray, peaks: npt.NDArray[np.intp]) -> FloatArray:
    """Height of the parabola through each peak sample and its neighbours (step 3)."""
    before = cleaned[np.maximum(peaks - 1, 0)]
    at = cleaned[peaks]
    after = cleaned[np.minimum(peaks + 1, cleaned.size - 1)]
    curve = before - 2.0 * at + after
    safe = np.where(curve < 0.0, curve, -1.0)
    out: FloatArray = np.where(curve < 0.0, at - (before - after) ** 2 / (8.0 * safe), at)
    return out


def _quality(r_times_s: FloatArray, explained: BoolArray, span_s: float) -> float:
    if r_times_s.size < 2 or span_s <= 0.0:
        return 0.0
    rr = np.diff(r_times_s)
    plausible = (rr >= RR_RANGE_S[0]) & (rr <= RR_RANGE_S[1])
    covered = min(1.0, float(rr[plausible].sum()) / span_s)
    return covered * float(explained.mean())


def ecg_beats(ecg_uv: npt.ArrayLike, rate_hz: float, t0_s: float) -> EcgBeats:
    """R peaks, amplitudes, ectopic flags and quality of an ECG stretch.

    Parameters
    ----------
    ecg_uv : ECG samples, in µV (the Polar H10 streams µV at ~130 Hz).
    rate_hz : sampling rate, in Hz.
    t0_s : time of the first sample, in seconds (sample ``k`` is at
        ``t0_s + k / rate_hz``).

    Returns
    -------
    EcgBeats
        Empty, with quality 0, for stretches shorter than :data:`MIN_SECONDS` or
        without any variation.

    References
    ----------
    Makowski et al. 2021 (NeuroKit2); :mod:`signals.ecg.shape` for the ectopic rule.
    """
    x = np.asarray(ecg_uv, dtype=np.float64).ravel()
    end_s = t0_s + x.size / rate_hz
    if x.size < MIN_SECONDS * rate_hz or not np.isfinite(x).all() or np.ptp(x) <= 0.0:
        return _empty(t0_s, end_s)
    cleaned, peaks = _neurokit_peaks(x, rate_hz)
    if peaks.size == 0:
        return _empty(t0_s, end_s)
    shapes = qrs_shapes(cleaned, peaks, rate_hz)
    r_times = t0_s + peaks / rate_hz
    explained = ~shapes.ectopic | shapes.ventricular
    return EcgBeats(
        r_times_s=r_times,
        r_amplitude_uv=_apex_uv(cleaned, peaks),
        ectopic=shapes.ectopic,
        quality=_quality(r_times, explained, x.size / rate_hz),
        ventricular=shapes.ventricular,
        correlation=shapes.correlation,
        qrs_width_ms=shapes.width_ms,
        start_s=t0_s,
        end_s=end_s,
    )
