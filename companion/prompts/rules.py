"""The rules behind prompts: the pure checks that raise a prompt, and their wording.

:mod:`companion.prompts.policy` holds the state machine (sessions, deferral, merging, cap,
cooldowns, snooze); this module holds how each rule decides. What the rules read (inputs,
configuration, prompt kinds and rules) is defined in :mod:`companion.prompts.types`.
Nothing here does I/O or reads a clock: every time arrives with the inputs, in epoch
seconds.

A minute is *scored* when it has a stress value and good signal quality; every rule that
needs stress reads scored minutes only, so nothing is raised on poor signal.

"High" is judged with the hysteresis of the bands the screen shows
(:mod:`signals.scores.bands`): a minute is high when its *steady* level is high, over
the band floors with the high band's floor moved to ``high_stress`` (:func:`high_floors`).
The mean of the latest two scored minutes (one alone after two or more unscored ones)
must pass that floor by the margin to become high, and fall as far below it to stop
being high; at the default (76) a minute is high exactly when the screen shows the band
"high" — except that the pause also wants the margin itself: a first minute (of the
day, or after ten minutes without a score) shows its plain band, but counts as high for
the pause only once a mean has passed the floor by the margin
(:attr:`~signals.scores.bands.SteadyLevel.confirmed`). Session tallies count minutes
whose steady band is high, as the screen showed them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from typing import Final

from companion.prompts.types import (
    _MINUTE_S,
    CheckInAnswer,
    MinuteInput,
    PolicyConfig,
    SessionLoad,
    Trigger,
)
from signals.scores.bands import BAND_FLOORS, BANDS, SteadyLevel

__all__ = [
    "FEELING_KEY",
    "NEED_SUPPORT_KEY",
    "HighStressRun",
    "SessionTally",
    "check_in_triggers",
    "daily_load_trigger",
    "heavy_run_trigger",
    "high_floors",
    "marked_heavy_trigger",
    "recovery_stall_trigger",
    "session_is_heavy",
]


# --- pause: sustained high stress ----------------------------------------------------


def high_floors(high_stress: int) -> tuple[int, ...]:
    """The level floors for the pause rule: the band floors
    (:data:`~signals.scores.bands.BAND_FLOORS`) below ``high_stress``, then ``high_stress``
    itself as the floor of the top ("high") level. ``high_floors(76) == BAND_FLOORS``."""
    return (*(f for f in BAND_FLOORS[:-1] if f < high_stress), high_stress)


class HighStressRun:
    """Counts high minutes among the latest scored minutes; says when to raise a pause.

    A minute is high when its steady level over :func:`high_floors` is the top one (the
    rules module explains why). An *episode* starts when ``high_minutes`` of the last
    ``high_window_minutes`` scored minutes are high; the pause is raised then, and again
    once per ``pause_cooldown_s`` (counted from the latest raise or delivered pause) while
    the episode lasts. It ends when a full window holds no high minute, or when the run
    breaks (scored minutes more than ``max_gap_s`` apart).

    It also follows the steady band of each scored minute: :attr:`band_high` says
    whether the latest one was in the high band, for the session tally.
    """

    def __init__(self, config: PolicyConfig) -> None:
        self._config = config
        self._window: deque[tuple[MinuteInput, bool]] = deque(maxlen=config.high_window_minutes)
        self._raised_s: float | None = None
        self._floors = high_floors(config.high_stress)
        self._level = SteadyLevel(self._floors)
        self._band = self._level if self._floors == BAND_FLOORS else SteadyLevel()
        self.band_high = False
        """Whether the latest scored minute's steady band was "high"."""

    def delivered(self, t_s: float) -> None:
        """A pause was delivered at ``t_s``: a lasting episode raises again a cooldown later."""
        if self._raised_s is not None:
            self._raised_s = max(self._raised_s, t_s)

    def _steady(self, minute: MinuteInput) -> bool:
        """Feed ``minute`` to the steady levels; whether it is high for the pause rule."""
        # Minutes end a minute after they start: the gaps between them are the same.
        level = self._level.update(minute.t_s, minute.stress)
        if self._band is not self._level:
            band = self._band.update(minute.t_s, minute.stress)
            self.band_high = band is not None and BANDS[band] == "high"
        else:
            self.band_high = level is not None and BANDS[level] == "high"
        return level == len(self._floors) and self._level.confirmed

    def update(self, minute: MinuteInput) -> Trigger | None:
        """Feed one scored minute; return a pause trigger when one is due."""
        cfg = self._config
        is_high = self._steady(minute)
        if self._window and minute.t_s - self._window[-1][0].t_s > cfg.max_gap_s:
            self._window.clear()
            self._raised_s = None
        self._window.append((minute, is_high))
        high = [m for m, h in self._window if h]
        if len(self._window) == self._window.maxlen and not high:
            self._raised_s = None
        if len(high) < cfg.high_minutes:
            return None
        if self._raised_s is not None and minute.t_s - self._raised_s < cfg.pause_cooldown_s:
            return None
        self._raised_s = minute.t_s
        return Trigger("pause", "sustained_high", self._reason())

    def _reason(self) -> str:
        """Why the pause: which markers moved, over the minutes that made the episode.

        With the default (one steady-high minute), the minutes are the latest run scored at
        or above ``high_stress``; with more, "k of the last n minutes" as counted."""
        cfg = self._config
        high = [m for m, h in self._window if h]
        if cfg.high_minutes > 1 and len(high) < len(self._window):
            span = f"{len(high)} of the last {len(self._window)} minutes"
            return _pause_words(high, span)
        run: list[MinuteInput] = []
        for minute, _ in reversed(self._window):
            if _stress(minute) < cfg.high_stress:
                break
            run.insert(0, minute)
        run = run or [self._window[-1][0]]
        span = "the last minute" if len(run) == 1 else f"the last {len(run)} minutes"
        return _pause_words(run, span)


