"""Prompts wait until the helper is still (issue 19): no prompt is raised while walking, a
prompt due while moving is decided at the first still minute by the usual rules, and
without an accelerometer the policy is exactly as before."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from companion.pipeline.runs import choose_baseline, run_source
from companion.pipeline.stage import SignalStage
from companion.prompts.policy import PromptPolicy
from companion.prompts.types import MinuteInput
from companion.review.day import DayReview, load_day, steady_high
from companion.store.store import Store
from sensors.recording import write_recording
from sensors.replay import ReplaySource
from sensors.simulate import simulate_recording
from tests.support.chest_stream import ChestDay, chest_day, run_stage
from tests.support.policy import MIN, at


def _during_walks(day: ChestDay, t_s: float) -> bool:
    return any(a <= t_s <= b for a, b in day.walks)


def test_no_prompt_is_raised_while_walking() -> None:
    day = chest_day(minutes=40, walks=((600.0, 1080.0), (1500.0, 1800.0)))
    stage = run_stage(day, pmd=True)
    assert not [p for p in stage.prompts if _during_walks(day, p.prompt.raised_s)]
    assert not any(m.score.band == "high" for m in stage.minutes)


def test_the_same_walk_without_the_accelerometer_raises_a_pause() -> None:
    """What waiting for stillness prevents (this day, beats only, prompts while walking)."""
    day = chest_day(minutes=40, walks=((600.0, 1080.0), (1500.0, 1800.0)))
    stage = run_stage(day, pmd=False)
    assert [p.prompt.kind for p in stage.prompts if _during_walks(day, p.prompt.raised_s)]


def _moving(t_s: float, moving: bool = True) -> MinuteInput:
    return MinuteInput(t_s, None, True, 20.0, moving=moving)


def _still(t_s: float, stress: int | None = 30) -> MinuteInput:
    return MinuteInput(t_s, stress, True, 20.0)


def test_a_prompt_due_while_moving_waits_for_the_first_still_minute() -> None:
    policy = PromptPolicy()
    policy.session_started("client", "c1", at(10))
    policy.minute(_still(at(10, 20)))
    policy.minute(_moving(at(10, 49)))  # the helper walks out of the session
    assert policy.session_ended(at(10, 50), heavy=True) == ()  # would deliver a contact
    assert policy.pending and policy.moving
    assert policy.minute(_moving(at(10, 51))) == ()
    assert policy.colleagues_due(at(10, 51), {"Sam": 9}) == ()  # a reminder waits too
    delivered = policy.minute(_still(at(10, 52), stress=None))  # still, even unscored
    assert [p.kind for p in delivered] == ["contact"]
    assert delivered[0].delivered_s == at(10, 52) and not delivered[0].in_session
    assert not policy.pending


def test_the_usual_rules_apply_once_still() -> None:
    """A prompt that waited is gated like any other: within the pause cooldown it is
    cooled down, not delivered, when the helper stops."""
    policy = PromptPolicy()
    policy.minute(_still(at(9), stress=90))
    policy.minute(_still(at(9, 1), stress=90))
    assert [r.fate for r in policy.all_prompts] == ["delivered"]
    policy.minute(_moving(at(9, 2)))
    policy.session_started("client", "c1", at(9, 3))
    assert policy.session_ended(at(9, 3) + 30 * MIN, heavy=True) == ()
    policy.minute(_moving(at(9, 34)))
    delivered = policy.minute(_still(at(9, 35)))
    assert [p.kind for p in delivered] == ["contact"]  # past the 15-min gap: delivered


def test_a_prompt_the_helper_asks_for_does_not_wait() -> None:
    policy = PromptPolicy()
    policy.minute(_moving(at(11)))
    delivered = policy.check_in(at(11, 0) + 10, {"need_support": True})
    assert [p.kind for p in delivered] == ["contact"]


def test_without_an_accelerometer_no_minute_is_moving() -> None:
    assert MinuteInput(at(9), 40, True, 10.0).moving is False
    policy = PromptPolicy()
    policy.minute(_still(at(9)))
    assert not policy.moving


@dataclass(frozen=True)
class _Run:
    stage: SignalStage
    walks: list[tuple[float, float]]
    review: DayReview


def _generated(tmp: Path, pmd: bool) -> _Run:
    """The generated walking day (seed 1), replayed through the live path as replay runs it."""
    day = date(2026, 11, 24)
    header, events = simulate_recording("walking-day", seed=1, day=day, tz=UTC, pmd=pmd)
    path = tmp / f"walking-{'pmd' if pmd else 'rr'}.hsrec"
    write_recording(path, header, events)
    store = Store(tmp / f"store-{'pmd' if pmd else 'rr'}")
    baseline = asyncio.run(choose_baseline(None, lambda: ReplaySource(path, speed=None)))
    outcome = asyncio.run(
        run_source(ReplaySource(path, speed=None), store, baseline=baseline, offload="process")
    )
    assert outcome.stage is not None
    review = load_day(store, day)
    store.close()
    walks = [
        (
            datetime.fromisoformat(w["start"]).timestamp(),
            datetime.fromisoformat(w["end"]).timestamp(),
        )
        for w in header.truth["walking"]
    ]
    return _Run(outcome.stage, walks, review)


@pytest.fixture(scope="module")
def walking_day(tmp_path_factory: pytest.TempPathFactory) -> tuple[_Run, _Run]:
    tmp = tmp_path_factory.mktemp("walking-day")
    return _generated(tmp, pmd=True), _generated(tmp, pmd=False)


def _in_walk(run: _Run, t_s: float) -> bool:
    return any(a <= t_s <= b for a, b in run.walks)


def test_generated_day_no_prompt_while_walking_and_no_high_walking_minute(
    walking_day: tuple[_Run, _Run],
) -> None:
    with_pmd, _ = walking_day
    assert len(with_pmd.walks) >= 5
    assert not [r for r in with_pmd.stage.prompts if _in_walk(with_pmd, r.prompt.raised_s)]
    walking = [
        m
        for m in with_pmd.stage.minutes
        if any(a <= m.epoch.start_s + 30.0 <= b for a, b in with_pmd.walks)
    ]
    assert walking and all(m.score.band != "high" for m in walking)
    assert sum(m.moving for m in walking) >= len(walking) * 0.7
    assert all(
        m.score.score is None and "movement" in m.score.unscored_reason
        for m in with_pmd.stage.minutes
        if m.moving and m.epoch.is_good
    )


def test_generated_day_the_review_agrees_with_the_screen_and_the_prompts(
    walking_day: tuple[_Run, _Run],
) -> None:
    """One rule: the review's steady high minutes, from the stored scores, are the live
    ones; a moving minute is stored unscored (NaN in the review's grid)."""
    with_pmd, _ = walking_day
    review = with_pmd.review
    grid = review.minute_s.tolist()
    high = dict(zip(grid, steady_high(review.minute_s, review.stress).tolist(), strict=True))
    live = {m.epoch.start_s: m.score.band == "high" for m in with_pmd.stage.minutes}
    assert {t: high[t] for t in live if t in high} == {t: v for t, v in live.items() if t in high}
    stress = dict(zip(grid, review.stress.tolist(), strict=True))
    moving = [m.epoch.start_s for m in with_pmd.stage.minutes if m.moving and m.epoch.is_good]
    assert moving and all(math.isnan(stress[t]) for t in moving)


def test_generated_day_without_pmd_behaves_as_before(walking_day: tuple[_Run, _Run]) -> None:
    """Beats alone: no minute is moving, nothing of the chest is stored, and the walks raise
    pauses (what the accelerometer prevents); the prompts before the first one agree."""
    with_pmd, without = walking_day
    assert all(m.chest is None and not m.moving for m in without.stage.minutes)
    assert all("activity" not in m.to_json() for m in without.stage.minutes)
    raised = [r.prompt.kind for r in without.stage.prompts if _in_walk(without, r.prompt.raised_s)]
    assert "pause" in raised
    assert [m.epoch for m in with_pmd.stage.minutes] == [m.epoch for m in without.stage.minutes]
