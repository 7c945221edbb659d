"""The lean not-a-knot spline and the vectorised NaN quantiles match SciPy and NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.interpolate import CubicSpline

from signals.artifacts.lipponen import _edge_rows, _nan_row_quantile
from signals.hrv.spline import not_a_knot_spline


@pytest.mark.parametrize("n", [4, 5, 6, 9, 150, 2000])
def test_not_a_knot_spline_equals_scipy(n: int) -> None:
    rng = np.random.default_rng(n)
    for _ in range(10):
        x = np.cumsum(rng.uniform(0.3, 1.5, n))
        y = rng.normal(800.0, 60.0, n)
        at = np.concatenate((x, np.linspace(x[0], x[-1], 4 * n)))
        ours = not_a_knot_spline(x, y, at)
        np.testing.assert_allclose(ours, CubicSpline(x, y)(at), rtol=1e-9, atol=0.0)


def test_not_a_knot_spline_passes_through_its_knots_and_refuses_too_few() -> None:
    x = np.array([0.0, 0.8, 1.7, 2.4, 3.3])
    y = np.array([800.0, 760.0, 820.0, 790.0, 805.0])
    np.testing.assert_allclose(not_a_knot_spline(x, y, x), y, rtol=1e-12)
    with pytest.raises(ValueError, match="at least 4 knots"):
        not_a_knot_spline(x[:3], y[:3], x[:3])


@pytest.mark.parametrize("n", [1, 2, 7, 90, 91, 300])
def test_nan_row_quantile_equals_numpy(n: int) -> None:
    rng = np.random.default_rng(n)
    rows = _edge_rows(rng.normal(800.0, 50.0, n), 91, np.arange(n))
    for q in (0.25, 0.5, 0.75):
        np.testing.assert_allclose(
            _nan_row_quantile(rows, q), np.nanquantile(rows, q, axis=1), rtol=1e-12
        )


@pytest.mark.parametrize("seed", range(6))
def test_pchip_equals_scipy(seed: int) -> None:
    from scipy.interpolate import PchipInterpolator

    from signals.hrv.pchip import pchip

    rng = np.random.default_rng(seed)
    for _ in range(50):
        n = int(rng.integers(2, 60))
        x = np.cumsum(rng.uniform(0.3, 1.5, n))
        y = rng.normal(800.0, 50.0, n)
        if seed % 2:  # quantised (flat runs and sign changes)
            y = np.round(y / 7.8125) * 7.8125
        at = np.concatenate((np.sort(rng.uniform(x[0] - 1.0, x[-1] + 1.0, 40)), x))
        expected = PchipInterpolator(x, y)(at)
        np.testing.assert_allclose(pchip(x, y, at), expected, rtol=1e-12, atol=0.0)
    with pytest.raises(ValueError, match="two knots"):
        pchip([1.0], [2.0], [1.0])
