"""What the store hands out: sessions as stored, a day's beats, beats bound for a file.

Plain records with no storage behind them, so a reader of stored data (a day's summary,
a report) can use them without opening the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy loads with the first day read (the screens open before that)
    import numpy as np
    import numpy.typing as npt

__all__ = ["BeatChunk", "DayBeats", "StoredSession", "local_day"]


def local_day(time_s: float) -> date:
    """The local calendar day of an epoch time."""
    return datetime.fromtimestamp(time_s).date()


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A tagged session as stored. Times are epoch seconds; ``end_s`` is None while open."""

    session_id: int
    kind: str
    label: str
    start_s: float
    end_s: float | None
    heavy: bool | None
    source_id: str

    @property
    def day(self) -> date:
        return local_day(self.start_s)


@dataclass(frozen=True, slots=True)
class DayBeats:
    """All beats stored for one day, sorted by time.

    ``time_s`` epoch seconds, ``rr_ms`` milliseconds, ``gap_before`` flags.
    """

    day: date
    time_s: npt.NDArray[np.float64]
    rr_ms: npt.NDArray[np.float64]
    gap_before: npt.NDArray[np.bool_]
    gap_reasons: Mapping[int, str]
    """Index of each beat flagged ``gap_before`` to why ("disconnected", ...)."""

    def __len__(self) -> int:
        return int(self.time_s.size)


@dataclass(frozen=True, slots=True)
class BeatChunk:
    """Beats bound for one ten-minute segment file (``slot``: its first minute of the day)."""

    day: date
    slot: int
    doc: dict[str, Any]
