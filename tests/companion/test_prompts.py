"""The prompt policy: each rule at its edges, the gates, synthetic days, and properties."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.prompts.policy import PromptPolicy
from companion.prompts.records import FATES, Prompt, utc_day
from companion.prompts.rules import HighStressRun, recovery_stall_trigger
from companion.prompts.types import MinuteInput, PolicyConfig, SessionLoad
from sensors.events import SESSION_KINDS
from tests.support.policy import MIN, OPS, STEPS_S, T0, at, delivered, feed, minute


def fates(policy: PromptPolicy) -> list[tuple[str, str]]:
    return [(r.prompt.kind, r.fate) for r in policy.all_prompts]


# --- pause: sustained high stress ---------------------------------------------------------


def test_pause_when_the_steady_band_turns_high_delivered_with_a_reason() -> None:
    # From medium, the steady band turns high when the two-minute mean reaches 80
    # (76 + BAND_MARGIN_POINTS) with the latest minute high: at 80, 80, not at 70, 80.
    policy = PromptPolicy()
    assert feed(policy, at(9), [70, 80]) == []
    out = feed(policy, at(9, 2), [80])
    (prompt,) = out
    assert (prompt.kind, prompt.raised_s, prompt.delivered_s) == ("pause", at(9, 2), at(9, 2))
    assert not prompt.in_session
    assert prompt.reason.startswith("Your stress level has been well above your usual for ")
    # The reason names the latest run of minutes at or above 76 (not "1 of the last 3").
    assert prompt.reason.endswith("for the last 2 minutes. A short pause may help.")
    assert policy.record(prompt.prompt_id).rule == "sustained_high"


def test_pause_threshold_edges() -> None:
    assert feed(PromptPolicy(), at(9), [75] * 20) == []
    # The steady band (signals.scores.bands): from medium, a two-minute mean of 79.5
    # never turns high, nor does hovering just past 76, nor one high minute at a time
    # between medium ones, nor a mean past the margin whose latest minute is medium.
    assert feed(PromptPolicy(), at(9), [70] + [79, 80] * 10) == []
    assert feed(PromptPolicy(), at(9), [70] + [77, 80] * 10) == []
    assert feed(PromptPolicy(), at(9), [60] + [85, 60] * 10) == []
    assert feed(PromptPolicy(), at(9), [60, 95, 74, 70]) == []
    # A mean of exactly 80 with the latest minute high does: the first steady high
    # minute raises the pause.
    out = feed(PromptPolicy(), at(9), [70, 79, 81])
    assert [p.raised_s for p in out] == [at(9, 2)]
    out = feed(PromptPolicy(), at(9), [70, 75, 76, 84])
    assert [p.raised_s for p in out] == [at(9, 3)]


def test_a_lone_minute_short_of_the_margin_is_not_sustained_high_stress() -> None:
    # A minute judged alone must pass the margin (80 from medium) to turn the steady band
    # high; PolicyConfig's high_minutes=1 rests on the band's margin. The first scored
    # minute of a stream, and the first after a 10-min gap, take their plain band with
    # no margin at all: a single 77 must not raise a "sustained high" pause.
    assert feed(PromptPolicy(), at(9), [77]) == []
    policy = PromptPolicy()
    assert feed(policy, at(9), [40] * 3) == []
    assert feed(policy, at(9, 15), [77]) == []
    # Held there, it becomes sustained once a two-minute mean passes the margin: the
    # reason then speaks of one minute or more, never "the last 1 minutes".
    (prompt,) = feed(policy, at(9, 16), [84])
    assert prompt.reason.endswith("for the last 2 minutes. A short pause may help.")
    policy = PromptPolicy()
    (prompt,) = feed(policy, at(9), [70, 95])
    assert prompt.reason.endswith("for the last minute. A short pause may help.")


def test_a_helper_who_wants_more_patience_needs_k_steady_high_minutes_of_n() -> None:
    # The k-of-n window itself (high_minutes=3 of 4): the band is high on two of every
    # four minutes here, never three, so no pause ...
    config = PolicyConfig(high_minutes=3)
    wave = [85, 85, 70, 70]  # medium, high, high (mean 77.5 holds it), medium
    assert feed(PromptPolicy(config), at(9), [70] + wave * 5) == []
    # ... and three steady high minutes in four do raise one, naming them.
    out = feed(PromptPolicy(config), at(9), [70, 85, 85, 70, 85])
    assert [p.raised_s for p in out] == [at(9, 4)]
    assert "3 of the last 4 minutes" in out[0].reason


def test_pause_reason_names_the_marker_that_moved() -> None:
    policy = PromptPolicy()
    out: list[Prompt] = []
    for i in range(3):
        out += policy.minute(minute(at(9, i), 85, hr=18.0, rmssd=-0.4))
    assert out[0].reason.startswith(
        "Your heart rate has been well above your usual and its variability lower"
    )
    policy = PromptPolicy()
    out = []
    for i in range(3):
        out += policy.minute(minute(at(9, i), 85, hr=None, rmssd=-0.4))
    assert out[0].reason.startswith("Your heart-rate variability has been lower than your usual")


def test_one_poor_minute_is_bridged_two_break_the_run() -> None:
    # A poor minute neither counts nor breaks the steady band's pair (80, 80 around it).
    assert [p.raised_s for p in feed(PromptPolicy(), at(9), [70, 80, None, 80])] == [at(9, 3)]
    # One poor minute inside a lasting episode is bridged: the episode goes on and
    # raises nothing new within its cooldown.
    policy = PromptPolicy()
    out = feed(policy, at(9), [70, 80, 80, None, 80, 80])
    assert [p.raised_s for p in out] == [at(9, 2)]
    assert fates(policy) == [("pause", "delivered")]
    # Two poor minutes in a row break the run: the high minutes after them start a new
    # episode (raised at once, then held back by the policy's cooldown).
    policy = PromptPolicy()
    feed(policy, at(9), [70, 80, 80, None, None, 80, 80])
    assert fates(policy) == [("pause", "delivered"), ("pause", "cooled_down")]
    assert policy.all_prompts[1].decided_s == at(9, 5)
    # A dropout (no minutes at all) breaks it the same way.
    policy = PromptPolicy()
    feed(policy, at(9), [70, 80, 80])
    feed(policy, at(9, 6), [80, 80])
    assert fates(policy) == [("pause", "delivered"), ("pause", "cooled_down")]


def test_nothing_is_raised_on_poor_signal() -> None:
    policy = PromptPolicy()
    for i in range(24 * 60):
        t = at(0) + i * MIN
        policy.minute(minute(t, 95, ok=False, load=95.0))
        policy.minute(minute(t + 1, None, ok=True, load=95.0))
    assert policy.all_prompts == ()


def test_a_lasting_episode_raises_once_per_cooldown() -> None:
    policy = PromptPolicy(PolicyConfig(daily_cap=100))
    out = feed(policy, at(9), [70] + [80] * 99)  # the steady band is high from 09:02
    assert [p.raised_s for p in out] == [at(9, 2), at(9, 47), at(9, 92)]


def test_a_new_episode_within_the_cooldown_is_recorded_as_cooled_down() -> None:
    policy = PromptPolicy()
    # High from 09:02; four minutes without a steady high one end the episode
    # (09:03-09:06); 40, 80 is medium, 80, 80 high again at 09:08: a new episode.
    out = feed(policy, at(9), [70, 80, 80] + [40] * 4 + [80, 80])
    assert [p.raised_s for p in out] == [at(9, 2)]
    assert fates(policy) == [("pause", "delivered"), ("pause", "cooled_down")]
    assert policy.all_prompts[1].decided_s == at(9, 8)
    # 44 minutes after the delivery it is still cooling down; at 45 it is delivered.
    for raised_min, fate in ((46, "cooled_down"), (47, "delivered")):
        policy = PromptPolicy()
        feed(policy, at(9), [70, 80, 80])
        feed(policy, at(9, 3), [40] * (raised_min - 4) + [80, 80])
        assert fates(policy)[-1] == ("pause", fate)
        assert policy.all_prompts[-1].decided_s == at(9, raised_min)


# --- client sessions: defer, deliver at the end, merge -------------------------------------


def test_prompts_raised_in_a_client_session_wait_for_its_end() -> None:
    policy = PromptPolicy()
    policy.session_started("client", "C-07", at(9))
    assert feed(policy, at(9, 1), [70] + [85] * 39) == []  # steady high from 09:03
    (waiting,) = policy.pending
    assert waiting.in_session and waiting.raised_s == at(9, 3)
    assert policy.record(waiting.prompt_id).fate == "deferred"
    (prompt,) = policy.session_ended(at(9, 50))
    assert prompt.prompt_id == waiting.prompt_id
    assert (prompt.delivered_s, prompt.in_session) == (at(9, 50), True)
    assert policy.pending == ()
    assert fates(policy) == [("pause", "delivered")]


@pytest.mark.parametrize("kind", [k for k in SESSION_KINDS if k != "client"])
def test_other_sessions_do_not_defer(kind: str) -> None:
    policy = PromptPolicy()
    policy.session_started(kind, "X", at(9))
    (prompt,) = feed(policy, at(9, 1), [70, 85, 85])
    assert (prompt.delivered_s, prompt.in_session) == (at(9, 3), False)


def test_several_waiting_prompts_deliver_one_and_merge_the_rest() -> None:
    policy = PromptPolicy()
    policy.session_started("client", "C-01", at(9))
    feed(policy, at(9, 1), [70] + [85] * 54)  # two pauses, 45 minutes apart (09:03, 09:48)
    assert policy.check_in(at(9, 57), {"feeling": "Overwhelmed"}) == ()
    assert [p.kind for p in policy.pending] == ["pause", "contact"]
    (prompt,) = policy.session_ended(at(10))
    assert prompt.kind == "contact" and prompt.delivered_s == at(10)
    assert prompt.reason.startswith("You said you are feeling overwhelmed.")
    records = policy.all_prompts
    assert [(r.prompt.kind, r.fate) for r in records] == [
        ("pause", "merged"),
        ("pause", "merged"),
        ("contact", "delivered"),
    ]
    assert records[0].merged_into == prompt.prompt_id  # decided at the end, into the winner
    assert records[1].merged_into == prompt.prompt_id  # a twin of the waiting pause follows it
    assert records[1].decided_s == at(9, 48)


def test_a_session_marked_heavy_suggests_a_colleague_in_place_of_the_waiting_pause() -> None:
    policy = PromptPolicy()
    policy.session_started("client", "C-02", at(9))
    feed(policy, at(9, 1), [85] * 10)
    (prompt,) = policy.session_ended(at(9, 50), heavy=True)
    assert (prompt.kind, prompt.in_session) == ("contact", False)
    assert policy.record(prompt.prompt_id).rule == "marked_heavy"
    assert policy.all_prompts[0].merged_into == prompt.prompt_id


def test_a_new_session_ends_the_running_one() -> None:
    policy = PromptPolicy()
    policy.session_started("client", "C-03", at(9))
    feed(policy, at(9, 1), [85] * 5)
    (prompt,) = policy.session_started("client", "C-04", at(9, 50))
    assert prompt.delivered_s == at(9, 50)
    assert policy.in_client_session and policy.session is not None
    assert policy.session.label == "C-04"
    assert policy.session_ended(at(10, 40)) == ()
    assert policy.session_ended(at(10, 41)) == ()  # nothing running: nothing to end


def test_unknown_session_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown session kind"):
        PromptPolicy().session_started("therapy", "C-01", at(9))


# --- cap, cooldowns, snooze -----------------------------------------------------------------


def _constant_high_day(policy: PromptPolicy, day_start_s: float) -> list[Prompt]:
    out: list[Prompt] = []
    for i in range(24 * 60):
        out += policy.minute(minute(day_start_s + i * MIN, 90, load=min(100.0, i / 6.0)))
    return out


def test_the_daily_cap_holds_over_a_day_of_constant_high_stress() -> None:
    policy = PromptPolicy()
    out = _constant_high_day(policy, at(0))
    assert len(out) == 4
    assert {p.kind for p in out} == {"pause"}  # every 45 minutes from midnight: the cap is met
    assert ("contact", "capped") in fates(policy)  # the day's load passed 70 at 07:00
    capped = [r for r in policy.all_prompts if r.fate == "capped"]
    assert capped and all(
        r.decided_s is not None and r.decided_s > out[-1].raised_s for r in capped
    )
    # The next day starts a new count.
    out = _constant_high_day(policy, at(24))
    assert 1 <= len(out) <= 4


def test_the_day_boundary_comes_from_day_of() -> None:
    local = PromptPolicy(day_of=lambda t: utc_day(t + 10 * 3600.0))  # UTC+10: days turn at 14:00
    out = feed(local, at(4), [90] * (16 * 60), load=20.0)
    days = [local_day for local_day in (utc_day(p.raised_s + 36000.0) for p in out)]
    assert days.count(date(2026, 11, 25)) == 4 and days.count(date(2026, 11, 26)) >= 1
    assert min(p.raised_s for p in out if p.raised_s >= at(14)) < at(15)


def test_minimum_gap_between_any_two_prompts() -> None:
    policy = PromptPolicy()
    (contact,) = policy.check_in(at(9), {"feeling": "heavy"})
    assert feed(policy, at(9, 12), [85] * 3) == []
    assert fates(policy) == [("contact", "delivered"), ("pause", "cooled_down")]
    assert contact.delivered_s == at(9)


def test_contact_cooldown_edges() -> None:
    policy = PromptPolicy()
    assert len(policy.check_in(at(9), {"feeling": "heavy"})) == 1
    assert policy.check_in(at(11, 59), {"feeling": "heavy"}) == ()
    assert len(policy.check_in(at(12), {"feeling": "heavy"})) == 1
    assert fates(policy) == [
        ("contact", "delivered"),
        ("contact", "cooled_down"),
        ("contact", "delivered"),
    ]


def test_cooldown_per_kind() -> None:
    config = PolicyConfig()
    assert [config.cooldown_s(k) for k in ("pause", "breathe", "contact")] == [
        45 * MIN,
        30 * MIN,
        180 * MIN,
    ]


def test_snooze_silences_then_lets_go() -> None:
    policy = PromptPolicy()
    assert policy.snooze(at(9), 30) == at(9, 30) == policy.snoozed_until_s
    assert feed(policy, at(9, 5), [70, 85, 85] + [40] * 21) == []  # high at 09:07
    assert fates(policy) == [("pause", "snoozed")]
    # From low, 40, 85 is medium and 85, 85 high: raised as the snooze ends.
    (prompt,) = feed(policy, at(9, 29), [85, 85])
    assert prompt.raised_s == at(9, 30)
    policy.snooze(at(10), 60)
    policy.snooze(at(10, 1), 0)  # ends it
    assert policy.check_in(at(10, 2), {"feeling": "heavy"})
    with pytest.raises(ValueError, match="snooze"):
        policy.snooze(at(10, 3), -1)


def test_snooze_during_a_client_session_holds_the_waiting_prompts() -> None:
    policy = PromptPolicy()
    policy.session_started("client", "C-05", at(9))
    feed(policy, at(9, 1), [85] * 5)
    policy.snooze(at(9, 20), 60)
    assert policy.session_ended(at(9, 50)) == ()
    assert fates(policy) == [("pause", "snoozed")]


def test_answering_snoozed_snoozes() -> None:
    policy = PromptPolicy()
    (prompt,) = feed(policy, at(9), [85] * 3)
    rec = policy.respond(prompt.prompt_id, "snoozed", at(9, 3))
    assert (rec.response, rec.responded_s) == ("snoozed", at(9, 3))
    assert policy.snoozed_until_s == at(9, 33)
    assert policy.all_prompts[0] == rec


def test_asking_for_support_passes_snooze_cap_and_cooldown_but_not_a_client_session() -> None:
    policy = PromptPolicy(PolicyConfig(daily_cap=1))
    assert policy.check_in(at(9), {"feeling": "heavy"})
    policy.snooze(at(9, 1), 120)
    (prompt,) = policy.check_in(at(9, 2), {"need_support": True})
    assert policy.record(prompt.prompt_id).rule == "check_in_support"
    assert prompt.reason.startswith("You said you could use some support.")
    policy.session_started("client", "C-06", at(9, 10))
    assert policy.check_in(at(9, 20), {"need_support": "yes"}) == ()
    (prompt,) = policy.session_ended(at(10))
    assert (prompt.kind, prompt.in_session, prompt.delivered_s) == ("contact", True, at(10))


@pytest.mark.parametrize(
    "answers", [{}, {"feeling": "tired"}, {"need_support": False}, {"need_support": "no"}]
)
def test_check_ins_that_ask_for_nothing(answers: dict[str, str | bool]) -> None:
    policy = PromptPolicy()
    assert policy.check_in(at(9), answers) == ()
    assert policy.all_prompts == ()


# --- responses ------------------------------------------------------------------------------


def test_responses_are_kept_once_and_only_for_delivered_prompts() -> None:
    policy = PromptPolicy()
    (prompt,) = feed(policy, at(9), [85, 85, 85])
    feed(policy, at(9, 3), [40] * 5 + [85] * 4)  # a cooled-down pause
    rec = policy.respond(prompt.prompt_id, "accepted", at(9, 4))
    assert rec.response == "accepted" and policy.record(prompt.prompt_id) == rec
    with pytest.raises(ValueError, match="already"):
        policy.respond(prompt.prompt_id, "dismissed", at(9, 5))
    with pytest.raises(ValueError, match="not delivered"):
        policy.respond(policy.all_prompts[1].prompt.prompt_id, "accepted", at(9, 12))
    with pytest.raises(ValueError, match="no prompt"):
        policy.respond("pause-1", "accepted", at(9, 12))
    with pytest.raises(ValueError, match="unknown response"):
        policy.respond(prompt.prompt_id, "maybe", at(9, 12))  # type: ignore[arg-type]


# --- breathe: recovery stalling -------------------------------------------------------------


def _after_client_session(
    after: Sequence[int | None],
    *,
    loads: Sequence[float] | None = None,
    config: PolicyConfig | None = None,
) -> tuple[PromptPolicy, list[Prompt]]:
    """A medium-stress client session 09:00-09:50, then one minute per value after it."""
    policy = PromptPolicy(config)
    policy.session_started("client", "C-08", at(9))
    feed(policy, at(9, 1), [60] * 49)
    out = list(policy.session_ended(at(9, 50)))
    for i, stress in enumerate(after):
        load = 20.0 if loads is None else loads[i]
        out += policy.minute(minute(at(9, 51 + i), stress, load=load))
    return policy, out


def test_breathe_when_recovery_stalls() -> None:
    policy, out = _after_client_session([60] * 20)
    (prompt,) = out
    assert (prompt.kind, prompt.raised_s, prompt.in_session) == ("breathe", at(10, 5), False)
    assert prompt.reason == (
        "Your last client session ended 15 minutes ago and your stress level is still well "
        "above your usual, not settling back yet. A few slow breaths may help your body settle."
    )
    assert fates(policy) == [("breathe", "delivered")]  # once per session end


def test_breathe_level_edge() -> None:
    assert [p.kind for p in _after_client_session([51] * 16)[1]] == ["breathe"]
    assert _after_client_session([50] * 16)[1] == []


def test_no_breathe_while_stress_falls_unless_the_load_rises() -> None:
    falling = [round(75 - 1.5 * i) for i in range(16)]  # 54 at the check, still falling
    assert _after_client_session(falling)[1] == []
    rising = [20.0 + 0.5 * i for i in range(16)]
    assert [p.kind for p in _after_client_session(falling, loads=rising)[1]] == ["breathe"]
    slow = [75 - i for i in range(16)]  # exactly the falling slope: falling
    assert _after_client_session(slow)[1] == []


def test_no_breathe_when_another_client_session_begins() -> None:
    policy = PromptPolicy()
    policy.session_started("client", "C-09", at(9))
    policy.session_ended(at(9, 50))
    policy.session_started("client", "C-10", at(10))
    feed(policy, at(10, 1), [60] * 20)
    assert policy.session_ended(at(10, 30)) == ()
    assert policy.all_prompts == ()


def test_breathe_during_a_break_session() -> None:
    policy = PromptPolicy()
    policy.session_started("client", "C-11", at(9))
    policy.session_ended(at(9, 50))
    policy.session_started("break", "TEA", at(9, 55))
    (prompt,) = feed(policy, at(9, 51), [60] * 16)
    assert prompt.kind == "breathe"


def test_no_breathe_on_poor_signal_or_too_late() -> None:
    assert _after_client_session([None] * 30)[1] == []
    assert _after_client_session([None] * 20 + [60] * 10)[1] == []  # past the grace


def test_recovery_rule_needs_three_scored_minutes() -> None:
    config = PolicyConfig()
    two = [minute(at(10, 4), 70), minute(at(10, 5), 70)]
    assert recovery_stall_trigger(two, at(10, 5), at(9, 50), config) is None
    three = [minute(at(10, 3), 70), *two]
    assert recovery_stall_trigger(three, at(10, 5), at(9, 50), config) is not None


# --- contact: the day's load and heavy sessions ----------------------------------------------


def test_contact_when_the_day_load_reaches_the_threshold_once() -> None:
    policy = PromptPolicy()
    out: list[Prompt] = []
    loads = [69.9, 70.0, 75.0, 80.0, 61.0, 75.0, 59.0, 70.0]
    for i, load in enumerate(loads):
        out += policy.minute(minute(at(9, i), 30, load=load))
    assert [(p.kind, p.raised_s) for p in out] == [("contact", at(9, 1))]
    assert fates(policy) == [("contact", "delivered"), ("contact", "cooled_down")]
    assert policy.all_prompts[1].prompt.raised_s == at(9, 7)  # re-armed below 60
    policy.minute(minute(at(9, 8), None, ok=False, load=95.0))
    assert len(policy.all_prompts) == 2


def _client(
    policy: PromptPolicy, start_s: float, *, minutes_high: int, heavy: bool | None = None
) -> tuple[Prompt, ...]:
    policy.session_started("client", "C-12", start_s)
    summary = SessionLoad(mean_stress=60.0, peak_stress=85, minutes_high=minutes_high, load=5.0)
    return policy.session_ended(start_s + 50 * MIN, heavy=heavy, summary=summary)


def test_two_heavy_client_sessions_in_a_row_suggest_a_colleague() -> None:
    policy = PromptPolicy()
    assert _client(policy, at(9), minutes_high=10) == ()
    policy.session_started("break", "TEA", at(9, 52))  # other kinds do not break the run
    policy.session_ended(at(9, 58))
    (prompt,) = _client(policy, at(10), minutes_high=12)
    assert policy.record(prompt.prompt_id).rule == "heavy_run"
    assert prompt.reason.startswith("Your last 2 client sessions were heavy")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"minutes_high": 10}, {"minutes_high": 9}),
        ({"minutes_high": 10}, {"minutes_high": 30, "heavy": False}),
    ],
)
def test_no_run_of_heavy_sessions(first: dict[str, int], second: dict[str, int]) -> None:
    policy = PromptPolicy()
    assert _client(policy, at(9), **first) == ()  # type: ignore[arg-type]
    assert _client(policy, at(10), **second) == ()  # type: ignore[arg-type]


def test_a_light_session_breaks_the_run() -> None:
    policy = PromptPolicy()
    _client(policy, at(9), minutes_high=20)
    _client(policy, at(10), minutes_high=0)
    assert _client(policy, at(11), minutes_high=20) == ()


def test_without_a_summary_the_seen_minutes_judge_the_session() -> None:
    policy = PromptPolicy()
    for start in (at(9), at(10)):
        policy.session_started("client", "C-13", start)
        feed(policy, start + MIN, [85] * 12 + [40] * 30)
        out = policy.session_ended(start + 50 * MIN)
    assert [policy.record(p.prompt_id).rule for p in out] == ["heavy_run"]


def test_marking_any_session_heavy_suggests_a_colleague() -> None:
    policy = PromptPolicy()
    policy.session_started("supervision", "SUP", at(9))
    (prompt,) = policy.session_ended(at(10), heavy=True)
    assert prompt.kind == "contact" and policy.record(prompt.prompt_id).rule == "marked_heavy"


# --- synthetic days -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Block:
    kind: str
    start_s: float
    end_s: float
    heavy: bool | None = None


def run_day(
    policy: PromptPolicy,
    blocks: Sequence[Block],
    stress_at: dict[float, int | None],
    load_at: dict[float, float],
) -> list[Prompt]:
    """Drive the policy through a day in time order; at a tie: ends, starts, then minutes."""
    # (time, order at a tie: ends, starts, minutes, block or None for a minute)
    events: list[tuple[float, int, Block | None]] = []
    for b in blocks:
        events += [(b.start_s, 1, b), (b.end_s, 0, b)]
    events += [(t, 2, None) for t in stress_at]
    out: list[Prompt] = []
    for t, order, block in sorted(events, key=lambda e: (e[0], e[1])):
        if block is None:
            stress = stress_at[t]
            out += policy.minute(MinuteInput(t, stress, stress is not None, load_at[t]))
        elif order == 1:
            out += policy.session_started(block.kind, "C-20", t)
        else:
            out += policy.session_ended(t, heavy=block.heavy)
    return out


def heavy_day(
    seed: int, *, marked: bool
) -> tuple[list[Block], dict[float, int | None], dict[float, float]]:
    """Three intense client sessions back to back from 09:00; lighter work after lunch."""
    rng = random.Random(seed)
    mark = True if marked else None
    blocks = [
        Block("client", at(9), at(9, 50), mark),
        Block("client", at(9, 52), at(10, 42), mark),
        Block("client", at(10, 45), at(11, 35), mark),
        Block("break", at(12, 30), at(13)),
        Block("client", at(13, 30), at(14, 20)),
        Block("client", at(14, 30), at(15, 20)),
        Block("admin", at(15, 30), at(17)),
    ]
    ramp = {at(9, 1): 52, at(9, 2): 70, at(9, 3): 84}
    stress: dict[float, int | None] = {}
    load: dict[float, float] = {}
    level = 15.0
    for i in range(8 * 60, 17 * 60 + 1):
        t = T0 + i * MIN
        if t in ramp:
            s = ramp[t]
        elif at(9, 3) < t <= at(11, 35):
            s = rng.randint(78, 92)
        elif at(11, 35) < t <= at(13, 30):
            s = round(35 + 50 * 0.97 ** ((t - at(11, 35)) / MIN)) + rng.randint(-3, 3)
        elif at(13, 30) < t <= at(15, 20):
            s = rng.randint(35, 60)
        else:
            s = rng.randint(20, 40)
        level = min(100.0, max(0.0, level + (s - 45) * 0.02))
        clean = at(8, 55) <= t <= at(9, 10)  # the ramp itself is kept clean of dropouts
        stress[t] = None if not clean and rng.random() < 0.03 else s
        load[t] = level
    return blocks, stress, load


def calm_day(seed: int) -> tuple[list[Block], dict[float, int | None], dict[float, float]]:
    """Five low-intensity client sessions, admin, a team meeting and lunch; stress 10-40."""
    rng = random.Random(seed)
    blocks = [
        Block("client", at(9), at(9, 50)),
        Block("client", at(10), at(10, 50)),
        Block("team", at(11), at(12)),
        Block("break", at(12), at(12, 45)),
        Block("client", at(13), at(13, 50)),
        Block("client", at(14), at(14, 50)),
        Block("admin", at(15), at(15, 50)),
        Block("client", at(16), at(16, 50)),
    ]
    stress: dict[float, int | None] = {}
    load: dict[float, float] = {}
    level = 10.0
    for i in range(8 * 60 + 30, 17 * 60 + 30):
        t = T0 + i * MIN
        s = rng.randint(10, 40)
        level = min(100.0, max(0.0, level + (s - 30) * 0.02))
        stress[t] = None if rng.random() < 0.03 else s
        load[t] = level
    return blocks, stress, load


def _inside_client(t_s: float, blocks: Iterable[Block]) -> bool:
    return any(b.kind == "client" and b.start_s < t_s < b.end_s for b in blocks)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_heavy_day_first_prompt_within_five_minutes_delivered_at_the_session_end(
    seed: int,
) -> None:
    blocks, stress, load = heavy_day(seed, marked=False)
    policy = PromptPolicy()
    out = run_day(policy, blocks, stress, load)
    first = policy.all_prompts[0]
    assert first.prompt.kind == "pause" and first.prompt.in_session
    assert first.prompt.raised_s - blocks[0].start_s <= 5 * MIN
    assert first.fate == "delivered" and first.prompt.delivered_s == blocks[0].end_s
    assert out[0] == first.prompt
    assert 2 <= len(out) <= 4
    assert "contact" in {p.kind for p in out}
    assert not any(_inside_client(p.delivered_s or 0.0, blocks) for p in out)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_heavy_day_marked_heavy_brings_a_colleague_first(seed: int) -> None:
    blocks, stress, load = heavy_day(seed, marked=True)
    policy = PromptPolicy()
    out = run_day(policy, blocks, stress, load)
    first = policy.all_prompts[0]
    assert first.prompt.raised_s - blocks[0].start_s <= 5 * MIN
    assert out[0].delivered_s == blocks[0].end_s and out[0].kind == "contact"
    assert first.fate == "merged" and first.merged_into == out[0].prompt_id
    assert len(out) <= 4
    assert not any(_inside_client(p.delivered_s or 0.0, blocks) for p in out)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_calm_day_brings_at_most_one_prompt(seed: int) -> None:
    blocks, stress, load = calm_day(seed)
    policy = PromptPolicy()
    assert len(run_day(policy, blocks, stress, load)) <= 1
    assert len(policy.all_prompts) <= 1


def test_replays_give_identical_prompts() -> None:
    blocks, stress, load = heavy_day(7, marked=True)
    a, b = PromptPolicy(), PromptPolicy()
    assert run_day(a, blocks, stress, load) == run_day(b, blocks, stress, load)
    assert a.all_prompts == b.all_prompts
    ids = [r.prompt.prompt_id for r in a.all_prompts]
    assert len(set(ids)) == len(ids)


# --- reasons ----------------------------------------------------------------------------------

DIAGNOSTIC_WORDS = re.compile(
    r"anxiety|anxious|burn ?out|depress|disorder|panic|trauma|diagnos|symptom|risk|danger|"
    r"\d+\s*%|score|bpm|ms\b",
    re.IGNORECASE,
)


def _all_reasons() -> set[str]:
    reasons: set[str] = set()
    for seed in (1, 2):
        for marked in (False, True):
            policy = PromptPolicy(PolicyConfig(daily_cap=100))
            run_day(policy, *heavy_day(seed, marked=marked))
            reasons |= {r.prompt.reason for r in policy.all_prompts}
    for hr, rmssd in [(5.0, None), (20.0, -0.5), (None, -0.2), (-3.0, 0.1)]:
        policy = PromptPolicy()
        for i in range(3):
            policy.minute(minute(at(9, i), 90, hr=hr, rmssd=rmssd))
        reasons |= {r.prompt.reason for r in policy.all_prompts}
    policy = PromptPolicy(PolicyConfig(contact_cooldown_s=0.0, min_gap_s=0.0, daily_cap=100))
    policy.check_in(at(9), {"need_support": True, "feeling": "drained"})
    policy.check_in(at(9, 1), {"feeling": "drained"})
    policy.session_started("client", "C-30", at(10))
    policy.session_ended(at(11), heavy=True)
    policy.minute(minute(at(11, 1), 30, load=90.0))
    reasons |= {r.prompt.reason for r in policy.all_prompts}
    return reasons


def test_reasons_are_plain_sentences_without_diagnosis() -> None:
    reasons = _all_reasons()
    assert len(reasons) >= 10
    for reason in reasons:
        assert reason[0].isupper() and reason.endswith(".")
        assert not DIAGNOSTIC_WORDS.search(reason), reason
        # Numbers only count minutes or sessions, never a score.
        for match in re.finditer(r"\d+", reason):
            after = reason[match.end() :]
            assert re.match(r" (minutes|of the last|client sessions)", after), reason
        assert "C-" not in reason  # labels never appear


# --- properties -------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(STEPS_S, OPS), min_size=1, max_size=300))
def test_no_prompt_is_ever_delivered_inside_a_client_session(
    script: list[tuple[float, tuple[object, ...]]],
) -> None:
    policy = PromptPolicy()
    t = at(6)
    client_open: float | None = None
    intervals: list[tuple[float, float]] = []
    ends: set[float] = set()
    returned: list[Prompt] = []
    for step, op in script:
        t += step
        out: tuple[Prompt, ...] = ()
        match op:
            case ("minute", stress, ok, load):
                out = policy.minute(MinuteInput(t, stress, ok, load))  # type: ignore[arg-type]
            case ("start", kind):
                if client_open is not None:
                    intervals.append((client_open, t))
                    ends.add(t)
                client_open = t if kind == "client" else None
                out = policy.session_started(str(kind), "C-40", t)
            case ("end", heavy):
                if client_open is not None:
                    intervals.append((client_open, t))
                    ends.add(t)
                client_open = None
                out = policy.session_ended(t, heavy=heavy)  # type: ignore[arg-type]
            case ("check_in", support, feeling):
                out = policy.check_in(t, {"need_support": bool(support), "feeling": str(feeling)})
            case ("snooze", minutes):
                policy.snooze(t, float(minutes))  # type: ignore[arg-type]
            case ("respond", response):
                open_ = [r for r in delivered(policy) if r.response is None]
                if open_:
                    policy.respond(open_[-1].prompt.prompt_id, response, t)  # type: ignore[arg-type]
        assert len(out) <= 1
        for prompt in out:
            assert prompt.delivered_s == t and prompt.raised_s <= t
        returned += out
        assert policy.in_client_session == (client_open is not None)
        assert bool(policy.pending) <= policy.in_client_session
    if client_open is not None:
        intervals.append((client_open, float("inf")))
    for prompt in returned:
        assert prompt.delivered_s is not None
        assert not any(a < prompt.delivered_s < b for a, b in intervals)
        if prompt.in_session:
            assert prompt.delivered_s in ends
    records = policy.all_prompts
    assert {r.prompt.prompt_id for r in records if r.fate == "delivered"} == {
        p.prompt_id for p in returned
    }
    assert all(r.fate in FATES for r in records)
    per_day: dict[date, int] = {}
    for r in records:
        if r.fate == "delivered" and r.rule != "check_in_support":
            day = utc_day(r.prompt.delivered_s or 0.0)
            per_day[day] = per_day.get(day, 0) + 1
    assert all(n <= policy.config.daily_cap for n in per_day.values())


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.integers(0, 100)), max_size=40),
    st.integers(0, 3),
)
def test_four_clearly_high_minutes_in_a_row_always_mean_a_recent_pause(
    prefix: list[int | None], offset: int
) -> None:
    # Four minutes at 81 or more: the steady band is high from the second (or earlier).
    config = PolicyConfig()
    run = HighStressRun(config)
    raised: list[float] = []
    stresses = [*prefix, 81 + offset, 90, 85, 81]
    for i, stress in enumerate(stresses):
        m = minute(at(9) + i * MIN, stress)
        if m.scored and run.update(m) is not None:
            raised.append(m.t_s)
    end_s = at(9) + (len(stresses) - 1) * MIN
    assert raised and end_s - raised[-1] < config.pause_cooldown_s


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([None, 50, 90]), st.booleans(), st.floats(0.0, 100.0)),
        max_size=200,
    )
)
def test_poor_minutes_raise_nothing(minutes: list[tuple[int | None, bool, float]]) -> None:
    policy = PromptPolicy()
    for i, (stress, ok, load) in enumerate(minutes):
        if stress is not None and ok:
            stress = None
        policy.minute(MinuteInput(at(8) + i * MIN, stress, ok, load))
    assert policy.all_prompts == ()


def test_config_is_checked() -> None:
    with pytest.raises(ValueError):
        PolicyConfig(high_minutes=5, high_window_minutes=4)
    with pytest.raises(ValueError):
        PolicyConfig(min_gap_s=-1.0)
    with pytest.raises(ValueError):
        PolicyConfig(contact_load_rearm=80.0)
    with pytest.raises(ValueError):
        MinuteInput(at(9), 101, True, 0.0)
