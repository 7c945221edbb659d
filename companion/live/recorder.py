"""The headless recorder: a strap, kept connected, into the store all day.

:func:`record` runs a :class:`~sensors.ble.supervisor.StrapSupervisor` through
the same pipeline and signal stage as a replay, writes an optional ``*.hsrec``
recording as packets arrive, publishes its live state on the local socket
(:mod:`companion.live.publisher`) for a screen to attach to, and prints a status
line. An attached screen's acts (sessions, check-ins, answers to prompts) come
back over the socket and are stored here: the recorder stays the one writer.
SIGTERM or Ctrl-C ends it cleanly: the link is closed on purpose, the last
beats are stored and the recording is synced.

With an :class:`Emulation` the strap is the emulated one on a virtual radio
(``holdspace demo``, ``holdspace record --emulated``): the application code is
the same, only Bleak's backends and the clock stamping arrivals differ.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, TextIO

from companion.live.session import LiveSession
from companion.pipeline.baselines import stored_baseline
from companion.pipeline.runs import RunOutcome, run_source
from companion.pipeline.stage import MinuteResult, SignalStage
from companion.prompts.policy import Prompt
from companion.prompts.rules import PolicyConfig
from companion.sessions import Session
from companion.settings import STRAP_SETTING
from companion.store.store import Store
from sensors.beats import Beat, GapReason
from sensors.ble.supervisor import LinkState, ReconnectPolicy, StrapSupervisor, SupervisorStatus
from sensors.decoder import StrapDecoder
from sensors.events import BatteryLevel, DeviceInfo, Measurement, SourceEvent
from sensors.recording import RecordingHeader, RecordingWriter

__all__ = ["Emulation", "RecordHooks", "RecordOptions", "StatusLine", "record"]

STATUS_EVERY_S: Final = 5.0
"""How often the status line is redrawn (on a terminal) or printed (in a log)."""
LOG_STATUS_EVERY_S: Final = 60.0


@dataclass(frozen=True, slots=True)
class Emulation:
    """An emulated strap to record from instead of a real one.

    Attributes
    ----------
    events : the recording's lines (packets, link events, sessions, check-ins).
    speed : how much faster than real time the strap plays.
    play_helper : also play the recording's sessions and check-ins (the demo).
    """

    events: Sequence[Any]
    speed: float = 60.0
    play_helper: bool = True


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


@dataclass(frozen=True, slots=True)
class RecordHooks:
    """How a screen follows a recording (the headless recorder needs none of it).

    Attributes
    ----------
    observers : more pipeline observers.
    on_minute, on_prompt, on_stage : passed to :func:`~companion.pipeline.runs.run_source`.
    on_status : every state change of the strap supervisor.
    on_supervisor : the supervisor once made (the screen stops it on quit).
    wrap_source : wraps the source (the screen adds the helper's own events).
    status_line : print the status line on stderr.
    handle_signals : stop cleanly on SIGTERM / SIGINT (a screen handles keys itself).
    live : the live session these hooks feed: the live socket publishes what it hears,
        and the acts screens attached to the socket send are carried out through it.
    """

    observers: Sequence[Any] = ()
    on_minute: Callable[[MinuteResult], None] | None = None
    on_prompt: Callable[[Prompt], None] | None = None
    on_stage: Callable[[SignalStage], None] | None = None
    on_status: Callable[[SupervisorStatus], None] | None = None
    on_supervisor: Callable[[StrapSupervisor], None] | None = None
    wrap_source: Callable[[Any], Any] | None = None
    status_line: bool = True
    handle_signals: bool = True
    live: LiveSession | None = None


class StatusLine:
    """A pipeline observer printing one status line: state, heart rate, beats, battery.

    On a terminal the line is redrawn in place every few seconds; otherwise (a
    service's log) a line is printed on every state change and once a minute.
    """

    def __init__(
        self, stream: TextIO | None = None, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.monotonic = monotonic
        self.state = "starting"
        self.beats = 0
        self.hr_bpm: int | None = None
        self.battery_pct: int | None = None
        self._next = 0.0
        self._drawn = False

    def status(self, status: SupervisorStatus) -> None:
        if status.state is LinkState.GAVE_UP:
            return  # the command ends with that same sentence as its error
        changed = status.line() != self.state
        first = self.state == "starting"
        self.state = status.line()
        if first and not self.tty:
            return  # a log starts with the first real news, not "scanning"
        self.draw(force=changed)

    def on_event(self, event: SourceEvent) -> None:
        match event:
            case Measurement(measurement=m) if m.has_heart_rate:
                self.hr_bpm = m.heart_rate_bpm
            case BatteryLevel(percent=p):
                self.battery_pct = p
            case _:
                pass

    def on_beats(self, beats: Sequence[Beat], gap_reasons: Mapping[int, GapReason]) -> None:
        self.beats += len(beats)
        self.draw()

    def on_session_opened(self, session: Session) -> None:
        self.draw()

    def on_session_closed(self, session: Session) -> None:
        self.draw()

    def on_stream_end(self, at_s: float | None) -> None:
        self.close()

    def text(self) -> str:
        parts = [self.state]
        if self.hr_bpm is not None:
            parts.append(f"{self.hr_bpm} bpm")
        parts.append(f"{self.beats:,} beats stored")
        if self.battery_pct is not None:
            parts.append(f"battery {self.battery_pct}%")
        return " · ".join(parts)

    def draw(self, *, force: bool = False) -> None:
        now = self.monotonic()
        if not force and now < self._next:
            return
        self._next = now + (STATUS_EVERY_S if self.tty else LOG_STATUS_EVERY_S)
        if self.tty:
            self.stream.write(f"\r\x1b[2K{self.text()}")
            self._drawn = True
        else:
            self.stream.write(f"holdspace: {self.text()}\n")
        self.stream.flush()

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


class _WithHelperEvents:
    """The supervisor's events, with a recording's sessions and check-ins played on time."""

    def __init__(
        self, inner: StrapSupervisor, helper: Sequence[SourceEvent], now_s: Callable[[], float]
    ) -> None:
        self.inner = inner
        self.helper = sorted(helper, key=lambda e: float(getattr(e, "at_s", 0.0)))
        self.now_s = now_s
        self.source_id = inner.source_id
        self.description = inner.description
        self.speed = 1.0

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


async def record(
    store: Store,
    options: RecordOptions,
    *,
    status: StatusLine | None = None,
    hooks: RecordHooks | None = None,
) -> RunOutcome:
    """Record until SIGTERM, Ctrl-C, ``duration_s`` or the end of an emulated script.

    Raises :class:`~sensors.ble.errors.StrapError` when the strap cannot be
    reached and retrying cannot help; what was received before is stored.
    """
    from sensors.ble.errors import strap_not_found

    loop = asyncio.get_running_loop()
    hooks = hooks if hooks is not None else RecordHooks()
    emulation = options.emulation
    scanner_backend = client_backend = None
    wall: Callable[[], float] = time.time
    strap = None
    helper: list[SourceEvent] = []
    if emulation is not None:
        from sensors.emulated.radio import VirtualRadio
        from sensors.emulated.script import StrapScript
        from sensors.emulated.strap import EmulatedStrap

        radio = VirtualRadio()
        script = StrapScript.from_events(emulation.events)
        helper = list(script.helper_events) if emulation.play_helper else []
        strap = EmulatedStrap(radio, script, speed=emulation.speed)
        await strap.start()
        scanner_backend, client_backend = radio.scanner_backend, radio.client_backend
        wall = strap.now_s
        address = strap.address
    else:
        chosen: str | None = options.device or store.setting(STRAP_SETTING)
        if not chosen:
            chosen = await _choose_strap()
        if not chosen:
            raise strap_not_found(None)
        address = chosen
    started = datetime.fromtimestamp(wall(), UTC).astimezone()
    writer = None
    if options.out is not None:
        writer = RecordingWriter(
            options.out,
            RecordingHeader(
                started_at=started,
                recording_id=uuid.uuid4().hex,
                device=DeviceInfo(address=address),
            ),
        )
    status = status if status is not None else StatusLine()
    feed = None
    if options.socket_path is not None:
        from companion.live.publisher import QuietListener, start_feed

        if hooks.live is None:  # headless: a live session takes the attached screens' acts
            if hooks != RecordHooks():
                raise ValueError("hooks that serve the live socket need their live session")
            hooks = LiveSession(store, QuietListener()).record_hooks(headless=True)
        assert hooks.live is not None
        feed = await start_feed(
            options.socket_path,
            hooks.live,
            lambda: {"source": supervisor.source_id, **supervisor.describe()},
        )

    def on_status(s: SupervisorStatus) -> None:
        if hooks.status_line:
            status.status(s)
        if hooks.on_status is not None:
            hooks.on_status(s)

    supervisor = StrapSupervisor(
        address,
        decoder=StrapDecoder(recorder=writer),
        scanner_backend=scanner_backend,
        client_backend=client_backend,
        policy=options.policy,
        pair=options.pair,
        wall=wall,
        on_status=on_status,
    )
    supervisor.source_id = f"strap:{address}:{started.isoformat(timespec='seconds')}"
    if hooks.on_supervisor is not None:
        hooks.on_supervisor(supervisor)
    source: Any = supervisor
    if emulation is not None and helper:
        source = _WithHelperEvents(supervisor, helper, wall)
        source.speed = emulation.speed
    if hooks.wrap_source is not None:
        source = hooks.wrap_source(source)
    stoppers: list[asyncio.Task[None]] = []
    signals = (signal.SIGTERM, signal.SIGINT) if hooks.handle_signals else ()
    for signum in signals:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, supervisor.stop)
    if options.duration_s is not None:
        stoppers.append(loop.create_task(_stop_after(options.duration_s, supervisor)))
    if strap is not None:
        stoppers.append(loop.create_task(_stop_when_played(strap, supervisor)))
    if emulation is None:
        store.put_setting(STRAP_SETTING, address)  # remembered for next time
    observers: list[Any] = [status] if hooks.status_line else []
    observers.extend(hooks.observers)
    try:
        outcome = await run_source(
            source,
            store,
            observers=observers,
            baseline=stored_baseline(store, started.date()),
            extra={"source": supervisor.description, "device": address},
            on_minute=hooks.on_minute,
            on_prompt=hooks.on_prompt,
            on_stage=hooks.on_stage,
            policy_config=options.policy_config,
        )
    finally:
        for signum in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
        for task in stoppers:
            task.cancel()
        if hooks.status_line:
            status.close()
        if writer is not None:
            writer.sync()
            writer.close()
        if feed is not None:
            await feed.close()
        if strap is not None:
            await strap.stop()
    return outcome


async def _stop_after(duration_s: float, supervisor: StrapSupervisor) -> None:
    await asyncio.sleep(duration_s)
    supervisor.stop()


async def _stop_when_played(strap: Any, supervisor: StrapSupervisor) -> None:
    await strap.finished()
    supervisor.stop()


async def _choose_strap() -> str | None:
    """The one heart-rate strap nearby, or None; several is an error naming them."""
    from companion.errors import HoldspaceError
    from sensors.ble.scan import scan_straps

    found = [s for s in await scan_straps() if s.advertises_hr]
    if len(found) > 1:
        names = ", ".join(f"{s.name or 'unnamed'} ({s.address})" for s in found)
        raise HoldspaceError(f"Several straps are nearby ({names}); choose one with --device")
    return found[0].address if found else None
