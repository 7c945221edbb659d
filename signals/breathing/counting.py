"""Breath counting on band-passed RR tachograms ("advanced counting").

For each row of a matrix of evenly sampled, band-passed RR windows:

1. The local extrema (maxima and minima, alternating) at valid samples.
2. The vertical distances between successive extrema; the threshold is
   ``threshold_frac`` times their upper quartile Q3.
3. While the smallest distance is below the threshold, the two extrema that
   bound it are removed together (a ripple, not a breath); alternation of
   maxima and minima is kept.
4. Each remaining maximum-to-maximum and minimum-to-minimum interval is a
   breath cycle, unless an invalid sample (a gap) lies inside it. The rate is
   60 divided by the mean cycle length, in breaths per minute.

Counting measures the breath cycles themselves, so it is not pulled towards the
largest spectral component when slow (Mayer-wave) oscillations carry more
power than a small, fast respiratory sinus arrhythmia; it complements the
spectral peak of :mod:`signals.breathing.respiration`.

References
----------
Schäfer A, Kratky KW. Estimation of breathing rate from respiratory sinus
arrhythmia: comparison of various methods. Ann Biomed Eng 2008;36(3):476-485.
Charlton PH et al. Breathing rate estimation from the
electrocardiogram and photoplethysmogram: a review. IEEE Rev Biomed Eng
2018;11:2-20.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt

__all__ = ["count_breath_rates"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]


def _upper_quartiles(steps: FloatArray, rows: npt.NDArray[np.intp], n_rows: int) -> FloatArray:
    """Per-row 75th percentile (linear interpolation, as ``np.percentile``) of ``steps``."""
    counts = np.bincount(rows, minlength=n_rows)
    width = int(counts.max()) if counts.size else 0
    out = np.full(n_rows, np.nan)
    if width == 0:
        return out
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    table = np.full((n_rows, width), np.inf)
    table[rows, np.arange(rows.size) - starts[rows]] = steps
    table.sort(axis=1)
    pos = 0.75 * (counts - 1)
    lo = np.floor(pos).astype(np.intp)
    hi = np.minimum(lo + 1, np.maximum(counts - 1, 0))
    have = counts > 0
    r = np.flatnonzero(have)
    frac = pos[r] - lo[r]
    out[r] = table[r, lo[r]] + (table[r, hi[r]] - table[r, lo[r]]) * frac
    return out


def _row_rate(
    cols: list[int],
    values: list[float],
    is_max: list[bool],
    invalid_before: npt.NDArray[np.intp],
    threshold: float,
    resample_hz: float,
) -> float:
    """Rate of one row from its extrema (steps 3–4 of the module docstring)."""
    while len(values) > 3:
        steps = [abs(b - a) for a, b in itertools.pairwise(values)]
        i = min(range(len(steps)), key=steps.__getitem__)
        if steps[i] >= threshold:
            break
        del cols[i : i + 2], values[i : i + 2], is_max[i : i + 2]
    total, count = 0, 0
    for kind in (True, False):
        at = [c for c, m in zip(cols, is_max, strict=True) if m is kind]
        for a, b in itertools.pairwise(at):
            if invalid_before[a] == invalid_before[b]:
                total += b - a
                count += 1
    if count == 0 or total <= 0:
        return float("nan")
    return 60.0 * resample_hz * count / total


def _ripples_removed(
    values: FloatArray, length: IntArray, threshold: FloatArray
) -> tuple[IntArray, IntArray]:
    """Step 3 on all rows at once: which extrema remain, and how many.

    ``values`` holds each row's extremum values left-aligned (``length`` of
    them, at least 3, all finite). Each round removes, in every row still
    going, the pair around the smallest distance (the first one on ties, as
    :func:`_row_rate`) while that distance is below the row's threshold and
    more than 3 extrema remain. Returns the positions (within the row) of the
    remaining extrema, left-aligned, and their number.
    """
    width = values.shape[1]
    col = np.arange(width)
    pos = np.broadcast_to(col, values.shape).copy()
    final_pos, final_len = pos.copy(), length.copy()
    ids = np.flatnonzero(length > 3)
    v, p, n, thr = values[ids], pos[ids], length[ids], threshold[ids]
    while ids.size:
        steps = np.abs(v[:, 1:] - v[:, :-1])
        steps[col[None, :-1] >= (n - 1)[:, None]] = np.inf
        i = steps.argmin(axis=1)
        go = steps[np.arange(ids.size), i] < thr
        stop = ids[~go]
        final_pos[stop], final_len[stop] = p[~go], n[~go]
        ids, v, p, n, thr, i = ids[go], v[go], p[go], n[go] - 2, thr[go], i[go]
        src = np.minimum(col[None, :] + 2 * (col[None, :] >= i[:, None]), width - 1)
        v = np.take_along_axis(v, src, axis=1)
        p = np.take_along_axis(p, src, axis=1)
        done = n <= 3
        final_pos[ids[done]], final_len[ids[done]] = p[done], n[done]
        ids, v, p, n, thr = ids[~done], v[~done], p[~done], n[~done], thr[~done]
    return final_pos, final_len


def _cycle_rates(
    rows: IntArray,
    cols: IntArray,
    is_max: BoolArray,
    invalid_before: IntArray,
    n_rows: int,
    resample_hz: float,
) -> FloatArray:
    """Step 4 on all rows at once from the remaining extrema (in row, then column order)."""
    group = 2 * rows + ~is_max  # maxima of a row, then its minima, each in column order
    order = np.argsort(group, kind="stable")
    g, c = group[order], cols[order]
    block = invalid_before[rows[order], c]
    ok = (g[1:] == g[:-1]) & (block[1:] == block[:-1])
    row_of = rows[order][1:][ok]
    total = np.bincount(row_of, weights=(c[1:] - c[:-1])[ok], minlength=n_rows)
    count = np.bincount(row_of, minlength=n_rows)
    rate = np.full(n_rows, np.nan)
    have = (count > 0) & (total > 0)
    rate[have] = 60.0 * resample_hz * count[have] / total[have]
    return rate


def count_breath_rates(
    y: FloatArray, valid: BoolArray, *, threshold_frac: float, resample_hz: float
) -> FloatArray:
    """Breathing rate of each row by advanced counting (module docstring).

    Parameters
    ----------
    y : band-passed tachogram windows, one per row, evenly sampled.
    valid : True at samples that come from gap-free beats.
    threshold_frac : fraction of the upper quartile of the extremum-to-extremum
        distances below which a pair of extrema is a ripple, not a breath.
    resample_hz : sampling rate of the rows, in Hz.

    Returns
    -------
    Rates in breaths per minute, NaN where fewer than one clean cycle remains.

    References
    ----------
    Schäfer & Kratky 2008 (advanced counting).
    """
    n_rows = y.shape[0]
    out = np.full(n_rows, np.nan)
    if y.shape[1] < 3:
        return out
    d = np.diff(y, axis=1)
    rising = d > 0.0
    turn = rising[:, :-1] != rising[:, 1:]
    turn &= valid[:, 1:-1]
    rows, cols = np.nonzero(turn)
    cols = cols + 1
    is_max = rising[rows, cols - 1]
    values = y[rows, cols]
    invalid_before = np.cumsum(~valid, axis=1, dtype=np.intp)
    same_row = rows[1:] == rows[:-1]
    steps = np.abs(np.diff(values))[same_row]
    thresholds = threshold_frac * _upper_quartiles(steps, rows[1:][same_row], n_rows)
    counts = np.bincount(rows, minlength=n_rows)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    at = np.arange(rows.size) - starts[rows]
    width = int(counts.max()) if counts.size else 0
    table = np.zeros((n_rows, max(width, 1)))
    table[rows, at] = values
    finite = np.isfinite(table).all(axis=1) & np.isfinite(thresholds)
    fast = (counts >= 3) & finite
    kept, kept_len = _ripples_removed(table[fast], counts[fast], thresholds[fast])
    fast_rows = np.flatnonzero(fast)
    r = np.repeat(fast_rows, kept_len)
    k = kept[np.arange(kept.shape[0]).repeat(kept_len), _left_aligned(kept_len)]
    index = starts[r] + k
    out[fast] = _cycle_rates(
        np.repeat(np.arange(fast_rows.size), kept_len),
        cols[index],
        is_max[index],
        invalid_before[fast],
        fast_rows.size,
        resample_hz,
    )
    # Rows with a non-finite value take the plain path (same result, by definition).
    for row in np.flatnonzero((counts >= 3) & ~finite).tolist():
        a, b = int(starts[row]), int(starts[row] + counts[row])
        out[row] = _row_rate(
            cols[a:b].tolist(),
            values[a:b].tolist(),
            is_max[a:b].tolist(),
            invalid_before[row],
            float(thresholds[row]),
            resample_hz,
        )
    return out


def _left_aligned(lengths: IntArray) -> IntArray:
    """``0 .. lengths[i] - 1`` for each ``i``, concatenated."""
    ends = np.cumsum(lengths)
    return np.arange(int(ends[-1]) if ends.size else 0) - np.repeat(ends - lengths, lengths)
