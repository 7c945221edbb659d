"""What the charts draw: series of values over time and shaded session bands.

Plain data, importable without numpy (the drawing in :mod:`tui.widgets.plots`
needs it; screens build their series before any is drawn).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["KIND_COLOURS", "OTHER_KIND", "Band", "Series"]

KIND_COLOURS: Final[Mapping[str, tuple[str, str]]] = {
    "client": ("#a37fd6", "#2a2238"),
    "break": ("#6cbf78", "#1d2e21"),
    "supervision": ("#5f9bd6", "#1c2838"),
    "admin": ("#a0a0a0", "#262626"),
}
"""Session kind to (strip colour, background tint of the plot)."""
OTHER_KIND: Final = ("#c9a15f", "#2e2619")
"""The colours of any other kind."""


@dataclass(frozen=True, slots=True)
class Series:
    """One line: ``values`` over ``time_s`` (epoch seconds); NaN breaks the line.

    ``style`` is a Rich colour ("#e06c75", "red"); ``y_range`` fixes the axis
    (else the finite data's range, padded by 5 %); ``shades`` colour the line by value.
    """

    name: str
    time_s: npt.ArrayLike
    values: npt.ArrayLike
    style: str = "#e06c75"
    y_range: tuple[float, float] | None = None
    shades: tuple[tuple[float, str], ...] = ()
    """Bands of the value axis as (lowest value, colour), ascending: the line takes the
    colour of the band its row lies in (e.g. stress 0-25 rest, 26-50 low ...)."""


@dataclass(frozen=True, slots=True)
class Band:
    """A shaded stretch of the time axis (a session): epoch seconds and its kind."""

    start_s: float
    end_s: float
    kind: str
