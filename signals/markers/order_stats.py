"""Order statistics over sliding windows, exact, in NumPy.

The artifact screens need, for every beat, a few order statistics (the 22nd,
23rd, 67th and 68th smallest of 91 values; the middle of 8 or 11) of a window
sliding one beat at a time. Sorting every window costs ``O(n w log w)``; a
rank filter that keeps the window ordered as it slides is ``O(n log w)`` but
needs a loop per value. :func:`window_order_statistics` shares the work between
neighbouring windows instead, in whole-array NumPy steps:

1. **Blocks.** The ``b`` windows starting at ``s, s + 1, ..., s + b - 1``
   (``b`` about ``w^(1/3) + 1``, at most :data:`MAX_BLOCK_WINDOWS`) all hold
   the *core* ``x[s + b - 1 : s + w]`` (``w - b + 1`` values); window ``s + i``
   adds ``b - 1`` *extras*, ``x[s + i : s + b - 1]`` and ``x[s + w : s + w + i]``.
   Each core is sorted once, and each window's extras by a compare-exchange
   network run on whole columns (``np.minimum`` / ``np.maximum``).
2. **Selection from two sorted lists.** With the core ``A`` and the extras
   ``E`` sorted, the ``r``-th smallest (from 0) of their union is::

       min over j of max(A[r - j], E[j - 1])      (A[-1] = E[-1] = -inf)

   over the ``j`` with both indices in range: taking the ``j`` smallest extras
   and the ``r + 1 - j`` smallest of the core gives ``r + 1`` values, so their
   largest bounds the answer from above, and the ``j`` that counts the extras
   among the ``r + 1`` smallest of the union attains it (selection in sorted
   columns, cf. Frederickson & Johnson 1982).

Minimum and maximum return one of their operands, so every result is a value
of the input (no arithmetic): a quantile built from them with the arithmetic of
a sorted window is the same float. Equal values are the same float, except
``-0.0`` and ``0.0``: where a rank falls on zeros of both signs, either may be
returned. The cost is ``O(n (w / b) log w)`` for the cores and ``O(n b)`` per
rank; on the 106,458 |dRR| of a 24-h Holter day the four quartile ranks of a
91-beat window take about 8 ms (SciPy's ``ndimage.rank_filter``: about 12 ms,
plus 0.19 s to import). Short inputs sort every window instead.

References
----------
Frederickson GN, Johnson DB. The complexity of selection and ranking in X + Y
and matrices with sorted columns. J Comput Syst Sci 1982;24:197-208.
van Herk M. A fast algorithm for local minimum and maximum filters on
rectangular and octagonal kernels. Pattern Recognit Lett 1992;13:517-521
(sharing work between the windows of a block).
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections import deque
from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import as_strided, sliding_window_view

__all__ = [
    "slide_into",
    "sorted_median",
    "sorted_quantile",
    "sorted_quartile_deviation",
    "window_order_statistics",
    "window_quartile_deviation",
]

FloatArray = npt.NDArray[np.float64]

SORT_EVERY_WINDOW_VALUES: Final = 32768
"""Up to this many window values in all (windows × width), each window is sorted:
cheaper than the blocks' fixed cost of some hundred NumPy calls (measured)."""
MAX_BLOCK_WINDOWS: Final = 8
"""Most windows per block: the extras' sorting network grows as the square."""
CHUNK_CORE_VALUES: Final = 1 << 21
"""Core values sorted at a time (16 MB of float64): long inputs go in chunks of windows."""


def window_order_statistics(
    values: npt.ArrayLike, window: int, ranks: Sequence[int]
) -> list[FloatArray]:
    """For each rank, row ``k``: the ``rank``-th smallest (from 0) of ``values[k : k + window]``.

    Only full windows: each result has ``len(values) - window + 1`` rows. The
    values must be finite and one-dimensional; each result is exactly the
    value of the input at that rank (module docstring), as a sorted window's.

    Raises
    ------
    ValueError
        When a value is not finite, the input is not one-dimensional, or a rank
        is outside ``0 .. window - 1``.

    Examples
    --------
    >>> [a.tolist() for a in window_order_statistics([3.0, 1.0, 2.0, 5.0], 3, [0, 2])]
    [[1.0, 1.0], [3.0, 5.0]]
    """
    x = np.ascontiguousarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError("window_order_statistics needs one-dimensional values")
    rows = x.size - window + 1
    if window < 1 or rows < 1:
        return [np.empty(0) for _ in ranks]
    if any(not 0 <= rank < window for rank in ranks):
        raise ValueError(f"ranks must lie in 0 .. {window - 1}")
    if not np.isfinite(x).all():
        raise ValueError("window_order_statistics needs finite values")
    if rows * window <= SORT_EVERY_WINDOW_VALUES:
        ordered = np.sort(sliding_window_view(x, window), axis=1)
        return [ordered[:, rank].copy() for rank in ranks]
    b = max(1, min(window, MAX_BLOCK_WINDOWS, round(window ** (1.0 / 3.0)) + 1))
    chunk = b * max(1, CHUNK_CORE_VALUES // (window - b + 1))
    parts = [
        _blocked_order_statistics(x[start : start + chunk + window - 1], window, ranks, b)
        for start in range(0, rows, chunk)
    ]
    return [np.concatenate([part[i] for part in parts]) for i in range(len(ranks))]


def _blocked_order_statistics(
    x: FloatArray, window: int, ranks: Sequence[int], b: int
) -> list[FloatArray]:
    """Steps 1 and 2 of the module docstring with blocks of ``b`` windows; the arrays
    are (window in block, block)."""
    rows = x.size - window + 1
    blocks = -(-rows // b)
    core_len = window - b + 1
    # Windows past the last are computed and dropped; their values are never selected.
    padded = np.concatenate((x, np.full(blocks * b + window - 1 - x.size, x[-1])))
    step = padded.strides[0]
    cores = as_strided(padded[b - 1 :], shape=(blocks, core_len), strides=(b * step, step))
    core = np.sort(cores, axis=1)
    extras = _sorted_extras(padded, b, blocks, core_len)
    columns: dict[int, FloatArray] = {}
    out = []
    for rank in ranks:
        best: FloatArray | None = None
        for j in range(max(0, rank - core_len + 1), min(b - 1, rank + 1) + 1):
            a = rank - j
            if a >= 0 and a not in columns:
                columns[a] = np.ascontiguousarray(core[:, a])
            if j == 0:
                candidate = np.broadcast_to(columns[a], (b, blocks))
            elif a < 0:
                candidate = extras[j - 1]
            else:
                candidate = np.maximum(columns[a], extras[j - 1])
            best = candidate if best is None else np.minimum(best, candidate)
        assert best is not None  # rank < window: some split is in range
        out.append(np.ascontiguousarray(np.broadcast_to(best, (b, blocks)).T).reshape(-1)[:rows])
    return out


def _sorted_extras(padded: FloatArray, b: int, blocks: int, core_len: int) -> list[FloatArray]:
    """The ``b - 1`` extras of every window, sorted: item ``j`` is the ``j``-th smallest,
    shape (window in block, block)."""
    extras = []
    for j in range(b - 1):
        starts = [i + j + (core_len if i + j >= b - 1 else 0) for i in range(b)]
        extras.append(np.stack([padded[s::b][:blocks] for s in starts]))
    # Insertion network: after pass ``i`` the first ``i + 1`` items are in order.
    for i in range(1, len(extras)):
        for j in range(i, 0, -1):
            low = np.minimum(extras[j - 1], extras[j])
            np.maximum(extras[j - 1], extras[j], out=extras[j])
            extras[j - 1] = low
    return extras


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
