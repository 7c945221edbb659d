"""Issue 20, learning what helps: the hold draw, which prompts the policy may hold, the settings,
and a body that answers shown prompts (:mod:`sensors.simulate.response`)."""

from __future__ import annotations

import asyncio
import itertools
import json
import math
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from companion.errors import HoldspaceError
from companion.prompts.holding import HoldDraw
from companion.prompts.policy import PromptPolicy
from companion.prompts.types import PolicyConfig
from companion.settings import Settings, SettingsError, load_settings, save_settings
from sensors.beats import Beat
from sensors.events import Measurement, SourceEvent
from sensors.hrm import HeartRateMeasurement, SensorContact
from sensors.simulate.response import PromptEffect, RespondingSource
from tests.support.policy import at, feed, minute

SALT = bytes(range(32))
"""A fixed salt: the draws of these tests are the same on every run."""
ALWAYS = PolicyConfig(hold=HoldDraw(1.0, SALT))
"""Every prompt that may be held is held: which ones may is what these tests check."""


def _fates(policy: PromptPolicy) -> list[tuple[str, str, float | None]]:
    return [(r.prompt.kind, r.fate, r.hold_probability) for r in policy.all_prompts]


# --- the draw ----------------------------------------------------------------------------------


def test_the_draw_is_a_keyed_hash_reproducible_and_hidden() -> None:
    draw = HoldDraw(0.2, SALT)
    ids = [f"pause-{1_790_000_000 + 60 * i}" for i in range(20_000)]
    held = [draw.held(i) for i in ids]
    assert held == [HoldDraw(0.2, SALT).held(i) for i in ids]  # replays hold the same
    other = HoldDraw(0.2, bytes(reversed(SALT)))
    assert held != [other.held(i) for i in ids]  # another store, other holds
    # Binomial(20000, 0.2): mean 4000, sd 56.6; 99.9 % two-sided is +-3.29 sd.
    assert abs(sum(held) - 4000) <= 3.29 * math.sqrt(20_000 * 0.2 * 0.8)
    assert all(0.0 <= draw.uniform(i) < 1.0 for i in ids[:100])
    assert "salt" not in repr(draw) and SALT.hex() not in repr(draw)
    assert not any(HoldDraw(0.0, SALT).held(i) for i in ids[:100])
    assert all(HoldDraw(1.0, SALT).held(i) for i in ids[:100])
    with pytest.raises(ValueError):
        HoldDraw(1.5, SALT)
    with pytest.raises(ValueError):
        HoldDraw(0.2, b"short")


# --- the policy -----------------------------------------------------------------------------


def test_without_learning_nothing_is_held_or_marked() -> None:
    policy = PromptPolicy()
    assert len(feed(policy, at(9), [70, 80, 80])) == 1
    assert _fates(policy) == [("pause", "delivered", None)]


def test_a_held_pause_is_noted_not_shown_and_the_next_one_is_shown() -> None:
    policy = PromptPolicy(ALWAYS)
    assert feed(policy, at(9), [70, 80, 80]) == []  # held: nothing reaches the helper
    (held,) = policy.all_prompts
    assert (held.fate, held.decided_s, held.hold_probability) == ("held", at(9, 2), 1.0)
    assert held.prompt.delivered_s is None
    # The episode lasts; the pause comes again a cooldown (45 min) later: never two held.
    out = feed(policy, at(9, 3), [85] * 50)
    assert [p.kind for p in out] == ["pause"]
    assert _fates(policy)[1] == ("pause", "delivered", None)  # not randomised: not compared
    # And after a shown one, the next may be held again.
    feed(policy, at(9, 53), [85] * 45)
    assert _fates(policy)[2] == ("pause", "held", 1.0)


def test_a_held_prompt_runs_the_cooldowns_but_not_the_daily_cap() -> None:
    policy = PromptPolicy(PolicyConfig(daily_cap=1, hold=HoldDraw(1.0, SALT)))
    feed(policy, at(9), [70, 80, 80])
    assert _fates(policy) == [("pause", "held", 1.0)]
    # 10 minutes later the day's load passes 70: within the 15-minute gap of the held pause.
    feed(policy, at(9, 3), [85] * 9)
    assert policy.minute(minute(at(9, 12), 85, load=75.0)) == ()
    assert _fates(policy)[1] == ("contact", "cooled_down", None)
    # The held pause did not use up the day's one prompt: the next pause (45 minutes
    # after the held one, the episode lasting) is shown.
    out = feed(policy, at(9, 13), [85] * 40)
    assert [(p.kind, p.delivered_s) for p in out] == [("pause", at(9, 47))]


def test_contact_is_never_held() -> None:
    policy = PromptPolicy(ALWAYS)
    out = policy.minute(minute(at(9), 40, load=75.0))
    assert [p.kind for p in out] == ["contact"]
    policy.check_in(at(12), {"need_support": True})
    assert {(k, f) for k, f, _ in _fates(policy)} == {("contact", "delivered")}
    assert all(p is None for _, _, p in _fates(policy))


def _heavy_session_then_stall(policy: PromptPolicy, heavy: bool | None) -> None:
    """A client session 09:00-09:50 (marked ``heavy``), a break, then stress that stays up."""
    policy.session_started("client", "C-08", at(9))
    feed(policy, at(9, 1), [60] * 49)
    policy.session_ended(at(9, 50), heavy=heavy)
    policy.session_started("break", "", at(9, 51))  # a break is still "after" the session
    feed(policy, at(9, 51), [60] * 20)


