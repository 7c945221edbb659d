"""What prompts did, learned honestly: shown against held prompts (learning on).

With learning on, a prompt that may be held is held back at random (about one in five)
and only recorded (:mod:`companion.prompts.holding`, :mod:`companion.prompts.policy`).
Chance alone decided which of these *randomised* prompts the helper saw, so the
difference between what followed the shown ones and what followed the held ones
estimates what seeing the prompt did, on average, at such moments: the micro-randomised
design (Klasnja et al. 2015; Schwerdtfeger et al. 2025 for HRV-triggered prompts). It
says nothing about one moment, and nothing beyond these prompts, these acts and this
person; it is never a diagnosis.

Per prompt, at the moment it was shown or held ``t`` (``delivered_s``, ``decided_s``)::

    change = mean(x over the minutes starting in [t, t + 10 min)) - x(the minute before t)

for the stress score (0-100, points) and heart rate (beats/min). The minute before is the
latest minute ending in the 3 minutes before ``t`` with a value (a prompt is decided as a
minute closes, so it is usually the minute that raised it); the after-mean needs at least
:data:`MIN_AFTER_MINUTES` minutes with a value, else the prompt has no change. Minutes are
matched to the prompt's own source (a replay never mixes with the live day).

Per act (pause, breathe; a contact prompt is never held, so it has nothing to be
compared with), over the period: ``shown`` and ``held`` (randomised prompts with a
change), the mean changes, ``difference = change_shown - change_held`` and its 95 %
**Welch interval**::

    d ± t(0.975, ν) * sqrt(s1²/n1 + s2²/n2)
    ν = (s1²/n1 + s2²/n2)² / ((s1²/n1)²/(n1-1) + (s2²/n2)²/(n2-1))   (Welch-Satterthwaite)

Welch rather than a bootstrap: the arms are small (a held arm of 5-20 in a month) and of
unequal size and spread, where a percentile bootstrap covers too little and the pooled t
is wrong; Welch's interval is exact for normal changes and close for the mean of 5 or
more. With fewer than :data:`MIN_EACH` in either arm there is no interval. A difference
is *uncertain* when there is no interval or it includes 0. Only randomised prompts count:
a prompt shown because the one before was held, after a session marked heavy, or before
learning was on, was not decided by chance. Comparing across a change of the hold
probability mixes periods with different odds (a small bias if things drift); the
setting is meant to stay.

References
----------
Klasnja P, et al. Microrandomized trials: an experimental design for developing
just-in-time adaptive interventions. Health Psychol. 2015;34S:1220-1228.
Welch BL. The generalization of "Student's" problem when several different population
variances are involved. Biometrika 1947;34:28-35.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final, Literal

from companion.review.trends.numbers import OWN_DATA, mean, num
from companion.store.store import Store
from companion.store.types import local_day

__all__ = [
    "CONFIDENCE",
    "HELD_ACTS",
    "MIN_EACH",
    "ActEffect",
    "Effects",
    "PromptChange",
    "act_effects",
    "effects",
    "prompt_changes",
    "welch_interval",
]

Measure = Literal["stress", "hr_bpm"]

HELD_ACTS: Final = ("pause", "breathe")
"""Acts learning may hold: contact prompts are never held, so they have no comparison."""
AFTER_S: Final = 600.0
"""The span after a prompt whose minutes are averaged: 10 minutes, in seconds."""
BEFORE_S: Final = 180.0
"""How far back the minute before a prompt may end, in seconds (one poor minute bridged)."""
MIN_AFTER_MINUTES: Final = 5
"""Minutes with a value, of the 10 after, that a prompt's change needs."""
MIN_EACH: Final = 5
"""Shown and held prompts each needed before an interval is given: below, "too few"."""
CONFIDENCE: Final = 0.95
"""Two-sided coverage of the interval."""
_UNITS: Final[Mapping[Measure, str]] = {"stress": "points", "hr_bpm": "bpm"}
_NAMES: Final[Mapping[Measure, str]] = {"stress": "stress", "hr_bpm": "heart rate"}
_ACT_WORDS: Final = {"pause": "pause", "breathe": "breathing"}


@dataclass(frozen=True, slots=True)
class PromptChange:
    """What followed one randomised prompt.

    ``at_s`` when it was shown or held (epoch seconds); ``stress_change`` in score points,
    ``hr_change_bpm`` in beats/min (None when the minutes around it do not allow one).
    """

    prompt_id: str
    act: str
    shown: bool
    at_s: float
    stress_change: float | None
    hr_change_bpm: float | None