def _stress(minute: MinuteInput) -> int:
    return -1 if minute.stress is None else minute.stress


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _marker_phrase(minutes: Sequence[MinuteInput], *, still: bool) -> str:
    """Which marker moved, against the helper's own usual, in words (no scores)."""
    hr = _mean([m.hr_delta_bpm for m in minutes])
    vagal = _mean([m.ln_rmssd_delta for m in minutes])
    verb = "is still" if still else "has been"
    hr_up = hr is not None and hr > 0
    vagal_down = vagal is not None and vagal < 0
    hr_words = "well above" if hr is not None and hr >= 15 else "above"
    if hr_up and vagal_down:
        return f"your heart rate {verb} {hr_words} your usual and its variability lower"
    if hr_up:
        return f"your heart rate {verb} {hr_words} your usual"
    if vagal_down:
        return f"your heart-rate variability {verb} lower than your usual"
    return f"your stress level {verb} well above your usual"


def _pause_words(minutes: Sequence[MinuteInput], span: str) -> str:
    what = _marker_phrase(minutes, still=False)
    return f"{what[0].upper()}{what[1:]} for {span}. A short pause may help."


# --- breathe: recovery stalling after a client session --------------------------------


def _slope_per_min(minutes: Sequence[MinuteInput]) -> float:
    """Least-squares slope of stress over time, in score points per minute."""
    xs = [m.t_s / _MINUTE_S for m in minutes]
    ys = [float(_stress(m)) for m in minutes]
    x_mean, y_mean = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - x_mean) ** 2 for x in xs)
    if sxx == 0.0:
        return 0.0
    return sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys, strict=True)) / sxx


def recovery_stall_trigger(
    recent: Sequence[MinuteInput], now_s: float, ended_s: float, config: PolicyConfig
) -> Trigger | None:
    """Breathe, when stress after a session is still medium or above and not easing.

    ``recent`` are scored minutes, oldest first. Stalled means: the mean stress of the
    last ``recovery_recent_s`` is at least ``recovery_stress``, and over the last
    ``recovery_trend_s`` stress is not falling (slope above ``-falling_per_min``) or the
    daily load rose. Fewer than three scored minutes in the trend span: no verdict.
    """
    trend = [m for m in recent if now_s - config.recovery_trend_s < m.t_s <= now_s]
    latest = [m for m in trend if now_s - config.recovery_recent_s < m.t_s]
    if len(trend) < 3 or not latest:
        return None
    level = sum(_stress(m) for m in latest) / len(latest)
    if level < config.recovery_stress:
        return None
    falling = _slope_per_min(trend) <= -config.falling_per_min
    load_rising = trend[-1].daily_load > trend[0].daily_load
    if falling and not load_rising:
        return None
    minutes = max(1, round((now_s - ended_s) / _MINUTE_S))
    what = _marker_phrase(latest, still=True)
    reason = (
        f"Your last client session ended {minutes} minutes ago and {what}, "
        "not settling back yet. A few slow breaths may help your body settle."
    )
    return Trigger("breathe", "recovery_stall", reason)


