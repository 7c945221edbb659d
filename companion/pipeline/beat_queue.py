"""A first-in first-out queue of beats held as three columns.

The signal stage keeps two: the beats the artifact detector has not yet
answered for, and the last two minutes of beats for the breathing rate. Whole
imported files pass through them a few thousand beats at a time, so they take
and hand out columns (lists) rather than beat objects, and drop from the front
by moving an offset; the dropped front is deleted now and then.
"""

from __future__ import annotations

from itertools import compress
from typing import Final

__all__ = ["BeatQueue"]

_COMPACT_AFTER: Final = 4096
"""Dropped front entries kept before the lists are compacted."""


class BeatQueue:
    """Beats (time in s, RR in ms, gap flag) in arrival order."""

    __slots__ = ("_gap", "_lo", "_rr", "_t")

    def __init__(self) -> None:
        self._t: list[float] = []
        self._rr: list[float] = []
        self._gap: list[bool] = []
        self._lo = 0

    def __len__(self) -> int:
        return len(self._t) - self._lo

    def append(self, time_s: float, rr_ms: float, gap_before: bool) -> None:
        self._t.append(time_s)
        self._rr.append(rr_ms)
        self._gap.append(gap_before)

    def extend(self, time_s: list[float], rr_ms: list[float], gap_before: list[bool]) -> None:
        self._t.extend(time_s)
        self._rr.extend(rr_ms)
        self._gap.extend(gap_before)

    def popleft(self) -> tuple[float, float, bool]:
        """Remove and return the oldest beat; IndexError when empty."""
        lo = self._lo
        if lo >= len(self._t):
            raise IndexError("pop from an empty beat queue")
        self._lo = lo + 1
        beat = (self._t[lo], self._rr[lo], self._gap[lo])
        self._compact()
        return beat

    def take(self, n: int) -> tuple[list[float], list[float], list[bool]]:
        """Remove and return the oldest ``n`` beats (fewer if there are fewer) as columns."""
        lo, hi = self._lo, min(self._lo + n, len(self._t))
        taken = (self._t[lo:hi], self._rr[lo:hi], self._gap[lo:hi])
        self._lo = hi
        self._compact()
        return taken

    def drop_before(self, time_s: float) -> None:
        """Drop beats from the front while they are older than ``time_s``."""
        times, lo, end = self._t, self._lo, len(self._t)
        while lo < end and times[lo] < time_s:
            lo += 1
        self._lo = lo
        self._compact()

    def up_to(self, time_s: float) -> tuple[list[float], list[float], list[bool]]:
        """Columns of the queued beats at or before ``time_s``, in order (not removed)."""
        lo = self._lo
        times = self._t[lo:]
        if not times or times[-1] <= time_s:
            return times, self._rr[lo:], self._gap[lo:]
        keep = [t <= time_s for t in times]
        return (
            list(compress(times, keep)),
            list(compress(self._rr[lo:], keep)),
            list(compress(self._gap[lo:], keep)),
        )

    def _compact(self) -> None:
        lo = self._lo
        if lo >= _COMPACT_AFTER and 2 * lo >= len(self._t):
            del self._t[:lo], self._rr[:lo], self._gap[:lo]
            self._lo = 0
