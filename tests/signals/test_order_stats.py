"""Sliding-window order statistics are SciPy's rank filter's, bit for bit.

:func:`signals.markers.order_stats.window_order_statistics` (blocks of windows,
selection from two sorted lists; short inputs sort every window) against
``scipy.ndimage.rank_filter``, and the tachogram's running median against
``scipy.ndimage.median_filter(mode="nearest")``. SciPy is imported here only:
the package itself must not load ``scipy.ndimage`` (0.2 s of import).
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import numpy.typing as npt
import pytest
from scipy import ndimage

import signals.markers.order_stats as order_stats
from signals.breathing.tachogram import OUTLIER_MEDIAN_BEATS, OUTLIER_SHARE, _cleaned
from signals.markers.order_stats import window_order_statistics
from tests.support.paths import shared_file

FloatArray = npt.NDArray[np.float64]

PATHS = ["sorted windows", "blocks", "blocks in chunks"]


@pytest.fixture(params=PATHS)
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Force one of the implementation's paths whatever the input's size."""
    name: str = request.param
    if name == "sorted windows":
        monkeypatch.setattr(order_stats, "SORT_EVERY_WINDOW_VALUES", 1 << 40)
    else:
        monkeypatch.setattr(order_stats, "SORT_EVERY_WINDOW_VALUES", 0)
    if name == "blocks in chunks":
        monkeypatch.setattr(order_stats, "CHUNK_CORE_VALUES", 150)
    return name


