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
tridiagonal in ``M_1 .. M_n-2``, solved by cyclic reduction in NumPy
(``solve_tridiagonal``; no SciPy, whose ``scipy.linalg`` costs ~0.1 s to
import). Agreement with SciPy is checked in the tests to 1e-9 relative, and
with LAPACK's ``gtsv`` on the same systems to 1e-12.

The system is strictly diagonally dominant by rows, so cyclic reduction is
stable. Write ``lambda_i = (|lower_i| + |upper_i|) / |diag_i|``. An interior row
has ``lambda_i = (h_i-1 + h_i) / 2(h_i-1 + h_i) = 1/2`` whatever the spacing.
The first row, after substituting ``M_0``, has ``diag = 3 h_0 + 2 h_1 + h_0²/h_1``
and ``upper = h_1 - h_0²/h_1``, so with ``r = h_0 / h_1``
``lambda = |1 - r| / (r + 2) < 1`` (at most 1/2 for ``r <= 4``); the last row
likewise with ``r = h_n-2 / h_n-3``. No elimination of the end rows is needed.

Reference: de Boor C. A Practical Guide to Splines. Springer 1978, ch. IV.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["not_a_knot_spline", "solve_tridiagonal"]

FloatArray = npt.NDArray[np.float64]


def solve_tridiagonal(
    lower: FloatArray, diag: FloatArray, upper: FloatArray, rhs: FloatArray
) -> FloatArray:
    """Solve a strictly diagonally dominant tridiagonal system by cyclic reduction.

    Row ``i`` reads ``lower[i-1] x[i-1] + diag[i] x[i] + upper[i] x[i+1] = rhs[i]``.
    Each step eliminates the even-numbered unknowns from the odd-numbered rows
    (Hockney 1965), halving the system in a few whole-array operations, so
    ``n`` unknowns take ``floor(log2 n)`` steps and O(n) flops in all; the even
    unknowns are then recovered level by level. The system is padded once
    with identity rows to ``2**k - 1`` rows so that every level has odd length.

    Stability: with ``lambda = max_i (|lower_i| + |upper_i|) / |diag_i| < 1``,
    one reduction step gives ``lambda' <= lambda²`` and pivots
    ``|diag'_i| >= (1 - lambda²) |diag_i|`` (the scalar case of Heller 1976),
    so no pivot vanishes, no element grows, and each back-substitution step is a
    contraction of the error by ``lambda``. Without dominance there are no such
    guarantees; do not use it for general systems.

    Parameters
    ----------
    lower : sub-diagonal, ``n - 1`` values.
    diag : diagonal, ``n`` values (``n >= 1``).
    upper : super-diagonal, ``n - 1`` values.
    rhs : right-hand side, ``n`` values.

    Returns
    -------
    The solution ``x``, ``n`` values.

    Raises
    ------
    ValueError
        If a pivot is exactly zero (the system is singular, or not dominant).

    References
    ----------
    Hockney RW. A fast direct solution of Poisson's equation using Fourier
    analysis. J ACM 1965;12(1):95-113. Heller D. Some aspects of the cyclic
    reduction algorithm for block tridiagonal linear systems. SIAM J Numer Anal
    1976;13(4):484-496.
    """
    n = diag.size
    size = (1 << n.bit_length()) - 1  # smallest 2**k - 1 >= n
    a = np.zeros(size)  # a[i] multiplies x[i-1]; a[0] = 0
    b = np.ones(size)
    c = np.zeros(size)  # c[i] multiplies x[i+1]; c[-1] = 0
    d = np.zeros(size)
    a[1:n] = lower
    b[:n] = diag
    c[: n - 1] = upper
    d[:n] = rhs
    levels: list[tuple[FloatArray, FloatArray, FloatArray, FloatArray]] = []
    while b.size > 1:
        if not b[::2].all():
            raise ValueError("zero pivot: the tridiagonal system is singular")
        levels.append((a, b, c, d))
        alpha = -a[1::2] / b[:-1:2]  # eliminates x[i-1] from odd row i
        gamma = -c[1::2] / b[2::2]  # eliminates x[i+1] from odd row i
        a, b, c, d = (
            alpha * a[:-1:2],
            b[1::2] + alpha * c[:-1:2] + gamma * a[2::2],
            gamma * c[2::2],
            d[1::2] + alpha * d[:-1:2] + gamma * d[2::2],
        )
    if b[0] == 0.0:
        raise ValueError("zero pivot: the tridiagonal system is singular")
    x = d / b
    for a, b, c, d in reversed(levels):
        outer = np.zeros(x.size + 2)  # x at the odd rows, with x[-1] = x[size] = 0
        outer[1:-1] = x
        full = np.empty(b.size)
        full[1::2] = x
        full[::2] = (d[::2] - a[::2] * outer[:-1] - c[::2] * outer[1:]) / b[::2]
        x = full
    return x[:n]


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
    try:
        inner = solve_tridiagonal(lower, diag, upper, rhs)
    except ValueError:
        raise ValueError("the spline system is singular (repeated knots?)") from None
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
