"""The morning reading: today's ln RMSSD and resting heart rate against the helper's usual.

A description of today's capacity, never a verdict or a diagnosis.

Which minutes make the morning reading
--------------------------------------
1. A reading taken on purpose from the screen (1-3 minutes seated) wins; the caller
   hands it in as a finished :class:`MorningReading` (``source="screen"``).
2. Otherwise :func:`pick_morning_reading`: the first :data:`READING_MINUTES` (3)
   consecutive stored minutes, after the strap connects, that all

   - start between :data:`WINDOW_START_MIN` and :data:`WINDOW_END_MIN` (05:00-11:00
     local time),
   - come before the day's first client session starts, with no session of any kind open,
   - are of good quality (artifacts under 10 %, no gap: the minute's own quality) with a
     heart rate and an RMSSD,
   - are not in the high stress band, and
   - are still when a chest accelerometer tells (``still`` None counts as still).

   Consecutive means each starts 60 s after the one before. The reading's ``ln_rmssd`` is
   the mean of the minutes' 60-s ln RMSSD (natural log of RMSSD in ms), its ``hr_bpm``
   the mean of their heart rates. Ultra-short 60-s ln RMSSD tracks the 5-min value
   closely at rest (Esco & Flatt 2014; Munoz et al. 2015), and three of them averaged
   make the reading steadier than one.

The usual and its range
-----------------------
From the readings of *earlier* days (today never counts towards its own usual):

- **usual** (``mean``): the mean of the readings of the :data:`USUAL_DAYS` (7) days before
  today: the rolling 7-day mean of Plews et al. (2012, 2013) and of HRV4Training/Elite HRV;
- **range**: ``mean +/- BAND_SD * SD``, ``SD`` the standard deviation (n - 1) of the
  readings of the :data:`RANGE_DAYS` (28) days before today, never below
  :data:`LN_RMSSD_SD_FLOOR` (:data:`HR_SD_FLOOR_BPM` for heart rate);
- at least :data:`MIN_READINGS` (4) readings in those 28 days, and one in the last 7,
  else the status is ``not_enough_days``.

``BAND_SD`` is 1: the 0.5-SD "smallest worthwhile change" of Plews and Buchheit is meant
for the 7-day *rolling mean*; a single morning against a 0.5-SD band would fall outside
on most ordinary days (62 % for a normal spread), against about a third with 1 SD (one
ordinary morning in six below). The 0.5-SD change is used where it belongs: the trend.

Status is ``below`` / ``within`` / ``above`` for ln RMSSD (below the range, inside it
including its edges, above it); heart rate gets its own usual and status beside it.
Without a reading today the status is ``no_reading``.

Trend
-----
The least-squares slope of the readings of the last :data:`TREND_DAYS` (14) days,
today included, per day, over at least :data:`MIN_READINGS` readings; its change over
the two weeks (slope times 13 days) is ``rising`` or ``falling`` past half an SD of the
readings (the smallest worthwhile change), else ``steady``.

References
----------
Shaffer F, Ginsberg JP. An overview of heart rate variability metrics and norms.
Front Public Health 2017;5:258 (RMSSD, ln RMSSD).
Plews DJ, Laursen PB, Kilding AE, Buchheit M. Heart rate variability in elite triathletes:
is variation in variability the key to effective training? Eur J Appl Physiol
2012;112:3729-3741 (ln RMSSD rolling 7-day mean).
Plews DJ et al. Training adaptation and heart rate variability in elite endurance
athletes: opening the door to effective monitoring. Sports Med 2013;43:773-781
(smallest worthwhile change 0.5 SD).
Buchheit M. Monitoring training status with HR measures: do all roads lead to Rome?
Front Physiol 2014;5:73.
Esco MR, Flatt AA. Ultra-short-term heart rate variability indexes at rest and
post-exercise in athletes. J Sports Sci Med 2014;13:535-541 (60-s ln RMSSD).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

import numpy as np

__all__ = [
    "BAND_SD",
    "HR_SD_FLOOR_BPM",
    "LN_RMSSD_SD_FLOOR",
    "MIN_READINGS",
    "RANGE_DAYS",
    "READING_MINUTES",
    "TREND_DAYS",
    "USUAL_DAYS",
    "WINDOW_END_MIN",
    "WINDOW_START_MIN",
    "DayReading",
    "MorningMinute",
    "MorningReading",
    "Readiness",
    "Status",
    "Trend",
    "Usual",
    "assess",
    "pick_morning_reading",
]

Status = Literal["below", "within", "above", "not_enough_days", "no_reading"]

WINDOW_START_MIN: Final = 5 * 60
"""The morning starts at 05:00 local time (minutes after midnight)."""
WINDOW_END_MIN: Final = 11 * 60
"""A reading must start before 11:00 local time (minutes after midnight)."""
READING_MINUTES: Final = 3
"""Consecutive calm, good minutes that make an automatic reading."""
USUAL_DAYS: Final = 7
"""Days before today whose readings make the usual (the rolling 7-day mean)."""
RANGE_DAYS: Final = 28
"""Days before today whose readings' spread makes the range."""
MIN_READINGS: Final = 4
"""Earlier readings needed (in the last 28 days) before anything is said."""
BAND_SD: Final = 1.0
"""Half-width of the usual range, in standard deviations of the readings (see module)."""
LN_RMSSD_SD_FLOOR: Final = 0.05
"""Smallest SD of ln RMSSD used: about 1.5 % of a typical ln RMSSD of 3.5-4, below the
day-to-day variation Plews et al. 2013 report (CV 5-10 % of RMSSD), so a few identical
readings do not make a razor-thin range."""
HR_SD_FLOOR_BPM: Final = 1.0
"""Smallest SD of the resting heart rate used, in beats per minute."""
TREND_DAYS: Final = 14
"""Days (today included) whose readings make the trend."""
_TREND_SPAN_DAYS: Final = TREND_DAYS - 1
_SWC_SD: Final = 0.5
"""The smallest worthwhile change, in SDs (Plews et al. 2013): the trend's threshold."""
_MINUTE_S: Final = 60.0
_CONSECUTIVE_TOL_S: Final = 1.0


