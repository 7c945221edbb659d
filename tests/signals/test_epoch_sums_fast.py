"""Batched per-epoch sums against the plain per-epoch arithmetic they replace.

- :func:`signals.epochs.windows._slice_sums` must equal ``np.sum`` of each
  slice bit for bit (NumPy's own pairwise summation, slice by slice).
- :func:`signals.epochs.batch._covered_s` must equal the builder's coverage:
  the positive overlaps added one after the other, the closing beat last.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from signals.epochs.batch import _covered_s
from signals.epochs.types import EPOCH_S
from signals.epochs.windows import _slice_sums

FloatArray = npt.NDArray[np.float64]


@pytest.mark.parametrize("seed", range(6))
def test_slice_sums_equal_numpy_sum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.normal(800.0, 100.0, 5000) * rng.choice([1.0, 1e-9, 1e9], 5000)
    lo = rng.integers(0, 4000, 3000)
    n = np.concatenate(
        [rng.integers(0, 10, 1000), rng.integers(8, 130, 1000), rng.integers(120, 1000, 1000)]
    )
    hi = np.minimum(lo + n, values.size)
    want = np.array([np.sum(values[a:b]) for a, b in zip(lo, hi, strict=True)])
    got = _slice_sums(values, lo, hi)
    assert np.array_equal(got, want)
    assert np.array_equal(np.signbit(got), np.signbit(want))


@pytest.mark.parametrize("size", [0, 1, 7, 8, 9, 127, 128, 129])
def test_slice_sums_at_block_edges(size: int) -> None:
    values = np.random.default_rng(size).normal(0.0, 1.0, max(size, 1)) ** 3
    lo, hi = np.array([0, 0, size // 2]), np.array([size, size // 2, size])
    want = np.array([np.sum(values[a:b]) for a, b in zip(lo, hi, strict=True)])
    assert np.array_equal(_slice_sums(values, lo, hi), want)
    assert _slice_sums(np.zeros(0), np.zeros(0, np.intp), np.zeros(0, np.intp)).size == 0


def covered_plain(
    t: FloatArray, begin: FloatArray, starts: FloatArray, lo: list[int], hi: list[int]
) -> list[float]:
    out = []
    for k, start_s in enumerate(starts.tolist()):
        a, b = lo[k], hi[k]
        end_s = start_s + EPOCH_S
        parts = (t[a:b] - np.maximum(begin[a:b], start_s)).tolist()
        if b < t.size:
            parts.append(min(float(t[b]), end_s) - max(float(begin[b]), start_s))
        covered = 0.0
        for part in parts:
            if part > 0.0:
                covered += part
        out.append(covered)
    return out


@pytest.mark.parametrize("seed", range(5))
def test_covered_equals_the_beat_by_beat_sum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rr_s = rng.uniform(0.3, 1.6, 3000)
    rr_s[rng.choice(3000, 20)] = rng.uniform(5.0, 200.0, 20)  # gaps: empty minutes
    t = 37.3 + np.cumsum(rr_s)
    begin = t - rr_s * rng.choice([1.0, 0.5, 2.0], 3000)  # overlaps and holes
    starts = 60.0 * np.arange(int(t[0] // 60.0), int(t[-1] // 60.0) + 1, dtype=np.float64)
    lo = np.searchsorted(t, starts).tolist()
    hi = np.searchsorted(t, starts + EPOCH_S).tolist()
    got = _covered_s(t, begin, starts, lo, hi).tolist()
    assert got == covered_plain(t, begin, starts, lo, hi)
    assert _covered_s(t, begin, starts[:0], [], []).size == 0
