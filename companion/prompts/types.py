"""The vocabulary of the prompt policy: prompt kinds, rules, inputs, thresholds, triggers.

:mod:`companion.prompts.rules` holds how each rule decides and :mod:`companion.prompts.policy`
the state machine; both read the types and constants defined here, which depend on
nothing else of ours but the hold draw (:mod:`companion.prompts.holding`). Nothing here
does I/O or reads a clock: every time is in epoch seconds.

Stress scores are the per-minute 0-100 scores of the signals stage, in the bands people
know from consumer devices: 0-25 rest, 26-50 low, 51-75 medium, 76-100 high.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Final, Literal, get_args

from companion.prompts.holding import HoldDraw

__all__ = [
    "ASKED_RULES",
    "HIGH_BAND_MIN",
    "MEDIUM_BAND_MIN",
    "PROMPT_KINDS",
    "RULES",
    "CheckInAnswer",
    "MinuteInput",
    "PolicyConfig",
    "PromptKind",
    "Rule",
    "SessionLoad",
    "Trigger",
]

PromptKind = Literal["pause", "breathe", "contact"]
"""What a prompt invites the helper to do."""

PROMPT_KINDS: Final[tuple[PromptKind, ...]] = ("contact", "pause", "breathe")
"""Prompt kinds, most useful first: when prompts meet at one moment, the first one wins.

Contact first: it is the rarest, and connection with colleagues is what sustains helpers;
pause before breathe, because a pause leaves room for a breath too.
"""

Rule = Literal[
    "check_in_support",
    "heavy_run",
    "marked_heavy",
    "check_in_feeling",
    "daily_load",
    "sustained_high",
    "recovery_stall",
    "check_in_due",
]
"""The rule that raised a prompt (in order of precedence, see :data:`RULES`)."""

RULES: Final[tuple[Rule, ...]] = get_args(Rule)
"""Rules in order of precedence: of two reasons for one kind at one moment, the first is kept."""

ASKED_RULES: Final[frozenset[Rule]] = frozenset({"check_in_support"})
"""Rules where the helper asked for the prompt: they pass snooze, cap and cooldowns."""

HIGH_BAND_MIN: Final = 76
"""Lowest stress score of the high band."""

MEDIUM_BAND_MIN: Final = 51
"""Lowest stress score of the medium band."""

_MINUTE_S: Final = 60.0

CheckInAnswer = str | int | float | bool
"""One answer of a check-in, as recordings store them."""


@dataclass(frozen=True, slots=True)
class MinuteInput:
    """One minute of physiology, as the signals stage reports it.

    Attributes
    ----------
    t_s : end of the minute (when its score became known), in epoch seconds.
    stress : stress score 0-100, or ``None`` when the signal is poor or movement is likely.
    quality_ok : whether the signal was good enough to trust the minute.
    daily_load : cumulative load of the day so far, 0-100.
    hr_delta_bpm : heart rate minus the personal baseline, in beats per minute, if known.
    ln_rmssd_delta : ln RMSSD minus the personal baseline (dimensionless), if known.
    moving : the chest strap's accelerometer saw the helper moving or walking
        (:mod:`companion.pipeline.chest.minutes`; such a minute is never scored). Prompts wait
        until a minute that is not moving. False without an accelerometer.
    """

    t_s: float
    stress: int | None
    quality_ok: bool
    daily_load: float
    hr_delta_bpm: float | None = None
    ln_rmssd_delta: float | None = None
    moving: bool = False

    def __post_init__(self) -> None:
        if self.stress is not None and not 0 <= self.stress <= 100:
            raise ValueError(f"stress score must be 0-100 or None, got {self.stress}")

    @property
    def scored(self) -> bool:
        """Whether a rule may read this minute's stress (a score and good quality)."""
        return self.quality_ok and self.stress is not None


@dataclass(frozen=True, slots=True)
class SessionLoad:
    """Load of one session, as the signals stage summarises it.

    Attributes
    ----------
    mean_stress : mean stress score over the session's scored minutes, 0-100.
    peak_stress : highest stress score of a scored minute, 0-100.
    minutes_high : scored minutes whose steady band is high (:mod:`signals.scores.bands`).
    load : daily-load points the session added to the day (kept for the record; no rule reads it).
    """

    mean_stress: float
    peak_stress: int
    minutes_high: int
    load: float