@dataclass(frozen=True, slots=True)
class MorningMinute:
    """One stored minute, as the morning rule sees it.

    Attributes
    ----------
    start_s : start of the minute, epoch seconds.
    local_minute : its start in minutes after local midnight (0..1439).
    hr_bpm : heart rate, in beats per minute (None when not measured).
    ln_rmssd : natural log of the minute's RMSSD in ms (None when not measured).
    good : the minute's quality is good.
    high_stress : the minute's steady stress band is high.
    still : a chest accelerometer saw no movement (None: not known).
    session_open : a session of any kind is open during it.
    after_client : the day's first client session has started by then.
    """

    start_s: float
    local_minute: int
    hr_bpm: float | None
    ln_rmssd: float | None
    good: bool
    high_stress: bool
    still: bool | None
    session_open: bool
    after_client: bool

    @property
    def usable(self) -> bool:
        """Whether the minute may be part of a morning reading (see module)."""
        return (
            WINDOW_START_MIN <= self.local_minute < WINDOW_END_MIN
            and self.good
            and not self.high_stress
            and self.still is not False
            and not self.session_open
            and self.hr_bpm is not None
            and self.ln_rmssd is not None
            and math.isfinite(self.hr_bpm)
            and math.isfinite(self.ln_rmssd)
        )


