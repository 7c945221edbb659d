"""A recorder served on a socket, and a listener that hears what a screen attached to it would.

:class:`Recorder` is a :class:`~companion.live.session.LiveSession` on a gated replay of the
heavy fixture (:class:`Gate`), served on a socket by :func:`~companion.live.publisher.start_feed`
exactly as ``holdspace record`` serves its strap. :class:`Heard` keeps what a listener heard and
waits for it. For ``holdspace record`` in a subprocess: :func:`holdspace_env` and
:func:`wait_for_recorder`. Every wait ends on an event; :data:`TIMEOUT_S` is a safety net.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from companion.live.listener import LinkInfo
from companion.live.publisher import QuietListener, RecorderFeed, start_feed
from companion.live.session import LiveSession
from companion.livesocket.paths import LiveSocketError
from companion.livesocket.reader import attach
from companion.pipeline.results import MinuteResult
from companion.prompts.records import Prompt
from companion.sessions import Session
from companion.store.store import Store
from sensors.beats import Beat
from sensors.events import SourceEvent
from sensors.replay import ReplaySource
from tests.support.gated import event_time
from tests.support.heavy_day import HEAVY, at

T = TypeVar("T")

TIMEOUT_S = 30.0
"""Safety net only: every wait below ends on an event, never on this timeout."""


async def within(awaitable: Awaitable[T]) -> T:
    return await asyncio.wait_for(awaitable, timeout=TIMEOUT_S)


class Gate:
    """A recording released up to a stream time at a time, which the test can end early."""

    def __init__(self, path: Path) -> None:
        self.inner = ReplaySource(path, speed=None)
        self.source_id = self.inner.source_id
        self.description = self.inner.description
        self.released_s = float("-inf")
        self.stopped = False
        self._changed = asyncio.Event()
        self._caught_up = asyncio.Event()

    @property
    def progress(self) -> float | None:
        return None

    async def events(self) -> AsyncIterator[SourceEvent]:
        async for event in self.inner.events():
            while event_time(event) > self.released_s and not self.stopped:
                self._caught_up.set()
                self._changed.clear()
                await self._changed.wait()
            if self.stopped:
                break
            yield event
        self._caught_up.set()

    async def until(self, t_s: float) -> None:
        """Release the day up to ``t_s``; return once the recorder has taken all of it."""
        self.released_s = t_s
        self._caught_up.clear()
        self._changed.set()
        await within(self._caught_up.wait())
        await asyncio.sleep(0)

    def stop(self) -> None:
        self.stopped = True
        self._changed.set()


class Recorder:
    """The recorder's side: a live session on the gated heavy day, served on the socket."""

    def __init__(self, data_dir: Path, sock: Path) -> None:
        self.sock = sock
        self.store = Store(data_dir)
        self.live = LiveSession(self.store, QuietListener())
        self.gate = Gate(HEAVY)
        self.feed: RecorderFeed | None = None
        self.task: asyncio.Task[Any] | None = None

    async def start(self) -> None:
        self.feed = await start_feed(self.sock, self.live, max_queue=100_000)
        self.task = asyncio.create_task(self.live.run(self.gate))

    async def until(self, hhmm: str) -> None:
        await self.gate.until(at(hhmm))

    async def stop(self) -> None:
        """End the day (the stream ends, the open session closes), then hang up."""
        self.gate.stop()
        if self.task is not None:
            await within(self.task)
        if self.feed is not None:
            await self.feed.close()

    async def close(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        if self.feed is not None:
            await self.feed.close()
        self.store.close()


class Heard:
    """A listener keeping what a screen would hear, with a way to wait for it."""

    def __init__(self) -> None:
        self.beats: list[Beat] = []
        self.minutes: list[MinuteResult] = []
        self.prompts: list[Prompt] = []
        self.sessions: list[tuple[Session, bool]] = []
        self.links: list[LinkInfo] = []
        self.battery: list[int] = []
        self.contact: list[bool] = []
        self.heart_rates: list[int] = []
        self.ended = 0
        self._changed = asyncio.Event()

    def _note(self) -> None:
        self._changed.set()

    async def until(self, condition: Callable[[], bool]) -> None:
        async def wait() -> None:
            while not condition():
                self._changed.clear()
                await self._changed.wait()

        await within(wait())

    def live_chest(self, samples: Any) -> None:
        pass

    def live_beats(self, beats: Sequence[Beat]) -> None:
        self.beats.extend(beats)
        self._note()

    def live_minute(self, minute: MinuteResult) -> None:
        self.minutes.append(minute)
        self._note()

    def live_prompt(self, prompt: Prompt) -> None:
        self.prompts.append(prompt)
        self._note()

    def live_session(self, session: Session, is_open: bool) -> None:
        self.sessions.append((session, is_open))
        self._note()

    def live_link(self, link: LinkInfo) -> None:
        self.links.append(link)
        self._note()

    def live_battery(self, percent: int) -> None:
        self.battery.append(percent)
        self._note()

    def live_contact(self, contact: bool) -> None:
        self.contact.append(contact)
        self._note()

    def live_heart_rate(self, hr_bpm: int) -> None:
        self.heart_rates.append(hr_bpm)
        self._note()

    def live_ended(self) -> None:
        self.ended += 1
        self._note()


STARTUP_S = 60.0
"""How long a recorder process may take to start before the test gives up (a safety net)."""


def holdspace_env(data_dir: Path, socket: Path | None = None) -> dict[str, str]:
    """The environment of a ``holdspace`` subprocess on ``data_dir`` (and ``socket``), in UTC."""
    env = {**os.environ, "HOLDSPACE_DATA_DIR": str(data_dir), "TZ": "UTC"}
    if socket is not None:
        env["HOLDSPACE_SOCKET"] = str(socket)
    return env


async def wait_for_recorder(socket: Path, process: subprocess.Popen[str]) -> None:
    """Until the recorder's socket answers (the process start is what takes time)."""
    deadline = time.monotonic() + STARTUP_S
    while True:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        try:
            async for message in attach(socket):
                assert message["type"] == "hello"
                return
        except LiveSocketError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)
