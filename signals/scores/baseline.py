"""The personal baseline that stress is measured against: heart rate and ln RMSSD at calm.

Four sources, in order of preference:

- ``"rolling-14d"``: :func:`rolling_baseline`, the median and robust spread of
  the calm minutes of the last 14 days (needs :data:`MIN_ROLLING_MINUTES`
  minutes over at least :data:`MIN_ROLLING_DAYS` days);
- ``"resting"``: a guided :class:`RestingMeasurement` of 5 minutes;
- ``"file-calm"``: :func:`baseline_from_file_calm`, the calm minutes of the one
  recording being analysed;
- ``"norms"``: published population norms (:data:`NORMS`), not personal; the
  screen must say so.

Definitions
-----------
- **Calm minute** (:func:`is_calm`): a minute of good quality, outside any
  session except breaks (the caller decides), whose heart rate is at or below
  :data:`CALM_HR_QUANTILE` (the lowest quarter) of that day's good minutes.
- **Centre**: the median of the calm minutes' 60-s heart rate (bpm) and 60-s
  ln RMSSD (natural log of RMSSD in ms).
- **Spread**: the robust standard deviation ``1.4826 * MAD`` of the same values,
  never below :data:`HR_SPREAD_FLOOR_BPM` / :data:`LN_RMSSD_SPREAD_FLOOR`.
  Calm minutes are a narrow slice of a day and a 5-min rest holds five values,
  so their own spread understates how far a calm person moves during ordinary
  work (talking, sitting up); the floors are that ordinary day-to-day range.

References
----------
Nunan D, Sandercock GRH, Brodie DA. A quantitative systematic review of normal
values for short-term heart rate variability in healthy adults. Pacing Clin
Electrophysiol 2010;33:1407-1417 (RMSSD 42 +/- 15 ms, mean RR 926 +/- 90 ms).
Plews DJ et al. Training adaptation and heart rate variability in elite endurance
athletes: opening the door to effective monitoring. Sports Med 2013;43:773-781
(day-to-day ln RMSSD varies by a coefficient of variation of ~5-10 %).
Leys C et al. Detecting outliers: do not use standard deviation around the mean,
use absolute deviation around the median. J Exp Soc Psychol 2013;49:764-766 (MAD).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

import numpy as np

from signals.epochs.types import Epoch
from signals.markers.window_markers import batch_markers

__all__ = [
    "CALM_HR_QUANTILE",
    "HR_SPREAD_FLOOR_BPM",
    "LN_RMSSD_SPREAD_FLOOR",
    "MIN_FILE_CALM_MINUTES",
    "MIN_ROLLING_DAYS",
    "MIN_ROLLING_MINUTES",
    "NORMS",
    "ROLLING_DAYS",
    "Baseline",
    "BaselineSource",
    "CalmMinute",
    "RestingMeasurement",
    "baseline_from_file_calm",
    "calm_minutes",
    "is_calm",
    "rolling_baseline",
]

BaselineSource = Literal["resting", "rolling-14d", "file-calm", "norms"]

MAD_TO_SD: Final = 1.4826
"""Scale of the median absolute deviation to a standard deviation (normal data)."""
HR_SPREAD_FLOOR_BPM: Final = 5.0
"""Least heart-rate spread, in beats per minute: the ordinary range of a calm day."""
LN_RMSSD_SPREAD_FLOOR: Final = 0.3
"""Least ln RMSSD spread (about 8 % of a typical ln RMSSD of 3.6; Plews et al. 2013)."""
CALM_HR_QUANTILE: Final = 0.25
"""Calm minutes have a heart rate in the lowest quarter of the day's good minutes."""
ROLLING_DAYS: Final = 14
"""Days a rolling baseline looks back, today included."""
MIN_ROLLING_MINUTES: Final = 60
"""Fewest calm minutes for a rolling baseline."""
MIN_ROLLING_DAYS: Final = 2
"""Fewest distinct days for a rolling baseline."""
MIN_FILE_CALM_MINUTES: Final = 10
"""Fewest calm minutes for a baseline from one file."""
RESTING_MIN_COVERAGE: Final = 0.9
"""A resting measurement needs beats over this share of its duration."""
RESTING_MAX_ARTIFACT_FRACTION: Final = 0.05
"""A resting measurement is refused above this share of artifact beats (Kubios' 5 %)."""