@dataclass(frozen=True, slots=True)
class MorningReading:
    """A morning reading.

    Attributes
    ----------
    start_s : start of its first minute (or of the screen's reading), epoch seconds.
    ln_rmssd : mean 60-s ln RMSSD (natural log of RMSSD in ms).
    hr_bpm : mean heart rate, in beats per minute.
    n_minutes : minutes it covers.
    source : ``"screen"`` (taken on purpose) or ``"first-calm-minutes"`` (the rule).
    """

    start_s: float
    ln_rmssd: float
    hr_bpm: float
    n_minutes: int
    source: Literal["screen", "first-calm-minutes"]


@dataclass(frozen=True, slots=True)
class DayReading:
    """An earlier day's reading, as the usual needs it (``ln_rmssd``: ln of ms; ``hr_bpm``)."""

    day: date
    ln_rmssd: float
    hr_bpm: float


@dataclass(frozen=True, slots=True)
class Usual:
    """The helper's usual morning, from earlier days.

    Attributes
    ----------
    ln_rmssd_mean, ln_rmssd_low, ln_rmssd_high : the rolling 7-day mean of ln RMSSD and
        its range (natural log of ms).
    hr_mean_bpm, hr_low_bpm, hr_high_bpm : the same for the resting heart rate, in bpm.
    ln_rmssd_sd, hr_sd_bpm : the SDs used (after their floors).
    n_readings : readings in the last :data:`RANGE_DAYS` days.
    """

    ln_rmssd_mean: float
    ln_rmssd_low: float
    ln_rmssd_high: float
    hr_mean_bpm: float
    hr_low_bpm: float
    hr_high_bpm: float
    ln_rmssd_sd: float
    hr_sd_bpm: float
    n_readings: int


@dataclass(frozen=True, slots=True)
class Trend:
    """The last two weeks' readings.

    Attributes
    ----------
    ln_rmssd_per_day : least-squares slope of ln RMSSD, per day.
    hr_bpm_per_day : slope of the resting heart rate, in bpm per day.
    ln_rmssd_words, hr_words : ``rising`` / ``falling`` / ``steady`` (see module).
    n_readings : readings it rests on.
    """

    ln_rmssd_per_day: float
    hr_bpm_per_day: float
    ln_rmssd_words: Literal["rising", "falling", "steady"]
    hr_words: Literal["rising", "falling", "steady"]
    n_readings: int


@dataclass(frozen=True, slots=True)
class Readiness:
    """Today's reading against the usual (see module).

    Attributes
    ----------
    day : the local day.
    reading : today's reading, or None.
    usual : the usual, or None when there are not enough earlier readings.
    status : ln RMSSD against its range (:data:`Status`).
    hr_status : heart rate against its own range (same words).
    trend : the last two weeks, or None with too few readings.
    readings : readings in the last :data:`RANGE_DAYS` days before today (plus today's).
    """

    day: date
    reading: MorningReading | None
    usual: Usual | None
    status: Status
    hr_status: Status
    trend: Trend | None
    readings: int


def pick_morning_reading(minutes: Sequence[MorningMinute]) -> MorningReading | None:
    """The first :data:`READING_MINUTES` consecutive usable minutes (module rule), or None.

    ``minutes`` in time order. The search stops at the first client session.
    """
    run: list[MorningMinute] = []
    for minute in minutes:
        if minute.after_client:
            break
        follows = run and abs(minute.start_s - run[-1].start_s - _MINUTE_S) <= _CONSECUTIVE_TOL_S
        if not minute.usable:
            run = []
            continue
        run = [*run, minute] if follows else [minute]
        if len(run) == READING_MINUTES:
            return MorningReading(
                start_s=run[0].start_s,
                ln_rmssd=float(np.mean([m.ln_rmssd for m in run])),
                hr_bpm=float(np.mean([m.hr_bpm for m in run])),
                n_minutes=READING_MINUTES,
                source="first-calm-minutes",
            )
    return None


def _status(value: float, low: float, high: float) -> Status:
    return "below" if value < low else "above" if value > high else "within"


