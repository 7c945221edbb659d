"""Order statistics over sliding windows, exact, in C.

The artifact screens need, for every beat, a few order statistics (the 22nd,
23rd, 67th and 68th smallest of 91 values; the middle of 8 or 11) of a window
sliding one beat at a time. Sorting every window costs ``O(n w log w)``;
SciPy's rank filter keeps the window ordered as it slides, ``O(n log w)``, and
returns the very values of the input (no arithmetic), so a quantile built from
them with the same arithmetic as a sorted window is the same float.

SciPy loads on the first call, not with this module.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections import deque
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = [
    "slide_into",
    "sorted_median",
    "sorted_quantile",
    "sorted_quartile_deviation",
    "window_order_statistics",
    "window_quartile_deviation",
]

FloatArray = npt.NDArray[np.float64]


def window_order_statistics(
    values: npt.ArrayLike, window: int, ranks: Sequence[int]
) -> list[FloatArray]:
    """For each rank, row ``k``: the ``rank``-th smallest (from 0) of ``values[k : k + window]``.

    Only full windows: each result has ``len(values) - window + 1`` rows. The
    values must be finite (a rank filter does not order NaN).

    Examples
    --------
    >>> [a.tolist() for a in window_order_statistics([3.0, 1.0, 2.0, 5.0], 3, [0, 2])]
    [[1.0, 1.0], [3.0, 5.0]]
    """
    from scipy import ndimage

    x = np.ascontiguousarray(values, dtype=np.float64)
    rows = x.size - window + 1
    if window < 1 or rows < 1:
        return [np.empty(0) for _ in ranks]
    if not np.isfinite(x).all():
        raise ValueError("window_order_statistics needs finite values")
    # SciPy centres a window of size w on index k + w // 2 (origin 0).
    centre = window // 2
    return [
        ndimage.rank_filter(x, rank, size=window, mode="nearest")[centre : centre + rows]
        for rank in ranks
    ]


def window_quartile_deviation(values: npt.ArrayLike, window: int) -> FloatArray:
    """``(Q3 - Q1) / 2`` of every full window, quartiles linear between order statistics.

    The arithmetic is that of a sorted window interpolated as
    ``v[i] * (1 - f) + v[i + 1] * f``, so results equal a row-wise sort's bit for bit.
    """
    (q1_rank, q1_low, q1_high), (q3_rank, q3_low, q3_high) = (
        _interpolation(0.25, window),
        _interpolation(0.75, window),
    )
    ranks = sorted({q1_rank, q1_rank + 1, q3_rank, q3_rank + 1} & set(range(window)))
    stats = dict(zip(ranks, window_order_statistics(values, window, ranks), strict=True))
    q1 = (
        stats[q1_rank] if q1_high == 0.0 else stats[q1_rank] * q1_low + stats[q1_rank + 1] * q1_high
    )
    q3 = (
        stats[q3_rank] if q3_high == 0.0 else stats[q3_rank] * q3_low + stats[q3_rank + 1] * q3_high
    )
    return np.asarray((q3 - q1) / 2.0, dtype=np.float64)


def _interpolation(q: float, window: int) -> tuple[int, float, float]:
    """Lower rank of quantile ``q`` of ``window`` values, its weight and the upper weight."""
    position = q * (window - 1)
    below = math.floor(position)
    frac = position - below
    return below, 1.0 - frac, frac


# -- one sorted window, value by value (the live detector) ------------------------------------


def sorted_quantile(values: list[float], q: float) -> float:
    """Quantile ``q`` of sorted ``values``, linear between order statistics."""
    position = q * (len(values) - 1)
    below = math.floor(position)
    frac = position - below
    if frac == 0.0:
        return values[below]
    return values[below] * (1.0 - frac) + values[below + 1] * frac


def sorted_quartile_deviation(values: list[float]) -> float:
    """``(Q3 - Q1) / 2`` of sorted ``values`` (as :func:`window_quartile_deviation`)."""
    return (sorted_quantile(values, 0.75) - sorted_quantile(values, 0.25)) / 2.0


def sorted_median(ordered: list[float]) -> float:
    """Median of sorted ``ordered``."""
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2.0


def slide_into(window: list[float], order: deque[float], value: float, *, full: bool) -> None:
    """Add ``value`` to a sorted window (``order``: its values by arrival), dropping the
    oldest value when it is full."""
    if full:
        del window[bisect_left(window, order[0])]
    order.append(value)
    insort(window, value)