_NORM_RR_MS: Final = 926.0
_NORM_RR_SD_MS: Final = 90.0
_NORM_RMSSD_MS: Final = 42.0
_NORM_RMSSD_SD_MS: Final = 15.0
_NORM_LN_SD: Final = math.sqrt(math.log1p((_NORM_RMSSD_SD_MS / _NORM_RMSSD_MS) ** 2))


@dataclass(frozen=True, slots=True)
class Baseline:
    """Calm heart rate and ln RMSSD of one person, with their spreads.

    Attributes
    ----------
    source : ``"resting"``, ``"rolling-14d"``, ``"file-calm"`` or ``"norms"``.
    hr_bpm : baseline heart rate, in beats per minute.
    hr_spread_bpm : its spread (robust SD, floored), in beats per minute.
    ln_rmssd : baseline natural log of RMSSD (RMSSD in milliseconds).
    ln_rmssd_spread : its spread (robust SD of ln RMSSD, floored).
    n_minutes : calm minutes (or measured minutes) behind it; 0 for norms.
    n_days : distinct days behind it; 0 for norms.
    note : where it comes from, in plain words, for the screen.
    """

    source: BaselineSource
    hr_bpm: float
    hr_spread_bpm: float
    ln_rmssd: float
    ln_rmssd_spread: float
    n_minutes: int
    n_days: int
    note: str = ""

    @property
    def is_personal(self) -> bool:
        """False for population norms: the screen must say the baseline is not yet yours."""
        return self.source != "norms"

    @property
    def rmssd_ms(self) -> float:
        """Baseline RMSSD, in milliseconds (exp of ``ln_rmssd``)."""
        return math.exp(self.ln_rmssd)


NORMS: Final = Baseline(
    source="norms",
    hr_bpm=60000.0 / _NORM_RR_MS,
    hr_spread_bpm=60000.0 * _NORM_RR_SD_MS / _NORM_RR_MS**2,
    ln_rmssd=math.log(_NORM_RMSSD_MS) - 0.5 * _NORM_LN_SD**2,
    ln_rmssd_spread=_NORM_LN_SD,
    n_minutes=0,
    n_days=0,
    note="published norms for healthy adults (Nunan et al. 2010), not yet your own",
)
"""Population norms of resting short-term HRV (Nunan et al. 2010): mean RR 926 +/- 90 ms
(65 bpm, spread 6.3 bpm by the delta method) and RMSSD 42 +/- 15 ms taken as
log-normal (median ln RMSSD 3.68, spread 0.35)."""


@dataclass(frozen=True, slots=True)
class CalmMinute:
    """One calm minute for the rolling baseline: its day, heart rate (bpm) and ln RMSSD."""

    day: date
    hr_bpm: float
    ln_rmssd: float


def _robust(values: Sequence[float], floor: float) -> tuple[float, float]:
    """Median and floored robust spread (1.4826 * MAD) of ``values``."""
    x = np.asarray(values, dtype=np.float64)
    centre = float(np.median(x))
    spread = MAD_TO_SD * float(np.median(np.abs(x - centre)))
    return centre, max(spread, floor)


def _baseline(
    source: BaselineSource, hr: Sequence[float], ln: Sequence[float], n_days: int, note: str
) -> Baseline:
    hr_c, hr_s = _robust(hr, HR_SPREAD_FLOOR_BPM)
    ln_c, ln_s = _robust(ln, LN_RMSSD_SPREAD_FLOOR)
    return Baseline(source, hr_c, hr_s, ln_c, ln_s, len(hr), n_days, note)


def _scored(epochs: Sequence[Epoch]) -> list[Epoch]:
    return [e for e in epochs if e.is_good and e.hr_bpm is not None and e.ln_rmssd is not None]


