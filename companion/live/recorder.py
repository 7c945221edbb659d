"""The headless recorder: a strap, kept connected, into the store all day.

:func:`record` runs a :class:`~sensors.ble.supervisor.StrapSupervisor` through
the same pipeline and signal stage as a replay, writes an optional ``*.hsrec``
recording as packets arrive, publishes its live state on the local socket
(:mod:`companion.live.publisher`) for a screen to attach to, and prints a status
line. An attached screen's acts (sessions, check-ins, answers to prompts) come
back over the socket and are stored here: the recorder stays the one writer.
SIGTERM or Ctrl-C ends it cleanly: the link is closed on purpose, the last
beats are stored and the recording is synced. :func:`record_live` records the
same way for a screen's :class:`~companion.live.session.LiveSession`.

A recording is a few steps: reach the strap (:func:`_reach_strap`), open the
recording file, make the supervisor that tells the listeners its link, serve the
socket, run the source (:func:`~companion.pipeline.runs.run_source`) until
something stops it (:class:`_Stoppers`), and close it all in order
(:func:`_close`). Whoever follows a recording is a
:class:`~companion.pipeline.listener.RunListener`.

With an :class:`Emulation` the strap is the emulated one on a virtual radio
(``holdspace demo``, ``holdspace record --emulated``): the application code is
the same, only Bleak's backends and the clock stamping arrivals differ.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import signal
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from companion.errors import HoldspaceError
from companion.live.publisher import QuietListener, RecorderFeed, start_feed
from companion.live.session import LiveSession
from companion.live.status_line import StatusLine
from companion.pipeline.baselines import stored_baseline
from companion.pipeline.listener import RunListener
from companion.pipeline.runs import RunOutcome, run_source
from companion.prompts.types import PolicyConfig
from companion.readiness.policy import day_policy
from companion.settings import STRAP_SETTING
from companion.store.store import Store
from sensors.ble.errors import strap_not_found
from sensors.ble.link import ReconnectPolicy, SupervisorStatus
from sensors.ble.scan import scan_straps
from sensors.ble.supervisor import StrapSupervisor
from sensors.decoder import StrapDecoder
from sensors.events import DeviceInfo, SourceEvent
from sensors.recording import RecordingHeader, RecordingWriter
from sensors.source import BeatSource

if TYPE_CHECKING:
    from sensors.emulated.strap import EmulatedStrap

__all__ = ["Emulation", "RecordOptions", "record", "record_live"]


@dataclass(frozen=True, slots=True)
class Emulation:
    """An emulated strap to record from instead of a real one.

    Attributes
    ----------
    events : the recording's lines (packets, PMD frames, link events, sessions, check-ins).
    generate : makes the events instead, in a thread when the strap starts (the demo's
        generated day: seconds of work that would otherwise keep the screen from drawing).
    speed : how much faster than real time the strap plays.
    play_helper : also play the recording's sessions and check-ins (the demo).
    pmd : the strap is a Polar H10 serving PMD with the events' ECG and ACC frames
        (whether the recorder starts them is :attr:`RecordOptions.pmd`).
    """

    events: Sequence[Any] = ()
    generate: Callable[[], Sequence[Any]] | None = None
    speed: float = 60.0
    play_helper: bool = True
    pmd: bool = False


@dataclass(frozen=True, slots=True)
class RecordOptions:
    """What ``holdspace record`` was asked to do."""

    device: str | None = None
    out: Path | None = None
    pair: bool = False
    socket_path: Path | None = None
    duration_s: float | None = None
    emulation: Emulation | None = None
    policy: ReconnectPolicy = field(default_factory=ReconnectPolicy)
    policy_config: PolicyConfig | None = None
    """The prompt thresholds (the helper's settings); None: the defaults."""
    pmd: bool = False
    """Start the strap's ECG and accelerometer when it serves Polar's PMD service (the
    ``ecg_motion`` setting); a strap without it streams heart rate as always."""


class _WithHelperEvents:
    """The supervisor's events, with a recording's sessions and check-ins played on time."""

    def __init__(
        self,
        inner: StrapSupervisor,
        helper: Sequence[SourceEvent],
        now_s: Callable[[], float],
        speed: float,
    ) -> None:
        self.inner = inner
        self.helper = sorted(helper, key=lambda e: float(getattr(e, "at_s", 0.0)))
        self.now_s = now_s
        self.source_id = inner.source_id
        self.description = inner.description
        self.speed = speed

    @property
    def progress(self) -> float | None:
        return None

    async def events(self) -> AsyncIterator[SourceEvent]:
        queue: asyncio.Queue[SourceEvent | None] = asyncio.Queue()

        async def pump() -> None:
            try:
                async for event in self.inner.events():
                    queue.put_nowait(event)
            finally:
                queue.put_nowait(None)

        async def helper() -> None:
            for event in self.helper:
                wait_s = (float(getattr(event, "at_s", 0.0)) - self.now_s()) / self.speed
                if wait_s > 0:
                    await asyncio.sleep(wait_s)
                queue.put_nowait(event)

        pumping = asyncio.create_task(pump())
        playing = asyncio.create_task(helper())
        try:
            while (event := await queue.get()) is not None:
                yield event
        finally:
            playing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await playing
            await pumping  # re-raises a StrapError of the supervisor


@dataclass(frozen=True, slots=True)
class _Strap:
    """The strap a recording reaches: where it is, and how (Bleak's backends, the clock).

    Attributes
    ----------
    address : the strap's Bluetooth address.
    wall : the wall clock stamping arrivals (the emulated strap's, for an emulation).
    scanner_backend, client_backend : Bleak's backends (None: the system's Bluetooth).
    emulated : the emulated strap playing its script, or None for a real one.
    helper : the helper's events the emulation also plays (sessions, check-ins).
    speed : how much faster than real time the emulated strap plays.
    """

    address: str
    wall: Callable[[], float] = time.time
    scanner_backend: Any = None
    client_backend: Any = None
    emulated: EmulatedStrap | None = None
    helper: Sequence[SourceEvent] = ()
    speed: float = 1.0


async def record(
    store: Store, options: RecordOptions, *, status: StatusLine | None = None
) -> RunOutcome:
    """Record headless until SIGTERM, Ctrl-C, ``duration_s`` or the end of an emulated script.

    A status line follows the recording; on a socket (``options.socket_path``) a live
    session of its own takes the acts of the screens attached to it.

    Raises :class:`~sensors.ble.errors.StrapError` when the strap cannot be
    reached and retrying cannot help; what was received before is stored.
    """
    status = status if status is not None else StatusLine()
    live = None
    if options.socket_path is not None:
        live = LiveSession(store, QuietListener())
    listeners: list[RunListener] = [status, *([live] if live is not None else [])]
    return await _record(store, options, listeners, live, status)


async def record_live(live: LiveSession, options: RecordOptions) -> RunOutcome:
    """Record from a strap (or the emulated one, ``options.emulation``) for a screen.

    The screen's live session hears the recording and puts the helper's acts into it;
    the screen handles keys itself (no status line, no signal handlers).
    """
    if live.store is None:
        raise ValueError("a strap is always recorded into a store")
    if options.policy_config is None and live.policy_config is not None:
        options = dataclasses.replace(options, policy_config=live.policy_config)
    return await _record(live.store, options, [live], live, None)


async def _record(
    store: Store,
    options: RecordOptions,
    listeners: Sequence[RunListener],
    live: LiveSession | None,
    status: StatusLine | None,
) -> RunOutcome:
    """The recording's steps, heard by ``listeners``.

    ``live`` (needed on a socket) takes the helper's acts; ``status`` is the headless
    recorder's status line, which also stops on SIGTERM / Ctrl-C (None: a screen's).
    """
    strap = await _reach_strap(store, options)
    started = datetime.fromtimestamp(strap.wall(), UTC).astimezone()
    writer = _open_writer(options.out, started, strap.address)
    supervisor = _supervise(strap, options, writer, started, listeners)
    feed = await _serve(options.socket_path, live, supervisor)
    for listener in listeners:
        listener.on_supervisor(supervisor)
    source = _source(supervisor, strap, live)
    stoppers = _Stoppers(supervisor, strap.emulated, options.duration_s, signals=status is not None)
    if strap.emulated is None:
        store.put_setting(STRAP_SETTING, strap.address)  # remembered for next time
    try:
        return await run_source(
            source,
            store,
            listeners=listeners,
            baseline=stored_baseline(store, started.date()),
            extra={"source": supervisor.description, "device": strap.address},
            policy_config=(
                live.day_config(started.date(), options.policy_config)
                if live is not None
                else day_policy(store, started.date(), options.policy_config).config
            ),
        )
    finally:
        stoppers.cancel()
        await _close(status, writer, feed, strap.emulated)


async def _reach_strap(store: Store, options: RecordOptions) -> _Strap:
    """The strap to record: the emulated one, started, or a real one's address.

    A real strap is the one asked for, else the one remembered, else the one nearby.
    """
    if options.emulation is not None:
        return await _start_emulation(options.emulation)
    chosen: str | None = options.device or store.setting(STRAP_SETTING)
    if not chosen:
        chosen = await _choose_strap()
    if not chosen:
        raise strap_not_found(None)
    return _Strap(chosen)


async def _start_emulation(emulation: Emulation) -> _Strap:
    """Start the emulated strap on a virtual radio of its own."""
    # Bumble (the virtual radio) loads only when a strap is emulated.
    from sensors.emulated.radio import VirtualRadio
    from sensors.emulated.script import POLAR_H10, StrapScript
    from sensors.emulated.strap import EmulatedStrap

    events = emulation.events
    if emulation.generate is not None:
        events = await asyncio.to_thread(emulation.generate)
    script = await asyncio.to_thread(StrapScript.from_events, events)
    radio = VirtualRadio()
    profile = POLAR_H10 if emulation.pmd else None
    strap = EmulatedStrap(radio, script, profile, speed=emulation.speed)
    await strap.start()
    return _Strap(
        strap.address,
        wall=strap.now_s,
        scanner_backend=radio.scanner_backend,
        client_backend=radio.client_backend,
        emulated=strap,
        helper=tuple(script.helper_events) if emulation.play_helper else (),
        speed=emulation.speed,
    )


def _open_writer(out: Path | None, started: datetime, address: str) -> RecordingWriter | None:
    """The ``*.hsrec`` recording the packets are written to as they arrive, if asked for."""
    if out is None:
        return None
    header = RecordingHeader(
        started_at=started, recording_id=uuid.uuid4().hex, device=DeviceInfo(address=address)
    )
    return RecordingWriter(out, header)


def _supervise(
    strap: _Strap,
    options: RecordOptions,
    writer: RecordingWriter | None,
    started: datetime,
    listeners: Sequence[RunListener],
) -> StrapSupervisor:
    """The supervisor keeping the strap connected; the listeners hear its link."""

    def on_status(status: SupervisorStatus) -> None:
        for listener in listeners:
            listener.on_link(status)

    supervisor = StrapSupervisor(
        strap.address,
        decoder=StrapDecoder(recorder=writer),
        scanner_backend=strap.scanner_backend,
        client_backend=strap.client_backend,
        policy=options.policy,
        pair=options.pair,
        wall=strap.wall,
        on_status=on_status,
        pmd=options.pmd,
    )
    supervisor.source_id = f"strap:{strap.address}:{started.isoformat(timespec='seconds')}"
    return supervisor


async def _serve(
    socket_path: Path | None, live: LiveSession | None, supervisor: StrapSupervisor
) -> RecorderFeed | None:
    """Publish ``live`` on the socket, if asked to; its hello describes the strap."""
    if socket_path is None:
        return None
    if live is None:
        raise ValueError("serving the live socket needs a live session")
    return await start_feed(
        socket_path, live, lambda: {"source": supervisor.source_id, **supervisor.describe()}
    )


def _source(supervisor: StrapSupervisor, strap: _Strap, live: LiveSession | None) -> BeatSource:
    """What the pipeline runs: the strap's events, with an emulation's helper events
    played on time, and the helper's own acts when a live session takes them."""
    source: BeatSource = supervisor
    if strap.helper:
        source = _WithHelperEvents(supervisor, strap.helper, strap.wall, strap.speed)
    return live.wrap(source) if live is not None else source


class _Stoppers:
    """What stops a recording besides its strap: SIGTERM / Ctrl-C (``signals``), a
    ``duration_s``, and an emulated strap's script played to its end."""

    def __init__(
        self,
        supervisor: StrapSupervisor,
        emulated: EmulatedStrap | None,
        duration_s: float | None,
        *,
        signals: bool,
    ) -> None:
        self.loop = asyncio.get_running_loop()
        self.signals = (signal.SIGTERM, signal.SIGINT) if signals else ()
        for signum in self.signals:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                self.loop.add_signal_handler(signum, supervisor.stop)
        self.tasks: list[asyncio.Task[None]] = []
        if duration_s is not None:
            self.tasks.append(self.loop.create_task(_stop_after(duration_s, supervisor)))
        if emulated is not None:
            self.tasks.append(self.loop.create_task(_stop_when_played(emulated, supervisor)))

    def cancel(self) -> None:
        for signum in self.signals:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                self.loop.remove_signal_handler(signum)
        for task in self.tasks:
            task.cancel()


async def _close(
    status: StatusLine | None,
    writer: RecordingWriter | None,
    feed: RecorderFeed | None,
    emulated: EmulatedStrap | None,
) -> None:
    """End a recording, in order: the status line, the recording file, the socket, the
    emulated strap."""
    if status is not None:
        status.close()
    if writer is not None:
        writer.sync()
        writer.close()
    if feed is not None:
        await feed.close()
    if emulated is not None:
        await emulated.stop()


async def _stop_after(duration_s: float, supervisor: StrapSupervisor) -> None:
    await asyncio.sleep(duration_s)
    supervisor.stop()


async def _stop_when_played(strap: EmulatedStrap, supervisor: StrapSupervisor) -> None:
    await strap.finished()
    supervisor.stop()


async def _choose_strap() -> str | None:
    """The one heart-rate strap nearby, or None; several is an error naming them."""
    found = [s for s in await scan_straps() if s.advertises_hr]
    if len(found) > 1:
        names = ", ".join(f"{s.name or 'unnamed'} ({s.address})" for s in found)
        raise HoldspaceError(f"Several straps are nearby ({names}); choose one with --device")
    return found[0].address if found else None
