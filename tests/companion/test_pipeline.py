"""The pipeline: beats batched into the store, sessions opened and closed, observers told."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

import pytest

from companion.errors import HoldspaceError
from companion.pipeline.pipeline import BeatBuffer, Pipeline
from companion.sessions import Session
from companion.store.store import Store
from sensors.beats import Beat, GapReason
from sensors.clock import ManualClock
from sensors.events import BeatsImported, SessionEnded, SessionStarted, SourceEvent

T0 = 1_764_061_200.0  # 2025-11-25 09:00 UTC


class Spy:
    def __init__(self) -> None:
        self.beats: list[Beat] = []
        self.opened: list[Session] = []
        self.closed: list[Session] = []

    def on_event(self, event: SourceEvent) -> None:
        pass

    def on_beats(self, beats: Sequence[Beat], gap_reasons: Mapping[int, GapReason]) -> None:
        self.beats.extend(beats)

    def on_session_opened(self, session: Session) -> None:
        self.opened.append(session)

    def on_session_closed(self, session: Session) -> None:
        self.closed.append(session)

    def on_stream_end(self, at_s: float | None) -> None:
        self.ended_at = at_s


def _beats(n: int, start: float = T0) -> tuple[Beat, ...]:
    return tuple(Beat(start + i * 0.8, 800.0, i == 0) for i in range(n))


def test_buffer_never_holds_more_than_ten_seconds_of_beats(data_dir: Path) -> None:
    clock = ManualClock()
    with Store(data_dir) as store:
        buffer = BeatBuffer(store, "s", clock=clock)
        for beat in _beats(500):
            buffer.add([beat], {})
            assert buffer.pending_span_s() < 10.0
        assert buffer.stored_beats + buffer.pending == 500
        assert buffer.stored_beats >= 500 - 13


def test_buffer_flushes_on_wall_time_too(data_dir: Path) -> None:
    clock = ManualClock()
    with Store(data_dir) as store:
        buffer = BeatBuffer(store, "s", clock=clock)
        buffer.add(_beats(1), {})
        assert buffer.pending == 1
        clock.now += 10.0
        buffer.add(_beats(1, T0 + 1), {})
        assert buffer.pending == 0


def test_sessions_from_events_and_api(data_dir: Path) -> None:
    spy = Spy()
    with Store(data_dir) as store:
        pipeline = Pipeline(source_id="s", store=store, observers=[spy], clock=ManualClock())
        pipeline.handle(SessionStarted(T0, "client", "C-01"))
        pipeline.handle(BeatsImported(_beats(20)))
        pipeline.handle(SessionStarted(T0 + 60, "break", ""))  # closes the client session
        pipeline.end_session(T0 + 120, heavy=False)
        pipeline.start_session("supervision", "SUP", T0 + 200)
        pipeline.finish()  # closes at the last event time: too short to keep
        stored = store.sessions(date(2025, 11, 25))
        assert len(store.beats(date(2025, 11, 25))) == 20
    assert [(s.kind, s.start_s, s.end_s) for s in stored] == [
        ("client", T0, T0 + 60),
        ("break", T0 + 60, T0 + 120),
    ]
    assert [s.kind for s in spy.closed] == ["client", "break", "supervision"]
    assert len(spy.beats) == 20


def test_session_end_flushes_beats(data_dir: Path) -> None:
    with Store(data_dir) as store:
        pipeline = Pipeline(source_id="s", store=store, clock=ManualClock())
        pipeline.handle(SessionStarted(T0, "client", "C-01"))
        pipeline.handle(BeatsImported(_beats(3)))
        assert pipeline.buffer is not None and pipeline.buffer.pending == 3
        pipeline.handle(SessionEnded(T0 + 60))
        assert pipeline.buffer.pending == 0


def test_unknown_kind_and_long_label_are_refused() -> None:
    pipeline = Pipeline(source_id="s")
    with pytest.raises(HoldspaceError, match="unknown session kind"):
        pipeline.start_session("party", "", T0)
    with pytest.raises(HoldspaceError, match="keep it to"):
        pipeline.start_session("client", "x" * 80, T0)
