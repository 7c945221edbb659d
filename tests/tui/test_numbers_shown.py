"""Issue 15, QA of the demo and of a replay: every number shown is right, and says what it is.

- a session without a scored minute has no load (never "-0.0"), and its report gives its
  whole-session numbers beside the baseline's instead of "not measured";
- the session's summary says the baseline once, makes no ranking from nothing, and does
  not speak of the recording's end while the day is still being recorded;
- trends count a day still being recorded "so far" in every part, alike;
- the day's load and a session's load say which they are;
- the contact dialog offers only what it can do (``c`` adds a colleague there);
- the colleagues list says "today" and "yesterday".

All on the replayed heavy fixture day (2026-11-23, UTC in the tests), with sessions added
the way the live path stores them.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from companion.connect.colleagues import Colleague, last_contact_text, load_book
from companion.pipeline.results import SessionResult
from companion.review.day import load_day, load_session
from companion.review.rows import measured_load
from companion.review.session_words import against_baseline_lines, session_summary
from companion.review.trends.report import trends
from companion.sessions import Session
from companion.store.store import Store
from signals.scores.baseline import NORMS
from signals.scores.load import session_load, weekly_exposure

DAY = date(2026, 11, 23)
SOURCE = "test:numbers"


def at(hhmm: str) -> float:
    hour, minute = map(int, hhmm.split(":"))
    return datetime(2026, 11, 23, hour, minute).timestamp()


# -- a session without a scored minute ------------------------------------------------------


def test_a_session_without_a_scored_minute_has_a_load_of_plus_zero_and_is_not_measured() -> None:
    load = session_load(at("10:00"), at("10:00") + 40.0, [], [], NORMS, marked_heavy=True)
    assert load.load == 0.0 and math.copysign(1.0, load.load) == 1.0  # never -0.0
    assert not load.measured and load.heavy
    # It counts as a (heavy) session in the week, but adds no load to its means.
    week = weekly_exposure([load], at("12:00"))
    assert (week.n_sessions, week.n_heavy, week.mean_heavy_load, week.max_load) == (
        1,
        1,
        None,
        None,
    )


def _short_session(store: Store, start_s: float, seconds: float, hrv: dict[str, Any] | None) -> int:
    """A session of ``seconds`` stored as the live path stores it: its analysis made
    when it ends, before any of its minutes is scored."""
    sid = store.begin_session("supervision", "T-1", start_s, SOURCE)
    store.finish_session(sid, start_s + seconds, heavy=True)
    session = Session("supervision", "T-1", start_s, start_s + seconds, True, session_id=sid)
    load = session_load(start_s, start_s + seconds, [], [], NORMS, marked_heavy=True)
    analysis = SessionResult(session=session, load=load, baseline=NORMS).to_json()
    analysis["hrv"] = hrv
    store.set_session_analysis(sid, analysis)
    return sid


@pytest.fixture(scope="module")
def short_session_store(heavy_day_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The heavy day and, after it, a 40-second session T-1 whose beats give a mean heart
    rate of 69.6 bpm and an RMSSD of 33.9 ms (its HRV report), but no scored minute."""
    data = tmp_path_factory.mktemp("short") / "data"
    shutil.copytree(heavy_day_store, data)
    with Store(data) as store:
        hrv = {"time": {"mean_hr_bpm": 69.6, "rmssd_ms": 33.9}, "n_beats": 46, "duration_s": 40.0}
        _short_session(store, at("18:05"), 40.0, hrv)
    return data


def test_the_review_shows_no_load_for_the_short_session_and_never_a_negative_zero(
    short_session_store: Path,
) -> None:
    from tui.screens.review import _num, session_cells

    with Store(short_session_store, read_only=True) as store:
        row = next(r for r in load_day(store, DAY).sessions if r.label == "T-1")
        assert measured_load(store.session_analysis(row.session_id)) is None
    assert row.load is None and (row.n_minutes, row.n_scored) == (0, 0)
    load_cell = session_cells(row)[9]
    assert str(load_cell) == "–"
    # A value that rounds to zero is shown without a sign.
    assert [str(_num(v, "{:.1f}")) for v in (-0.0, -0.04, 0.04)] == ["0.0", "0.0", "0.0"]
    assert str(_num(-0.04, "{:+.1f}")) == "+0.0"