# --- contact: the day's load, heavy sessions, check-ins --------------------------------


def daily_load_trigger() -> Trigger:
    """Contact, when the day's load has built up past ``contact_daily_load``."""
    return Trigger(
        "contact",
        "daily_load",
        "Your body has carried a lot today: the day's load has built up past the level "
        "set for reaching out. A word with a colleague may help.",
    )


def session_is_heavy(heavy: bool | None, summary: SessionLoad | None, config: PolicyConfig) -> bool:
    """Whether a finished session counts as heavy.

    The helper's own mark wins, either way. Without a mark, the session is heavy when
    its summary has at least ``heavy_minutes_high`` minutes in the high band; with no
    summary (no scored minutes) it does not count as heavy.
    """
    if heavy is not None:
        return heavy
    return summary is not None and summary.minutes_high >= config.heavy_minutes_high


def heavy_run_trigger(run: int) -> Trigger:
    """Contact, after ``run`` heavy client sessions in a row."""
    return Trigger(
        "contact",
        "heavy_run",
        f"Your last {run} client sessions were heavy, one after another. "
        "Talking it over with a colleague may help.",
    )


def check_in_due_trigger(name: str, days: int) -> Trigger:
    """Contact, as a gentle reminder: the check-in rhythm with ``name`` has passed."""
    return Trigger(
        "contact",
        "check_in_due",
        f"It has been {days} days since you checked in with {name}. "
        "A short message, or a word in person, keeps the thread.",
    )


def marked_heavy_trigger() -> Trigger:
    """Contact, when the helper marked the session that just ended as heavy."""
    return Trigger(
        "contact",
        "marked_heavy",
        "You marked that session as heavy. You need not carry it alone: "
        "a colleague may be glad to hear from you.",
    )


NEED_SUPPORT_KEY: Final = "need_support"
"""Check-in question: does the helper want support? (True / "yes")."""

FEELING_KEY: Final = "feeling"
"""Check-in question: how the helper feels, one word."""

_YES: Final = frozenset({"yes", "y", "true", "1"})


def check_in_triggers(answers: Mapping[str, CheckInAnswer], config: PolicyConfig) -> list[Trigger]:
    """Contact, when a check-in asks for support or names a heavy feeling."""
    triggers: list[Trigger] = []
    support = answers.get(NEED_SUPPORT_KEY)
    if support is True or (isinstance(support, str) and support.strip().lower() in _YES):
        triggers.append(
            Trigger(
                "contact",
                "check_in_support",
                "You said you could use some support. A colleague may be glad to hear from you.",
            )
        )
    feeling = answers.get(FEELING_KEY)
    if isinstance(feeling, str) and feeling.strip().lower() in config.heavy_feelings:
        word = feeling.strip().lower()
        triggers.append(
            Trigger(
                "contact",
                "check_in_feeling",
                f"You said you are feeling {word}. Sharing it with a colleague may help.",
            )
        )
    return triggers


class SessionTally:
    """Load of the running session from the minutes the policy saw, when none is given."""

    def __init__(self) -> None:
        self._stress: list[int] = []
        self._high = 0
        self._first_load: float | None = None
        self._last_load = 0.0

    def add(self, minute: MinuteInput, *, band_high: bool) -> None:
        """Count one scored minute; ``band_high``: its steady band is high
        (:attr:`HighStressRun.band_high`, fed the whole stream, not this session only)."""
        self._stress.append(_stress(minute))
        self._high += band_high
        if self._first_load is None:
            self._first_load = minute.daily_load
        self._last_load = minute.daily_load

    def summary(self) -> SessionLoad | None:
        """The session's load, or ``None`` when no minute was scored."""
        if not self._stress or self._first_load is None:
            return None
        return SessionLoad(
            mean_stress=sum(self._stress) / len(self._stress),
            peak_stress=max(self._stress),
            minutes_high=self._high,
            load=max(0.0, self._last_load - self._first_load),
        )
