"""Breathing from the chest accelerometer, on synthetic signals built here.

Paced breathing at 6–24/min must come out within 0.5/min of the truth (issue 19's
acceptance), at the H10's rates; walking and fidgeting give no rate; the live wave
follows the breath (:mod:`signals.motion.chest_breathing`).
"""

from __future__ import annotations

import numpy as np
import pytest

from signals.motion.chest_breathing import breath_wave, chest_breathing, principal_projection
from tests.support.chest_signals import BREATH_AXIS, chest_acc


@pytest.mark.parametrize("rate_hz", [25.0, 50.0, 200.0])
@pytest.mark.parametrize("breaths_per_min", [6.0, 9.0, 12.0, 15.0, 20.0, 24.0])
def test_paced_breathing_within_half_a_breath_per_minute(
    rate_hz: float, breaths_per_min: float
) -> None:
    t, xyz = chest_acc(60.0, rate_hz, seed=11, breaths_per_min=breaths_per_min)
    e = chest_breathing(t, xyz, 0.0, 60.0)
    assert e.rate_per_min == pytest.approx(breaths_per_min, abs=0.5)
    assert e.quality > 0.5
    assert e.slow == (breaths_per_min < 9.0)


def _tilted(xyz: np.ndarray, t: np.ndarray, at_s: float, degrees: float) -> np.ndarray:
    """The samples with the strap tilted by ``degrees`` about its x axis over 3 s from
    ``at_s`` (the helper sitting back)."""
    angle = np.radians(degrees) * np.clip((t - at_s) / 3.0, 0.0, 1.0)
    c, s = np.cos(angle), np.sin(angle)
    out = xyz.copy()
    out[:, 1] = c * xyz[:, 1] - s * xyz[:, 2]
    out[:, 2] = s * xyz[:, 1] + c * xyz[:, 2]
    return out


@pytest.mark.parametrize("degrees", [3.0, 10.0])
def test_a_minute_holding_a_posture_change_gets_no_rate(degrees: float) -> None:
    t, xyz = chest_acc(60.0, 50.0, seed=13, breaths_per_min=12.0)
    assert chest_breathing(t, xyz, 0.0, 60.0).rate_per_min == pytest.approx(12.0, abs=0.5)
    shifted = chest_breathing(t, _tilted(xyz, t, 25.0, degrees), 0.0, 60.0)
    assert shifted.rate_per_min is None and shifted.quality == 0.0


def test_every_minute_of_a_long_recording_on_the_beat_clock() -> None:
    t0 = 1_760_000_000.0
    t, xyz = chest_acc(600.0, 50.0, seed=12, breaths_per_min=10.0, breath_mg=4.0, t0_s=t0)
    rates = [
        chest_breathing(t, xyz, t0 + 60.0 * m, t0 + 60.0 * (m + 1)).rate_per_min for m in range(10)
    ]
    assert all(r is not None and abs(r - 10.0) <= 0.5 for r in rates), rates


@pytest.mark.parametrize(
    ("kwargs", "why"), [({"step_hz": 1.8}, "walking"), ({"fidget_mg": 60.0}, "fidgeting")]
)
def test_motion_gives_no_rate_and_no_quality(kwargs: dict[str, float], why: str) -> None:
    t, xyz = chest_acc(60.0, 50.0, seed=13, breaths_per_min=15.0, **kwargs)
    e = chest_breathing(t, xyz, 0.0, 60.0)
    assert e.rate_per_min is None, why
    assert e.quality == 0.0


def test_too_few_samples_give_no_rate() -> None:
    t, xyz = chest_acc(60.0, 50.0, seed=14)
    keep = t < 40.0
    assert chest_breathing(t[keep], xyz[keep], 0.0, 60.0).rate_per_min is None
    assert chest_breathing(t[:0], xyz[:0], 0.0, 60.0).rate_per_min is None


def test_principal_projection_finds_the_breathing_direction() -> None:
    t = np.arange(0.0, 30.0, 0.25)
    direction = np.array(BREATH_AXIS) / np.linalg.norm(BREATH_AXIS)
    x = np.sin(2 * np.pi * 0.25 * t)[:, None] * direction[None, :] + 500.0
    p = principal_projection(x)
    assert np.allclose(
        p, np.sin(2 * np.pi * 0.25 * t) - np.sin(2 * np.pi * 0.25 * t).mean(), atol=1e-9
    )
    assert np.allclose(
        principal_projection(-x + 1000.0), -p, atol=1e-9
    )  # the sign follows the axis


def test_breath_wave_follows_the_breath_in_minus_one_to_one() -> None:
    t, xyz = chest_acc(30.0, 50.0, seed=15, breaths_per_min=12.0)
    wave = breath_wave(t, xyz)
    assert wave.shape == t.shape
    assert wave.min() >= -1.0 and wave.max() <= 1.0
    truth = np.sin(2 * np.pi * 12.0 / 60.0 * t)
    inner = slice(200, -200)  # away from the running means' shrinking ends
    assert abs(np.corrcoef(wave[inner], truth[inner])[0, 1]) > 0.95
    assert np.percentile(np.abs(wave), 95.0) == pytest.approx(1.0, abs=0.05)


def test_breath_wave_keeps_its_sign_from_one_call_to_the_next() -> None:
    t, xyz = chest_acc(40.0, 50.0, seed=16, breaths_per_min=15.0)
    first = breath_wave(t[:1500], xyz[:1500])  # 0–30 s
    later = breath_wave(t[500:2000], xyz[500:2000])  # 10–40 s
    overlap_first, overlap_later = first[700:1300], later[200:800]  # 14–26 s in both
    assert np.corrcoef(overlap_first, overlap_later)[0, 1] > 0.95


def test_breath_wave_of_too_little_or_no_movement_is_flat() -> None:
    assert breath_wave(np.arange(5.0), np.zeros((5, 3))).tolist() == [0.0] * 5
    t = np.arange(0.0, 10.0, 0.02)
    still = np.tile([0.0, -1000.0, 0.0], (t.size, 1))
    assert not breath_wave(t, still).any()
