"""Load: what the day's stress adds up to, per day, per session and across a week.

Daily load (0-100), a leaky accumulator updated once per minute
---------------------------------------------------------------
With ``s`` the minute's stress score and ``L`` the load:

- ``s > 50`` (medium or high): the load drains the helper, filling a share of
  the headroom: ``L += 100 * K_UP_PER_MIN * (s - 50) / 50 * (1 - L / 100) * dt_min``.
  An hour at score 95 takes a fresh day to about 66, two and a half hours to about 93;
- ``s < 50`` (rest or low): the load recovers exponentially, faster the calmer:
  ``L *= 1 - (1 - exp(-dt_min / TAU_RECOVER_MIN)) * (50 - s) / 50``.
  Half an hour of rest takes about a fifth off;
- ``s == 50`` or no score (poor signal, movement): the load holds.

Session load
------------
Over the minutes of a session (those whose middle lies inside it): mean stress,
peak stress (the highest minute) and sustained peak (the highest mean of
:data:`SUSTAINED_MINUTES` consecutive scored minutes), minutes in the high band (the
steady band of :func:`signals.scores.bands.steady_bands` over all the minutes given,
as the screen showed them, so a minute hovering at 76-77 does not count),
heart rate and ln RMSSD against the baseline (means over good minutes), and one
``load`` figure, 0-100, from *intensity-minutes* ``I = sum((s - 25)+ / 75)`` (a
minute at 100 counts 1, at rest 0): ``load = 100 * (1 - exp(-I / LOAD_SCALE_MIN))``.
Fifty minutes at 95 give about 79, at 60 about 54, at 30 about 10. A session without
a scored minute (shorter than a minute, or no minute with a clear signal) is not
**measured**: its ``load`` is 0.0 (never -0.0) but says nothing, and readers show
"too short to measure" or "not measured" instead (:attr:`SessionLoad.measured`).

The session load is not the daily load: the daily load (above) runs across the whole
day, rising only with minutes above 50 and easing with rest, so a day of moderate
sessions can hold a daily load near 0 while each session's load is 20 or 30.

A session is **heavy** when the helper marked it so, or its mean or sustained
peak stress is in the high band (>= 76).

Recovery
--------
Minutes from a session's end until the first of :data:`RECOVERY_RUN_MINUTES`
consecutive scored minutes that are near baseline (score <= 25, or heart rate
within one baseline spread). An unscored minute breaks the run. None when that
does not happen before the next session (or the end of the data).

References
----------
McEwen BS. Protective and damaging effects of stress mediators. N Engl J Med
1998;338:171-179 (allostatic load accumulates when recovery is incomplete).
Brosschot JF, Gerin W, Thayer JF. The perseverative cognition hypothesis.
J Psychosom Res 2006;60:113-124 (prolonged activation after stressors).
Banister EW et al. A systems model of training for athletic performance.
Aust J Sports Med 1975;7:57-61 (impulse-response accumulators of load).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from signals.epochs.types import EPOCH_S, Epoch
from signals.scores.bands import steady_bands
from signals.scores.baseline import Baseline
from signals.scores.stress import StressScore

__all__ = [
    "HEAVY_STRESS",
    "K_UP_PER_MIN",
    "LOAD_SCALE_MIN",
    "RECOVERY_RUN_MINUTES",
    "SUSTAINED_MINUTES",
    "TAU_RECOVER_MIN",
    "DailyLoad",
    "Recovery",
    "SessionLoad",
    "WeeklyExposure",
    "daily_load_series",
    "recovery_after",
    "session_load",
    "weekly_exposure",
]

K_UP_PER_MIN: Final = 0.02
"""Share of the headroom a minute at score 100 fills, per minute."""
TAU_RECOVER_MIN: Final = 120.0
"""Time constant of recovery at score 0, in minutes."""
LOAD_SCALE_MIN: Final = 30.0
"""Intensity-minutes that bring a session's load to 63 (1 - 1/e)."""
SUSTAINED_MINUTES: Final = 5
"""Consecutive scored minutes averaged for the sustained peak."""
HEAVY_STRESS: Final = 76
"""Mean or sustained peak stress at or above this (the high band) makes a session heavy."""
RECOVERY_RUN_MINUTES: Final = 3
"""Consecutive near-baseline minutes that count as recovered."""
RECOVERY_SCORE: Final = 25
"""A score at or below this (rest band) is near baseline."""
WEEK_S: Final = 7 * 86400.0
"""Seven days, in seconds."""


