"""Accelerometer samples cut to a window, and the plain filters the motion estimates share.

The chest strap streams three axes in milli-g (mg) at a nominal rate (the Polar
H10: 25, 50, 100 or 200 Hz). Sample times come from the frames (host seconds),
so the rate is estimated as the reciprocal of the median sample interval.
A window's **coverage** is the share of its length its samples account for:
``n × median interval / (end − start)``, at most 1. Samples are treated as
contiguous inside a window (a dropped frame shortens it, it does not shift the
filters), which is exact for whole frames and harmless for the per-minute means.

Filters are centred moving averages computed with cumulative sums (``O(n)``,
NumPy only); near the ends the window shrinks to the samples available, so an
average never invents data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from signals.hrv.time_domain import BoolArray, FloatArray

__all__ = ["MAX_COVERAGE", "AccWindow", "acc_window", "as_acc", "grid_means", "moving_average"]

MAX_COVERAGE: Final = 1.0
"""Coverage is capped here (jittered sample times can overcount slightly)."""


@dataclass(frozen=True, slots=True, eq=False)
class AccWindow:
    """The accelerometer samples of one window.

    Attributes
    ----------
    t_s : sample times, in seconds (increasing).
    xyz_mg : samples, shape ``(n, 3)``, in mg.
    rate_hz : estimated sample rate, in Hz (0 with fewer than two samples).
    coverage : share of the window the samples cover, 0..1.
    """

    t_s: FloatArray
    xyz_mg: FloatArray
    rate_hz: float
    coverage: float


def as_acc(t_s: npt.ArrayLike, xyz_mg: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Times as a float vector and samples as an ``(n, 3)`` float matrix (checked)."""
    t = np.asarray(t_s, dtype=np.float64).ravel()
    xyz = np.asarray(xyz_mg, dtype=np.float64).reshape(-1, 3)
    if xyz.shape[0] != t.size:
        raise ValueError("t_s and xyz_mg differ in length")
    return t, xyz


def acc_window(
    t_s: npt.ArrayLike, xyz_mg: npt.ArrayLike, start_s: float, end_s: float
) -> AccWindow:
    """The samples with ``start_s <= t < end_s``, their rate and the window's coverage.

    Parameters
    ----------
    t_s : sample times, in seconds (increasing).
    xyz_mg : samples, shape ``(n, 3)``, in mg.
    start_s, end_s : the window, in seconds.
    """
    t, xyz = as_acc(t_s, xyz_mg)
    a, b = np.searchsorted(t, [start_s, end_s], side="left")
    t, xyz = t[a:b], xyz[a:b]
    if t.size < 2 or end_s <= start_s:
        return AccWindow(t, xyz, 0.0, 0.0)
    step_s = float(np.median(np.diff(t)))
    if step_s <= 0.0:
        return AccWindow(t, xyz, 0.0, 0.0)
    coverage = min(MAX_COVERAGE, t.size * step_s / (end_s - start_s))
    return AccWindow(t, xyz, 1.0 / step_s, coverage)


def moving_average(x: FloatArray, width: int) -> FloatArray:
    """Centred moving average over ``width`` samples along axis 0, shrinking at the ends.

    ``y[i]`` is the mean of ``x[max(0, i - h) : i + width - h]`` with ``h = width // 2``.
    """
    n = x.shape[0]
    width = max(1, min(int(width), n))
    if n == 0 or width == 1:
        return x.copy()
    h = width // 2
    c = np.concatenate([np.zeros((1, *x.shape[1:])), np.cumsum(x, axis=0)])
    lo = np.clip(np.arange(n) - h, 0, n)
    hi = np.clip(np.arange(n) + width - h, 0, n)
    count = (hi - lo).reshape(-1, *([1] * (x.ndim - 1)))
    out: FloatArray = (c[hi] - c[lo]) / count
    return out


def grid_means(
    t_s: FloatArray, x: FloatArray, start_s: float, n_bins: int, rate_hz: float
) -> tuple[FloatArray, BoolArray]:
    """Mean of the samples in each bin ``[start_s + k / rate_hz, start_s + (k+1) / rate_hz)``.

    Returns the bin means (rows in bin order, the columns of ``x``) and True for
    bins holding at least one sample (empty bins hold 0).
    """
    k = np.floor((t_s - start_s) * rate_hz).astype(np.int64)
    inside = (k >= 0) & (k < n_bins)
    k = k[inside]
    counts = np.bincount(k, minlength=n_bins)[:n_bins]
    sums = np.zeros((n_bins, x.shape[1]))
    np.add.at(sums, k, x[inside])
    valid = counts > 0
    means = np.divide(sums, counts[:, None], out=np.zeros_like(sums), where=valid[:, None])
    return means, valid