def is_calm(epochs: Sequence[Epoch], in_session: Sequence[bool] | None = None) -> list[bool]:
    """Which minutes of one day are calm (see the module's definition).

    Parameters
    ----------
    epochs : the day's minutes.
    in_session : True for minutes inside a session that should not count as calm
        (client work, supervision, ...; breaks are usually not marked). Default: none.
    """
    flags = in_session if in_session is not None else [False] * len(epochs)
    good = _scored(epochs)
    if not good:
        return [False] * len(epochs)
    limit = float(np.quantile([e.hr_bpm for e in good], CALM_HR_QUANTILE))
    return [
        e.is_good
        and e.ln_rmssd is not None
        and e.hr_bpm is not None
        and e.hr_bpm <= limit
        and not busy
        for e, busy in zip(epochs, flags, strict=True)
    ]


def calm_minutes(
    epochs: Sequence[Epoch], day: date, in_session: Sequence[bool] | None = None
) -> list[CalmMinute]:
    """The calm minutes of one day, ready for :func:`rolling_baseline`."""
    return [
        CalmMinute(day, e.hr_bpm, e.ln_rmssd)
        for e, calm in zip(epochs, is_calm(epochs, in_session), strict=True)
        if calm and e.hr_bpm is not None and e.ln_rmssd is not None
    ]


def rolling_baseline(
    minutes: Sequence[CalmMinute | tuple[date, float, float]],
    today: date,
    fallback: Baseline = NORMS,
) -> Baseline:
    """Robust baseline from the calm minutes of the 14 days ending ``today`` (included).

    Parameters
    ----------
    minutes : calm minutes as :class:`CalmMinute` or ``(day, hr_bpm, ln_rmssd)``
        tuples (see :func:`calm_minutes`), from any number of days.
    today : the day the baseline is for (local calendar day).
    fallback : returned unless there are at least :data:`MIN_ROLLING_MINUTES`
        calm minutes on at least :data:`MIN_ROLLING_DAYS` distinct days: the
        resting measurement when there is one, else the norms.
    """
    first = today - timedelta(days=ROLLING_DAYS - 1)
    every = [m if isinstance(m, CalmMinute) else CalmMinute(*m) for m in minutes]
    recent = [m for m in every if first <= m.day <= today]
    days = {m.day for m in recent}
    if len(recent) < MIN_ROLLING_MINUTES or len(days) < MIN_ROLLING_DAYS:
        return fallback
    note = f"your calm minutes of the last {ROLLING_DAYS} days ({len(recent)} on {len(days)} days)"
    return _baseline(
        "rolling-14d", [m.hr_bpm for m in recent], [m.ln_rmssd for m in recent], len(days), note
    )


def baseline_from_file_calm(
    epochs: Sequence[Epoch], in_session: Sequence[bool] | None = None
) -> Baseline:
    """Baseline from the calm minutes of one recording (its lowest-HR quarter of good minutes).

    Falls back to :data:`NORMS` with fewer than :data:`MIN_FILE_CALM_MINUTES` calm minutes.
    """
    calm = [e for e, c in zip(epochs, is_calm(epochs, in_session), strict=True) if c]
    if len(calm) < MIN_FILE_CALM_MINUTES:
        return NORMS
    hr = [e.hr_bpm for e in calm if e.hr_bpm is not None]
    ln = [e.ln_rmssd for e in calm if e.ln_rmssd is not None]
    note = f"the calmest {len(calm)} minutes of this recording"
    return _baseline("file-calm", hr, ln, 1, note)