def test_nothing_is_held_after_a_session_marked_heavy() -> None:
    marked = PromptPolicy(PolicyConfig(min_gap_s=0.0, hold=HoldDraw(1.0, SALT)))
    _heavy_session_then_stall(marked, heavy=True)
    assert _fates(marked) == [
        ("contact", "delivered", None),  # marked heavy: a colleague
        ("breathe", "delivered", None),  # after it, never held
    ]
    unmarked = PromptPolicy(ALWAYS)
    _heavy_session_then_stall(unmarked, heavy=None)
    assert _fates(unmarked) == [("breathe", "held", 1.0)]
    # A check-in saying heavy counts as the mark.
    checked = PromptPolicy(ALWAYS)
    checked.session_started("client", "C-08", at(9))
    feed(checked, at(9, 1), [60] * 49)
    checked.session_ended(at(9, 50))
    checked.check_in(at(9, 50), {"heavy": True})
    feed(checked, at(9, 51), [60] * 20)
    assert _fates(checked) == [("breathe", "delivered", None)]


def test_a_held_prompt_hosts_the_prompts_of_its_moment() -> None:
    policy = PromptPolicy(ALWAYS)
    policy.session_started("client", "C-08", at(9))
    feed(policy, at(9, 1), [70, 80, 80])  # a pause waits for the end
    policy.session_ended(at(9, 50))
    (rec,) = policy.all_prompts
    assert (rec.fate, rec.decided_s) == ("held", at(9, 50))


def test_replays_hold_the_same_prompts() -> None:
    def day() -> list[tuple[str, str, float | None]]:
        policy = PromptPolicy(PolicyConfig(hold=HoldDraw(0.5, SALT)))
        for hour in range(8, 18):
            feed(policy, at(hour), [70, 80, 85] + [60] * 57)
        return _fates(policy)

    first = day()
    assert first == day()
    assert {f for _, f, _ in first} >= {"held", "delivered"}


# --- the settings ----------------------------------------------------------------------------


def test_learning_settings_validate_and_give_the_draw(tmp_path: Path) -> None:
    assert Settings().policy_config().hold is None  # off by default
    on = Settings(learning=True, hold_probability=0.3, learning_salt=SALT.hex())
    assert on.policy_config().hold == HoldDraw(0.3, SALT)
    assert SALT.hex() not in repr(on)
    with pytest.raises(SettingsError, match="hold_probability"):
        Settings(hold_probability=0.9)
    with pytest.raises(SettingsError, match="learning_salt"):
        Settings(learning_salt="not hex")
    save_settings(tmp_path, on)
    assert load_settings(tmp_path) == on


def test_learning_turned_on_by_hand_gets_its_secret_once(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text(json.dumps({"learning": True}))
    first = load_settings(tmp_path)
    assert first.learning and first.learning_salt is not None
    assert load_settings(tmp_path).learning_salt == first.learning_salt  # kept
    (tmp_path / "settings.json").write_text(json.dumps({"hold_probability": "a fifth"}))
    with pytest.raises(HoldspaceError, match="hold_probability"):
        load_settings(tmp_path)


# --- a body that answers prompts -------------------------------------------------------------


class _Beats:
    """A source of one beat a second at 750 ms (80 bpm), alternating by +-20 ms."""

    source_id = "beats"
    description = "beats"
    progress = None

    def __init__(self, n: int) -> None:
        self.n = n

    async def events(self) -> AsyncIterator[SourceEvent]:
        hrm = HeartRateMeasurement(80, False, SensorContact.UNSUPPORTED, None, ())
        for i in range(self.n):
            beat = Beat(1000.0 + i, 750.0 + (20.0 if i % 2 else -20.0))
            yield Measurement(beat.time_s, b"", hrm, (beat,))


def _run(source: RespondingSource, shown_at: float) -> list[SourceEvent]:
    async def go() -> list[SourceEvent]:
        out = []
        async for event in source.events():
            out.append(event)
            if isinstance(event, Measurement) and event.arrival_s == shown_at:
                source.prompt_shown("pause", shown_at)
        return out

    return asyncio.run(go())


def test_no_effect_changes_nothing_and_a_told_one_moves_hr_and_rmssd() -> None:
    def rr_of(events: list[SourceEvent]) -> list[float]:
        return [e.beats[0].rr_ms for e in events if isinstance(e, Measurement)]

    inner = rr_of(asyncio.run(_collect(_Beats(1200))))
    assert rr_of(_run(RespondingSource(_Beats(1200), [PromptEffect("pause")]), 2100.0)) == inner
    effect = PromptEffect("pause", hr_change_bpm=-6.0, rmssd_ratio=1.2)
    bent = rr_of(_run(RespondingSource(_Beats(1200), [effect]), 2100.0))  # shown at beat 1100
    assert bent[:1101] == inner[:1101]  # nothing changes before it is shown
    before, full = inner[900:1100], bent[1100 + 70 : 1200]  # full effect after the 60-s ramp

    def hr(rr: list[float]) -> float:
        return 60000.0 / (sum(rr) / len(rr))

    def rmssd(rr: list[float]) -> float:
        return math.sqrt(sum((b - a) ** 2 for a, b in itertools.pairwise(rr)) / (len(rr) - 1))

    assert hr(full) - hr(before) == pytest.approx(-6.0, abs=0.3)
    assert rmssd(full) / rmssd(before) == pytest.approx(1.2, abs=0.03)
    assert (effect.weight(0.0), effect.weight(30.0), effect.weight(600.0)) == (0.0, 0.5, 1.0)
    assert (effect.weight(750.0), effect.weight(2000.0)) == (0.5, 0.0)
    assert effect.mean_weight(0.0, 600.0) == pytest.approx(0.95)


async def _collect(source: _Beats) -> list[SourceEvent]:
    return [e async for e in source.events()]
