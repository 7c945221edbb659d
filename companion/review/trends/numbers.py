"""Numbers from the stored documents, and how the trends say a small sample."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

MIN_DAYS: Final = 3
"""Recorded days below which no pattern across days is named."""


SMALL_N: Final = 5
"""A count below this is called a small sample in a headline."""


OWN_DATA: Final = "in your own data"


def num(value: object) -> float | None:
    """A number (not a bool) as float, else None."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def mean(values: Sequence[float]) -> float | None:
    """The mean, None for no values."""
    return sum(values) / len(values) if values else None


def date_text(day: date) -> str:
    return f"{day.day} {day:%b}"


def small_sample_text(n: int) -> str:
    return " A small sample: read it as a hint." if n < SMALL_N else ""
