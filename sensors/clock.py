"""Clocks, injected wherever time passes, so tests can run a day in a second."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

__all__ = ["Clock", "LoopClock", "ManualClock", "SystemClock"]


class Clock(Protocol):
    """A monotonic clock that can wait."""

    def monotonic(self) -> float:
        """Seconds on a monotonic scale; only differences mean anything."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` on this clock."""
        ...


class SystemClock:
    """The real clock: ``time.monotonic`` and ``asyncio.sleep``."""

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ManualClock:
    """A clock that moves only when slept on; records every wait.

    ``sleep`` advances time at once and yields to the event loop, so code that
    paces itself in real time runs instantly and deterministically.
    """

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


class LoopClock:
    """The running event loop's clock: ``loop.time()`` and ``asyncio.sleep``.

    What asyncio's own timeouts use, so a test loop that fast-forwards time
    (``looptime``) moves this clock too.
    """

    def monotonic(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))
