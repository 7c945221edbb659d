"""The morning reading's rule, the usual and its range, the trend (signals.scores.readiness)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from signals.scores.readiness import (
    LN_RMSSD_SD_FLOOR,
    READING_MINUTES,
    DayReading,
    MorningMinute,
    MorningReading,
    assess,
    pick_morning_reading,
)

DAY = date(2026, 11, 20)
T0 = 1_800_000_000.0


def _minute(i: int, **change: object) -> MorningMinute:
    base: dict[str, object] = {
        "start_s": T0 + 60.0 * i,
        "local_minute": 7 * 60 + i,
        "hr_bpm": 60.0 + i,
        "ln_rmssd": 3.5 + 0.01 * i,
        "good": True,
        "high_stress": False,
        "still": None,
        "session_open": False,
        "after_client": False,
    }
    base.update(change)
    return MorningMinute(**base)  # type: ignore[arg-type]


def _reading(ln_rmssd: float, hr_bpm: float = 60.0) -> MorningReading:
    return MorningReading(T0, ln_rmssd, hr_bpm, 3, "first-calm-minutes")


def _history(values: list[float], hr_bpm: float = 60.0) -> list[DayReading]:
    """One reading a day for the days before DAY, the last value yesterday."""
    n = len(values)
    return [DayReading(DAY - timedelta(days=n - i), v, hr_bpm) for i, v in enumerate(values)]


def test_the_first_three_consecutive_good_calm_minutes_make_the_reading() -> None:
    found = pick_morning_reading([_minute(i) for i in range(6)])
    assert found is not None
    assert found.start_s == T0
    assert found.n_minutes == READING_MINUTES
    assert found.ln_rmssd == pytest.approx(3.51)
    assert found.hr_bpm == pytest.approx(61.0)
    assert found.source == "first-calm-minutes"


@pytest.mark.parametrize(
    "change",
    [
        {"good": False},
        {"high_stress": True},
        {"still": False},
        {"session_open": True},
        {"ln_rmssd": None},
    ],
)
def test_a_minute_that_is_not_calm_good_and_still_restarts_the_run(
    change: dict[str, object],
) -> None:
    minutes = [_minute(i, **(change if i == 1 else {})) for i in range(6)]
    found = pick_morning_reading(minutes)
    assert found is not None and found.start_s == T0 + 120.0


def test_a_gap_between_minutes_breaks_the_run() -> None:
    minutes = [_minute(0), _minute(1), _minute(3), _minute(4), _minute(5)]
    found = pick_morning_reading(minutes)
    assert found is not None and found.start_s == T0 + 180.0


def test_only_between_five_and_eleven_and_before_the_first_client() -> None:
    early = [_minute(i, local_minute=4 * 60 + 57 + i) for i in range(4)]
    assert pick_morning_reading(early) is None  # 04:57-05:00: one minute in the window
    late = [_minute(i, local_minute=11 * 60 + i) for i in range(5)]
    assert pick_morning_reading(late) is None
    client = [_minute(i, after_client=i >= 2) for i in range(8)]
    assert pick_morning_reading(client) is None


def test_fewer_than_four_earlier_readings_say_not_enough_days() -> None:
    result = assess(DAY, _reading(3.0), _history([3.5, 3.6, 3.4]))
    assert result.status == "not_enough_days"
    assert result.usual is None
    assert result.readings == 4


def test_below_within_and_above_the_usual_range() -> None:
    history = _history([3.4, 3.6, 3.5, 3.4, 3.6, 3.5, 3.5])
    usual = assess(DAY, _reading(3.5), history).usual
    assert usual is not None
    assert usual.ln_rmssd_mean == pytest.approx(3.5)
    assert usual.ln_rmssd_high - usual.ln_rmssd_mean == pytest.approx(usual.ln_rmssd_sd)
    assert assess(DAY, _reading(3.5), history).status == "within"
    assert assess(DAY, _reading(3.3), history).status == "below"
    assert assess(DAY, _reading(3.7), history).status == "above"


def test_the_usual_is_the_last_seven_days_and_the_range_the_last_28() -> None:
    old = [DayReading(DAY - timedelta(days=20 + i), 2.0, 70.0) for i in range(4)]
    recent = _history([3.5, 3.5])
    result = assess(DAY, _reading(3.5), old + recent)
    assert result.usual is not None
    assert result.usual.ln_rmssd_mean == pytest.approx(3.5)  # the old ones only widen the range
    assert result.usual.n_readings == 6
    beyond = [DayReading(DAY - timedelta(days=29 + i), 3.5, 60.0) for i in range(4)]
    assert assess(DAY, _reading(3.5), beyond + recent).status == "not_enough_days"


def test_identical_readings_keep_a_floor_on_the_range() -> None:
    result = assess(DAY, _reading(3.5 - LN_RMSSD_SD_FLOOR / 2), _history([3.5] * 7))
    assert result.status == "within"
    assert result.usual is not None and result.usual.ln_rmssd_sd == LN_RMSSD_SD_FLOOR


def test_todays_own_reading_never_counts_towards_its_usual() -> None:
    history = [*_history([3.5] * 6), DayReading(DAY, 2.0, 60.0)]
    result = assess(DAY, _reading(3.5), history)
    assert result.usual is not None and result.usual.ln_rmssd_mean == pytest.approx(3.5)


def test_no_reading_today_says_so() -> None:
    result = assess(DAY, None, _history([3.5] * 7))
    assert result.status == "no_reading" and result.reading is None


def test_the_trend_of_two_weeks_in_words() -> None:
    falling = [3.8 - 0.03 * i for i in range(13)]
    result = assess(DAY, _reading(3.8 - 0.03 * 13, 60.0), _history(falling))
    assert result.trend is not None
    assert result.trend.ln_rmssd_words == "falling"
    assert result.trend.ln_rmssd_per_day == pytest.approx(-0.03)
    assert result.trend.hr_words == "steady"
    assert assess(DAY, _reading(3.5), _history([3.5] * 2)).trend is None
