"""Whole-file fast paths give exactly what the beat-by-beat and sorted-window paths give.

``LiveArtifactDetector.push_many`` (arrays for gap-free stretches) against
``push`` one beat at a time: the same verdicts, counts and state afterwards;
rank-filter order statistics against sorting every window: the same floats.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from signals.artifacts.lipponen import rolling_median, rolling_quartile_deviation
from signals.artifacts.live.detector import LiveArtifactDetector
from signals.artifacts.live.verdicts import LiveVerdict
from signals.markers.order_stats import window_order_statistics, window_quartile_deviation
from tests.support.paths import SHARED_DATA
from tests.support.synthetic_rr import clean_rr

FloatArray = npt.NDArray[np.float64]


def _key(v: LiveVerdict) -> tuple[int, int, float | str]:
    return (v.index, int(v.kind), v.rr_ms if v.rr_ms == v.rr_ms else "nan")


Outcome = tuple[list[tuple[int, int, float | str]], dict[str, int]]


def one_by_one(rr: FloatArray, gaps: npt.NDArray[np.bool_], tail: FloatArray) -> Outcome:
    detector = LiveArtifactDetector()
    out: list[LiveVerdict] = []
    for value, gap in zip(rr.tolist(), gaps.tolist(), strict=True):
        out += detector.push(value, gap)
    for value in tail.tolist():  # after the batch: the state left must be the same
        out += detector.push(value)
    out += detector.flush()
    return [_key(v) for v in out], detector.counts()


def in_batches(
    rr: FloatArray, gaps: npt.NDArray[np.bool_], tail: FloatArray, cuts: list[int]
) -> Outcome:
    detector = LiveArtifactDetector()
    out: list[LiveVerdict] = []
    edges = [0, *sorted(cuts), rr.size]
    for a, b in itertools.pairwise(edges):
        batch = detector.push_many(rr[a:b].tolist(), gaps[a:b].tolist())
        verdicts = batch.verdicts()
        assert len(batch) == len(verdicts)
        assert [v.index for v in verdicts] == list(range(len(out), len(out) + len(verdicts)))
        assert batch.flagged.tolist() == [v.flagged for v in verdicts]
        out += verdicts
    for value in tail.tolist():
        out += detector.push(value)
    out += detector.flush()
    return [_key(v) for v in out], detector.counts()


def disturbed(seed: int) -> tuple[FloatArray, npt.NDArray[np.bool_], list[int]]:
    """A clean series with ectopic, missed, extra beats, missing values, gaps and cut points."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(60, 5000))
    rr = clean_rr(rng, n, base_ms=float(rng.uniform(550.0, 1100.0)), rsa=0.05)
    for _ in range(int(rng.integers(0, 60))):
        i = int(rng.integers(1, n - 1))
        match int(rng.integers(0, 5)):
            case 0:
                rr[i], rr[i + 1] = 0.65 * rr[i], rr[i + 1] + 0.35 * rr[i]
            case 1:
                rr[i] *= 2.0
            case 2:
                rr[i] *= 0.45
            case 3:
                rr[i] = np.nan
            case _:
                rr[i] = np.inf
    if seed % 3 == 0:
        rr = np.round(rr)  # whole milliseconds: many ties in every window
    if seed % 4 == 0:
        rr[:2] = np.nan  # a segment that cannot start at once
    gaps = np.zeros(n, dtype=np.bool_)
    gaps[rng.integers(0, n, int(rng.integers(0, 6)))] = True
    cuts = sorted(set(rng.integers(1, n, int(rng.integers(0, 8))).tolist()))
    return rr, gaps, cuts


@pytest.mark.parametrize("seed", range(24))
def test_push_many_gives_what_push_gives(seed: int) -> None:
    rr, gaps, cuts = disturbed(seed)
    tail = clean_rr(np.random.default_rng(100 + seed), 150, base_ms=800.0, rsa=0.05)
    expected = one_by_one(rr, gaps, tail)
    assert in_batches(rr, gaps, tail, cuts) == expected


def test_push_many_of_nothing_and_of_a_few_beats() -> None:
    detector = LiveArtifactDetector()
    assert len(detector.push_many([])) == 0
    few = detector.push_many([800.0, 810.0, 790.0])
    assert len(few) == 0  # too few beats to answer yet
    rest = detector.flush()
    assert [v.index for v in rest] == [0, 1, 2]


@pytest.mark.realdata
def test_push_many_on_a_holter_day() -> None:
    rr = np.loadtxt(SHARED_DATA / "holter-24h" / "healthy000_rr_ms.txt")
    gaps = np.zeros(rr.size, dtype=np.bool_)
    tail = rr[:200]
    cuts = list(range(5000, rr.size, 7919))
    assert in_batches(rr, gaps, tail, cuts) == one_by_one(rr, gaps, tail)


# --- order statistics ----------------------------------------------------------------------------


@pytest.mark.parametrize("window", [1, 2, 8, 11, 91])
def test_order_statistics_are_those_of_the_sorted_windows(window: int) -> None:
    rng = np.random.default_rng(window)
    x = np.round(rng.normal(800.0, 40.0, 3000))  # ties
    ranks = sorted({0, window // 2, window - 1})
    ordered = np.sort(sliding_window_view(x, window), axis=1)
    for rank, got in zip(ranks, window_order_statistics(x, window, ranks), strict=True):
        assert np.array_equal(got, ordered[:, rank])


def test_order_statistics_refuse_nan_and_short_input() -> None:
    with pytest.raises(ValueError, match="finite"):
        window_order_statistics([1.0, np.nan, 2.0], 2, [0])
    assert window_order_statistics([1.0, 2.0], 3, [0])[0].size == 0


def test_quartile_deviation_is_that_of_the_sorted_windows_bit_for_bit() -> None:
    x = np.abs(np.diff(clean_rr(np.random.default_rng(3), 4000)))
    v = np.sort(sliding_window_view(x, 91), axis=1)
    q1 = v[:, 22] * 0.5 + v[:, 23] * 0.5  # position 22.5 of 0..90
    q3 = v[:, 67] * 0.5 + v[:, 68] * 0.5
    assert np.array_equal(window_quartile_deviation(x, 91), (q3 - q1) / 2.0)
    assert np.allclose(
        window_quartile_deviation(x, 91), np.subtract(*np.quantile(v, [0.75, 0.25], axis=1)) / 2.0
    )


@pytest.mark.parametrize("n", [5, 91, 92, 400])
def test_rolling_filters_with_and_without_missing_values_agree(n: int) -> None:
    x = clean_rr(np.random.default_rng(n), n)
    with_nan = x.copy()
    with_nan[n // 2] = np.nan  # takes the sorting path
    fast_qd, slow_qd = rolling_quartile_deviation(x, 91), rolling_quartile_deviation(with_nan, 91)
    fast_med, slow_med = rolling_median(x, 11), rolling_median(with_nan, 11)
    far = np.abs(np.arange(n) - n // 2) > 45  # windows that do not hold the NaN
    assert np.array_equal(fast_qd[far], slow_qd[far])
    far = np.abs(np.arange(n) - n // 2) > 5
    assert np.array_equal(fast_med[far], slow_med[far])
