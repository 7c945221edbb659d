"""Issue 17: prompts on time on generated heavy days, rare on calm ones, never in a session.

Two heavy and two calm days of the prompts bench (:mod:`bench.prompts_bench`), replayed
headless through the path ``holdspace replay --no-store --fast`` takes. Heavy seed 109
is the bench's slowest (its score lingers at 75-78 before it climbs); 104 a typical one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.prompts_bench import MAX_CALM_PROMPTS, MAX_DELAY_MIN, DayPrompts, day_prompts


@pytest.mark.parametrize("seed", [104, 109])
def test_heavy_day_prompts_within_five_minutes_and_never_in_a_session(
    seed: int, tmp_path: Path
) -> None:
    day = day_prompts("heavy", seed, tmp_path)
    assert day.in_session == 0
    assert day.delay_min is not None, "no prompt after the high-load start"
    assert day.delay_min <= MAX_DELAY_MIN, day
    assert day.first_delivered_s is not None  # it reaches the helper (at the session's end)


@pytest.mark.parametrize("seed", [201, 202])
def test_calm_day_brings_at_most_one_prompt(seed: int, tmp_path: Path) -> None:
    day = day_prompts("calm", seed, tmp_path)
    assert day.in_session == 0
    assert day.delivered <= MAX_CALM_PROMPTS, day


def test_verdict_follows_the_targets() -> None:
    late = DayPrompts(109, "heavy", 0.0, 7.0 * 60.0, 3000.0, "sustained_high", 8, 3, 0)
    on_time = DayPrompts(104, "heavy", 0.0, 4.0 * 60.0, 3000.0, "sustained_high", 8, 3, 0)
    in_session = DayPrompts(104, "heavy", 0.0, 4.0 * 60.0, 240.0, "sustained_high", 8, 3, 1)
    busy_calm = DayPrompts(201, "calm", None, 600.0, 600.0, "daily_load", 2, 2, 0)
    assert on_time.passed and not late.passed and not in_session.passed
    assert not busy_calm.passed and busy_calm.delay_min is None
