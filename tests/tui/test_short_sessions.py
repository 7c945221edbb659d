"""A session shorter than MIN_SESSION_S is never stored, and the end key does not end a
session that began as it was pressed (a planned or scripted one goes on)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from companion.pipeline.pipeline import Pipeline
from companion.sessions import MIN_SESSION_S
from companion.store.store import Store
from sensors.clock import ManualClock
from sensors.events import SessionEnded, SessionStarted
from tests.support.app import SIZE, Day
from tests.support.heavy_day import at
from tui.modals.session import CheckInScreen
from tui.screens.live import LiveScreen

T0 = 1_764_057_600.0 + 9 * 3600  # 2025-11-25 09:00 UTC
DAY = date(2025, 11, 25)


def _spans(store: Store) -> list[tuple[str, float, float | None]]:
    return [
        (s.label, s.start_s - T0, None if s.end_s is None else s.end_s - T0)
        for s in store.sessions(DAY)
    ]


def test_a_session_ended_as_it_began_is_not_stored(data_dir: Path) -> None:
    with Store(data_dir) as store:
        pipeline = Pipeline(source_id="s", store=store, clock=ManualClock())
        session = pipeline.start_session("client", "C-04", T0)
        pipeline.handle(SessionEnded(T0 + 1))
        assert pipeline.current_session is None
        assert session.session_id is not None
        store.set_session_analysis(session.session_id, {"load": 0.0})  # gone: a no-op
        assert _spans(store) == []


def test_a_session_replaced_within_the_minimum_is_not_stored(data_dir: Path) -> None:
    with Store(data_dir) as store:
        pipeline = Pipeline(source_id="s", store=store, clock=ManualClock())
        pipeline.handle(SessionStarted(T0, "client", "C-01"))  # a slip
        pipeline.handle(SessionStarted(T0 + MIN_SESSION_S - 1, "client", "C-02"))
        pipeline.handle(SessionEnded(T0 + 600))
        assert _spans(store) == [("C-02", MIN_SESSION_S - 1, 600.0)]


def test_a_session_cut_short_by_the_end_of_the_stream_is_not_stored(data_dir: Path) -> None:
    with Store(data_dir) as store:
        pipeline = Pipeline(source_id="s", store=store, clock=ManualClock())
        pipeline.handle(SessionStarted(T0, "client", "C-01"))
        pipeline.handle(SessionEnded(T0 + 600))
        pipeline.handle(SessionStarted(T0 + 600, "break", ""))
        pipeline.finish()
        assert _spans(store) == [("C-01", 0.0, 600.0)]


def test_a_session_of_the_minimum_length_is_kept(data_dir: Path) -> None:
    with Store(data_dir) as store:
        pipeline = Pipeline(source_id="s", store=store, clock=ManualClock())
        pipeline.handle(SessionStarted(T0, "client", "C-01"))
        pipeline.handle(SessionEnded(T0 + MIN_SESSION_S))
        assert _spans(store) == [("C-01", 0.0, MIN_SESSION_S)]


async def test_the_end_key_as_a_session_begins_leaves_it_running(data_dir: Path) -> None:
    day = Day(data_dir)
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:27")
        day.app.live.start_session("client", "C-04")  # as a plan or the script would
        await pilot.pause()
        started = day.app.live.session
        assert started is not None and started.label == "C-04"
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(day.app.screen, LiveScreen)  # no check-in: nothing ended
        assert day.app.live.session == started
        await day.until(pilot, "08:30")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(day.app.screen, CheckInScreen)
        await pilot.press("escape")
        await pilot.pause()
        stored = [s for s in day.store.sessions() if s.label == "C-04"]
        assert len(stored) == 1 and stored[0].end_s is not None
        assert stored[0].end_s >= at("08:29")  # ended by the second key, not the first
    day.store.close()