def rank_filter_rows(x: FloatArray, rank: int, window: int) -> FloatArray:
    """SciPy's rank filter at the full windows (it centres a window on ``k + window // 2``)."""
    rows = x.size - window + 1
    filtered = ndimage.rank_filter(x, rank, size=window, mode="nearest")
    return np.asarray(filtered[window // 2 : window // 2 + rows], dtype=np.float64)


def ranks_to_check(window: int) -> list[int]:
    """Every rank of a small window; the ends, the quartiles and the middle of a big one."""
    if window <= 12:
        return list(range(window))
    q1, q3 = window // 4, 3 * window // 4
    return sorted({0, 1, q1, q1 + 1, window // 2, q3, q3 + 1, window - 2, window - 1})


def assert_same_as_scipy(x: FloatArray, window: int, ranks: list[int]) -> None:
    got = window_order_statistics(x, window, ranks)
    assert len(got) == len(ranks)
    for rank, values in zip(ranks, got, strict=True):
        assert values.dtype == np.float64
        expected = rank_filter_rows(x, rank, window)
        # Bit for bit: the same floats, not merely equal ones.
        assert values.tobytes() == expected.tobytes(), (x.size, window, rank)


@pytest.mark.parametrize("window", range(1, 102))
def test_every_window_up_to_101_matches_scipy(window: int, path: str) -> None:
    rng = np.random.default_rng(window)
    b = order_stats.MAX_BLOCK_WINDOWS
    for n in sorted({window, window + 1, window + b - 1, 2 * window + 3, 3 * window + 2 * b + 1}):
        # + 0.0: no -0.0 (either zero may be returned where both signs meet).
        x = rng.normal(800.0, 40.0, n) if n % 2 else np.round(rng.normal(0.0, 3.0, n)) + 0.0
        assert_same_as_scipy(x, window, ranks_to_check(window))


@pytest.mark.parametrize("n", [1, 2, 7, 8, 9, 90, 91, 92, 98, 99, 100, 181, 182, 500, 1001])
def test_many_lengths_match_scipy(n: int, path: str) -> None:
    rng = np.random.default_rng(1000 + n)
    x = np.round(rng.normal(800.0, 40.0, n))
    for window in (1, 2, 3, 8, 11, 91):
        if n >= window:
            assert_same_as_scipy(x, window, ranks_to_check(window))


VALUE_KINDS: dict[str, FloatArray] = {
    "few distinct values": np.random.default_rng(1).integers(-2, 3, 700).astype(np.float64),
    "constant": np.full(400, 812.5),
    "runs of repeats": np.repeat(np.random.default_rng(2).normal(0.0, 1.0, 60), 9),
    "negative": -np.abs(np.random.default_rng(3).normal(500.0, 300.0, 500)),
    "huge and tiny": np.random.default_rng(4).choice(
        [-1.7e308, -1e300, -5e-324, 5e-324, 1e-300, 1.0, 1e300, 1.7e308], 600
    ),
    "sorted up": np.arange(300, dtype=np.float64),
    "sorted down": np.arange(300, dtype=np.float64)[::-1].copy(),
    "wide range": np.random.default_rng(5).normal(0.0, 1.0, 500)
    * 10.0 ** np.random.default_rng(6).integers(-200, 200, 500),
}


@pytest.mark.parametrize("kind", VALUE_KINDS)
def test_ties_signs_and_extremes_match_scipy(kind: str, path: str) -> None:
    x = VALUE_KINDS[kind]
    for window in (1, 2, 3, 5, 8, 11, 30, 91):
        assert_same_as_scipy(x, window, ranks_to_check(window))


def test_the_artifact_screens_ranks_on_a_long_series_match_scipy() -> None:
    """The sizes of a real day take the blocked path without any forcing."""
    rng = np.random.default_rng(7)
    drr = np.abs(np.round(np.diff(rng.normal(800.0, 50.0, 40_001))))  # ties, as ms data
    assert drr.size * 91 > order_stats.SORT_EVERY_WINDOW_VALUES
    assert_same_as_scipy(drr, 91, [22, 23, 67, 68])
    assert_same_as_scipy(drr, 11, [5])
    assert_same_as_scipy(drr, 8, [3, 4])


@pytest.mark.realdata
def test_a_holter_days_quartile_ranks_match_scipy() -> None:
    t = np.loadtxt(shared_file("holter-24h", "nsr001_rr_secs.txt"))
    rr_ms = np.diff(t) * 1000.0
    assert_same_as_scipy(np.abs(np.diff(rr_ms)), 91, [22, 23, 67, 68])
    assert_same_as_scipy(rr_ms, 11, [5])


def test_short_input_gives_empty_rows_and_bad_input_is_refused() -> None:
    assert [r.size for r in window_order_statistics([1.0, 2.0], 3, [0, 2])] == [0, 0]
    assert window_order_statistics([1.0, 2.0], 0, [0])[0].size == 0
    with pytest.raises(ValueError, match="finite"):
        window_order_statistics([1.0, np.nan, 2.0], 2, [0])
    with pytest.raises(ValueError, match="finite"):
        window_order_statistics([1.0, np.inf, 2.0], 2, [0])
    with pytest.raises(ValueError, match="ranks"):
        window_order_statistics([1.0, 2.0, 3.0], 2, [2])
    with pytest.raises(ValueError, match="one-dimensional"):
        window_order_statistics(np.ones((4, 4)), 2, [0])


# --- the tachogram's running median --------------------------------------------------------------


def cleaned_with_scipy(t: FloatArray, rr: FloatArray) -> FloatArray:
    """``_cleaned`` as it was written with SciPy's median filter."""
    if rr.size < 3:
        return rr
    med = ndimage.median_filter(rr, size=OUTLIER_MEDIAN_BEATS, mode="nearest")
    good = np.abs(rr - med) <= OUTLIER_SHARE * med
    if good.all() or np.count_nonzero(good) < 2:
        return rr
    return np.asarray(np.where(good, rr, np.interp(t, t[good], rr[good])), dtype=np.float64)


@pytest.mark.parametrize("n", [*range(1, 24), 100, 1001])
def test_tachogram_cleaning_matches_scipys_median_filter(n: int) -> None:
    rng = np.random.default_rng(n)
    for trial in range(20):
        rr = np.round(rng.normal(800.0, 60.0, n))
        outliers = rng.random(n) < 0.15
        rr[outliers] *= rng.choice([0.5, 1.6, 2.0], np.count_nonzero(outliers))
        if trial % 4 == 0:
            rr[: n // 2] = rr[0]  # long ties
        t = np.cumsum(rr) / 1000.0
        assert _cleaned(t, rr).tobytes() == cleaned_with_scipy(t, rr).tobytes(), (n, trial)


# --- the import cost -----------------------------------------------------------------------------


def test_headless_analysis_does_not_import_scipy_ndimage() -> None:
    """``import scipy.ndimage`` costs ~0.2 s (its array-API wrappers parse docstrings)."""
    code = (
        "import companion.cli.analyze, companion.pipeline.offload, "
        "signals.artifacts.batch, signals.breathing.respiration; "
        "import sys; assert 'scipy.ndimage' not in sys.modules, 'scipy.ndimage was imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
