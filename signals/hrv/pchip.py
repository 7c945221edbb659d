"""Shape-preserving piecewise cubic Hermite interpolation (PCHIP), without SciPy's import.

The same curve as ``scipy.interpolate.PchipInterpolator(x, y)(at)``: the
derivative at an interior knot is the weighted harmonic mean of the slopes on
either side (zero where they differ in sign or either is zero), and at the
ends the one-sided three-point estimate, shape-preserving (zero when its sign
differs from the first slope's; three times that slope when the first two
slopes differ in sign and it exceeds that). Points outside ``[x[0], x[-1]]``
are extrapolated with the end pieces, as SciPy does by default. Importing
``scipy.interpolate`` costs about 0.35 s, paid by every session report that
corrects an artifact; this costs nothing to load. Agreement with SciPy is
checked in the tests to 1e-12 relative.

References
----------
Fritsch FN, Carlson RE. Monotone piecewise cubic interpolation. SIAM J Numer
Anal 1980;17(2):238-246. Moler C. Numerical Computing with MATLAB, ch. 3.4 (2004).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["pchip"]

FloatArray = npt.NDArray[np.float64]


def _end_slope(h0: float, h1: float, m0: float, m1: float) -> float:
    """Three-point derivative at an end, kept shape-preserving."""
    d = ((2.0 * h0 + h1) * m0 - h0 * m1) / (h0 + h1)
    if np.sign(d) != np.sign(m0):
        return 0.0
    if np.sign(m0) != np.sign(m1) and abs(d) > 3.0 * abs(m0):
        return 3.0 * m0
    return d


def _derivatives(x: FloatArray, y: FloatArray) -> FloatArray:
    h = np.diff(x)
    m = np.diff(y) / h
    if x.size == 2:
        return np.array([m[0], m[0]])
    sign = np.sign(m)
    flat = (sign[1:] != sign[:-1]) | (m[1:] == 0.0) | (m[:-1] == 0.0)
    w1 = 2.0 * h[1:] + h[:-1]
    w2 = h[1:] + 2.0 * h[:-1]
    d = np.zeros(x.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        harmonic = (w1 / m[:-1] + w2 / m[1:]) / (w1 + w2)
        inner = np.where(flat, 0.0, 1.0 / np.where(flat, 1.0, harmonic))
    d[1:-1] = inner
    d[0] = _end_slope(float(h[0]), float(h[1]), float(m[0]), float(m[1]))
    d[-1] = _end_slope(float(h[-1]), float(h[-2]), float(m[-1]), float(m[-2]))
    return d


def pchip(x: npt.ArrayLike, y: npt.ArrayLike, at: npt.ArrayLike) -> FloatArray:
    """Values at ``at`` of the PCHIP interpolant through ``(x, y)``.

    Parameters
    ----------
    x : knots, strictly increasing (at least 2).
    y : values at the knots.
    at : where to evaluate (outside the knots: the end pieces extended).
    """
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    ts = np.asarray(at, dtype=np.float64)
    if xs.size < 2 or xs.shape != ys.shape:
        raise ValueError("pchip needs at least two knots and one value per knot")
    d = _derivatives(xs, ys)
    h = np.diff(xs)
    slope = np.diff(ys) / h
    # Cubic Hermite pieces in powers of s = t - x_i, as SciPy's PPoly holds them.
    t = (d[:-1] + d[1:] - 2.0 * slope) / h
    c0 = t / h
    c1 = (slope - d[:-1]) / h - t
    c2 = d[:-1]
    c3 = ys[:-1]
    i = np.clip(np.searchsorted(xs, ts, side="right") - 1, 0, xs.size - 2)
    s = ts - xs[i]
    # Summed in rising powers, as PPoly evaluates.
    z = s
    out = c3[i] + c2[i] * z
    z = z * s
    out = out + c1[i] * z
    z = z * s
    return np.asarray(out + c0[i] * z, dtype=np.float64)
