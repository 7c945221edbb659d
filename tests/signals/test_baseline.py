"""Baselines: norms, the guided resting measurement, the rolling 14 days and a file's calm."""

from __future__ import annotations

import asyncio
import dataclasses
import math
from datetime import date, timedelta

import numpy as np
import pytest

from sensors.events import Measurement
from sensors.replay import ReplaySource
from signals.epochs.types import Epoch
from signals.scores.baseline import (
    HR_SPREAD_FLOOR_BPM,
    LN_RMSSD_SPREAD_FLOOR,
    MIN_ROLLING_MINUTES,
    NORMS,
    Baseline,
    CalmMinute,
    RestingMeasurement,
    baseline_from_file_calm,
    calm_minutes,
    is_calm,
    rolling_baseline,
)
from tests.support.epochs import iso_s, recorded_day
from tests.support.paths import FIXTURES

TODAY = date(2026, 11, 25)
T0 = 1_795_500_000.0

GOOD = Epoch(
    start_s=T0,
    n_beats=70,
    coverage=1.0,
    artifact_fraction=0.0,
    hr_bpm=70.0,
    rmssd_ms=35.0,
    ln_rmssd=math.log(35.0),
    rmssd_5min_ms=35.0,
    ln_rmssd_5min=math.log(35.0),
    hr_rise_bpm_30s=1.0,
    n_diffs=69,
    quality="good",
    quality_reason="",
)


def _minute(k: int, hr: float, ln: float = 3.5, quality: str = "good") -> Epoch:
    return dataclasses.replace(
        GOOD,
        start_s=T0 + 60.0 * k,
        hr_bpm=hr,
        ln_rmssd=ln,
        quality=quality,  # type: ignore[arg-type]
        quality_reason="" if quality == "good" else "poor signal",
    )


def test_norms_are_published_values_and_not_personal() -> None:
    assert not NORMS.is_personal and NORMS.source == "norms"
    assert NORMS.hr_bpm == pytest.approx(64.8, abs=0.05)  # 60000 / 926 ms
    assert NORMS.hr_spread_bpm == pytest.approx(6.3, abs=0.05)
    assert NORMS.rmssd_ms == pytest.approx(39.6, abs=0.1)  # median of 42 +/- 15 ms, log-normal
    assert NORMS.ln_rmssd_spread == pytest.approx(0.347, abs=0.001)
    assert "Nunan" in NORMS.note and NORMS.n_minutes == 0


def test_rolling_baseline_is_the_median_and_mad_of_14_days() -> None:
    rng = np.random.default_rng(1)
    minutes = [
        CalmMinute(TODAY - timedelta(days=d), float(hr), float(ln))
        for d in range(3)
        for hr, ln in zip(rng.normal(62.0, 8.0, 40), rng.normal(3.6, 0.5, 40), strict=True)
    ]
    old = [CalmMinute(TODAY - timedelta(days=14), 120.0, 1.0)] * 500  # 15 days ago: ignored
    outliers = [CalmMinute(TODAY, 150.0, 0.5)] * 5
    base = rolling_baseline(minutes + old + outliers, TODAY)
    kept = minutes + outliers
    hr = np.array([m.hr_bpm for m in kept])
    ln = np.array([m.ln_rmssd for m in kept])
    assert base.source == "rolling-14d" and base.is_personal
    assert (base.n_minutes, base.n_days) == (125, 3)
    assert base.hr_bpm == pytest.approx(np.median(hr))
    assert base.hr_spread_bpm == pytest.approx(1.4826 * np.median(np.abs(hr - np.median(hr))))
    assert base.ln_rmssd == pytest.approx(np.median(ln))
    assert base.ln_rmssd_spread == pytest.approx(1.4826 * np.median(np.abs(ln - np.median(ln))))
    assert base.hr_bpm == pytest.approx(62.0, abs=2.5)  # the outliers barely move it


def test_rolling_baseline_falls_back_without_enough_days_or_minutes() -> None:
    one_day = [CalmMinute(TODAY, 60.0, 3.5)] * 500
    assert rolling_baseline(one_day, TODAY) is NORMS
    few = [CalmMinute(TODAY - timedelta(days=d % 2), 60.0, 3.5) for d in range(30)]
    resting = dataclasses.replace(NORMS, source="resting", note="rest")
    assert rolling_baseline(few, TODAY, fallback=resting) is resting
    enough = [(TODAY - timedelta(days=d % 2), 60.0, 3.5) for d in range(60)]  # plain tuples do
    assert len(enough) == MIN_ROLLING_MINUTES
    steady = rolling_baseline(enough, TODAY)
    assert steady.source == "rolling-14d"
    assert steady.hr_spread_bpm == HR_SPREAD_FLOOR_BPM  # identical minutes: the floor
    assert steady.ln_rmssd_spread == LN_RMSSD_SPREAD_FLOOR


def test_calm_minutes_are_good_low_hr_and_outside_sessions() -> None:
    epochs = [_minute(k, hr) for k, hr in enumerate([60, 62, 64, 66, 80, 90, 100, 110])]
    epochs.append(_minute(8, 55.0, quality="poor"))
    in_session = [False] * 9
    in_session[1] = True
    # The lowest quarter of good minutes: HR <= 63.5 (numpy's linear quantile of 8 values).
    assert is_calm(epochs) == [True, True, False, False, False, False, False, False, False]
    assert is_calm(epochs, in_session)[:3] == [True, False, False]
    picked = calm_minutes(epochs, TODAY, in_session)
    assert [(m.day, m.hr_bpm) for m in picked] == [(TODAY, 60.0)]
    assert is_calm([_minute(0, 60.0, quality="poor")]) == [False]


