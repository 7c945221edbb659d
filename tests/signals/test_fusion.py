"""Fusing the breathing sources (:mod:`signals.breathing.fusion`): the documented rule."""

from __future__ import annotations

import pytest

from signals.breathing.fusion import fuse_breathing
from signals.breathing.respiration import BreathingEstimate


def est(rate: float | None, quality: float) -> BreathingEstimate:
    return BreathingEstimate(rate, quality, rate is not None and rate < 9.0)


def test_no_source_with_a_rate_gives_none() -> None:
    f = fuse_breathing(None, est(None, 0.3), None)
    assert f.rate_per_min is None and f.used is None and f.fused == ()
    assert dict(f.sources) == {"rsa": None, "ecg": est(None, 0.3), "chest": None}


def test_one_source_is_used_alone() -> None:
    f = fuse_breathing(est(14.0, 0.6), None, None)
    assert f.rate_per_min == 14.0 and f.used == "rsa" and f.fused == ("rsa",)
    assert f.quality == 0.6


def test_agreeing_sources_are_averaged_by_quality_and_the_best_is_named() -> None:
    f = fuse_breathing(est(14.0, 0.2), est(15.0, 0.4), est(16.0, 0.8))
    assert f.used == "chest"
    assert f.fused == ("chest", "rsa", "ecg")
    assert f.rate_per_min == pytest.approx((14.0 * 0.2 + 15.0 * 0.4 + 16.0 * 0.8) / 1.4)


def test_a_source_more_than_3_per_minute_away_is_never_fused() -> None:
    f = fuse_breathing(est(7.5, 0.5), est(15.0, 0.7), est(15.5, 0.3))
    assert f.used == "ecg"
    assert f.fused == ("ecg", "chest")
    assert f.rate_per_min == pytest.approx((15.0 * 0.7 + 15.5 * 0.3) / 1.0)
    alone = fuse_breathing(est(20.0, 0.9), est(15.0, 0.7), None)
    assert alone.rate_per_min == 20.0 and alone.used == "rsa" and alone.fused == ("rsa",)


def test_sources_near_the_best_but_far_from_each_other_are_pruned() -> None:
    f = fuse_breathing(est(12.5, 0.3), est(15.0, 0.9), est(17.8, 0.5))
    # both within 3/min of the best (ECG), 5.3 apart from each other: the farther one goes
    assert f.used == "ecg"
    assert f.fused == ("ecg", "rsa")
    assert f.rate_per_min == pytest.approx((15.0 * 0.9 + 12.5 * 0.3) / 1.2)


def test_quality_ties_prefer_the_chest_then_the_ecg() -> None:
    assert fuse_breathing(est(12.0, 0.5), est(12.0, 0.5), est(12.0, 0.5)).used == "chest"
    assert fuse_breathing(est(12.0, 0.5), est(20.0, 0.5), None).used == "ecg"


def test_a_rate_without_quality_is_left_out() -> None:
    f = fuse_breathing(est(12.0, 0.0), est(20.0, 0.1), None)
    assert f.used == "ecg" and f.rate_per_min == 20.0
