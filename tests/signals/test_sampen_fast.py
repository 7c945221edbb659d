"""Blocked sample-entropy match counting against comparing every pair directly.

:func:`signals.hrv.nonlinear._match_counts` compares the templates in blocks
of offsets after sorting them by their first value; the counts must equal
those of the all-pairs loop below (same ``|x_j - x_i| <= r`` comparisons),
including when bands are wider than one block, with ties and with tiny inputs.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

from signals.hrv.nonlinear import (
    _match_counts,
    _sampen_windows,
    _template_starts,
    sample_entropy,
)

FloatArray = npt.NDArray[np.float64]


def match_counts_plain(templates: FloatArray, r: float, m: int) -> tuple[int, int]:
    """Every pair ``i < j``: within ``r`` on the first ``m`` values (B), and on all (A)."""
    b = a = 0
    for i in range(templates.shape[0]):
        dist = np.abs(templates[i + 1 :] - templates[i])
        close = (dist[:, :m] <= r).all(axis=1)
        b += int(close.sum())
        a += int((close & (dist[:, m] <= r)).sum())
    return b, a


def _templates(rr: FloatArray, dimension: int) -> FloatArray:
    n = rr.size - dimension
    return rr[np.arange(max(n, 0))[:, None] + np.arange(dimension + 1)]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("share_sd", [0.05, 0.2, 1.0, 5.0])
def test_blocked_counts_equal_all_pairs(seed: int, share_sd: float) -> None:
    rng = np.random.default_rng(seed)
    rr = rng.normal(800.0, 50.0, int(rng.integers(150, 900)))
    if seed % 2:  # quantised (1/128 s): ties
        rr = np.round(rr / 7.8125) * 7.8125
    r = share_sd * float(rr.std(ddof=1))
    for dimension in (1, 2):
        templates = _templates(rr, dimension)
        assert _match_counts(templates, r, dimension) == match_counts_plain(templates, r, dimension)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4])
def test_tiny_and_constant_inputs(n: int) -> None:
    for rr in (np.linspace(700.0, 900.0, n + 2), np.full(n + 2, 800.0)):
        templates = _templates(rr, 2)
        for r in (0.0, 1.0, 500.0):
            assert _match_counts(templates, r, 2) == match_counts_plain(templates, r, 2)


def test_sample_entropy_of_a_long_series_with_gaps() -> None:
    rng = np.random.default_rng(3)
    rr = 800.0 + np.cumsum(rng.normal(0.0, 5.0, 7000))
    gaps = rng.random(rr.size) < 0.01
    r = 0.2 * float(rr.std(ddof=1))
    b_total = a_total = 0
    for a, b in _sampen_windows(rr.size):
        starts = _template_starts(gaps[a:b], 3)
        b_count, a_count = match_counts_plain(rr[a:b][starts[:, None] + np.arange(3)], r, 2)
        b_total, a_total = b_total + b_count, a_total + a_count
    assert sample_entropy(rr, gaps) == -math.log(a_total / b_total)
