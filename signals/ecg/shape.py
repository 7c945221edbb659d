"""Ectopic beats by QRS shape: template correlation and width against the median beat.

For each R peak of a cleaned ECG (µV, rate ``r`` Hz):

1. **Prematurity.** The RR interval closing the beat is premature when shorter
   than :data:`PREMATURE_SHARE` (85 %) of the running median, over
   :data:`LOCAL_BEATS` (11) intervals, of the mean of each interval and the
   next. A premature beat and its compensatory pause average to about the
   sinus interval, so the reference holds in bigeminy, where a plain median of
   the alternating short and long intervals would be one of the two.
2. **Template.** The median, sample by sample, of the QRS segments
   (:data:`QRS_SEGMENT_S`: 100 ms before to 150 ms after R) of the beats that
   are not premature (all beats when fewer than :data:`MIN_TEMPLATE_BEATS`):
   in bigeminy or trigeminy half or a third of the beats are ventricular, and
   a plain median over all beats would blend the two shapes, while the beat
   closing a compensatory pause is a sinus beat.
3. **Correlation** of each beat's segment with the template (Pearson).
4. **Width.** The span of the samples, within :data:`WIDTH_SEARCH_S` (100 ms
   either side of R), whose magnitude is at least
   :data:`WIDTH_LEVEL` (30 %) of the segment's largest magnitude, in ms (the
   cleaned ECG has no baseline: NeuroKit2's 0.5-Hz high-pass removed it).
   This is shorter than a cardiologist's QRS duration but tracks it; its
   resolution is one sample (7.7 ms at 130 Hz).
5. **Rule.** A beat is **ectopic** when its correlation is below
   :data:`MIN_CORRELATION` (0.85), or when it is premature and wide (width
   above :data:`WIDE_RATIO`, 1.4, times the template's); it is
   **ventricular** when it is ectopic, premature and wide: a premature wide
   QRS of a different shape (a PVC). Width alone does not make a beat ectopic:
   where the T wave is large next to a small QRS (NeuroKit2's 100-Hz resting
   recording), ~5 % of sinus beats measure wide. On the real
   Polar H10 recording with frequent PVCs (``tests/signals/test_ecg_realdata.py``)
   beats of normal shape correlate 0.94–1.00 with the template (5th–95th
   percentile) and ventricular ones 0.61–0.79; widths 61–69 ms against
   100–123 ms; 259 beats are ectopic, 238 of them ventricular, against 255
   premature beats.

References
----------
Pan J, Tompkins WJ. A real-time QRS detection algorithm. IEEE Trans Biomed Eng
1985;32(3):230-236 (template matching lineage). de Chazal P, O'Dwyer M, Reilly
RB. Automatic classification of heartbeats using ECG morphology and heartbeat
interval features. IEEE Trans Biomed Eng 2004;51(7):1196-1206. ANSI/AAMI EC57
(beat classes: a ventricular ectopic beat is premature with a wide QRS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from signals.hrv.time_domain import BoolArray, FloatArray

__all__ = [
    "LOCAL_BEATS",
    "MIN_CORRELATION",
    "MIN_TEMPLATE_BEATS",
    "PREMATURE_SHARE",
    "QRS_SEGMENT_S",
    "WIDE_RATIO",
    "WIDTH_LEVEL",
    "WIDTH_SEARCH_S",
    "QrsShapes",
    "premature_beats",
    "qrs_shapes",
]

IntArray = npt.NDArray[np.intp]

PREMATURE_SHARE: Final = 0.85
"""An RR shorter than this share of the local median closes a premature beat."""
LOCAL_BEATS: Final = 11
"""Intervals in the running median that prematurity is judged against."""
QRS_SEGMENT_S: Final = (0.10, 0.15)
"""The segment compared with the template: seconds before and after R."""
WIDTH_SEARCH_S: Final = (0.10, 0.10)
"""Where the QRS width is measured: seconds before and after R."""
WIDTH_LEVEL: Final = 0.3
"""The width counts samples at least this share of the segment's largest magnitude."""
MIN_CORRELATION: Final = 0.85
"""Beats correlating less with the template are ectopic."""
WIDE_RATIO: Final = 1.4
"""Beats wider than this many times the template are ectopic (and, if premature, ventricular)."""
MIN_TEMPLATE_BEATS: Final = 5
"""Fewest non-premature beats to build the template from (else all beats)."""


