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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sensors.hrm import SensorContact, ticks_to_ms

__all__ = ["DEFAULT_MAX_DRIFT_S", "Beat", "BeatClock", "GapReason"]

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