@dataclass(frozen=True, slots=True)
class ActEffect:
    """Shown against held prompts of one act, for one measure (see the module docstring).

    ``change_shown``, ``change_held``, ``difference`` and ``interval`` are in ``unit``
    (points of stress, or bpm); None without prompts in an arm, or (interval) too few.
    """

    act: str
    measure: Measure
    shown: int
    held: int
    change_shown: float | None
    change_held: float | None
    difference: float | None
    interval: tuple[float, float] | None

    @property
    def unit(self) -> str:
        return _UNITS[self.measure]

    @property
    def uncertain(self) -> bool:
        """No interval (too few), or an interval that includes no difference at all."""
        return self.interval is None or self.interval[0] <= 0.0 <= self.interval[1]

    def to_json(self) -> dict[str, Any]:
        """Exactly ``act, shown, held, change_shown, change_held, difference, interval``."""
        return {
            "act": self.act,
            "shown": self.shown,
            "held": self.held,
            "change_shown": _round(self.change_shown),
            "change_held": _round(self.change_held),
            "difference": _round(self.difference),
            "interval": None if self.interval is None else [_round(x) for x in self.interval],
        }

    def words(self) -> str:
        """One plain sentence: "After breathing prompts your stress fell 11 points more
        than after held ones — 9 and 6 times; still uncertain"."""
        act, what = _ACT_WORDS.get(self.act, self.act), _NAMES[self.measure]
        if self.shown == 0 or self.held == 0 or self.difference is None:
            return (
                f"No comparison yet for {act} prompts: {self.shown} shown and {self.held} "
                f"held with the minutes after them."
            )
        d = self.difference
        size = f"{abs(d):.0f} {self.unit}"
        moved = f"changed about as after held ones (under 1 {self.unit} apart)"
        if round(abs(d)) != 0:
            fell = (self.change_shown or 0.0) <= 0.0  # how it went after shown ones
            more = "more" if (d < 0) == fell else "less"
            moved = f"{'fell' if fell else 'rose'} {size} {more} than after held ones"
        counts = f"{self.shown} and {self.held} times"
        if self.interval is None:
            verdict = f"too few to tell yet (at least {MIN_EACH} of each are needed)"
        elif self.uncertain:
            verdict = "still uncertain"
        else:
            lo, hi = self.interval
            verdict = (
                f"{CONFIDENCE:.0%} interval {lo:+.0f} to {hi:+.0f} {self.unit}, "
                "unlikely to be chance alone"
            )
        return f"After {act} prompts your {what} {moved} — {counts}; {verdict}."


@dataclass(frozen=True, slots=True)
class Effects:
    """Per held act, stress and heart rate, over the ``days`` days ``first`` .. ``end``."""

    end: date
    days: int
    first: date
    stress: tuple[ActEffect, ...]
    heart_rate: tuple[ActEffect, ...]
    randomised: int
    """Randomised prompts in the period (shown or held), with a change or not."""

    def to_json(self) -> dict[str, Any]:
        """``{"days", "first", "end", "acts": [stress per act], "heart_rate": [bpm per act]}``."""
        return {
            "days": self.days,
            "first": self.first.isoformat(),
            "end": self.end.isoformat(),
            "acts": [a.to_json() for a in self.stress],
            "heart_rate": [a.to_json() for a in self.heart_rate],
        }

    def lines(self) -> list[str]:
        """Plain sentences for the screen and the command line."""
        if self.randomised == 0:
            return [
                "No prompt has been held yet in these days: with learning on, about one "
                "prompt in five is held and only noted, and the comparison grows from there."
            ]
        out = [a.words() for a in self.stress]
        out += [a.words() for a in self.heart_rate if a.shown and a.held]
        out.append(
            "Contact prompts are never held, so there is nothing to compare them with. "
            f"Shown against held prompts, decided by chance, {OWN_DATA}; never a diagnosis."
        )
        return out


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


_Row = tuple[float, float | None, float | None]
"""A stored minute as the comparison reads it: (start_s, stress, hr_bpm)."""


def _source_minutes(minutes: Sequence[Mapping[str, Any]]) -> dict[str, list[_Row]]:
    """Minutes by source: (start_s, stress, hr_bpm), in time order."""
    out: dict[str, list[_Row]] = defaultdict(list)
    for m in minutes:
        start = num(m.get("start_s"))
        if start is not None:
            out[str(m.get("source", ""))].append(
                (start, num(m.get("stress")), num(m.get("hr_bpm")))
            )
    for rows in out.values():
        rows.sort(key=lambda r: r[0])
    return out


