"""The pipeline: source events -> beats, sessions -> store and observers.

One :class:`Pipeline` consumes any :class:`~sensors.source.BeatSource`. It
hands beats to a :class:`BeatBuffer` that batches them into the store, keeps
the open session, and tells its observers about everything, so the signal
stages (markers, stress, load, prompts) and the screen plug in as observers
without reshaping it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Final, Protocol

from companion.sessions import MIN_SESSION_S, Session, validate_kind, validate_label
from companion.store.store import Store
from sensors.beats import Beat, BeatColumns, GapReason, beat_columns
from sensors.clock import Clock, SystemClock
from sensors.events import (
    BatteryLevel,
    BeatsImported,
    CheckIn,
    Connected,
    Disconnected,
    Measurement,
    SessionEnded,
    SessionStarted,
    SourceEvent,
)
from sensors.source import BeatSource

__all__ = ["FLUSH_EVERY_S", "BeatBuffer", "Observer", "Pipeline"]

log = logging.getLogger("holdspace.pipeline")

FLUSH_EVERY_S: Final = 10.0
"""Beats reach the store at least this often, in beat time and in wall time."""


class Observer(Protocol):
    """Something that follows the pipeline: a signal stage, a summary, the screen."""

    def on_event(self, event: SourceEvent) -> None:
        """Every raw source event, before the pipeline acts on it."""

    def on_beats(self, beats: Sequence[Beat], gap_reasons: Mapping[int, GapReason]) -> None:
        """New beats, oldest first; ``gap_reasons`` indexes into ``beats``."""

    def on_session_opened(self, session: Session) -> None: ...

    def on_session_closed(self, session: Session) -> None: ...

    def on_stream_end(self, at_s: float | None) -> None:
        """The source ended (``at_s``: its last event time); the open session is still open."""


class BeatBuffer:
    """Batch beats into the store.

    A flush happens when the pending beats span :data:`FLUSH_EVERY_S` of beat
    time, when as much time has passed on the clock since the last flush, at
    every session end and at the end of the stream. So a killed process loses
    at most the last ``flush_every_s`` of beats.
    """

    def __init__(
        self,
        store: Store,
        source_id: str,
        *,
        flush_every_s: float = FLUSH_EVERY_S,
        clock: Clock | None = None,
        write_behind: bool = False,
    ) -> None:
        self.store = store
        self.source_id = source_id
        self.flush_every_s = flush_every_s
        self.clock: Clock = clock if clock is not None else SystemClock()
        self._beats = BeatColumns([], [], [])
        self._reasons: dict[int, str] = {}
        self._last_flush = self.clock.monotonic()
        self.stored_beats = 0
        # write_behind: segment files are written on a thread, one flush at a time,
        # while the next beats are worked on (a whole file read as fast as possible).
        self._writer = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="holdspace-store")
            if write_behind
            else None
        )
        self._writing: Future[None] | None = None

    @property
    def pending(self) -> int:
        return len(self._beats)

    def pending_span_s(self) -> float:
        """Beat time covered by pending beats, from the start of the first interval."""
        if not self._beats:
            return 0.0
        beats = self._beats
        return beats.time_s[-1] - (beats.time_s[0] - beats.rr_ms[0] / 1000.0)

    def add(self, beats: Sequence[Beat], gap_reasons: Mapping[int, GapReason]) -> None:
        offset = len(self._beats)
        columns = beat_columns(beats)
        self._beats.time_s.extend(columns.time_s)
        self._beats.rr_ms.extend(columns.rr_ms)
        self._beats.gap_before.extend(columns.gap_before)
        for index, reason in gap_reasons.items():
            self._reasons[offset + index] = reason.value
        if (
            self.pending_span_s() >= self.flush_every_s
            or self.clock.monotonic() - self._last_flush >= self.flush_every_s
        ):
            self.flush()

    def flush(self) -> None:
        self._last_flush = self.clock.monotonic()
        if not self._beats:
            return
        if self._writer is None:
            self.store.append_beats(self._beats, self.source_id, self._reasons)
        else:
            chunks = self.store.prepare_beats(self._beats, self.source_id, self._reasons)
            self._wait()
            self._writing = self._writer.submit(self.store.write_chunks, chunks)
        self.stored_beats += len(self._beats)
        log.debug(
            "stored %d beats (%d in all) up to t=%r",
            len(self._beats),
            self.stored_beats,
            self._beats.time_s[-1],
        )
        self._beats = BeatColumns([], [], [])
        self._reasons = {}

    def _wait(self) -> None:
        """Wait for the write in progress; its error, if any, is raised here."""
        writing, self._writing = self._writing, None
        if writing is not None:
            writing.result()

    def close(self) -> None:
        """Flush, and wait until every beat is written (write-behind)."""
        try:
            self.flush()
            self._wait()
        finally:
            if self._writer is not None:
                self._writer.shutdown(wait=True)


class Pipeline:
    """Run a beat source into the store and observers.

    Parameters
    ----------
    source_id : identifies what is being read, stored with every beat and session.
    store : where beats and sessions go; ``None`` to only observe.
    observers : told about every event, beat and session.
    flush_every_s, clock, write_behind : batching policy of the :class:`BeatBuffer`.
    """

    def __init__(
        self,
        *,
        source_id: str,
        store: Store | None = None,
        observers: Sequence[Observer] = (),
        flush_every_s: float = FLUSH_EVERY_S,
        clock: Clock | None = None,
        write_behind: bool = False,
    ) -> None:
        self.source_id = source_id
        self.store = store
        self.observers = list(observers)
        self.buffer = (
            BeatBuffer(
                store,
                source_id,
                flush_every_s=flush_every_s,
                clock=clock,
                write_behind=write_behind,
            )
            if store is not None
            else None
        )
        self.current_session: Session | None = None
        self.last_time_s: float | None = None

    async def run(self, source: BeatSource) -> None:
        """Consume ``source`` to its end; stored data is flushed whatever happens."""
        try:
            async for event in source.events():
                self.handle(event)
        finally:
            self.finish()

    def handle(self, event: SourceEvent) -> None:
        """Act on one source event."""
        for observer in self.observers:
            observer.on_event(event)
        match event:
            case Measurement(arrival_s=t, beats=beats, gap_reason=reason):
                self.last_time_s = t
                if beats:
                    self._add_beats(beats, {0: reason} if reason is not None else {})
            case BeatsImported(beats=beats, gap_reasons=reasons):
                if beats:
                    self.last_time_s = beats[-1].time_s
                    self._add_beats(beats, reasons)
            case SessionStarted(at_s=t, kind=kind, label=label):
                self.last_time_s = t
                self.start_session(kind, label, t)
            case SessionEnded(at_s=t, heavy=heavy):
                self.last_time_s = t
                self.end_session(t, heavy)
            case Connected(at_s=t) | Disconnected(at_s=t) | BatteryLevel(at_s=t) | CheckIn(at_s=t):
                self.last_time_s = t

    def _add_beats(self, beats: Sequence[Beat], reasons: Mapping[int, GapReason]) -> None:
        if self.buffer is not None:
            self.buffer.add(beats, reasons)
        for observer in self.observers:
            observer.on_beats(beats, reasons)

    def start_session(self, kind: str, label: str, at_s: float) -> Session:
        """Open a session at ``at_s``; an open one is ended there first."""
        kind = validate_kind(kind)
        label = validate_label(label)
        if self.current_session is not None:
            self.end_session(at_s)
        session = Session(kind=kind, label=label, start_s=at_s)
        if self.store is not None:
            session_id = self.store.begin_session(kind, label, at_s, self.source_id)
            session = Session(kind=kind, label=label, start_s=at_s, session_id=session_id)
        self.current_session = session
        log.info("session %s started at %s", kind, _clock_text(at_s))  # never the label
        for observer in self.observers:
            observer.on_session_opened(session)
        return session

    def end_session(self, at_s: float, heavy: bool | None = None) -> Session | None:
        """End the open session (if any) at ``at_s``; beats so far are flushed."""
        session = self.current_session
        if session is None:
            log.info("session end at %s without an open session; ignored", _clock_text(at_s))
            return None
        closed = session.ended(at_s, heavy)
        self.current_session = None
        if self.buffer is not None:
            self.buffer.flush()
        if self.store is not None and closed.session_id is not None:
            self.store.finish_session(closed.session_id, closed.end_s or at_s, heavy)
        for observer in self.observers:
            observer.on_session_closed(closed)
        too_short = (closed.duration_s or 0.0) < MIN_SESSION_S
        if too_short and self.store is not None and closed.session_id is not None:
            # Ended as it began (a slip, or "not happening"): not a session to keep.
            log.info("a session shorter than %.0f s ended; it is not kept", MIN_SESSION_S)
            self.store.drop_session(closed.session_id)
        return closed

    def finish(self) -> None:
        """End of stream: tell observers, close an open session at the last event time, flush."""
        for observer in self.observers:
            observer.on_stream_end(self.last_time_s)
        if self.current_session is not None and self.last_time_s is not None:
            self.end_session(self.last_time_s)
        if self.buffer is not None:
            self.buffer.close()


def _clock_text(time_s: float) -> str:
    return datetime.fromtimestamp(time_s).astimezone().isoformat(timespec="seconds")
