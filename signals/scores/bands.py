"""Stress bands, and the steady band that a 1-bpm wobble cannot flip.

The plain band of a score (as consumer devices show it): 0-25 ``"rest"``, 26-50
``"low"``, 51-75 ``"medium"``, 76-100 ``"high"`` (:func:`band_of`).

The steady band (the one shown, prompted on and reviewed)
--------------------------------------------------------
A band read minute by minute from a noisy score flips back and forth whenever the
score sits near an edge: 72 then 73 bpm may move a score from 75 to 77. The steady
band changes only with hysteresis, a margin over two minutes:

- the band moves *up* when the mean of the latest :data:`BAND_HOLD_MINUTES` (2)
  scored minutes is at least :data:`BAND_MARGIN_POINTS` (4) above the first score of
  the next band up (from medium: a two-minute mean of 80 or more) **and** the latest
  minute alone is in a higher band; *down* when that mean is at least as far below
  the last score of the next band down (from high: 71 or less) and the latest minute
  is in a lower band. It lands on the nearer of the two minutes' plain bands
  (the mean's and the latest's), so it never overshoots the latest minute;
- an unscored minute has no band; one between two scored minutes is bridged (they
  still form the pair), but a scored minute more than :data:`BAND_PAIR_GAP_S` after
  the previous one (two or more unscored minutes, e.g. after likely movement) is
  judged alone, with the same margin: the older minute is stale;
- the first scored minute, and the first after more than :data:`BAND_RESET_GAP_S`
  without a scored minute, take their plain band.

The mean of two minutes rather than two minutes each past the margin: a quick, real
rise (74 then 89) moves the band at once, while scores wobbling around an edge (the
mean stays near it) never do.

Why a margin of 4 points: the score is ``100 / (1 + exp(-(x - 2) / 0.7))`` with
``x = 0.5 * z_hr + 0.5 * z_vagal`` (:mod:`signals.scores.stress`); its slope is
``s (100 - s) / 70`` points per unit of ``x``: 27.1 at the 25.5 edge, 35.7 at 50.5 and
26.4 at 75.5. One bpm moves ``x`` by ``0.5 / hr_spread_bpm``, at most 0.1 with the spread
floor of 5 bpm (:data:`signals.scores.baseline.HR_SPREAD_FLOOR_BPM`): at most 2.7, 3.6
and 2.6 points. A minute shown below an edge has an unrounded score below the edge
(say 75.5); one bpm more takes it below 78.2, 54.1 or 28.3, shown as at most 78, 54
or 28, each short of the 80, 55 and 30 that a move needs (and so is any mean with it).
So a 72 -> 73 bpm step from a minute in the band below cannot flip the band, even
when it lasts; the same holds downwards.

:class:`SteadyLevel` is the rule for the live stream (one minute at a time) and
:func:`steady_levels` / :func:`steady_bands` the same rule over stored minutes, so the
screen, the prompts and the review agree minute by minute. The levels are general
(any ascending floors): the prompt policy uses the band floors with the high band's
floor moved to the helper's own "high stress from" setting.

References
----------
Schmitt O. A thermionic trigger. J Sci Instrum 1938;15:24-26 (hysteresis: separate
thresholds to enter and to leave a state, so noise at one threshold cannot toggle it).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from typing import Final, Literal

__all__ = [
    "BANDS",
    "BAND_FLOORS",
    "BAND_HOLD_MINUTES",
    "BAND_MARGIN_POINTS",
    "BAND_PAIR_GAP_S",
    "BAND_RESET_GAP_S",
    "Band",
    "SteadyLevel",
    "band_of",
    "level_of",
    "steady_bands",
    "steady_levels",
]

Band = Literal["rest", "low", "medium", "high"]

BANDS: Final[tuple[Band, ...]] = ("rest", "low", "medium", "high")
"""The bands, lowest first (index = level)."""
BAND_FLOORS: Final[tuple[int, ...]] = (26, 51, 76)
"""First score of the low, medium and high bands."""
BAND_MARGIN_POINTS: Final = 4
"""Points beyond the first score of the next band the two-minute mean must reach to
leave a band (4.5 points past the edge): more than one bpm can move the score (module
docstring)."""
BAND_HOLD_MINUTES: Final = 2
"""Scored minutes whose mean must pass the margin before the band changes."""
BAND_PAIR_GAP_S: Final = 150.0
"""A scored minute starting more than this after the previous one is judged alone
(as the prompt policy bridges one poor minute and no more)."""
BAND_RESET_GAP_S: Final = 600.0
"""Scored minutes further apart than this (10 min, by their starts) start afresh:
the next one takes its plain band."""


def level_of(score: int, floors: Sequence[int] = BAND_FLOORS) -> int:
    """The plain level of ``score``: how many of the ascending ``floors`` it reaches."""
    return sum(score >= floor for floor in floors)


def band_of(score: int) -> Band:
    """The plain band of a score: 0-25 rest, 26-50 low, 51-75 medium, 76-100 high."""
    return BANDS[level_of(score)]


class SteadyLevel:
    """The steady level of a stream of scored minutes (rule in :mod:`signals.scores.bands`).

    Parameters
    ----------
    floors : ascending first scores of levels 1, 2, ... (level 0 starts at 0);
        :data:`BAND_FLOORS` gives the bands.
    margin_points, hold_minutes, pair_gap_s, reset_gap_s : the hysteresis, as in the
        module docstring.
    """

    def __init__(
        self,
        floors: Sequence[int] = BAND_FLOORS,
        *,
        margin_points: int = BAND_MARGIN_POINTS,
        hold_minutes: int = BAND_HOLD_MINUTES,
        pair_gap_s: float = BAND_PAIR_GAP_S,
        reset_gap_s: float = BAND_RESET_GAP_S,
    ) -> None:
        if list(floors) != sorted(set(floors)):
            raise ValueError("floors must be strictly ascending")
        self._floors = tuple(floors)
        self._margin = margin_points
        self._recent: deque[int] = deque(maxlen=max(1, hold_minutes))
        self._pair_gap_s = pair_gap_s
        self._reset_gap_s = reset_gap_s
        self._level: int | None = None
        self._confirmed = False
        self._last_s: float | None = None

    @property
    def level(self) -> int | None:
        """The steady level after the latest scored minute (None before any)."""
        return self._level

    @property
    def confirmed(self) -> bool:
        """Whether the current level has been passed by the margin: reached by a move
        (which needs it), or, when it is a first minute's plain level, since held by a
        mean at least the margin above its floor. Level 0 needs nothing. One minute at 77
        after a dropout shows "high" but is not yet *sustained* high stress."""
        return self._confirmed

    def _moved(self, level: int, mean: float, latest: int) -> int:
        """The level after ``level`` given the mean of the recent scores and the latest."""
        floors = self._floors
        latest_level = level_of(latest, floors)
        if level < len(floors) and mean >= floors[level] + self._margin and latest_level > level:
            return min(level_of(math.floor(mean), floors), latest_level)
        if level > 0 and mean <= floors[level - 1] - 1 - self._margin and latest_level < level:
            return max(level_of(math.ceil(mean), floors), latest_level)
        return level

    def update(self, start_s: float, score: int | None) -> int | None:
        """Feed the next minute (in time order); its steady level, None when unscored."""
        if score is None:
            return None
        if self._last_s is not None:
            if start_s - self._last_s > self._reset_gap_s:
                self._level = None
            if start_s - self._last_s > self._pair_gap_s:
                self._recent.clear()
        self._last_s = start_s
        self._recent.append(score)
        mean = sum(self._recent) / len(self._recent)
        if self._level is None:
            self._level = level_of(score, self._floors)
            self._confirmed = self._past_floor(self._level, mean)
        else:
            moved = self._moved(self._level, mean, score)
            self._confirmed = (
                moved != self._level or self._confirmed or self._past_floor(moved, mean)
            )
            self._level = moved
        return self._level

    def _past_floor(self, level: int, mean: float) -> bool:
        """Whether ``mean`` lies the margin above the floor of ``level`` (level 0: yes)."""
        return level == 0 or mean >= self._floors[level - 1] + self._margin


def steady_levels(
    minutes: Iterable[tuple[float, int | None]], floors: Sequence[int] = BAND_FLOORS
) -> list[int | None]:
    """The steady level of each of ``minutes`` (start in epoch seconds, score or None),
    in time order: :class:`SteadyLevel` run over them; None for unscored minutes."""
    tracker = SteadyLevel(floors)
    return [tracker.update(start_s, score) for start_s, score in minutes]


def steady_bands(minutes: Iterable[tuple[float, int | None]]) -> list[Band | None]:
    """The steady band of each of ``minutes`` (start in epoch seconds, score or None)."""
    return [None if lv is None else BANDS[lv] for lv in steady_levels(minutes)]