def _change(rows: Sequence[_Row], at_s: float, col: int) -> float | None:
    """Mean over the 10 minutes after ``at_s`` minus the minute before (module docstring)."""
    before = [r[col] for r in rows if at_s - BEFORE_S < r[0] + 60.0 <= at_s + 1.0]
    after = [r[col] for r in rows if at_s - 1.0 <= r[0] < at_s + AFTER_S]
    known_before = [x for x in before if x is not None]
    known_after = [x for x in after if x is not None]
    if not known_before or len(known_after) < MIN_AFTER_MINUTES:
        return None
    return sum(known_after) / len(known_after) - known_before[-1]


def prompt_changes(
    prompts: Sequence[Mapping[str, Any]], minutes: Sequence[Mapping[str, Any]]
) -> list[PromptChange]:
    """The change after each randomised prompt (stored documents; module docstring)."""
    by_source = _source_minutes(minutes)
    out = []
    for p in prompts:
        fate = p.get("fate")
        if num(p.get("hold_probability")) is None or fate not in ("delivered", "held"):
            continue
        shown = fate == "delivered"
        at = num(p.get("delivered_s") if shown else p.get("decided_s"))
        at_s = at if at is not None else float(p["raised_s"])
        rows = by_source.get(str(p.get("source", "")), [])
        out.append(
            PromptChange(
                prompt_id=str(p.get("prompt_id", "")),
                act=str(p.get("kind", "")),
                shown=shown,
                at_s=at_s,
                stress_change=_change(rows, at_s, 1),
                hr_change_bpm=_change(rows, at_s, 2),
            )
        )
    return out


def _t_quantile(q: float, dof: float) -> float:
    from scipy.stats import t as student_t

    return float(student_t.ppf(q, dof))


def welch_interval(
    shown: Sequence[float], held: Sequence[float], confidence: float = CONFIDENCE
) -> tuple[float, float] | None:
    """Welch's interval for ``mean(shown) - mean(held)`` (module docstring); None when an
    arm has fewer than :data:`MIN_EACH` values."""
    n1, n2 = len(shown), len(held)
    if n1 < MIN_EACH or n2 < MIN_EACH:
        return None
    m1, m2 = sum(shown) / n1, sum(held) / n2
    v1 = sum((x - m1) ** 2 for x in shown) / (n1 - 1) / n1
    v2 = sum((x - m2) ** 2 for x in held) / (n2 - 1) / n2
    se2 = v1 + v2
    d = m1 - m2
    if se2 == 0.0:
        return (d, d)
    dof = se2**2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    half = _t_quantile(0.5 + confidence / 2.0, dof) * math.sqrt(se2)
    return (d - half, d + half)


def act_effects(changes: Sequence[PromptChange], measure: Measure) -> tuple[ActEffect, ...]:
    """Per held act, shown against held, for ``measure`` (``"stress"`` or ``"hr_bpm"``)."""
    out = []
    for act in HELD_ACTS:
        values: dict[bool, list[float]] = {True: [], False: []}
        for c in changes:
            x = c.stress_change if measure == "stress" else c.hr_change_bpm
            if c.act == act and x is not None:
                values[c.shown].append(x)
        shown, held = values[True], values[False]
        m1, m2 = mean(shown), mean(held)
        out.append(
            ActEffect(
                act=act,
                measure=measure,
                shown=len(shown),
                held=len(held),
                change_shown=m1,
                change_held=m2,
                difference=None if m1 is None or m2 is None else m1 - m2,
                interval=welch_interval(shown, held),
            )
        )
    return tuple(out)


def effects(store: Store, end: date, days: int = 30) -> Effects:
    """Shown against held prompts over the ``days`` local days up to ``end`` (from the store)."""
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    first = end - timedelta(days=days - 1)
    prompts = [p for p in store.prompts() if first <= local_day(float(p["raised_s"])) <= end]
    span = (end - first).days + 2  # and the day after: a late prompt's minutes run past midnight
    minutes = [m for i in range(span) for m in store.epochs(first + timedelta(days=i))]
    changes = prompt_changes(prompts, minutes)
    return Effects(
        end=end,
        days=days,
        first=first,
        stress=act_effects(changes, "stress"),
        heart_rate=act_effects(changes, "hr_bpm"),
        randomised=sum(num(p.get("hold_probability")) is not None for p in prompts),
    )