@dataclass(frozen=True, slots=True, eq=False)
class QrsShapes:
    """Shape of each beat against the template.

    Attributes
    ----------
    correlation : Pearson correlation with the template, per beat.
    width_ms : QRS width (module docstring, step 4), per beat, in ms.
    template_width_ms : the template's width, in ms.
    premature : True where the closing RR is premature (step 1).
    ectopic : True where the shape differs (step 5).
    ventricular : ectopic, premature and wide (step 5).
    """

    correlation: FloatArray
    width_ms: FloatArray
    template_width_ms: float
    premature: BoolArray
    ectopic: BoolArray
    ventricular: BoolArray


def premature_beats(r_times_s: FloatArray) -> BoolArray:
    """True for beats whose closing RR is premature (step 1); the first beat is not."""
    out = np.zeros(r_times_s.size, dtype=np.bool_)
    if r_times_s.size < 3:
        return out
    rr = np.diff(r_times_s)
    pairs = (rr + np.append(rr[1:], rr[-1])) / 2.0
    half = LOCAL_BEATS // 2
    windows = sliding_window_view(np.pad(pairs, half, mode="edge"), LOCAL_BEATS)
    local = np.median(windows, axis=1)
    out[1:] = rr < PREMATURE_SHARE * local
    return out


def _segments(x: FloatArray, peaks: IntArray, before: int, after: int) -> FloatArray:
    """Rows ``x[p - before : p + after + 1]`` for each peak, edge values repeated."""
    idx = np.clip(peaks[:, None] + np.arange(-before, after + 1)[None, :], 0, x.size - 1)
    out: FloatArray = x[idx]
    return out


def _widths_ms(seg: FloatArray, rate_hz: float) -> FloatArray:
    """Span of the samples at least :data:`WIDTH_LEVEL` of each row's peak magnitude, in ms."""
    mag = np.abs(seg)
    above = mag >= WIDTH_LEVEL * mag.max(axis=1, keepdims=True)
    first = above.argmax(axis=1)
    last = seg.shape[1] - 1 - above[:, ::-1].argmax(axis=1)
    out: FloatArray = (last - first + 1) * 1000.0 / rate_hz
    return out


def _correlations(seg: FloatArray, template: FloatArray) -> FloatArray:
    a = seg - seg.mean(axis=1, keepdims=True)
    b = template - template.mean()
    den = np.sqrt((a * a).sum(axis=1) * (b * b).sum())
    out: FloatArray = np.divide(a @ b, den, out=np.zeros(seg.shape[0]), where=den > 0)
    return out


def qrs_shapes(cleaned_uv: FloatArray, peaks: IntArray, rate_hz: float) -> QrsShapes:
    """Correlation, width and the ectopic rule for each R peak (module docstring).

    Parameters
    ----------
    cleaned_uv : the cleaned ECG, in µV (baseline removed).
    peaks : R-peak sample indices (increasing).
    rate_hz : sampling rate, in Hz.
    """
    premature = premature_beats(peaks / rate_hz)
    if peaks.size == 0:
        empty = np.zeros(0)
        none = np.zeros(0, dtype=np.bool_)
        return QrsShapes(empty, empty, float("nan"), none, none, none)
    seg = _segments(
        cleaned_uv, peaks, round(QRS_SEGMENT_S[0] * rate_hz), round(QRS_SEGMENT_S[1] * rate_hz)
    )
    sinus = (
        ~premature
        if np.count_nonzero(~premature) >= MIN_TEMPLATE_BEATS
        else np.ones_like(premature)
    )
    template = np.median(seg[sinus], axis=0)
    correlation = _correlations(seg, template)
    w_before, w_after = (round(s * rate_hz) for s in WIDTH_SEARCH_S)
    width = _widths_ms(_segments(cleaned_uv, peaks, w_before, w_after), rate_hz)
    template_width = float(
        _widths_ms(
            np.median(_segments(cleaned_uv, peaks[sinus], w_before, w_after), axis=0)[None, :],
            rate_hz,
        )[0]
    )
    wide_premature = premature & (width > WIDE_RATIO * template_width)
    ectopic = (correlation < MIN_CORRELATION) | wide_premature
    return QrsShapes(
        correlation, width, template_width, premature, ectopic, ectopic & wide_premature
    )
