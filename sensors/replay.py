"""Replay a recording through the live strap path.

:class:`ReplaySource` reads a ``*.hsrec`` file and feeds every recorded payload
through :class:`~sensors.decoder.StrapDecoder`, the decoder and beat clock a
live strap uses, and every recorded PMD line through one
:class:`~sensors.pmd.stream.PmdDecoder`, the one a live Polar strap uses, at the
recorded arrival times; a ``connected`` line resets the PMD clock offset as a live
(re)connection does. Pacing uses an injected clock:
``speed=1`` is real time, ``speed=N`` is N times faster and ``speed=None`` is
as fast as possible. Beats do not depend on the speed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

from sensors.clock import Clock, SystemClock
from sensors.decoder import StrapDecoder
from sensors.events import Connected, Disconnected, SourceEvent
from sensors.hrm import HeartRateParseError
from sensors.pmd.frames import PmdParseError
from sensors.pmd.stream import PmdDecoder
from sensors.recording import (
    RecordedPacket,
    RecordedPmdFrame,
    RecordedPmdStart,
    RecordedPmdStop,
    RecordingError,
    RecordingReader,
    RecordLine,
)

__all__ = ["ReplaySource"]

_YIELD_EVERY: Final = 256
"""In fast mode, hand control back to the event loop every this many events."""


class ReplaySource:
    """A recording as a beat source.

    Parameters
    ----------
    path : the recording.
    speed : replay speed factor (1 = real time); ``None`` for as fast as possible.
    clock : the clock used for pacing (default: the system clock).

    Raises
    ------
    RecordingError
        At construction when the header is unreadable, and while iterating on
        the first bad line (with file and line); events before it were yielded.
    """

    def __init__(
        self, path: Path | str, speed: float | None = 1.0, clock: Clock | None = None
    ) -> None:
        if speed is not None and not speed > 0:
            raise ValueError(f"replay speed must be positive, got {speed}")
        self.path = Path(path)
        self.speed = speed
        self.clock: Clock = clock if clock is not None else SystemClock()
        self._reader = RecordingReader(self.path)
        self.header = self._reader.header
        self.source_id = f"recording:{self.header.recording_id}"
        self.description = f"recording {self.path.name}"
        self.decoder = StrapDecoder()
        self.pmd = PmdDecoder()

    @property
    def progress(self) -> float | None:
        if self._reader.size_bytes == 0:
            return 1.0
        return min(1.0, self._reader.bytes_read / self._reader.size_bytes)

    @property
    def truncated_tail(self) -> bool:
        """True when the file ended in a partial line, which was skipped."""
        return self._reader.truncated_tail

    async def events(self) -> AsyncIterator[SourceEvent]:
        start_mono: float | None = None
        start_t: float | None = None
        for count, (line_no, line) in enumerate(self._reader, start=1):
            if self.speed is not None:
                if start_mono is None or start_t is None:
                    start_mono, start_t = self.clock.monotonic(), line.at_s
                else:
                    due = start_mono + (line.at_s - start_t) / self.speed
                    wait = due - self.clock.monotonic()
                    if wait > 0:
                        await self.clock.sleep(wait)
            elif count % _YIELD_EVERY == 0:
                await asyncio.sleep(0)
            event = self._decode(line_no, line)
            if event is not None:
                yield event

    def _decode(self, line_no: int, line: RecordLine) -> SourceEvent | None:
        """The event one line yields through the live decoders (``None`` for PMD starts and
        stops, which only set the PMD decoder's state)."""
        match line:
            case RecordedPacket(at_s=t, payload=payload):
                try:
                    return self.decoder.packet(t, payload)
                except HeartRateParseError as exc:
                    raise RecordingError(self.path, line_no, str(exc)) from None
            case RecordedPmdFrame(at_s=t, payload=payload):
                try:
                    return self.pmd.frame(t, payload)
                except PmdParseError as exc:
                    raise RecordingError(self.path, line_no, str(exc)) from None
            case RecordedPmdStart(at_s=t, settings=settings):
                self.pmd.started(t, settings)
                return None
            case RecordedPmdStop(at_s=t, measurement=measurement):
                self.pmd.stopped(t, measurement)
                return None
            case Connected(at_s=t, device=device):
                self.pmd.reset_clock()
                return self.decoder.connected(t, device)
            case Disconnected(at_s=t, reason=reason, intentional=intentional):
                return self.decoder.disconnected(t, reason, intentional)
        return line
