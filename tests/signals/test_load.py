"""Load: the daily accumulator, per-session load, recovery and weekly exposure."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from signals.epochs.types import Epoch
from signals.scores.bands import band_of
from signals.scores.baseline import baseline_from_file_calm
from signals.scores.load import (
    K_UP_PER_MIN,
    LOAD_SCALE_MIN,
    TAU_RECOVER_MIN,
    DailyLoad,
    SessionLoad,
    daily_load_series,
    recovery_after,
    session_load,
    weekly_exposure,
)
from signals.scores.stress import StressScore
from tests.support.epochs import AT_BASELINE, BASE, iso_s, scored_day

T0 = 1_795_500_000.0
DAY_S = 86400.0
MINUTE = dataclasses.replace(AT_BASELINE, n_beats=70, hr_rise_bpm_30s=1.0, n_diffs=69)


def _day(
    values: list[int | None], hr: list[float] | None = None
) -> tuple[list[Epoch], list[StressScore]]:
    """Minutes from T0 with these scores (None: poor signal) and heart rates."""
    epochs: list[Epoch] = []
    scores: list[StressScore] = []
    for k, value in enumerate(values):
        start_s = T0 + 60.0 * k
        good = value is not None
        epochs.append(
            dataclasses.replace(
                MINUTE,
                start_s=start_s,
                hr_bpm=hr[k] if hr is not None else 65.0 + (value or 0) / 4.0,
                ln_rmssd=3.5 - (value or 0) / 100.0,
                quality="good" if good else "poor",
                quality_reason="" if good else "contact lost",
            )
        )
        scores.append(
            StressScore(start_s, value, band_of(value), 0.0, 0.0, 0.0, 0.0)
            if value is not None
            else StressScore(start_s, None, None, None, None, None, None, "contact lost")
        )
    return epochs, scores


def test_daily_load_rises_above_50_recovers_below_and_holds_otherwise() -> None:
    load = DailyLoad()
    assert load.update(100) == pytest.approx(100.0 * K_UP_PER_MIN)
    assert load.update(None) == pytest.approx(100.0 * K_UP_PER_MIN)
    assert load.update(50) == pytest.approx(100.0 * K_UP_PER_MIN)
    resting = DailyLoad(50.0)
    for _ in range(60):
        resting.update(0)
    assert resting.value == pytest.approx(50.0 * math.exp(-60.0 / TAU_RECOVER_MIN))
    half = DailyLoad(50.0)
    half.update(25)
    assert half.value == pytest.approx(
        50.0 * (1.0 - 0.5 * (1.0 - math.exp(-1.0 / TAU_RECOVER_MIN)))
    )
    series = daily_load_series([StressScore(T0, 100, "high", 0, 0, 0, 0)] * 2000)
    assert np.all(np.diff(series[:400]) > 0)
    assert series[-1] <= 100.0 and series[-1] > 99.0  # saturates, never past 100


def test_session_load_summarises_the_minutes_inside_the_session() -> None:
    values: list[int | None] = [5, 75, 80, 90, None, 95, 85, 60, 20, 5]
    epochs, scores = _day(values)
    s = session_load(T0 + 60.0, T0 + 540.0, epochs, scores, BASE)  # minutes 1 .. 8
    inside = [75, 80, 90, 95, 85, 60, 20]
    assert (s.n_minutes, s.n_scored) == (8, 7)
    assert s.mean_stress == pytest.approx(np.mean(inside))
    # Steady band (signals.scores.bands), not the plain count of scores >= 76 (4): 5, 75
    # is low; 75, 80 (mean 77.5) high; 85, 60 (mean 72.5) still high, 60, 20 low: five.
    assert s.peak_stress == 95 and s.minutes_high == 5
    assert s.sustained_peak_stress == pytest.approx(np.mean([75, 80, 90, 95, 85]))
    assert s.hr_change_bpm == pytest.approx(np.mean([v / 4.0 for v in inside]))
    ln_change = -np.mean(inside) / 100.0
    assert s.ln_rmssd_change == pytest.approx(ln_change)
    assert s.rmssd_change_pct == pytest.approx(100.0 * (math.exp(ln_change) - 1.0))
    intensity = sum(max(v - 25, 0) / 75.0 for v in inside)
    assert s.load == pytest.approx(100.0 * (1.0 - math.exp(-intensity / LOAD_SCALE_MIN)))
    assert s.heavy  # sustained peak 85 is high
    assert not session_load(T0, T0 + 120.0, epochs, scores, BASE).heavy
    assert session_load(T0, T0 + 120.0, epochs, scores, BASE, marked_heavy=True).heavy
    empty = session_load(T0 + 240.0, T0 + 300.0, epochs, scores, BASE)
    assert empty.n_scored == 0 and empty.mean_stress is None and empty.load == 0.0
    with pytest.raises(ValueError, match="same minutes"):
        session_load(T0, T0 + 60.0, epochs, scores[1:], BASE)


def test_recovery_is_three_near_baseline_minutes_in_a_row() -> None:
    # Session ends at minute 2; near baseline = score <= 25 or HR within 5 bpm of 65.
    values: list[int | None] = [90, 90, 80, 60, 20, None, 20, 40, 15, 10, 10, 90]
    hr = [90.0, 90.0, 85.0, 80.0, 66.0, 66.0, 66.0, 69.0, 66.0, 66.0, 66.0, 90.0]
    epochs, scores = _day(values, hr)
    r = recovery_after(T0 + 150.0, epochs, scores, BASE)
    assert r.recovered_at_s == T0 + 360.0  # 6, 7 (HR 69: within a spread), 8
    assert r.minutes == pytest.approx(3.5) and r.reason == ""
    cut = recovery_after(T0 + 150.0, epochs, scores, BASE, until_s=T0 + 480.0)
    assert cut.minutes is None and cut.reason == "not back near baseline before the next session"
    never = recovery_after(T0 + 150.0, *_day([90] * 10), BASE)
    assert never.minutes is None and never.reason.endswith("the end of the data")
    at_once = recovery_after(T0 + 200.0, *_day([10] * 10), BASE)
    assert at_once.minutes == 0.0  # the minute straddling the end already counts


def _summary(day: int, heavy: bool, load: float = 50.0, high: int = 10) -> SessionLoad:
    start_s = T0 + day * DAY_S
    return SessionLoad(
        start_s, start_s + 3000.0, 50, 50, 60.0, 90, 80.0, high, 10.0, -0.3, -26.0, load, heavy
    )


def test_weekly_exposure_counts_heavy_sessions_of_the_last_seven_days() -> None:
    sessions = [
        _summary(-8, True, 99.0),  # more than 7 days ago
        _summary(-6, True, 70.0, 20),
        _summary(-5, False, 10.0),
        _summary(-3, True, 80.0, 30),
        _summary(-2, True, 90.0, 40),
        _summary(-1, True, 60.0, 5),
    ]
    week = weekly_exposure(sessions, now_s=T0)
    assert (week.n_sessions, week.n_heavy) == (5, 4)
    assert week.heavy_minutes_high == 95
    assert week.mean_heavy_load == pytest.approx(75.0) and week.max_load == 90.0
    assert week.longest_heavy_run == 3
    quiet = weekly_exposure([], now_s=T0)
    assert quiet.n_heavy == 0 and quiet.mean_heavy_load is None and quiet.max_load is None


def _fixture_sessions(name: str) -> list[tuple[Mapping[str, Any], SessionLoad, float | None]]:
    day, scores = scored_day(name)
    base = baseline_from_file_calm(day.epochs)
    truth = list(day.truth["sessions"])
    out = []
    for k, session in enumerate(truth):
        a, b = iso_s(session["start"]), iso_s(session["end"])
        load = session_load(a, b, day.epochs, scores, base, marked_heavy=session["heavy"])
        later = [iso_s(s["start"]) for s in truth[k + 1 :] if s["kind"] != "break"]
        recovery = recovery_after(b, day.epochs, scores, base, until_s=min(later, default=None))
        out.append((session, load, recovery.minutes))
    return out


def test_heavy_fixture_sessions_and_day_load() -> None:
    sessions = _fixture_sessions("heavy-day.hsrec")
    for truth, load, recovery in sessions:
        measured_heavy = (load.mean_stress or 0) >= 76 or (load.sustained_peak_stress or 0) >= 76
        if truth["intensity"] >= 0.9:  # the high-load episode
            assert measured_heavy and load.heavy
            assert load.load > 70.0  # measured: 77-79
            assert load.minutes_high >= 45 and (load.hr_change_bpm or 0) > 20.0
            assert (load.rmssd_change_pct or 0) < -45.0  # measured: about -60 %
        else:
            assert not load.heavy and load.load < 50.0  # measured: at most 45 (intensity 0.6)
        if truth["kind"] == "client" and truth["intensity"] < 0.9:
            assert recovery is not None and recovery <= 10.0
    last_heavy = [r for t, _, r in sessions if t["intensity"] >= 0.9][-1]
    assert last_heavy is not None and last_heavy <= 10.0  # measured: 5.6 min, in the lunch break
    _, scores = scored_day("heavy-day.hsrec")
    series = daily_load_series(scores)
    assert max(series) > 80.0  # measured: 94, at the end of the episode
    assert series[-1] < max(series) - 20.0  # the afternoon brings some recovery
    week = weekly_exposure([load for _, load, _ in sessions], now_s=iso_s(sessions[-1][0]["end"]))
    assert week.n_heavy == 3 and week.longest_heavy_run == 3


def test_calm_fixture_has_no_heavy_session_and_little_load() -> None:
    sessions = _fixture_sessions("calm-day.hsrec")
    assert not any(load.heavy for _, load, _ in sessions)
    assert max(load.load for _, load, _ in sessions) < 40.0  # measured: 23
    _, scores = scored_day("calm-day.hsrec")
    assert max(daily_load_series(scores)) < 10.0  # measured: 0.1