@dataclass(frozen=True, slots=True)
class PolicyConfig:
    """Every threshold of the prompt policy. Defaults, and why, are in the attribute notes.

    Attributes
    ----------
    high_stress : where "high" begins (76, the high band). A minute counts as high when
        its steady level is high: the mean of the latest two scored minutes at least
        ``BAND_MARGIN_POINTS`` (4) above this makes it high, as far below it ends it
        (:func:`companion.prompts.rules.high_floors`, :mod:`signals.scores.bands`).
    high_minutes : high minutes needed in the window to raise a pause (1) ...
    high_window_minutes : ... out of this many latest scored minutes (4). One, because
        the steady band is already evidence past a margin (a two-minute mean, or one
        minute alone after a dropout, 4 points past the floor): counting three
        of four *steady* high minutes on top stacked the two and raised the pause 5-10
        minutes after load began on generated heavy days (``bench/prompts_bench.py``);
        with one, the worst of 20 was under 5 and no calm day had a prompt. A helper who
        wants more patience sets 2-4.
    max_gap_s : scored minutes further apart than this (150 s) break the run: one poor
        minute is bridged (it counts neither high nor low), two in a row or a dropout
        start the count again.
    recovery_check_s : how long after a client session the breathe rule looks (15 min):
        by then most of a session's arousal has usually eased.
    recovery_grace_s : the check happens at the first scored minute at or after
        ``recovery_check_s``, if one comes within this much more (5 min).
    recovery_stress : recovery has stalled while the last minutes' mean stress is at least
        this (51, the medium band) ...
    recovery_recent_s : ... over this many seconds (3 min) ...
    recovery_trend_s : ... and it is not falling over this span (6 min), or the daily load
        is rising over it. At least three scored minutes in the span are needed.
    falling_per_min : a least-squares slope at or below minus this (1.0 score points per
        minute, six points over six minutes) counts as falling.
    contact_daily_load : daily load at or above which a colleague is suggested (70) ...
    contact_load_rearm : ... once, until it falls below this (60) and climbs again.
    heavy_run : consecutive heavy client sessions that suggest a colleague (2).
    heavy_minutes_high : a client session the helper did not mark counts as heavy with at
        least this many minutes in the high band (10, a fifth of a 50-minute session).
    heavy_feelings : check-in answers to "feeling" that suggest a colleague.
    daily_cap : prompts delivered per day, at most (4). Prompts the helper asked for still
        come (and count).
    pause_cooldown_s, breathe_cooldown_s, contact_cooldown_s : least time between two
        delivered prompts of one kind (45 min, 30 min, 3 h). A sustained-high episode
        that lasts raises a new pause once per ``pause_cooldown_s``.
    min_gap_s : least time between any two delivered prompts (15 min), so prompts never
        come in a burst.
    snooze_on_response_s : answering "snoozed" to a prompt silences prompts this long (30 min).
    hold : with learning on, the draw that holds an eligible prompt back (never shown,
        only recorded; :mod:`companion.prompts.holding`); None (the default) holds nothing.
    """

    high_stress: int = HIGH_BAND_MIN
    high_minutes: int = 1
    high_window_minutes: int = 4
    max_gap_s: float = 150.0
    recovery_check_s: float = 15 * _MINUTE_S
    recovery_grace_s: float = 5 * _MINUTE_S
    recovery_stress: float = float(MEDIUM_BAND_MIN)
    recovery_recent_s: float = 3 * _MINUTE_S
    recovery_trend_s: float = 6 * _MINUTE_S
    falling_per_min: float = 1.0
    contact_daily_load: float = 70.0
    contact_load_rearm: float = 60.0
    heavy_run: int = 2
    heavy_minutes_high: int = 10
    heavy_feelings: frozenset[str] = frozenset({"heavy", "overwhelmed", "drained"})
    daily_cap: int = 4
    pause_cooldown_s: float = 45 * _MINUTE_S
    breathe_cooldown_s: float = 30 * _MINUTE_S
    contact_cooldown_s: float = 180 * _MINUTE_S
    min_gap_s: float = 15 * _MINUTE_S
    snooze_on_response_s: float = 30 * _MINUTE_S
    hold: HoldDraw | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.high_minutes <= self.high_window_minutes:
            raise ValueError("high_minutes must be between 1 and high_window_minutes")
        if not 0 <= self.high_stress <= 100:
            raise ValueError("high_stress must be a score from 0 to 100")
        if self.contact_load_rearm > self.contact_daily_load:
            raise ValueError("contact_load_rearm must not exceed contact_daily_load")
        if self.heavy_run < 1 or self.heavy_minutes_high < 1 or self.daily_cap < 0:
            raise ValueError("heavy_run and heavy_minutes_high must be >= 1, daily_cap >= 0")
        spans = [getattr(self, f.name) for f in fields(self) if f.name.endswith("_s")]
        if any(not math.isfinite(s) or s < 0 for s in spans):
            raise ValueError("times in PolicyConfig are seconds, finite and not negative")

    def cooldown_s(self, kind: PromptKind) -> float:
        """Least time between two delivered prompts of ``kind``, in seconds."""
        match kind:
            case "pause":
                return self.pause_cooldown_s
            case "breathe":
                return self.breathe_cooldown_s
            case "contact":
                return self.contact_cooldown_s


@dataclass(frozen=True, slots=True)
class Trigger:
    """A rule's wish to prompt: what, why (one plain sentence pair) and which rule."""

    kind: PromptKind
    rule: Rule
    reason: str
