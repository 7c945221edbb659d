"""Baselines through the store: resting measurement, then 14 days of calm minutes take over."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from companion.pipeline.baselines import save_resting, stored_baseline
from companion.pipeline.runs import choose_baseline, run_source
from companion.store.store import Store
from sensors.events import Measurement
from sensors.replay import ReplaySource
from signals.scores.baseline import NORMS, RestingMeasurement
from tests.support.paths import FIXTURES

REST = FIXTURES / "rest-5min.hsrec"
HEAVY = FIXTURES / "heavy-day.hsrec"


def _resting() -> RestingMeasurement:
    measurement = RestingMeasurement(duration_s=300.0)

    async def feed() -> None:
        async for event in ReplaySource(REST, speed=None).events():
            if isinstance(event, Measurement):
                for beat in event.beats:
                    measurement.push(beat.time_s, beat.rr_ms, beat.gap_before)

    asyncio.run(feed())
    return measurement


def test_norms_until_a_resting_measurement_is_saved(data_dir: Path) -> None:
    measurement = _resting()
    assert measurement.progress == pytest.approx(1.0)
    result = measurement.result()
    assert result is not None and result.source == "resting"
    with Store(data_dir) as store:
        assert stored_baseline(store, date(2026, 11, 25)) == NORMS
        save_resting(store, result)
        again = stored_baseline(store, date(2026, 11, 25))
    assert again == result and again.is_personal
    with Store(data_dir / "other") as other, pytest.raises(ValueError, match="not a resting"):
        save_resting(other, NORMS)


def test_a_replayed_day_leaves_calm_minutes_for_later_days(data_dir: Path) -> None:
    with Store(data_dir) as store:

        async def go() -> None:
            baseline = await choose_baseline(store, lambda: ReplaySource(HEAVY, speed=None))
            assert baseline.source == "file-calm"
            await run_source(ReplaySource(HEAVY, speed=None), store, baseline=baseline)

        asyncio.run(go())
        summary = store.day_summary(date(2026, 11, 23))
        assert summary is not None and len(summary["calm_minutes"]) >= 60
        assert summary["prompts_delivered"] >= 1
        assert summary["weekly"]["n_heavy"] >= 3 and summary["weekly"]["longest_heavy_run"] >= 3
        assert store.epochs(date(2026, 11, 23))
        assert any(p["fate"] == "delivered" for p in store.prompts(date(2026, 11, 23)))
        # One day is not enough for the rolling baseline (it needs two).
        assert stored_baseline(store, date(2026, 11, 24)).source == "norms"
