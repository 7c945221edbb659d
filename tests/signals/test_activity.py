"""Activity per minute from the chest accelerometer, on synthetic signals built here.

Sitting still, breathing only, walking (1.8 and 2.2 steps/s), fidgeting bursts, a
minute half walked, a sparse minute, at the H10's rates 25–200 Hz
(:mod:`signals.motion.activity`).
"""

from __future__ import annotations

import numpy as np
import pytest

from signals.motion.activity import STILL_MAX_MG, activity_in_window
from signals.motion.samples import grid_means, moving_average
from tests.support.chest_signals import chest_acc

RATES_HZ = (25.0, 50.0, 100.0, 200.0)


@pytest.mark.parametrize("rate_hz", RATES_HZ)
def test_sitting_without_breathing_is_still(rate_hz: float) -> None:
    t, xyz = chest_acc(60.0, rate_hz, seed=1, breaths_per_min=None)
    a = activity_in_window(t, xyz, 0.0, 60.0)
    assert a.state == "still"
    assert a.movement_mg is not None and a.movement_mg < 5.0  # noise only (2 mg per axis)
    assert a.cadence_per_min is None
    assert a.coverage == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("rate_hz", RATES_HZ)
def test_deep_breathing_is_still_not_movement(rate_hz: float) -> None:
    quiet = activity_in_window(*chest_acc(60.0, rate_hz, seed=2, breaths_per_min=None), 0.0, 60.0)
    breathing = activity_in_window(
        *chest_acc(60.0, rate_hz, seed=2, breaths_per_min=12.0, breath_mg=20.0), 0.0, 60.0
    )
    assert breathing.state == "still"
    assert quiet.movement_mg is not None and breathing.movement_mg is not None
    # a 20-mg breath adds under 2 mg: the 1-s running mean takes it out with gravity
    assert breathing.movement_mg - quiet.movement_mg < 2.0


@pytest.mark.parametrize("rate_hz", RATES_HZ)
@pytest.mark.parametrize("step_hz", [1.8, 2.2])
def test_walking_is_walking_with_its_cadence(rate_hz: float, step_hz: float) -> None:
    t, xyz = chest_acc(60.0, rate_hz, seed=3, step_hz=step_hz)
    a = activity_in_window(t, xyz, 0.0, 60.0)
    assert a.state == "walking"
    assert a.movement_mg is not None and a.movement_mg > 100.0
    assert a.cadence_per_min == pytest.approx(60.0 * step_hz, abs=1.0)


@pytest.mark.parametrize("rate_hz", RATES_HZ)
def test_fidgeting_bursts_are_moving_not_walking(rate_hz: float) -> None:
    t, xyz = chest_acc(60.0, rate_hz, seed=4, fidget_mg=60.0)
    a = activity_in_window(t, xyz, 0.0, 60.0)
    assert a.state == "moving"
    assert a.movement_mg is not None and a.movement_mg >= STILL_MAX_MG
    assert a.cadence_per_min is None


def test_a_minute_with_a_short_walk_is_walking() -> None:
    t, still = chest_acc(60.0, 50.0, seed=5)
    _, walk = chest_acc(60.0, 50.0, seed=5, step_hz=1.9)
    xyz = np.where((t >= 35.0)[:, None], walk, still)  # the last 25 s walked
    a = activity_in_window(t, xyz, 0.0, 60.0)
    assert a.state == "walking"
    assert a.cadence_per_min == pytest.approx(114.0, abs=2.0)


def test_gravity_in_any_direction_is_removed() -> None:
    t, xyz = chest_acc(60.0, 50.0, seed=6)
    rotation = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    a = activity_in_window(t, xyz, 0.0, 60.0)
    b = activity_in_window(t, xyz @ rotation.T, 0.0, 60.0)
    assert a.movement_mg == pytest.approx(b.movement_mg, rel=1e-9)
    assert b.state == "still"


def test_under_half_a_minute_of_samples_is_unknown() -> None:
    t, xyz = chest_acc(60.0, 50.0, seed=7, step_hz=1.8)
    keep = t < 25.0
    a = activity_in_window(t[keep], xyz[keep], 0.0, 60.0)
    assert a.state == "unknown"
    assert a.movement_mg is None and a.cadence_per_min is None
    assert a.coverage == pytest.approx(25.0 / 60.0, abs=0.01)
    half = activity_in_window(t[t < 31.0], xyz[t < 31.0], 0.0, 60.0)
    assert half.state == "walking"


def test_only_the_windows_samples_count() -> None:
    t, still = chest_acc(120.0, 50.0, seed=8, t0_s=1000.0)
    _, walk = chest_acc(120.0, 50.0, seed=8, step_hz=1.8, t0_s=1000.0)
    xyz = np.where((t >= 1060.0)[:, None], walk, still)
    assert activity_in_window(t, xyz, 1000.0, 1060.0).state == "still"
    assert activity_in_window(t, xyz, 1060.0, 1120.0).state == "walking"
    assert activity_in_window(t, xyz, 2000.0, 2060.0).state == "unknown"


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        activity_in_window(np.arange(10.0), np.zeros((9, 3)), 0.0, 60.0)


def _plain_moving_average(x: np.ndarray, width: int) -> np.ndarray:
    h = width // 2
    return np.array([x[max(0, i - h) : i + width - h].mean(axis=0) for i in range(len(x))])


@pytest.mark.parametrize("width", [1, 2, 5, 50, 500])
def test_moving_average_equals_its_plain_reference(width: int) -> None:
    x = np.random.default_rng(9).normal(0.0, 100.0, (300, 3))
    assert np.allclose(moving_average(x, width), _plain_moving_average(x, min(width, 300)))


def test_grid_means_equal_their_plain_reference() -> None:
    rng = np.random.default_rng(10)
    t = np.sort(rng.uniform(-1.0, 11.0, 400))
    x = rng.normal(0.0, 1.0, (400, 3))
    means, valid = grid_means(t, x, 0.0, 40, 4.0)
    for k in range(40):
        inside = (t >= k / 4.0) & (t < (k + 1) / 4.0)
        assert valid[k] == inside.any()
        if inside.any():
            assert np.allclose(means[k], x[inside].mean(axis=0))