def test_the_short_sessions_report_gives_its_numbers_beside_the_baseline(
    short_session_store: Path,
) -> None:
    from tui.screens.review import _against_baseline

    with Store(short_session_store, read_only=True) as store:
        sid = next(s.session_id for s in store.sessions(DAY) if s.label == "T-1")
        detail = load_session(store, sid)
    text = _against_baseline(detail).plain
    base = detail.baseline
    assert "not measured" not in text
    assert (
        f"Heart rate: 69.6 bpm over its beats, against {base.hr_bpm:.0f} bpm in the baseline"
        in text
    )
    assert f"RMSSD: 33.9 ms over its beats, against {base.rmssd_ms:.0f} ms in the baseline" in text
    assert "Session load (0-100)" in text and "too short to measure" in text
    assert "-0" not in text
    summary = " ".join(detail.summary)
    assert "Nothing was measured" not in summary
    assert "too short to compare with your baseline minute by minute" in summary
    assert "measured session" not in summary  # no ranking of a load it does not have
    assert "back near your baseline" not in summary  # nor a recovery after it
    # The baseline is said once on the page.
    assert text.count(base.text) == 1


def test_a_session_without_any_beats_says_so_and_not_measured_only_then(
    short_session_store: Path,
) -> None:
    with Store(short_session_store, read_only=True) as store:
        sid = next(s.session_id for s in store.sessions(DAY) if s.label == "T-1")
        detail = load_session(store, sid)
    row = replace(detail.row, mean_hr_bpm=None, rmssd_ms=None)
    assert against_baseline_lines(row, detail.baseline) == [
        ("Heart rate", "not measured"),
        ("RMSSD", "not measured"),
    ]
    (first, *_) = session_summary(row, [row], detail.baseline)
    assert first.endswith("and too few beats were stored to measure it.")


# -- a day still being recorded -------------------------------------------------------------


