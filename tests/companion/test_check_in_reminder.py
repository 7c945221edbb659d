"""The overdue check-in reminder: once per colleague, outside sessions, within the cap."""

from __future__ import annotations

from datetime import UTC, datetime

from companion.prompts.policy import PromptPolicy
from companion.prompts.records import Prompt
from companion.prompts.types import MinuteInput, PolicyConfig

T0 = datetime(2026, 11, 25, tzinfo=UTC).timestamp()
MIN = 60.0


def at(hour: int, minute: int = 0) -> float:
    return T0 + hour * 3600.0 + minute * MIN


def calm_minutes(policy: PromptPolicy, start_s: float, n: int) -> list[Prompt]:
    out: list[Prompt] = []
    for i in range(n):
        out += policy.minute(MinuteInput(start_s + i * MIN, 20, True, 10.0, None, None))
    return out


def test_a_due_colleague_is_reminded_once_with_a_kind_reason() -> None:
    policy = PromptPolicy()
    (prompt,) = policy.colleagues_due(at(9), {"Sam": 9})
    assert prompt.kind == "contact"
    assert prompt.reason.startswith("It has been 9 days since you checked in with Sam.")
    assert policy.record(prompt.prompt_id).rule == "check_in_due"
    # Reported again (the app checks now and then): no second reminder.
    assert policy.colleagues_due(at(11), {"Sam": 9}) == ()
    assert calm_minutes(policy, at(12), 120) == []
    assert [r.prompt.kind for r in policy.all_prompts] == ["contact"]


def test_a_contact_made_clears_the_reminder_for_next_time() -> None:
    policy = PromptPolicy()
    assert len(policy.colleagues_due(at(9), {"Sam": 8})) == 1
    assert policy.colleagues_due(at(10), {}) == ()  # contacted: no longer due
    # Due again a week later (a new day, past the contact cooldown): a new reminder.
    assert len(policy.colleagues_due(at(9) + 7 * 86_400.0, {"Sam": 8})) == 1


def test_never_inside_a_session_but_at_the_first_quiet_minute_after() -> None:
    policy = PromptPolicy()
    policy.session_started("client", "C-01", at(9))
    assert policy.colleagues_due(at(9, 10), {"Sam": 10}) == ()
    assert calm_minutes(policy, at(9, 11), 30) == []
    assert policy.all_prompts == ()  # nothing raised and deferred: it simply waits
    policy.session_ended(at(9, 50))
    policy.session_started("supervision", "S", at(9, 55))
    assert calm_minutes(policy, at(9, 56), 20) == []  # any session keeps it waiting
    policy.session_ended(at(10, 30))
    delivered = calm_minutes(policy, at(10, 31), 3)
    assert [p.reason.split(".")[0] for p in delivered] == [
        "It has been 10 days since you checked in with Sam"
    ]
    assert delivered[0].delivered_s == at(10, 31)
    assert not delivered[0].in_session


def test_the_daily_cap_holds_and_the_reminder_waits_for_tomorrow() -> None:
    policy = PromptPolicy(PolicyConfig(daily_cap=1))
    high = [MinuteInput(at(8) + i * MIN, 90, True, 10.0, None, None) for i in range(3)]
    delivered = [p for m in high for p in policy.minute(m)]
    assert [p.kind for p in delivered] == ["pause"]  # the day's one prompt
    assert policy.colleagues_due(at(12), {"Sam": 12}) == ()
    assert calm_minutes(policy, at(12, 1), 600) == []
    assert all(r.rule != "check_in_due" for r in policy.all_prompts)  # never capped away
    tomorrow = calm_minutes(policy, at(8) + 86_400.0, 2)
    assert [p.kind for p in tomorrow] == ["contact"]


def test_the_most_overdue_first_one_at_a_time() -> None:
    policy = PromptPolicy()
    (first,) = policy.colleagues_due(at(9), {"Sam": 8, "Robin": 21})
    assert "Robin" in first.reason
    # The minimum gap and the contact cooldown keep the second for later.
    assert calm_minutes(policy, at(9, 1), 60) == []
    later = calm_minutes(policy, at(13), 2)
    assert len(later) == 1 and "Sam" in later[0].reason
