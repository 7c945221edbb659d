"""Cubic spline interpolation with not-a-knot ends, lean enough to run every minute.

The same curve as ``scipy.interpolate.CubicSpline(x, y)`` (its default
not-a-knot boundary), computed from the second derivatives ``M`` at the knots:
on each interval ``[x_i, x_i+1]`` of width ``h_i``

    S(t) = M_i (x_i+1 - t)³ / 6h_i + M_i+1 (t - x_i)³ / 6h_i
           + (y_i / h_i - M_i h_i / 6)(x_i+1 - t) + (y_i+1 / h_i - M_i+1 h_i / 6)(t - x_i)

with continuity of the first derivative at the interior knots
(``h_i-1 M_i-1 + 2(h_i-1 + h_i) M_i + h_i M_i+1 = 6 (d_i - d_i-1)``, ``d_i`` the
slope of interval ``i``) and not-a-knot ends (the third derivative is
continuous at the second and the second-to-last knot), which give ``M_0`` and
``M_n-1`` in terms of their two neighbours. Substituting those keeps the system
tridiagonal in ``M_1 .. M_n-2``, solved by LAPACK's ``gtsv``. SciPy's class
costs ~0.7 ms per call in argument checks on a 2-minute window; this costs a
tenth of that, which matters for a breathing estimate every minute of a day.
Agreement with SciPy is checked in the tests to 1e-9 relative.

Reference: de Boor C. A Practical Guide to Splines. Springer 1978, ch. IV.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.linalg.lapack import dgtsv

__all__ = ["not_a_knot_spline"]

FloatArray = npt.NDArray[np.float64]


def not_a_knot_spline(x: FloatArray, y: FloatArray, at: FloatArray) -> FloatArray:
    """Values at ``at`` of the not-a-knot cubic spline through ``(x, y)``.

    Parameters
    ----------
    x : knots, strictly increasing (at least 4).
    y : values at the knots.
    at : where to evaluate, within ``[x[0], x[-1]]``.
    """
    n = x.size
    if n < 4:
        raise ValueError("a not-a-knot cubic spline needs at least 4 knots")
    h = np.diff(x)
    d = np.diff(y) / h
    rhs = 6.0 * np.diff(d)  # n - 2 equations, for M_1 .. M_n-2
    lower = h[1:-1].copy()  # coefficient of M_i-1 in equation i (i = 2 .. n-2)
    diag = 2.0 * (h[:-1] + h[1:])
    upper = h[1:-1].copy()  # coefficient of M_i+1 in equation i (i = 1 .. n-3)
    # M_0 = (1 + h0/h1) M_1 - (h0/h1) M_2, substituted into equation 1.
    r0 = h[0] / h[1]
    diag[0] += h[0] * (1.0 + r0)
    # M_n-1 = (1 + hl/hp) M_n-2 - (hl/hp) M_n-3, substituted into equation n-2.
    hl, hp = h[-1], h[-2]
    rl = hl / hp
    diag[-1] += hl * (1.0 + rl)
    upper[0] -= h[0] * r0
    lower[-1] -= hl * rl  # with 4 knots both land in the one 2x2 system
    *_, inner, info = dgtsv(lower, diag, upper, rhs)
    if info != 0:
        raise ValueError("the spline system is singular (repeated knots?)")
    m = np.empty(n)
    m[1:-1] = inner
    m[0] = (1.0 + r0) * m[1] - r0 * m[2]
    m[-1] = (1.0 + rl) * m[-2] - rl * m[-3]
    i = np.clip(np.searchsorted(x, at, side="right") - 1, 0, n - 2)
    hi = h[i]
    left = at - x[i]
    right = x[i + 1] - at
    mi, mj = m[i], m[i + 1]
    return np.asarray(
        (mi * right**3 + mj * left**3) / (6.0 * hi)
        + (y[i] / hi - mi * hi / 6.0) * right
        + (y[i + 1] / hi - mj * hi / 6.0) * left,
        dtype=np.float64,
    )