@pytest.fixture(scope="module")
def recording(heavy_day_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The heavy day as while it is still being recorded: no day summary yet (the run
    writes it when it ends), sessions and their analyses stored as they ended."""
    data = tmp_path_factory.mktemp("recording") / "data"
    shutil.copytree(heavy_day_store, data)
    with Store(data) as store:
        store.main_db.table("days").truncate()
    yield data


def test_a_session_while_the_day_is_recorded_does_not_speak_of_its_end(recording: Path) -> None:
    with Store(recording, read_only=True) as store:
        last = store.sessions(DAY)[-1]
        detail = load_session(store, last.session_id)
        day = load_day(store, DAY)
    assert detail.so_far and day.so_far
    row = replace(detail.row, recovery_min=None)
    summary = " ".join(session_summary(row, day.sessions, detail.baseline, so_far=True))
    assert "recording ended" not in summary
    assert "worked out when the recording ends" in summary
    assert "the day so far" in summary
    # Finished and summarised, it says what happened.
    done = " ".join(session_summary(row, day.sessions, detail.baseline))
    assert "before the recording ended" in done


def test_the_days_load_says_which_load_it_is_and_when(
    heavy_day_store: Path, recording: Path
) -> None:
    from tui.screens.review import COLUMNS_NOTE

    with Store(heavy_day_store, read_only=True) as store:
        done = load_day(store, DAY)
    with Store(recording, read_only=True) as store:
        so_far = load_day(store, DAY)
    # 40 (39 with the blend alone: the vagal marker now takes the 60-s ln RMSSD when it
    # is lower than its blend with the 5-min one, signals.scores.stress).
    assert done.load_text == "day's load 40 at the end, highest 94 (0-100, whole day)"
    # Read back from its minutes while it is recorded: the same numbers, "so far".
    assert so_far.load_text == "day's load 40 so far, highest 94 (0-100, whole day)"
    assert "Load: the session's own, 0-100" in COLUMNS_NOTE


def test_trends_count_a_day_being_recorded_so_far_in_every_part(recording: Path) -> None:
    with Store(recording, read_only=True) as store:
        t = trends(store, DAY)
        epochs = store.epochs(DAY)
    scored = [m for m in epochs if m["stress"] is not None]
    loads = [m["daily_load"] for m in epochs if m["daily_load"] is not None]
    assert t.so_far == (DAY,)
    assert t.n_days_recorded == 1
    today = t.daily.days[-1]
    assert (today.recorded, today.so_far) == (True, True)
    assert (today.peak, today.end) == (max(loads), loads[-1])
    assert t.daily.headline == (
        "Not enough days yet (1 of 7) to see a pattern. Mon 23 Nov so far (still being recorded)."
    )
    assert t.hours.n_minutes == len(scored)
    assert t.kinds.n_sessions == 12
    assert sum(w.n_heavy for w in t.heavy.weeks) == 3
    assert t.connection.days.so_far == (DAY,)
    assert t.connection.days.with_contact.n + t.connection.days.without_contact.n == 0
    assert "Mon 23 Nov is still being recorded" in t.connection.lines[-1]


def test_trends_leave_the_short_unmeasured_session_out_of_the_loads(
    short_session_store: Path,
) -> None:
    with Store(short_session_store, read_only=True) as store:
        t = trends(store, DAY)
    assert t.kinds.n_sessions == 12  # T-1 has no load to average
    supervision = next(k for k in t.kinds.kinds if k.kind == "supervision")
    assert supervision.n == 1
    # It still counts as a heavy session (you marked it).
    assert sum(w.n_heavy for w in t.heavy.weeks) == 4


async def test_a_day_with_a_load_of_zero_has_a_mark_and_a_day_without_data_a_dot() -> None:
    from textual.app import App, ComposeResult

    from tui.screens.trends import ColumnChart

    class Chart(App[None]):
        def compose(self) -> ComposeResult:
            yield ColumnChart(rows=2, id="chart")

    app = Chart()
    async with app.run_test(size=(40, 6)):
        chart = app.query_one(ColumnChart)
        chart.show([0.0, None, 100.0], ["a", "b", "c"], width=1)
        bottom = str(chart.render()).splitlines()[1]
    assert bottom.split() == ["▁", "·", "█"]


# -- colleagues ------------------------------------------------------------------------------


def test_the_last_contact_is_told_in_calendar_days() -> None:
    now = at("08:00")
    sam = Colleague("Sam", last_contact_s=at("07:30"))
    late = Colleague("Sam", last_contact_s=at("00:00") - 3600.0)  # 23:00 the night before
    older = Colleague("Sam", last_contact_s=now - 3 * 86_400.0)
    assert last_contact_text(sam, now) == "last contact today"
    assert last_contact_text(late, now) == "last contact yesterday"
    assert last_contact_text(older, now) == "last contact 3 days ago"
    assert last_contact_text(Colleague("Sam"), now) == "no contact yet"


def test_the_colleagues_list_says_today(tmp_path: Path) -> None:
    from tui.screens.colleagues import ColleaguesScreen

    sam = Colleague("Sam", last_contact_s=at("07:30"))
    line = ColleaguesScreen(tmp_path, now_s=at("08:00")).describe(sam)
    assert "last contact today" in line and "d ago" not in line


@pytest.fixture
def _only_loopback(loopback_only: list[Any]) -> list[Any]:
    return loopback_only


@pytest.mark.filterwarnings("ignore:Session.login_data is deprecated")
@pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning")
@pytest.mark.usefixtures("_only_loopback")
async def test_c_in_the_contact_dialog_adds_a_colleague_and_send_shows_only_then(
    data_dir: Path,
) -> None:
    from textual.widgets import Static

    from sensors.clock import ManualClock
    from tests.support.app import idle
    from tests.support.loopback import SECRET
    from tui.app import HoldspaceApp
    from tui.modals.contact import ContactScreen
    from tui.screens.colleagues import AddColleagueScreen

    store = Store(data_dir)
    app = HoldspaceApp(idle, store=store, clock=ManualClock(0.0))
    app.wall_time = lambda: at("10:42")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("k")
            dialog = app.screen
            assert isinstance(dialog, ContactScreen)
            hint = str(dialog.query_one(".hint", Static).render())
            assert "ctrl+s" not in hint and "c add a colleague" in hint
            assert dialog.check_action("send", ()) is False
            assert "c adds one here" in str(dialog.query_one("#no-colleagues", Static).render())

            await pilot.press("c")
            assert isinstance(app.screen, AddColleagueScreen)
            await pilot.press(*"Robin", "enter")
            await pilot.press(*f"json://robin:{SECRET}@127.0.0.1:9/hook", "enter")
            await pilot.press("enter")  # no rhythm
            for worker in [w for w in app.workers if w.name == "add-colleague"]:
                await worker.wait()
            await pilot.pause()
            await pilot.pause()

            top: object = app.screen
            assert top is dialog  # the dialog stays, now with Robin
            assert [c.name for c in load_book(data_dir).colleagues] == ["Robin"]
            assert dialog.colleague is not None and dialog.colleague.name == "Robin"
            hint = str(dialog.query_one(".hint", Static).render())
            assert "ctrl+s send" in hint and "c add" not in hint
            assert dialog.check_action("send", ()) is True
    finally:
        store.close()


async def test_the_trends_screen_names_the_day_so_far(recording: Path) -> None:
    from tests.support.hosts import TrendsHost, settle, static_text

    with Store(recording, read_only=True) as store:
        app = TrendsHost(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            title = static_text(app, "#trends-title")
            note = static_text(app, "#daily-note")
            weeks = str(app.screen.query_one("#weeks-bars").render())
    assert "1 of 7 days recorded · Mon 23 Nov so far (still being recorded) · press t" in title
    assert "Mon: the peak so far." in note
    assert "At the end of the day" not in note  # no finished day to average
    assert "0 heavy of 0 sessions" not in weeks and "no sessions" in weeks
