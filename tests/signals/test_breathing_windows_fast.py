"""Batched breath counting against the plain row-by-row reference.

The reference below is the counting loop as it was before it was vectorised
across rows: per row, remove the pair of extrema around the smallest distance
while it is below the threshold, then average the max-to-max and min-to-min
cycles that hold no invalid sample. The batched path must give the same rates
bit for bit, and :func:`breathing_in_windows` the same tuple of estimates.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import pytest

import signals.breathing.respiration as respiration
from signals.breathing.counting import _upper_quartiles, count_breath_rates
from signals.breathing.respiration import breathing_in_windows
from signals.breathing.tachogram import RESAMPLE_HZ

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _row_rate_plain(
    cols: list[int],
    values: list[float],
    is_max: list[bool],
    invalid_before: npt.NDArray[np.intp],
    threshold: float,
    resample_hz: float,
) -> float:
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


def count_plain(
    y: FloatArray, valid: BoolArray, *, threshold_frac: float, resample_hz: float
) -> FloatArray:
    """Row by row, as the module did before batching."""
    n_rows = y.shape[0]
    out = np.full(n_rows, np.nan)
    if y.shape[1] < 3:
        return out
    rising = np.diff(y, axis=1) > 0.0
    turn = (rising[:, :-1] != rising[:, 1:]) & valid[:, 1:-1]
    rows, cols = np.nonzero(turn)
    cols = cols + 1
    is_max = rising[rows, cols - 1]
    values = y[rows, cols]
    invalid_before = np.cumsum(~valid, axis=1)
    same_row = rows[1:] == rows[:-1]
    steps = np.abs(np.diff(values))[same_row]
    thresholds = threshold_frac * _upper_quartiles(steps, rows[1:][same_row], n_rows)
    for r in range(n_rows):
        at = np.flatnonzero(rows == r)
        if at.size < 3:
            continue
        out[r] = _row_rate_plain(
            cols[at].tolist(),
            values[at].tolist(),
            is_max[at].tolist(),
            invalid_before[r],
            float(thresholds[r]),
            resample_hz,
        )
    return out


def random_rows(seed: int, n_rows: int, width: int) -> tuple[FloatArray, BoolArray]:
    """Breathing-like rows with ripples, gaps, flat stretches and a few odd rows."""
    rng = np.random.default_rng(seed)
    t = np.arange(width) / RESAMPLE_HZ
    rate = rng.uniform(0.1, 0.6, (n_rows, 1))
    y = np.sin(2 * np.pi * rate * t + rng.uniform(0, 6, (n_rows, 1)))
    y += rng.uniform(0.0, 0.8, (n_rows, 1)) * rng.normal(size=(n_rows, width))
    y[:, 40:44] = 0.3  # a flat stretch: no turn inside it
    valid = rng.random((n_rows, width)) > rng.uniform(0.0, 0.3, (n_rows, 1))
    if n_rows > 4 and width > 200:
        valid[0] = False  # no extrema
        valid[1, 3:] = False  # fewer than 3 extrema
        y[2] = np.round(y[2], 1)  # ties between distances
        y[3, 100:] = np.nan  # no extremum there
        y[4, [100, 130, 131]] = np.inf  # infinite extrema: the plain path
        y[4, 160] = -np.inf
    return y, valid


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # inf - inf
@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("threshold_frac", [0.0, 0.15, 0.6, 2.0])
def test_batched_counting_equals_the_plain_rows(seed: int, threshold_frac: float) -> None:
    n_rows, width = [(0, 240), (1, 240), (7, 3), (60, 240), (200, 240)][seed % 5]
    y, valid = random_rows(seed, n_rows, width)
    kw = {"threshold_frac": threshold_frac, "resample_hz": RESAMPLE_HZ}
    got = count_breath_rates(y, valid, **kw)
    want = count_plain(y, valid, **kw)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(got, want, equal_nan=True)


@pytest.mark.parametrize("width", [0, 1, 2, 3, 4, 5])
def test_tiny_rows(width: int) -> None:
    y = np.array([[0.0, 1.0, -1.0, 2.0, -2.0][:width]] * 3).reshape(3, width)
    valid = np.ones_like(y, dtype=np.bool_)
    kw = {"threshold_frac": 0.15, "resample_hz": RESAMPLE_HZ}
    assert np.array_equal(
        count_breath_rates(y, valid, **kw), count_plain(y, valid, **kw), equal_nan=True
    )


def _beats(seed: int, minutes: float) -> tuple[FloatArray, FloatArray, BoolArray]:
    rng = np.random.default_rng(seed)
    n = int(minutes * 75)
    t = np.arange(n) * 0.8
    rr = 800.0 + 40.0 * np.sin(2 * np.pi * 0.25 * t) + rng.normal(0.0, 15.0, n)
    rr[rng.choice(n, n // 50)] *= 1.4  # outliers for the tachogram's cleaning
    time_s = 100.0 + np.cumsum(rr) / 1000.0
    gaps = rng.random(n) < 0.004
    gaps[0] = True
    return time_s, rr, gaps


@pytest.mark.parametrize("seed", range(4))
def test_breathing_in_windows_gives_the_same_estimates(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    t, rr, gaps = _beats(seed, 40.0)
    centres = np.arange(float(t[0]) - 20.0, float(t[-1]) + 40.0, 17.0)
    got = breathing_in_windows(t, rr, gaps, centres)
    monkeypatch.setattr(respiration, "count_breath_rates", count_plain)
    want = breathing_in_windows(t, rr, gaps, centres)
    assert got == want
    assert any(e.rate_per_min is not None for e in got)
