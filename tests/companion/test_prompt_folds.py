"""Folds (merged prompts) always name a prompt delivered or still waiting: no chain, no cycle.

Issue 15.5: the review listed "11:37 pause folded into the pause prompt of 10:52" and
"10:52 pause folded into the contact prompt of 11:38": a pause raised in a client
session was folded into its waiting twin, which was then folded into the prompt
delivered at the session's end.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from companion.prompts.policy import PromptPolicy
from companion.prompts.records import PromptRecord
from companion.prompts.types import MinuteInput
from companion.review.rows import prompt_rows
from companion.store.store import Store
from tests.support.policy import MIN, OPS, STEPS_S, at, delivered, feed


def _hosts(records: tuple[PromptRecord, ...]) -> dict[str, str]:
    return {r.prompt.prompt_id: r.merged_into for r in records if r.merged_into is not None}


def test_a_twin_folded_into_a_waiting_prompt_follows_it_into_the_delivered_one() -> None:
    policy = PromptPolicy()
    policy.session_started("client", "C-01", at(9))
    feed(policy, at(9, 1), [85] * 55)  # a pause waits; its twin 45 minutes later folds into it
    policy.check_in(at(9, 57), {"feeling": "heavy"})
    (contact,) = policy.session_ended(at(10))
    first, twin, _ = policy.all_prompts
    assert (first.fate, twin.fate) == ("merged", "merged")
    assert first.merged_into == contact.prompt_id
    assert twin.merged_into == contact.prompt_id  # not the folded first pause


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(STEPS_S, OPS), min_size=1, max_size=300))
def test_folds_never_chain_or_cycle(script: list[tuple[float, tuple[object, ...]]]) -> None:
    policy = PromptPolicy()
    t = at(6)
    for step, op in script:
        t += step
        match op:
            case ("minute", stress, ok, load):
                policy.minute(MinuteInput(t, stress, ok, load))  # type: ignore[arg-type]
            case ("start", kind):
                policy.session_started(str(kind), "C-40", t)
            case ("end", heavy):
                policy.session_ended(t, heavy=heavy)  # type: ignore[arg-type]
            case ("check_in", support, feeling):
                policy.check_in(t, {"need_support": bool(support), "feeling": str(feeling)})
            case ("snooze", minutes):
                policy.snooze(t, float(minutes))  # type: ignore[arg-type]
            case ("respond", response):
                open_ = [r for r in delivered(policy) if r.response is None]
                if open_:
                    policy.respond(open_[-1].prompt.prompt_id, response, t)  # type: ignore[arg-type]
        records = {r.prompt.prompt_id: r for r in policy.all_prompts}
        for prompt_id, host in _hosts(policy.all_prompts).items():
            assert host != prompt_id
            assert records[host].fate != "merged", f"{prompt_id} folds into folded {host}"


def test_the_heavy_days_review_names_only_delivered_prompts_as_hosts(
    heavy_day_store: Path,
) -> None:
    with Store(heavy_day_store, read_only=True) as store:
        docs = store.prompts()
    fates = {d["prompt_id"]: d["fate"] for d in docs}
    folded = [d for d in docs if d["fate"] == "merged"]
    assert folded  # the heavy day folds prompts held through its client sessions
    assert all(fates[d["merged_into"]] == "delivered" for d in folded)
    rows = {r.prompt_id: r for r in prompt_rows(docs)}
    for doc in folded:
        assert rows[doc["prompt_id"]].fate_text.startswith("folded into the ")


SESSION_BLOCKS = st.lists(
    st.tuples(
        st.sampled_from(["client", "client", "supervision", "break"]),
        # runs of minutes at one stress: (stress, minutes)
        st.lists(st.tuples(st.sampled_from([40, 60, 85, 95]), st.integers(1, 60)), max_size=4),
        st.sampled_from([None, True, False]),  # the helper's heavy mark at the end
        st.sampled_from([None, "heavy", "ok"]),  # a check-in's feeling inside the session
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=100, deadline=None)
@given(SESSION_BLOCKS)
def test_long_sessions_of_high_stress_fold_only_into_live_prompts(
    blocks: list[tuple[str, list[tuple[int, int]], bool | None, str | None]],
) -> None:
    """Days of whole sessions: long enough for twins inside one client session."""
    policy = PromptPolicy()
    t = at(7)
    for kind, runs, heavy, feeling in blocks:
        stresses = [stress for stress, n in runs for _ in range(n)]
        policy.session_started(kind, "C-41", t)
        for i, stress in enumerate(stresses):
            t += MIN
            policy.minute(MinuteInput(t, stress, True, 30.0))
            if feeling is not None and i == len(stresses) // 2:
                policy.check_in(t, {"feeling": feeling})
        t += MIN
        policy.session_ended(t, heavy=heavy)
        t += 5 * MIN
    records = {r.prompt.prompt_id: r for r in policy.all_prompts}
    for prompt_id, host in _hosts(policy.all_prompts).items():
        assert records[host].fate != "merged", f"{prompt_id} folds into folded {host}"