class DailyLoad:
    """The day's cumulative load, 0-100, updated once per scored minute (see module)."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = min(100.0, max(0.0, value))

    def update(self, score: int | None, dt_min: float = 1.0) -> float:
        """Apply one minute's stress score (None holds the load); returns the new load."""
        if score is None:
            return self.value
        if score > 50:
            fill = K_UP_PER_MIN * (score - 50) / 50.0 * dt_min
            self.value = min(100.0, self.value + fill * (100.0 - self.value))
        elif score < 50:
            decay = (1.0 - math.exp(-dt_min / TAU_RECOVER_MIN)) * (50 - score) / 50.0
            self.value *= 1.0 - decay
        return self.value


def daily_load_series(scores: Sequence[StressScore], start: float = 0.0) -> list[float]:
    """The daily load after each minute, starting from ``start``."""
    load = DailyLoad(start)
    return [load.update(s.score) for s in scores]


@dataclass(frozen=True, slots=True)
class SessionLoad:
    """What one session cost (definitions in :mod:`signals.scores.load`).

    Attributes
    ----------
    start_s, end_s : the session, in seconds since the Unix epoch.
    n_minutes : minutes whose middle lies in the session.
    n_scored : of those, minutes with a stress score.
    mean_stress : mean score of the scored minutes (None without any).
    peak_stress : highest score.
    sustained_peak_stress : highest mean of 5 consecutive scored minutes
        (the mean of all when fewer).
    minutes_high : scored minutes whose steady band is high.
    hr_change_bpm : mean heart rate of good minutes minus baseline, in beats per minute.
    ln_rmssd_change : mean 60-s ln RMSSD of good minutes minus baseline.
    rmssd_change_pct : the same as a percentage change of RMSSD, ``100 * (exp(d) - 1)``.
    load : the session's load, 0-100.
    heavy : marked heavy, or mean or sustained peak stress in the high band.
    marked_heavy : the helper's own mark, if given.
    """

    start_s: float
    end_s: float
    n_minutes: int
    n_scored: int
    mean_stress: float | None
    peak_stress: int | None
    sustained_peak_stress: float | None
    minutes_high: int
    hr_change_bpm: float | None
    ln_rmssd_change: float | None
    rmssd_change_pct: float | None
    load: float
    heavy: bool
    marked_heavy: bool | None = None

    @property
    def measured(self) -> bool:
        """At least one of its minutes was scored; without one, ``load`` says nothing."""
        return self.n_scored > 0


def _within(epoch: Epoch, start_s: float, end_s: float) -> bool:
    middle = epoch.start_s + EPOCH_S / 2.0
    return start_s <= middle < end_s


def _pairs(
    epochs: Sequence[Epoch], scores: Sequence[StressScore]
) -> list[tuple[Epoch, StressScore]]:
    if len(epochs) != len(scores) or any(
        e.start_s != s.start_s for e, s in zip(epochs, scores, strict=True)
    ):
        raise ValueError("epochs and scores must be the same minutes, in the same order")
    return list(zip(epochs, scores, strict=True))


def session_load(
    start_s: float,
    end_s: float,
    epochs: Sequence[Epoch],
    scores: Sequence[StressScore],
    baseline: Baseline,
    *,
    marked_heavy: bool | None = None,
) -> SessionLoad:
    """Summarise the load of the session ``[start_s, end_s)`` (seconds since the epoch)."""
    pairs = _pairs(epochs, scores)
    bands = steady_bands((s.start_s, s.score) for s in scores)
    inside = [(e, s) for e, s in pairs if _within(e, start_s, end_s)]
    values = [s.score for _, s in inside if s.score is not None]
    minutes_high = sum(
        band == "high"
        for (e, _), band in zip(pairs, bands, strict=True)
        if _within(e, start_s, end_s)
    )
    good = [e for e, _ in inside if e.is_good and e.hr_bpm is not None and e.ln_rmssd is not None]
    mean = float(np.mean(values)) if values else None
    sustained = None
    if values:
        k = min(SUSTAINED_MINUTES, len(values))
        sustained = float(np.max(np.convolve(values, np.ones(k) / k, mode="valid")))
    hr_change = float(np.mean([e.hr_bpm for e in good])) - baseline.hr_bpm if good else None
    ln_change = float(np.mean([e.ln_rmssd for e in good])) - baseline.ln_rmssd if good else None
    # A float sum: an empty int sum (0) would make the load -0.0 through expm1.
    intensity_min = math.fsum(max(v - 25, 0) / 75.0 for v in values)
    heavy = bool(marked_heavy) or any(
        x is not None and x >= HEAVY_STRESS for x in (mean, sustained)
    )
    return SessionLoad(
        start_s=start_s,
        end_s=end_s,
        n_minutes=len(inside),
        n_scored=len(values),
        mean_stress=mean,
        peak_stress=max(values) if values else None,
        sustained_peak_stress=sustained,
        minutes_high=minutes_high,
        hr_change_bpm=hr_change,
        ln_rmssd_change=ln_change,
        rmssd_change_pct=100.0 * math.expm1(ln_change) if ln_change is not None else None,
        load=100.0 * -math.expm1(-intensity_min / LOAD_SCALE_MIN),
        heavy=heavy,
        marked_heavy=marked_heavy,
    )


