"""Nonlinear HRV: Poincaré SD1 / SD2, DFA alpha1 and sample entropy.

As everywhere in ``signals``, ``gap_before[j]`` is True when beats may be missing
before beat ``j``; pairs, boxes and templates never reach across a gap.

Definitions
-----------
- **Poincaré** (Brennan et al. 2001): for every successive pair ``(x, y) =
  (rr[j - 1], rr[j])`` inside a gap-free segment, SD1 is the standard deviation
  (ddof = 1) of ``(y - x) / sqrt(2)`` and SD2 that of ``(x + y) / sqrt(2)``, in ms.
  Hence ``SD1² = SDSD² / 2`` exactly, and ``SD2² = 2 SDNN² - SDSD² / 2`` up to
  end effects (the pairs count the first and last interval once, SDNN counts
  every interval once). We compute SD2 from the pairs because Kubios and
  NeuroKit2 do: on the Kubios sample the pairs give 124.98362 ms (Kubios
  124.983623) where the identity gives 124.905 ms (0.06 % lower).
- **DFA alpha1** (Peng et al. 1995): the profile ``cumsum(rr - mean rr)`` of each
  gap-free segment (the mean over the whole series) is cut into non-overlapping
  boxes of ``n`` beats from the segment start; a least-squares line is removed in
  each box; ``F(n)`` is the root mean square of all residuals of all boxes;
  alpha1 is the least-squares slope of ``log F(n)`` against ``log n`` for the
  integer box sizes ``n`` = 4 .. 16 beats (the range used in exercise and
  fatigue studies; Kubios uses 4–12, NeuroKit2 4–11 with overlapping boxes).
- **Sample entropy** (Richman & Moorman 2000), m = 2, r = 0.2 x SD (SD of the
  series, ddof = 1): ``SampEn = -ln(A / B)`` where ``B`` counts the pairs of
  distinct templates of length m and ``A`` those of length m + 1 whose Chebyshev
  distance is <= r. Templates start at the same ``N - m`` positions for both
  lengths and lie inside one gap-free segment. None when ``A`` or ``B`` is 0.
  Counting uses a sort on the first template value (only pairs closer than r
  in it are compared): 3000 beats take about 20 ms (NeuroKit2's KD-tree
  about the same; its whole nonlinear set about 30 s on 50 min). A series
  longer than :data:`SAMPEN_WINDOW_BEATS` is cut into equal
  non-overlapping windows of at most that length; at most
  :data:`SAMPEN_MAX_WINDOWS` of them, evenly spread, are counted, and their
  counts ``A`` and ``B`` are pooled with the r of the whole series. Pairs are
  then only formed within a window, i.e. between beats at most a window apart.
  On 20 000 Holter beats this gives 0.355 where the exact count gives 0.380
  (1.5 s); a 22-h day (106 000 beats) takes about 0.3 s.

References
----------
Brennan M, Palaniswami M, Kamen P. Do existing measures of Poincaré plot
geometry reflect nonlinear features of heart rate variability? IEEE Trans Biomed
Eng 2001;48(11):1342-1347. Peng CK, Havlin S, Stanley HE, Goldberger AL.
Quantification of scaling exponents and crossover phenomena in nonstationary
heartbeat time series. Chaos 1995;5(1):82-87. Richman JS, Moorman JR.
Physiological time-series analysis using approximate entropy and sample
entropy. Am J Physiol Heart Circ Physiol 2000;278:H2039-H2049.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from signals.hrv.frequency import gap_free_stretches
from signals.hrv.time_domain import FloatArray, as_series, pair_mask

__all__ = [
    "DFA_ALPHA1_BEATS",
    "SAMPEN_DIMENSION",
    "SAMPEN_MAX_WINDOWS",
    "SAMPEN_TOLERANCE_SD",
    "SAMPEN_WINDOW_BEATS",
    "Nonlinear",
    "dfa_alpha",
    "nonlinear",
    "poincare",
    "sample_entropy",
]

DFA_ALPHA1_BEATS: Final = (4, 16)
"""Smallest and largest DFA box for alpha1, in beats (inclusive)."""
SAMPEN_DIMENSION: Final = 2
"""Template length m of sample entropy, in beats."""
SAMPEN_TOLERANCE_SD: Final = 0.2
"""Tolerance r of sample entropy, as a multiple of the SD of the series."""
SAMPEN_WINDOW_BEATS: Final = 3000
"""Series up to this many beats get exact sample entropy; longer ones are sampled."""
SAMPEN_MAX_WINDOWS: Final = 4
"""Most windows (of at most ``SAMPEN_WINDOW_BEATS``) pooled for a long series."""
_OFFSET_BLOCK: Final = 48
"""Template offsets compared per array operation in sample entropy (speed only)."""


def poincare(
    rr_ms: npt.ArrayLike, gap_before: npt.ArrayLike | None = None
) -> tuple[float | None, float | None]:
    """SD1 and SD2 of the Poincaré plot, in ms (module docstring; Brennan 2001).

    Returns ``(None, None)`` with fewer than two successive pairs.
    """
    rr, gaps = as_series(rr_ms, gap_before)
    if rr.size < 3:
        return None, None
    keep = pair_mask(gaps)
    x, y = rr[:-1][keep], rr[1:][keep]
    if x.size < 2:
        return None, None
    sd1 = float(np.std((y - x) / math.sqrt(2.0), ddof=1))
    sd2 = float(np.std((x + y) / math.sqrt(2.0), ddof=1))
    return sd1, sd2


def dfa_alpha(
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None = None,
    box_beats: tuple[int, int] = DFA_ALPHA1_BEATS,
) -> float | None:
    """Scaling exponent of detrended fluctuation analysis (Peng 1995; module docstring).

    Parameters
    ----------
    rr_ms : RR intervals, in milliseconds.
    gap_before : True where beats may be missing before a beat; boxes stay
        inside gap-free segments.
    box_beats : smallest and largest box size, in beats (inclusive).

    Returns
    -------
    The slope of log F(n) against log n, or None when fewer than three box
    sizes have at least one box.
    """
    rr, gaps = as_series(rr_ms, gap_before)
    if rr.size < box_beats[0]:
        return None
    # One profile for the whole series: inside a box it differs from its own
    # segment's profile by a constant, which the fitted line removes.
    profile = np.cumsum(rr - rr.mean())
    stretches = gap_free_stretches(gaps)
    sizes, flucts = [], []
    for n in range(box_beats[0], box_beats[1] + 1):
        sq_sum, count = 0.0, 0
        xc = np.arange(n) - (n - 1) / 2.0
        sxx = float(np.sum(xc * xc))
        for a, b in stretches:
            k = (b - a) // n
            if k == 0:
                continue
            boxes = profile[a : a + k * n].reshape(k, n)
            centred = boxes - boxes.mean(axis=1, keepdims=True)
            slope = centred @ xc / sxx
            resid = centred - slope[:, None] * xc
            sq_sum += float(np.sum(resid * resid))
            count += k * n
        if count:
            sizes.append(n)
            flucts.append(math.sqrt(sq_sum / count))
    if len(sizes) < 3 or min(flucts) <= 0.0:
        return None
    slope_fit = np.polyfit(np.log(sizes), np.log(flucts), 1)[0]
    return float(slope_fit)


def _match_counts(templates: FloatArray, tolerance: float, dimension: int) -> tuple[int, int]:
    """Pairs within ``tolerance`` (Chebyshev) over the first ``dimension`` columns, and all.

    The templates are sorted by their first value; then every template ``i`` is
    compared with the one ``d`` places later, as long as their first values are
    within ``tolerance`` (``d`` up to ``width[i]``). Offsets are taken
    :data:`_OFFSET_BLOCK` at a time, and only for the templates whose band
    reaches that far. Each pair is compared once, with the same float
    operations as comparing all pairs directly (``|x_j - x_i| <= r``); the
    counts are integers, so the order of counting does not matter.
    """
    order = np.argsort(templates[:, 0], kind="stable")
    ordered = templates[order]
    n = ordered.shape[0]
    first = ordered[:, 0]
    # Partners j > i with first[j] - first[i] <= r: the next `width[i]` templates.
    width = np.searchsorted(first, first + tolerance, side="right") - np.arange(n) - 1
    top = int(width.max()) if n else 0
    columns = [np.ascontiguousarray(ordered[:, c]) for c in range(1, dimension + 1)]
    # Row i of a window view holds column[i .. i + block - 1] (NaN past the end).
    windows = [
        sliding_window_view(
            np.concatenate((c, np.full(top + _OFFSET_BLOCK, np.nan))), _OFFSET_BLOCK
        )
        for c in columns
    ]
    b_count, a_count = 0, 0
    for d0 in range(1, top + 1, _OFFSET_BLOCK):
        rows = np.flatnonzero(width >= d0)
        ok = width[rows, None] >= d0 + np.arange(_OFFSET_BLOCK)  # so rows + offset < n
        for c, (column, window) in enumerate(zip(columns, windows, strict=True), start=1):
            if c == dimension:  # the first `dimension` values match
                b_count += int(np.count_nonzero(ok))
            x = window[rows + d0]  # x[k, o] = column[rows[k] + d0 + o]
            x -= column[rows, None]
            np.abs(x, out=x)
            ok &= x <= tolerance
        a_count += int(np.count_nonzero(ok))
    return b_count, a_count


def _template_starts(gaps: npt.NDArray[np.bool_], length: int) -> npt.NDArray[np.intp]:
    """Starts ``i`` whose ``length`` beats ``i .. i + length - 1`` share a gap-free segment."""
    n = gaps.size
    if n < length:
        return np.zeros(0, dtype=np.intp)
    gcount = np.concatenate(([0], np.cumsum(gaps[1:].astype(np.int64))))
    ok = gcount[length - 1 :] - gcount[: n - length + 1] == 0
    return np.flatnonzero(ok).astype(np.intp)


def _sampen_windows(n: int) -> list[tuple[int, int]]:
    """Non-overlapping windows of at most ``SAMPEN_WINDOW_BEATS``, evenly spread."""
    count = math.ceil(n / SAMPEN_WINDOW_BEATS)
    if count <= 1:
        return [(0, n)]
    length = n // count
    picked = min(count, SAMPEN_MAX_WINDOWS)
    starts = np.linspace(0, n - length, picked).round().astype(int)
    return [(int(a), int(a) + length) for a in starts]


def sample_entropy(
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None = None,
    *,
    dimension: int = SAMPEN_DIMENSION,
    tolerance_sd: float = SAMPEN_TOLERANCE_SD,
) -> float | None:
    """Sample entropy with m = ``dimension`` and r = ``tolerance_sd`` x SD (module docstring).

    Series longer than :data:`SAMPEN_WINDOW_BEATS` beats are counted in
    non-overlapping windows (at most :data:`SAMPEN_MAX_WINDOWS`, evenly spread)
    whose match counts are pooled. Returns None when no match of length m + 1
    exists (undefined).

    References
    ----------
    Richman JS, Moorman JR (2000) Am J Physiol Heart Circ Physiol 278:H2039-H2049.
    """
    rr, gaps = as_series(rr_ms, gap_before)
    if rr.size < dimension + 2:
        return None
    tolerance = tolerance_sd * float(rr.std(ddof=1))
    if tolerance <= 0.0:
        return None
    b_total, a_total = 0, 0
    for a, b in _sampen_windows(rr.size):
        starts_m1 = _template_starts(gaps[a:b], dimension + 1)
        if starts_m1.size < 2:
            continue
        templates = rr[a:b][starts_m1[:, None] + np.arange(dimension + 1)]
        b_count, a_count = _match_counts(templates, tolerance, dimension)
        b_total += b_count
        a_total += a_count
    if a_total == 0 or b_total == 0:
        return None
    return float(-math.log(a_total / b_total))


@dataclass(frozen=True, slots=True)
class Nonlinear:
    """Nonlinear HRV (module docstring).

    Attributes
    ----------
    sd1_ms, sd2_ms : Poincaré standard deviations, in ms.
    dfa_alpha1 : DFA short-term scaling exponent (4–16 beats), dimensionless.
    sampen : sample entropy (m = 2, r = 0.2 SD), dimensionless.
    """

    sd1_ms: float | None
    sd2_ms: float | None
    dfa_alpha1: float | None
    sampen: float | None

    def to_json(self) -> dict[str, float | None]:
        """The values keyed by attribute name (plain floats or None)."""
        return {
            "sd1_ms": self.sd1_ms,
            "sd2_ms": self.sd2_ms,
            "dfa_alpha1": self.dfa_alpha1,
            "sampen": self.sampen,
        }


def nonlinear(rr_ms: npt.ArrayLike, gap_before: npt.ArrayLike | None = None) -> Nonlinear:
    """Poincaré SD1 / SD2, DFA alpha1 and sample entropy of an RR series.

    Parameters
    ----------
    rr_ms : RR (ideally NN) intervals, in milliseconds.
    gap_before : True where beats may be missing before a beat.

    References
    ----------
    Brennan et al. 2001; Peng et al. 1995; Richman & Moorman 2000.
    """
    rr, gaps = as_series(rr_ms, gap_before)
    sd1, sd2 = poincare(rr, gaps)
    return Nonlinear(
        sd1_ms=sd1,
        sd2_ms=sd2,
        dfa_alpha1=dfa_alpha(rr, gaps),
        sampen=sample_entropy(rr, gaps),
    )
