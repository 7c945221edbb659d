"""The beat stream: one beat per RR interval, placed on a beat clock.

Chest straps send no timestamps. Following BLE_NOTES "Timing", a beat's time is
the cumulative sum of RR since the clock was anchored; the clock is anchored at
(re)connection so that the newest beat of the first packet falls on that
packet's arrival time, and re-anchored only when arrival times and the RR sum
drift apart by more than ``max_drift_s``. Beats lost to a disconnection,
contact loss or silence are marked with a gap on the next beat, and no
successive difference may ever be taken across a gap.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import Final, overload

from sensors.hrm import SensorContact, ticks_to_ms

__all__ = ["DEFAULT_MAX_DRIFT_S", "Beat", "BeatClock", "BeatColumns", "GapReason", "beat_columns"]

DEFAULT_MAX_DRIFT_S: Final = 5.0
"""Polar notes RR values can arrive 3-4 s late; beyond 5 s the clock re-anchors."""


class GapReason(enum.Enum):
    """Why beats are missing before a beat flagged ``gap_before``."""

    START = "start"
    """The first beat of a stream: nothing precedes it."""
    DISCONNECTED = "disconnected"
    CONTACT_LOST = "contact_lost"
    MISSING_BEATS = "missing_beats"
    """Connected, in contact, but RR did not account for the time that passed."""
    TIME_JUMP = "time_jump"
    """An imported file's beat times jump further than its RR intervals explain."""


@dataclass(frozen=True, slots=True)
class Beat:
    """One heartbeat.

    Attributes
    ----------
    time_s : time of the beat (the end of its RR interval) in seconds since the
        Unix epoch, on the beat clock.
    rr_ms : the RR interval ending at this beat, in milliseconds, unrounded.
    gap_before : True when beats may be missing right before this one (or it is
        the first beat): never difference ``rr_ms`` with the previous beat.
    """

    time_s: float
    rr_ms: float
    gap_before: bool = False


class BeatColumns(Sequence[Beat]):
    """Many beats held as three columns: what an imported file yields.

    A sequence of :class:`Beat` (indexing, iteration and equality as for a tuple
    of beats; a slice is a :class:`BeatColumns`), whose consumers that work on
    whole batches read :attr:`time_s`, :attr:`rr_ms` and :attr:`gap_before`
    directly instead of making a hundred thousand beat objects. The columns
    are shared, not copied: treat them as read-only.
    """

    __slots__ = ("gap_before", "rr_ms", "time_s")

    def __init__(self, time_s: list[float], rr_ms: list[float], gap_before: list[bool]) -> None:
        if not len(time_s) == len(rr_ms) == len(gap_before):
            raise ValueError("beat columns differ in length")
        self.time_s = time_s
        self.rr_ms = rr_ms
        self.gap_before = gap_before

    def __len__(self) -> int:
        return len(self.time_s)

    @overload
    def __getitem__(self, index: int) -> Beat: ...
    @overload
    def __getitem__(self, index: slice) -> BeatColumns: ...
    def __getitem__(self, index: int | slice) -> Beat | BeatColumns:
        if isinstance(index, slice):
            return BeatColumns(self.time_s[index], self.rr_ms[index], self.gap_before[index])
        return Beat(self.time_s[index], self.rr_ms[index], self.gap_before[index])

    def __iter__(self) -> Iterator[Beat]:
        return map(Beat, self.time_s, self.rr_ms, self.gap_before)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, BeatColumns):
            return (self.time_s, self.rr_ms, self.gap_before) == (
                other.time_s,
                other.rr_ms,
                other.gap_before,
            )
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"BeatColumns(<{len(self)} beats>)"

    def gap_indices(self, offset: int = 0) -> list[int]:
        """Indices (plus ``offset``) of the beats flagged ``gap_before``."""
        return list(compress(range(offset, offset + len(self)), self.gap_before))


def beat_columns(beats: Sequence[Beat]) -> BeatColumns:
    """``beats`` as columns (itself when it already is :class:`BeatColumns`)."""
    if isinstance(beats, BeatColumns):
        return beats
    return BeatColumns(
        [b.time_s for b in beats], [b.rr_ms for b in beats], [b.gap_before for b in beats]
    )


class BeatClock:
    """Places RR intervals from successive packets on one timeline.

    Feed it every packet with :meth:`place`; tell it about link events with
    :meth:`disconnected` / :meth:`connected`. The same instance type serves a
    live strap and a replayed recording, so both yield identical beats.

    Parameters
    ----------
    max_drift_s : re-anchor when the newest beat and the packet arrival time
        differ by more than this many seconds.
    """

    def __init__(self, max_drift_s: float = DEFAULT_MAX_DRIFT_S) -> None:
        self.max_drift_s = max_drift_s
        self._last_beat_s: float | None = None
        self._anchored = False
        self._pending_gap: GapReason | None = GapReason.START
        self.last_gap_reason: GapReason | None = None
        """Reason of the most recent gap this clock flagged."""

    def connected(self) -> None:
        """A (re)connection: the next packet anchors the clock afresh."""
        self._anchored = False
        if self._last_beat_s is not None and self._pending_gap is None:
            self._pending_gap = GapReason.DISCONNECTED

    def disconnected(self) -> None:
        """The link dropped: beats during the disconnection are lost."""
        self._anchored = False
        if self._last_beat_s is not None:
            self._pending_gap = GapReason.DISCONNECTED

    def place(
        self, arrival_s: float, rr_ticks: Sequence[int], contact: SensorContact
    ) -> tuple[Beat, ...]:
        """Turn one packet's RR intervals into beats.

        RR from a packet that reports "no contact" are dropped: the strap is
        not on the skin and a gap follows. Returns the new beats, oldest first.
        """
        if contact is SensorContact.NO_CONTACT:
            self._anchored = False
            if self._last_beat_s is not None and self._pending_gap is None:
                self._pending_gap = GapReason.CONTACT_LOST
            return ()
        if not rr_ticks:
            return ()
        rr_ms = [ticks_to_ms(t) for t in rr_ticks]
        total_s = sum(rr_ms) / 1000.0
        gap = self._pending_gap
        if not self._anchored or self._last_beat_s is None:
            base_s = arrival_s - total_s
            if self._last_beat_s is not None:
                base_s = max(base_s, self._last_beat_s)
            self._anchored = True
        else:
            base_s = self._last_beat_s
            drift_s = arrival_s - (base_s + total_s)
            if drift_s > self.max_drift_s:
                # The clock fell behind real time: beats went missing.
                base_s = arrival_s - total_s
                gap = gap or GapReason.MISSING_BEATS
            elif drift_s < -self.max_drift_s:
                # More RR than elapsed time: pull the clock back, never before the last beat.
                base_s = max(arrival_s - total_s, self._last_beat_s)
        beats: list[Beat] = []
        t_s = base_s
        for i, rr in enumerate(rr_ms):
            t_s = t_s + rr / 1000.0
            beats.append(Beat(time_s=t_s, rr_ms=rr, gap_before=(i == 0 and gap is not None)))
        self._last_beat_s = t_s
        if gap is not None:
            self.last_gap_reason = gap
        self._pending_gap = None
        return tuple(beats)
