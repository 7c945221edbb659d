"""Driving the prompt policy: minutes of a test day, and random days for the property tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

from hypothesis import strategies as st

from companion.prompts.policy import PromptPolicy
from companion.prompts.records import Prompt, PromptRecord
from companion.prompts.types import MinuteInput
from sensors.events import SESSION_KINDS

T0: Final = datetime(2026, 11, 25, tzinfo=UTC).timestamp()
"""Midnight UTC of the test day."""

MIN: Final = 60.0
"""A minute, in seconds."""


def at(hour: int, minute: int = 0) -> float:
    """Epoch seconds at a time of the test day."""
    return T0 + hour * 3600.0 + minute * MIN


def minute(
    t_s: float,
    stress: int | None,
    *,
    ok: bool = True,
    load: float = 20.0,
    hr: float | None = None,
    rmssd: float | None = None,
) -> MinuteInput:
    """One minute of input to the policy, at ``t_s``."""
    return MinuteInput(t_s, stress, ok, load, hr, rmssd)


def feed(
    policy: PromptPolicy, start_s: float, stresses: Sequence[int | None], *, load: float = 20.0
) -> list[Prompt]:
    """One minute per stress value from ``start_s`` on; return what was delivered."""
    out: list[Prompt] = []
    for i, stress in enumerate(stresses):
        out += policy.minute(minute(start_s + i * MIN, stress, load=load))
    return out


def delivered(policy: PromptPolicy) -> list[PromptRecord]:
    """The records of the prompts the policy delivered, in order."""
    return [r for r in policy.all_prompts if r.fate == "delivered"]


KINDS: Final = st.sampled_from(SESSION_KINDS)
"""Any kind of session."""
OPS: Final = st.one_of(
    st.tuples(
        st.just("minute"),
        st.one_of(st.none(), st.integers(0, 100), st.integers(70, 100)),
        st.booleans(),
        st.floats(0.0, 100.0),
    ),
    st.tuples(st.just("start"), KINDS),
    st.tuples(st.just("end"), st.sampled_from([None, True, False])),
    st.tuples(st.just("check_in"), st.booleans(), st.sampled_from(["ok", "heavy"])),
    st.tuples(st.just("snooze"), st.integers(0, 90)),
    st.tuples(st.just("respond"), st.sampled_from(["accepted", "snoozed", "dismissed"])),
)
"""One step of a random day: a minute, a session started or ended, a check-in, a snooze, an
answer to the last prompt delivered."""
STEPS_S: Final = st.sampled_from([0.0, 30.0, 60.0, 60.0, 60.0, 60.0, 120.0, 900.0, 3600.0])
"""Seconds between two steps of a random day."""
