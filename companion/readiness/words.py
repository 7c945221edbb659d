"""The morning reading in plain words: a description of today, never a verdict."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # the live screen imports this module before numpy is loaded
    from signals.scores.readiness import Readiness, Trend

__all__ = ["GENTLER_LINE", "readiness_words", "trend_words"]

GENTLER_LINE: Final = (
    "Your morning reading was below your usual range: today Holdspace allows one more "
    "pause and suggests a colleague a little sooner."
)
"""What the live screen says, once, on a day whose prompts a below-usual morning made gentler
(``companion.readiness.policy``)."""

_STATUS_WORDS: Final = {
    "below": "below your usual range",
    "within": "within your usual range",
    "above": "above your usual range",
}
_HR_WORDS: Final = {
    "below": "lower than usual",
    "within": "about as usual",
    "above": "higher than usual",
}
_TREND_WORDS: Final = {"rising": "rising", "falling": "falling", "steady": "steady"}


def trend_words(trend: Trend | None) -> str:
    """The last two weeks in one sentence."""
    if trend is None:
        return "Not enough readings yet to tell a trend over the last two weeks."
    return (
        f"Over the last two weeks ({trend.n_readings} readings) your morning variability has "
        f"been {_TREND_WORDS[trend.ln_rmssd_words]} and your resting heart rate "
        f"{_TREND_WORDS[trend.hr_words]}."
    )


def readiness_words(readiness: Readiness) -> list[str]:
    """``holdspace readiness``'s text: a few sentences."""
    day = readiness.day.isoformat()
    reading = readiness.reading
    if reading is None:
        return [f"No morning reading on {day}.", trend_words(readiness.trend)]
    how = "taken on the screen" if reading.source == "screen" else "from your first calm minutes"
    rmssd_ms = math.exp(reading.ln_rmssd)
    first = (
        f"Morning reading of {day} ({how}): RMSSD {rmssd_ms:.0f} ms (ln {reading.ln_rmssd:.2f}), "
        f"resting heart rate {reading.hr_bpm:.0f} bpm."
    )
    usual = readiness.usual
    if usual is None:
        return [
            first,
            f"Holdspace needs at least 4 earlier readings to know your usual "
            f"(it has {readiness.readings - 1}).",
            trend_words(readiness.trend),
        ]
    return [
        first,
        f"That is {_STATUS_WORDS[readiness.status]} (usual RMSSD "
        f"{math.exp(usual.ln_rmssd_low):.0f}-{math.exp(usual.ln_rmssd_high):.0f} ms); "
        f"your heart rate was {_HR_WORDS[readiness.hr_status]} "
        f"(usual {usual.hr_mean_bpm:.0f} bpm).",
        trend_words(readiness.trend),
        "It describes this morning; it is not a diagnosis.",
    ]