class RestingMeasurement:
    """A guided resting measurement: sit still for ``duration_s`` and get a baseline.

    Push the beats as they come (and the time with :meth:`advance_to` when
    beats stop coming); :attr:`progress` runs from 0 to 1 and
    :meth:`result` gives the baseline, or None with :attr:`reason` saying why
    (too short, contact lost, too many artifacts). The measurement starts at the
    beginning of the first beat's RR interval, or at ``start_s`` when given.
    """

    def __init__(self, duration_s: float = 300.0, start_s: float | None = None) -> None:
        if not duration_s >= 2 * 60.0:
            raise ValueError(f"a resting measurement lasts at least 2 minutes, not {duration_s} s")
        self.duration_s = float(duration_s)
        self.start_s = start_s
        self._time: list[float] = []
        self._rr: list[float] = []
        self._gap: list[bool] = []
        self._art: list[bool] = []
        self._covered_s = 0.0
        self._latest_s: float | None = None
        self.reason = "the measurement has not started"
        """Why :meth:`result` is None, in plain words ("" when it is not)."""

    @property
    def end_s(self) -> float | None:
        return None if self.start_s is None else self.start_s + self.duration_s

    @property
    def progress(self) -> float:
        """Share of the duration done, 0..1."""
        if self.start_s is None or self._latest_s is None:
            return 0.0
        return min(1.0, max(0.0, (self._latest_s - self.start_s) / self.duration_s))

    @property
    def done(self) -> bool:
        return self.progress >= 1.0

    def push(self, time_s: float, rr_ms: float, gap_before: bool, artifact: bool = False) -> None:
        """Add one beat (time in seconds, RR in milliseconds); beats after the end are ignored."""
        begin_s = time_s - rr_ms / 1000.0 if math.isfinite(rr_ms) else time_s
        if self.start_s is None:
            self.start_s = begin_s
        self.advance_to(time_s)
        end_s = self.start_s + self.duration_s
        if time_s < self.start_s or time_s > end_s:
            return
        self._covered_s += max(0.0, time_s - max(begin_s, self.start_s))
        self._time.append(time_s)
        self._rr.append(rr_ms)
        self._gap.append(gap_before)
        self._art.append(artifact)

    def advance_to(self, time_s: float) -> None:
        """Time has reached ``time_s`` (seconds), with or without beats."""
        if self._latest_s is None or time_s > self._latest_s:
            self._latest_s = time_s

    def result(self) -> Baseline | None:
        """The baseline of this measurement, or None (see :attr:`reason`)."""
        if self.start_s is None or not self._time:
            self.reason = "no beats yet: is the strap on and moistened?"
            return None
        if not self.done:
            done_min = self.progress * self.duration_s / 60.0
            self.reason = f"not finished: {done_min:.1f} of {self.duration_s / 60.0:.0f} minutes"
            return None
        coverage = self._covered_s / self.duration_s
        if coverage < RESTING_MIN_COVERAGE:
            self.reason = f"the strap lost contact for {1.0 - coverage:.0%} of the time; try again"
            return None
        artifacts = sum(self._art) / len(self._art)
        if artifacts > RESTING_MAX_ARTIFACT_FRACTION:
            self.reason = f"{artifacts:.0%} of beats were irregular or noisy; sit still and retry"
            return None
        beats = (self._time, self._rr, self._gap, self._art)
        hr: list[float] = []
        ln: list[float] = []
        for k in range(int(self.duration_s // 60.0)):
            m = batch_markers(*beats, self.start_s + 60.0 * (k + 1), 60.0)
            if m.mean_hr_bpm is not None and m.ln_rmssd is not None:
                hr.append(m.mean_hr_bpm)
                ln.append(m.ln_rmssd)
        whole = batch_markers(*beats, self.start_s + self.duration_s, self.duration_s)
        if whole.mean_hr_bpm is None or whole.ln_rmssd is None or len(hr) < 2:
            self.reason = "too few clean beats to measure; try again"
            return None
        self.reason = ""
        _, hr_s = _robust(hr, HR_SPREAD_FLOOR_BPM)
        _, ln_s = _robust(ln, LN_RMSSD_SPREAD_FLOOR)
        minutes = round(self.duration_s / 60.0)
        note = f"your {minutes}-minute resting measurement"
        return Baseline("resting", whole.mean_hr_bpm, hr_s, whole.ln_rmssd, ln_s, minutes, 1, note)