@dataclass(frozen=True, slots=True)
class Recovery:
    """Recovery after a session.

    Attributes
    ----------
    session_end_s : end of the session, in seconds since the Unix epoch.
    recovered_at_s : start of the first minute of the near-baseline run; None if none.
    minutes : minutes from the session's end to ``recovered_at_s`` (0 when
        already near baseline); None when not recovered.
    reason : why there is no recovery time, in plain words ("" when recovered).
    """

    session_end_s: float
    recovered_at_s: float | None
    minutes: float | None
    reason: str = ""


def _near_baseline(epoch: Epoch, score: StressScore, baseline: Baseline) -> bool:
    if score.score is None:
        return False
    if score.score <= RECOVERY_SCORE:
        return True
    return epoch.hr_bpm is not None and epoch.hr_bpm - baseline.hr_bpm <= baseline.hr_spread_bpm


def recovery_after(
    session_end_s: float,
    epochs: Sequence[Epoch],
    scores: Sequence[StressScore],
    baseline: Baseline,
    *,
    until_s: float | None = None,
) -> Recovery:
    """Minutes until back near baseline after a session ending at ``session_end_s``.

    Parameters
    ----------
    session_end_s : end of the session, in seconds since the epoch.
    epochs, scores : the day's minutes and their scores, same order.
    baseline : the baseline the scores used.
    until_s : the start of the next session; minutes from then on are not looked at.
    """
    limit = math.inf if until_s is None else until_s
    run: list[Epoch] = []
    for epoch, score in _pairs(epochs, scores):
        if not _within(epoch, session_end_s, limit):
            continue
        run = [*run, epoch] if _near_baseline(epoch, score, baseline) else []
        if len(run) == RECOVERY_RUN_MINUTES:
            at_s = run[0].start_s
            return Recovery(session_end_s, at_s, max(0.0, (at_s - session_end_s) / 60.0))
    what = "the next session" if until_s is not None else "the end of the data"
    return Recovery(session_end_s, None, None, f"not back near baseline before {what}")


@dataclass(frozen=True, slots=True)
class WeeklyExposure:
    """Heavy sessions over the last seven days.

    Attributes
    ----------
    since_s, until_s : the period, in seconds since the Unix epoch.
    n_sessions : sessions that started in it.
    n_heavy : of those, heavy ones (marked or measured).
    heavy_minutes_high : minutes in the high band during heavy sessions.
    mean_heavy_load : mean ``load`` of the heavy sessions (None without any).
    max_load : highest session ``load`` (None without a measured session).

    Loads are those of measured sessions only (:attr:`SessionLoad.measured`): a session
    without a scored minute counts as a session (and as heavy when marked) but adds no load.
    longest_heavy_run : most heavy sessions in a row.
    """

    since_s: float
    until_s: float
    n_sessions: int
    n_heavy: int
    heavy_minutes_high: int
    mean_heavy_load: float | None
    max_load: float | None
    longest_heavy_run: int


def weekly_exposure(sessions: Sequence[SessionLoad], now_s: float) -> WeeklyExposure:
    """Count and intensity of heavy sessions that started in the seven days before ``now_s``."""
    since_s = now_s - WEEK_S
    week = sorted((s for s in sessions if since_s < s.start_s <= now_s), key=lambda s: s.start_s)
    heavy = [s for s in week if s.heavy]
    heavy_loads = [s.load for s in heavy if s.measured]
    longest = run = 0
    for s in week:
        run = run + 1 if s.heavy else 0
        longest = max(longest, run)
    return WeeklyExposure(
        since_s=since_s,
        until_s=now_s,
        n_sessions=len(week),
        n_heavy=len(heavy),
        heavy_minutes_high=sum(s.minutes_high for s in heavy),
        mean_heavy_load=float(np.mean(heavy_loads)) if heavy_loads else None,
        max_load=max((s.load for s in week if s.measured), default=None),
        longest_heavy_run=longest,
    )
