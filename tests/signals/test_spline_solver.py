"""Cyclic reduction solves the spline's tridiagonal systems as LAPACK does, without SciPy."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy.linalg import solve_banded

from signals.hrv import spline
from signals.hrv.spline import _not_a_knot_system, not_a_knot_spline, solve_tridiagonal
from tests.support.paths import ROOT

SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 100, 127, 128, 129, 100001]


def _banded(lower: np.ndarray, diag: np.ndarray, upper: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """SciPy's banded LU (LAPACK gbsv), the reference."""
    ab = np.zeros((3, diag.size))
    ab[0, 1:] = upper
    ab[1] = diag
    ab[2, :-1] = lower
    return np.asarray(solve_banded((1, 1), ab, rhs))


def _assert_close(ours: np.ndarray, ref: np.ndarray) -> None:
    """Norm-wise relative agreement to 1e-12."""
    assert ours.shape == ref.shape
    assert np.max(np.abs(ours - ref)) <= 1e-12 * np.max(np.abs(ref))


def _rr_knots(rng: np.random.Generator, n: int) -> np.ndarray:
    """Beat times with RR-like spacing, some abrupt (ratios up to ~10 at the ends too)."""
    rr_s = rng.uniform(0.4, 1.3, n - 1)
    jumps = rng.random(n - 1) < 0.05
    rr_s[jumps] *= rng.choice([0.1, 3.0, 10.0], int(jumps.sum()))
    rr_s[[0, -1]] *= rng.choice([0.1, 1.0, 10.0], 2)
    return np.concatenate(([0.0], np.cumsum(rr_s)))


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dominance", [1.001, 1.5, 4.0])
def test_random_diagonally_dominant_systems_match_lapack(n: int, dominance: float) -> None:
    rng = np.random.default_rng([n, round(1000 * dominance)])
    lower = rng.uniform(-1.0, 1.0, n - 1)
    upper = rng.uniform(-1.0, 1.0, n - 1)
    off = np.abs(np.concatenate(([0.0], lower))) + np.abs(np.concatenate((upper, [0.0])))
    diag = (off * dominance + 1e-3) * rng.choice([-1.0, 1.0], n)
    rhs = rng.normal(0.0, 1.0, n) * 10.0 ** rng.uniform(-3, 3, n)
    inputs = [a.copy() for a in (lower, diag, upper, rhs)]
    ours = solve_tridiagonal(lower, diag, upper, rhs)
    _assert_close(ours, _banded(lower, diag, upper, rhs))
    for before, after in zip(inputs, (lower, diag, upper, rhs), strict=True):
        np.testing.assert_array_equal(before, after)  # the inputs are left alone


@pytest.mark.parametrize("unknowns", [u for u in SIZES if u >= 2])
def test_spline_systems_match_lapack(unknowns: int) -> None:
    rng = np.random.default_rng(unknowns)
    x = _rr_knots(rng, unknowns + 2)
    y = rng.normal(800.0, 80.0, x.size)
    system = _not_a_knot_system(np.diff(x), y)
    _assert_close(solve_tridiagonal(*system), _banded(*system))


@pytest.mark.parametrize("knots", [4, 5, 6, 7, 102, 100003])
def test_spline_values_match_the_lapack_path(knots: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from scipy.linalg.lapack import dgtsv

    rng = np.random.default_rng(knots)
    x = _rr_knots(rng, knots)
    y = rng.normal(800.0, 80.0, knots)
    at = np.concatenate((x, np.sort(rng.uniform(x[0], x[-1], 4 * knots))))
    ours = not_a_knot_spline(x, y, at)

    def gtsv(*system: np.ndarray) -> np.ndarray:
        *_, solution, info = dgtsv(*system)
        assert info == 0
        return np.asarray(solution)

    monkeypatch.setattr(spline, "solve_tridiagonal", gtsv)
    ref = not_a_knot_spline(x, y, at)
    # 1e-12 relative, and 1e-12 of the largest value where the curve, thrown far
    # off by 10-fold jumps in spacing, passes close to zero.
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12 * np.max(np.abs(ref)))


def test_a_zero_pivot_is_refused() -> None:
    with pytest.raises(ValueError, match="singular"):
        solve_tridiagonal(np.array([1.0]), np.array([0.0, 1.0]), np.array([1.0]), np.ones(2))
    with pytest.raises(ValueError, match="singular"):
        solve_tridiagonal(np.empty(0), np.zeros(1), np.empty(0), np.ones(1))
    x = np.array([0.0, 1.0, 2.0, 2.0, 2.0, 3.0])
    with (
        np.errstate(divide="ignore", invalid="ignore"),
        pytest.raises(ValueError, match="repeated knots"),
    ):
        not_a_knot_spline(x, np.arange(6.0), x)


def test_the_spectrum_and_the_spline_load_without_scipy() -> None:
    probe = (
        "import sys, signals.hrv.frequency, signals.hrv.spline; "
        "print(sorted(m for m in sys.modules if m == 'scipy' or m.startswith('scipy.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"  # scipy.linalg alone costs ~0.1 s