def _usual(day: date, earlier: Sequence[DayReading]) -> Usual | None:
    window = [r for r in earlier if day - timedelta(days=RANGE_DAYS) <= r.day < day]
    recent = [r for r in window if r.day >= day - timedelta(days=USUAL_DAYS)]
    if len(window) < MIN_READINGS or not recent:
        return None
    ln_sd = max(float(np.std([r.ln_rmssd for r in window], ddof=1)), LN_RMSSD_SD_FLOOR)
    hr_sd = max(float(np.std([r.hr_bpm for r in window], ddof=1)), HR_SD_FLOOR_BPM)
    ln_mean = float(np.mean([r.ln_rmssd for r in recent]))
    hr_mean = float(np.mean([r.hr_bpm for r in recent]))
    return Usual(
        ln_rmssd_mean=ln_mean,
        ln_rmssd_low=ln_mean - BAND_SD * ln_sd,
        ln_rmssd_high=ln_mean + BAND_SD * ln_sd,
        hr_mean_bpm=hr_mean,
        hr_low_bpm=hr_mean - BAND_SD * hr_sd,
        hr_high_bpm=hr_mean + BAND_SD * hr_sd,
        ln_rmssd_sd=ln_sd,
        hr_sd_bpm=hr_sd,
        n_readings=len(window),
    )


def _words(change: float, sd: float) -> Literal["rising", "falling", "steady"]:
    if change > _SWC_SD * sd:
        return "rising"
    if change < -_SWC_SD * sd:
        return "falling"
    return "steady"


def _trend(day: date, readings: Sequence[DayReading]) -> Trend | None:
    window = [r for r in readings if day - timedelta(days=_TREND_SPAN_DAYS) <= r.day <= day]
    if len(window) < MIN_READINGS:
        return None
    x = np.array([(r.day - day).days for r in window], dtype=np.float64)
    if np.ptp(x) == 0.0:
        return None
    ln = np.array([r.ln_rmssd for r in window])
    hr = np.array([r.hr_bpm for r in window])
    ln_slope = float(np.polyfit(x, ln, 1)[0])
    hr_slope = float(np.polyfit(x, hr, 1)[0])
    ln_sd = max(float(np.std(ln, ddof=1)), LN_RMSSD_SD_FLOOR)
    hr_sd = max(float(np.std(hr, ddof=1)), HR_SD_FLOOR_BPM)
    return Trend(
        ln_rmssd_per_day=ln_slope,
        hr_bpm_per_day=hr_slope,
        ln_rmssd_words=_words(ln_slope * _TREND_SPAN_DAYS, ln_sd),
        hr_words=_words(hr_slope * _TREND_SPAN_DAYS, hr_sd),
        n_readings=len(window),
    )


def assess(day: date, reading: MorningReading | None, history: Sequence[DayReading]) -> Readiness:
    """Today's ``reading`` (or None) against the readings of earlier days (``history``;
    any reading of ``day`` itself or later in it is ignored). See the module."""
    earlier = sorted((r for r in history if r.day < day), key=lambda r: r.day)
    usual = _usual(day, earlier)
    with_today = (
        [*earlier, DayReading(day, reading.ln_rmssd, reading.hr_bpm)]
        if reading is not None
        else earlier
    )
    n_window = sum(1 for r in earlier if r.day >= day - timedelta(days=RANGE_DAYS))
    status: Status
    hr_status: Status
    if reading is None:
        status = hr_status = "no_reading"
    elif usual is None:
        status = hr_status = "not_enough_days"
    else:
        status = _status(reading.ln_rmssd, usual.ln_rmssd_low, usual.ln_rmssd_high)
        hr_status = _status(reading.hr_bpm, usual.hr_low_bpm, usual.hr_high_bpm)
    return Readiness(
        day=day,
        reading=reading,
        usual=usual,
        status=status,
        hr_status=hr_status,
        trend=_trend(day, with_today),
        readings=n_window + (1 if reading is not None else 0),
    )
