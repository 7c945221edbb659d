"""A beat source with the helper's own acts put into its stream as they happen."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from sensors.events import SourceEvent

if TYPE_CHECKING:
    from sensors.source import BeatSource

__all__ = ["MergedSource"]


class MergedSource:
    """A source's events with the helper's own events put in as they happen."""

    def __init__(self, inner: BeatSource) -> None:
        self.inner = inner
        self.source_id = inner.source_id
        self.description = inner.description
        self._queue: asyncio.Queue[SourceEvent | None] = asyncio.Queue()

    @property
    def progress(self) -> float | None:
        return self.inner.progress

    def put(self, event: SourceEvent) -> None:
        self._queue.put_nowait(event)

    async def events(self) -> AsyncIterator[SourceEvent]:
        async def pump() -> None:
            try:
                async for event in self.inner.events():
                    self._queue.put_nowait(event)
            finally:
                self._queue.put_nowait(None)

        pumping = asyncio.create_task(pump())
        try:
            while (event := await self._queue.get()) is not None:
                yield event
        finally:
            if not pumping.done():
                pumping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pumping  # re-raises the inner source's error