def test_a_file_without_enough_calm_minutes_falls_back_to_norms() -> None:
    assert baseline_from_file_calm([_minute(k, 60.0 + k) for k in range(20)]) is NORMS
    base = baseline_from_file_calm([_minute(k, 60.0 + k % 30) for k in range(60)])
    assert base.source == "file-calm" and base.n_minutes >= 10 and base.n_days == 1


@pytest.mark.parametrize(
    ("name", "hr_range", "rmssd_range"),
    [
        ("heavy-day.hsrec", (68.0, 80.0), (25.0, 40.0)),
        ("calm-day.hsrec", (60.0, 70.0), (28.0, 45.0)),
    ],
)
def test_file_calm_baseline_of_the_fixture_days(
    name: str, hr_range: tuple[float, float], rmssd_range: tuple[float, float]
) -> None:
    day = recorded_day(name)
    base = baseline_from_file_calm(day.epochs)
    assert base.source == "file-calm" and base.is_personal
    assert hr_range[0] < base.hr_bpm < hr_range[1]
    assert rmssd_range[0] < base.rmssd_ms < rmssd_range[1]
    assert base.n_minutes > 100
    # Calm minutes of a heavy day come from outside the high-load episode.
    a, b = (
        iso_s(day.truth.get("high_load", {}).get("start", "1970-01-01T00:00:00+00:00")),
        iso_s(day.truth.get("high_load", {}).get("end", "1970-01-01T00:00:00+00:00")),
    )
    calm = [e for e, c in zip(day.epochs, is_calm(day.epochs), strict=True) if c]
    assert not any(a <= e.start_s < b for e in calm)


def _beats(duration_s: float, hr: float = 60.0, start_s: float = T0) -> list[tuple[float, float]]:
    """Beats with a 15-ms breathing swing (RR in ms, times in s)."""
    out: list[tuple[float, float]] = []
    t = start_s
    k = 0
    while t < start_s + duration_s:
        rr = 60000.0 / hr + 15.0 * math.sin(k / 2.5)
        t += rr / 1000.0
        out.append((t, rr))
        k += 1
    return out


def test_a_resting_measurement_gives_a_personal_baseline_when_done() -> None:
    rest = RestingMeasurement(duration_s=300.0)
    assert rest.progress == 0.0 and rest.result() is None
    beats = _beats(310.0)
    for k, (t, rr) in enumerate(beats[:150]):
        rest.push(t, rr, k == 0)
    assert 0.4 < rest.progress < 0.6
    assert rest.result() is None and rest.reason.startswith("not finished: 2.")
    for t, rr in beats[150:]:
        rest.push(t, rr, False)
    assert rest.progress == 1.0 and rest.done
    base = rest.result()
    assert isinstance(base, Baseline) and rest.reason == ""
    assert base.source == "resting" and base.is_personal and base.n_minutes == 5
    assert base.hr_bpm == pytest.approx(60.0, abs=0.2)
    kept = np.array([b[1] for b in beats if b[0] <= T0 + 300.0])
    assert base.rmssd_ms == pytest.approx(np.sqrt(np.mean(np.diff(kept) ** 2)), rel=0.02)
    assert base.hr_spread_bpm == HR_SPREAD_FLOOR_BPM  # five steady minutes: the floor


def test_a_resting_measurement_with_lost_contact_or_artifacts_says_why() -> None:
    lost = RestingMeasurement(duration_s=300.0)
    for k, (t, rr) in enumerate(_beats(301.0)):
        if not 100.0 < t - T0 < 160.0:
            lost.push(t, rr, k == 0 or 160.0 < t - T0 < 161.0)
    assert lost.done and lost.result() is None
    assert lost.reason.startswith("the strap lost contact for 20% of the time")
    noisy = RestingMeasurement(duration_s=300.0)
    for k, (t, rr) in enumerate(_beats(301.0)):
        noisy.push(t, rr, k == 0, artifact=k % 10 == 0)
    assert noisy.result() is None and "irregular or noisy" in noisy.reason
    cut_short = RestingMeasurement(duration_s=300.0)
    for k, (t, rr) in enumerate(_beats(200.0)):
        cut_short.push(t, rr, k == 0)
    cut_short.advance_to(T0 + 300.0)  # the clock runs on while no beats come
    assert cut_short.done and cut_short.result() is None
    assert cut_short.reason.startswith("the strap lost contact for 33% of the time")
    with pytest.raises(ValueError, match="at least 2 minutes"):
        RestingMeasurement(duration_s=60.0)


async def _rest_fixture_beats() -> list[tuple[float, float, bool]]:
    source = ReplaySource(FIXTURES / "rest-5min.hsrec", speed=None)
    return [
        (b.time_s, b.rr_ms, b.gap_before)
        async for e in source.events()
        if isinstance(e, Measurement)
        for b in e.beats
    ]


def test_the_resting_fixture_gives_a_resting_baseline() -> None:
    beats = asyncio.run(_rest_fixture_beats())
    start_s = iso_s("2026-11-25T08:27:53+00:00")  # the REST session of the truth
    rest = RestingMeasurement(duration_s=300.0, start_s=start_s)
    for t, rr, gap in beats:
        rest.push(t, rr, gap)
    base = rest.result()
    assert base is not None, rest.reason
    assert 55.0 < base.hr_bpm < 75.0 and 25.0 < base.rmssd_ms < 60.0
