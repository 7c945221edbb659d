"""What followed an act: accepted pause, breathe and contact prompts, with the minutes
before and after (in your own data, never a claim of cause)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from companion.review.trends.numbers import (
    OWN_DATA,
    mean,
    num,
    small_sample_text,
)

MIN_ACTS: Final = 3
"""Accepted acts with before/after markers below which acts are not compared."""


ACT_KINDS: Final = ("pause", "breathe", "contact")


_ACT_NAMES: Final = {
    "pause": "Pausing",
    "breathe": "Breathing",
    "contact": "Contacting a colleague",
}


@dataclass(frozen=True, slots=True)
class ActOutcome:
    """Accepted prompts of one kind with before/after markers.

    ``stress_change``: mean over acts of (mean stress of the minutes after minus the
    stress of the minute before), in score points; ``hr_change_bpm`` the same for
    heart rate, in beats per minute (over the acts where both are known).
    """

    kind: str
    n: int
    stress_change: float | None
    hr_change_bpm: float | None


@dataclass(frozen=True, slots=True)
class ActOutcomes:
    """``unanswered``: delivered prompts with markers but no answer recorded (left out)."""

    acts: tuple[ActOutcome, ...]
    n: int
    unanswered: int
    headline: str


def act_outcomes(prompts: Sequence[Mapping[str, Any]]) -> ActOutcomes:
    stress: dict[str, list[float]] = defaultdict(list)
    hr: dict[str, list[float]] = defaultdict(list)
    unanswered = 0
    for p in prompts:
        pair = p.get("before_after") or {}
        before, after = pair.get("before"), pair.get("after")
        if p.get("delivered_s") is None or not before or not after:
            continue
        s0, s1 = num(before.get("stress")), num(after.get("stress_mean"))
        if s0 is None or s1 is None:
            continue
        if p.get("response") is None:
            unanswered += 1
        if p.get("response") != "accepted":
            continue
        stress[p["kind"]].append(s1 - s0)
        h0, h1 = num(before.get("hr_bpm")), num(after.get("hr_bpm"))
        if h0 is not None and h1 is not None:
            hr[p["kind"]].append(h1 - h0)
    acts = tuple(ActOutcome(k, len(stress[k]), mean(stress[k]), mean(hr[k])) for k in ACT_KINDS)
    n = sum(a.n for a in acts)
    left_out = f" ({unanswered} delivered without an answer recorded are left out.)"
    if n == 0:
        headline = "No accepted pause, breathe or contact prompts with before/after minutes yet."
        headline += left_out if unanswered else ""
    elif n < MIN_ACTS:
        headline = f"Too few accepted acts yet (n={n}) to compare them."
    else:
        top = min((a for a in acts if a.n), key=lambda a: a.stress_change or 0.0)
        change = top.stress_change or 0.0
        if change >= 0:
            headline = f"No act was followed by lower stress on average (n={n}), {OWN_DATA}."
        else:
            headline = (
                f"{_ACT_NAMES[top.kind]} was followed by the largest drop in stress "
                f"({change:+.0f} points in the minutes after, against the minute before; "
                f"n={top.n}), {OWN_DATA}.{small_sample_text(top.n)}"
            )
    return ActOutcomes(acts, n, unanswered, headline)
