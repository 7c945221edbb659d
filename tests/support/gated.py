"""A source a test releases step by step, so a Pilot test drives a day by stream time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from sensors.events import SourceEvent
from sensors.source import BeatSource


def event_time(event: SourceEvent) -> float:
    at = getattr(event, "at_s", None)
    if at is None:
        at = getattr(event, "arrival_s", None)
    if at is None:  # imported beats
        beats = getattr(event, "beats", ())
        at = beats[-1].time_s if beats else 0.0
    return float(at)


class GatedSource:
    """Yields ``inner``'s events up to the released stream time, then waits for more.

    ``await gate.until(t)`` releases events up to epoch time ``t`` and returns
    when all of them have been handed on (and the pipeline has acted on them).
    """

    def __init__(self, inner: BeatSource) -> None:
        self.inner = inner
        self.source_id = inner.source_id
        self.description = inner.description
        self.released_s = float("-inf")
        self.sent_s: float | None = None
        self.first_s: float | None = None
        self.ended = False
        self._changed = asyncio.Event()
        self._caught_up = asyncio.Event()

    @property
    def progress(self) -> float | None:
        return self.inner.progress

    async def events(self) -> AsyncIterator[SourceEvent]:
        async for event in self.inner.events():
            t = event_time(event)
            if self.first_s is None:
                self.first_s = t
            while t > self.released_s:
                self._caught_up.set()
                self._changed.clear()
                await self._changed.wait()
            self.sent_s = t
            yield event
        self.ended = True
        self._caught_up.set()

    async def until(self, t_s: float) -> None:
        """Release events up to ``t_s`` and wait until the source has handed them all on."""
        self.released_s = t_s
        self._caught_up.clear()
        self._changed.set()
        await self._caught_up.wait()
        await asyncio.sleep(0)  # let the consumer act on the last event
