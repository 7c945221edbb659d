"""Paced breathing: breath patterns and the pacer's curve.

A *breath pattern* is four stages in seconds: inhale, hold (lungs full),
exhale, rest (lungs empty). :func:`pacer_at` says where in the pattern a
given time falls and how full the lungs should be; the UI draws that. The
heart's answer to the pacer (swing per breath, coherence) is in
:mod:`signals.breathing.coherence`.

Slow breathing near 6 breaths/min (0.1 Hz) brings respiratory sinus arrhythmia
into resonance with the baroreflex (Lehrer & Gevirtz 2014); the pacer offers
3-12 breaths/min.

References
----------
Lehrer PM, Gevirtz R. Heart rate variability biofeedback: how and why does it
work? Front Psychol 2014;5:756.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "INHALE_SHARE_RANGE",
    "PATTERNS",
    "RATE_RANGE_PER_MIN",
    "TIME_TOLERANCE_S",
    "BreathPattern",
    "PacerState",
    "Stage",
    "pacer_at",
    "pattern_named",
    "with_rate",
]

Stage = Literal["inhale", "hold", "exhale", "rest"]

RATE_RANGE_PER_MIN: Final = (3.0, 12.0)
"""Breathing rates the pacer offers, in breaths/min (inclusive)."""
INHALE_SHARE_RANGE: Final = (0.2, 0.8)
"""Allowed inhalation share of a paced breath (inclusive)."""
PATTERNS: Final = ("paced", "box", "extended exhale")
"""Pattern names in the order the UI cycles through them (see :func:`pattern_named`)."""
TIME_TOLERANCE_S: Final = 1e-9
"""Slack for float round-off at stage boundaries, in seconds."""


def _check_rate(rate_per_min: float) -> None:
    lo, hi = RATE_RANGE_PER_MIN
    if not lo <= rate_per_min <= hi:
        raise ValueError(f"breathing rate {rate_per_min!r} breaths/min is outside {lo:g}..{hi:g}")


@dataclass(frozen=True, slots=True)
class BreathPattern:
    """One breath: four stages, each in seconds (zero skips a stage).

    Attributes
    ----------
    name : one of :data:`PATTERNS`, or any label.
    inhale_s : breathing in, in seconds.
    hold_in_s : holding with full lungs, in seconds.
    exhale_s : breathing out, in seconds.
    hold_out_s : resting with empty lungs, in seconds.
    """

    name: str
    inhale_s: float
    hold_in_s: float
    exhale_s: float
    hold_out_s: float

    def __post_init__(self) -> None:
        for field in ("inhale_s", "hold_in_s", "exhale_s", "hold_out_s"):
            value = getattr(self, field)
            if not (math.isfinite(value) and value >= 0.0):
                raise ValueError(f"{field} must be a finite number of seconds >= 0, not {value!r}")
        if self.inhale_s <= 0.0 or self.exhale_s <= 0.0:
            raise ValueError("a breath needs an inhale and an exhale longer than 0 s")

    @property
    def cycle_s(self) -> float:
        """Length of one breath, in seconds."""
        return self.inhale_s + self.hold_in_s + self.exhale_s + self.hold_out_s

    @property
    def rate_per_min(self) -> float:
        """Breathing rate, in breaths/min."""
        return 60.0 / self.cycle_s

    @classmethod
    def paced(cls, rate_per_min: float = 6.0, inhale_share: float = 0.5) -> BreathPattern:
        """Inhale then exhale, no holds, at ``rate_per_min`` breaths/min.

        ``inhale_share`` is the inhalation's share of the breath (0.2..0.8).
        Raises ValueError for a rate outside :data:`RATE_RANGE_PER_MIN`.
        """
        _check_rate(rate_per_min)
        lo, hi = INHALE_SHARE_RANGE
        if not lo <= inhale_share <= hi:
            raise ValueError(f"inhale_share {inhale_share!r} is outside {lo:g}..{hi:g}")
        cycle_s = 60.0 / rate_per_min
        return cls("paced", cycle_s * inhale_share, 0.0, cycle_s * (1.0 - inhale_share), 0.0)

    @classmethod
    def box(cls, side_s: float = 4.0) -> BreathPattern:
        """Box breathing: inhale, hold, exhale, rest, each ``side_s`` seconds."""
        _check_rate(60.0 / (4.0 * side_s) if side_s > 0 else math.inf)
        return cls("box", side_s, side_s, side_s, side_s)

    @classmethod
    def extended_exhale(cls, inhale_s: float = 4.0, exhale_s: float = 6.0) -> BreathPattern:
        """Inhale ``inhale_s``, exhale the longer ``exhale_s`` seconds, no holds."""
        if exhale_s < inhale_s:
            raise ValueError(f"exhale_s {exhale_s!r} is shorter than inhale_s {inhale_s!r}")
        total_s = inhale_s + exhale_s
        _check_rate(60.0 / total_s if total_s > 0 else math.inf)
        return cls("extended exhale", inhale_s, 0.0, exhale_s, 0.0)


def pattern_named(name: str) -> BreathPattern:
    """The default pattern of a name in :data:`PATTERNS` (paced is 6/min, box 4 s sides)."""
    if name == "paced":
        return BreathPattern.paced()
    if name == "box":
        return BreathPattern.box()
    if name == "extended exhale":
        return BreathPattern.extended_exhale()
    raise ValueError(f"unknown breath pattern {name!r}; choose one of {', '.join(PATTERNS)}")


def with_rate(pattern: BreathPattern, rate_per_min: float) -> BreathPattern:
    """The same pattern at another rate: all stages scaled by one factor.

    Raises ValueError for a rate outside :data:`RATE_RANGE_PER_MIN`.
    """
    _check_rate(rate_per_min)
    k = pattern.rate_per_min / rate_per_min
    return BreathPattern(
        pattern.name,
        pattern.inhale_s * k,
        pattern.hold_in_s * k,
        pattern.exhale_s * k,
        pattern.hold_out_s * k,
    )


@dataclass(frozen=True, slots=True)
class PacerState:
    """Where the pacer is at one moment.

    Attributes
    ----------
    stage : "inhale", "hold" (full), "exhale" or "rest" (empty).
    stage_fraction : how far through the stage, 0..1.
    fill : how full the lungs are, 0..1 (cosine-eased during inhale and exhale).
    breath_index : number of completed breaths.
    remaining_in_stage_s : time left in the stage, in seconds.
    """

    stage: Stage
    stage_fraction: float
    fill: float
    breath_index: int
    remaining_in_stage_s: float


def pacer_at(pattern: BreathPattern, elapsed_s: float) -> PacerState:
    """The pacer ``elapsed_s`` seconds after the start of the first breath.

    The fill rises as ``(1 - cos(pi x)) / 2`` over the inhale (``x`` the stage
    fraction), stays 1 while holding, falls as ``(1 + cos(pi x)) / 2`` over the
    exhale and stays 0 at rest: a smooth start and stop, as breathing feels.
    Negative times count as 0.
    """
    cycle_s = pattern.cycle_s
    t = max(0.0, elapsed_s) + TIME_TOLERANCE_S
    breath_index = math.floor(t / cycle_s)
    t = max(0.0, t - breath_index * cycle_s - TIME_TOLERANCE_S)
    stages: tuple[tuple[Stage, float], ...] = (
        ("inhale", pattern.inhale_s),
        ("hold", pattern.hold_in_s),
        ("exhale", pattern.exhale_s),
        ("rest", pattern.hold_out_s),
    )
    active = [(stage, length_s) for stage, length_s in stages if length_s > 0.0]
    k = 0  # the last stage takes any round-off at the very end of the cycle
    while k < len(active) - 1 and t >= active[k][1] - TIME_TOLERANCE_S:
        t -= active[k][1]
        k += 1
    stage, length_s = active[k]
    fraction = min(1.0, max(0.0, t / length_s))
    if stage == "inhale":
        fill = (1.0 - math.cos(math.pi * fraction)) / 2.0
    elif stage == "exhale":
        fill = (1.0 + math.cos(math.pi * fraction)) / 2.0
    else:
        fill = 1.0 if stage == "hold" else 0.0
    return PacerState(stage, fraction, fill, breath_index, max(0.0, length_s - t))
