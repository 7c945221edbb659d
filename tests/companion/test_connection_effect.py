"""The connection effect: hand-computed means over a small week, careful lines, and the
"too little to compare" path; ``trends()`` carries it and reads the colleague book."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from companion.connect.colleagues import COLLEAGUES_FILE, ContactRecord, ContactWay, record_contact
from companion.review.trends.report import trends
from companion.review.trends.support import (
    ContactDayLoads,
    Mean,
    SessionGroup,
    connection_effect,
    read_contact_days,
)
from companion.store.store import Store

SOURCE = "test:connection"
MON = date(2026, 11, 16)
TUE, WED, THU, FRI, SAT, SUN = (MON + timedelta(days=i) for i in range(1, 7))


def at(day: date, hour: int, minute: int = 0) -> float:
    return datetime.combine(day, time(hour, minute)).timestamp()


def measured(stress: float, hr: float, rmssd_pct: float, recovery: float | None) -> dict[str, Any]:
    """A session analysis as the signal stage stores it (only the keys read here)."""
    return {
        "stress_mean": stress,
        "hr_change_bpm": hr,
        "rmssd_change_pct": rmssd_pct,
        "recovery_min": recovery,
        "load": 10.0,
    }


def add_session(
    store: Store,
    kind: str,
    day: date,
    hour: int,
    analysis: dict[str, Any] | None,
    *,
    open_: bool = False,
) -> None:
    sid = store.begin_session(kind, kind[:3].upper(), at(day, hour), SOURCE)
    if not open_:
        store.finish_session(sid, at(day, hour, 50))
    if analysis is not None:
        store.set_session_analysis(sid, analysis)


def contact(data: Path, day: date, way: ContactWay, *, ok: bool = True) -> None:
    record_contact(data, ContactRecord(t_s=at(day, 12), name="Sam", way=way, ok=ok))


@pytest.fixture
def week(tmp_path: Path) -> Path:
    """Mon 16 to Sun 22 Nov 2026.

    Mon: load 40, two client sessions, a message sent.       (contact)
    Tue: load 70, a client session, a team session.          (no contact)
    Wed: load 30, a supervision session.                     (contact)
    Thu: load 80, a client session, a failed and a test send (no contact)
    Fri: load 50, a peer session, a talk in person.          (contact)
    Sat: no summary, a talk in person.                       (contact, no load)
    Sun: a summary without a load, a supervision session without an analysis,
         and an open client session (left out).              (contact, no load)
    """
    data = tmp_path / "data"
    with Store(data) as store:
        for day, load in ((MON, 40.0), (TUE, 70.0), (WED, 30.0), (THU, 80.0), (FRI, 50.0)):
            store.put_day_summary(day, {"daily_load": load, "daily_load_peak": load + 20})
        store.put_day_summary(SUN, {"beats": 10})
        add_session(store, "client", MON, 9, measured(60, 10, -20, 12))
        add_session(store, "client", MON, 14, measured(50, 8, -30, None))
        add_session(store, "client", TUE, 9, measured(70, 12, -25, 18))
        add_session(store, "team", TUE, 14, measured(90, 30, -60, 40))
        add_session(store, "supervision", WED, 10, measured(30, 2, -9, 4))
        add_session(store, "client", THU, 9, measured(64, 6, -5, None))
        add_session(store, "peer", FRI, 10, measured(20, 4, 5, 2))
        add_session(store, "supervision", SUN, 10, None)
        add_session(store, "client", SUN, 14, measured(99, 40, -80, 60), open_=True)
    contact(data, MON, "message")
    contact(data, THU, "message", ok=False)
    contact(data, THU, "test")
    contact(data, FRI, "in_person")
    contact(data, SAT, "in_person")
    return data


def test_sessions_and_days_against_hand_computed_means(week: Path) -> None:
    with Store(week, read_only=True) as store:
        effect = trends(store, SUN, days=7).connection
    assert effect.connected == SessionGroup(
        kinds=("supervision", "peer"),
        n_sessions=3,
        stress=Mean(25.0, 2),
        hr_change_bpm=Mean(3.0, 2),
        rmssd_change_pct=Mean(-2.0, 2),
        recovery_min=Mean(3.0, 2),
    )
    assert effect.client == SessionGroup(
        kinds=("client",),
        n_sessions=4,
        stress=Mean(61.0, 4),
        hr_change_bpm=Mean(9.0, 4),
        rmssd_change_pct=Mean(-20.0, 4),
        recovery_min=Mean(15.0, 2),
    )
    assert effect.days == ContactDayLoads(
        with_contact=Mean(40.0, 3),
        without_contact=Mean(75.0, 2),
        contact_days=(MON, WED, FRI, SAT, SUN),
    )
    assert effect.book_problem is None
    assert effect.lines == (
        "In your supervision and peer sessions (2) your stress averaged 25, against 61 in "
        "client sessions (4), in your own data.",
        "Heart rate against your baseline: +3 bpm in supervision and peer sessions (2), "
        "+9 bpm in client sessions (4).",
        "RMSSD against your baseline: -2 % in supervision and peer sessions (2), -20 % in "
        "client sessions (4).",
        "Back near your baseline 3 min after supervision and peer sessions on average (2), "
        "15 min after client sessions (2).",
        "On the 3 days with a colleague contact your day's load ended at 40 on average; on "
        "the 2 days without, 75. An observation about your own days, not a cause.",
    )


def test_too_little_to_compare_shows_the_counts(week: Path) -> None:
    with Store(week, read_only=True) as store:
        effect = trends(store, TUE, days=2).connection  # Mon and Tue only
    assert (effect.connected.n_sessions, effect.client.stress) == (0, Mean(60.0, 3))
    assert effect.days.with_contact == Mean(40.0, 1)
    assert effect.days.without_contact == Mean(70.0, 1)
    assert effect.lines == (
        "Too little to compare sessions yet: 0 supervision or peer sessions and 3 client "
        "sessions with a stress score (at least 2 of each are needed).",
        "Too little to compare days yet: 1 recorded day with a colleague contact and 1 "
        "without (at least 2 of each are needed).",
    )


def test_only_metrics_known_on_both_sides_get_a_line() -> None:
    # Pure: no store. Stress on both sides, heart rate on one side only, no recovery.
    from companion.store.types import StoredSession

    def session(sid: int, kind: str, day: date) -> StoredSession:
        return StoredSession(sid, kind, "", at(day, 9), at(day, 10), None, SOURCE)

    sessions = [
        (session(1, "peer", MON), {"stress_mean": 40.0, "hr_change_bpm": 1.0}),
        (session(2, "supervision", TUE), {"stress_mean": 30.0}),
        (session(3, "client", MON), {"stress_mean": 50.0, "hr_change_bpm": 9.0}),
        (session(4, "client", WED), {"stress_mean": 70.0, "hr_change_bpm": 5.0}),
    ]
    summaries: dict[date, dict[str, Any] | None] = {MON: None, TUE: None, WED: None}
    effect = connection_effect(sessions, summaries, [])
    assert effect.connected.hr_change_bpm == Mean(1.0, 1)
    assert effect.connected.recovery_min == Mean(None, 0)
    assert effect.days.contact_days == (MON, TUE)
    assert effect.lines == (
        "In your supervision and peer sessions (2) your stress averaged 35, against 60 in "
        "client sessions (2), in your own data.",
        "Too little to compare days yet: 0 recorded days with a colleague contact and 0 "
        "without (at least 2 of each are needed).",
    )


def test_an_unreadable_colleague_book_leaves_its_contacts_out(week: Path) -> None:
    (week / COLLEAGUES_FILE).write_text("{not json", encoding="utf-8")
    days, problem = read_contact_days(week)
    assert days == frozenset()
    assert problem is not None and "is not valid JSON" in problem
    with Store(week, read_only=True) as store:
        effect = trends(store, SUN, days=7).connection
    # Mon and Sat had contacts only in the book; sessions still count on Wed, Fri and Sun.
    assert effect.days.contact_days == (WED, FRI, SUN)
    assert effect.days.with_contact == Mean(40.0, 2)
    assert effect.days.without_contact == Mean(190 / 3, 3)
    assert effect.book_problem == problem
    assert effect.lines[-1] == (
        "Contacts in your colleague book are left out (only supervision and peer sessions "
        f"count here): {problem}"
    )


def test_no_colleague_book_is_no_contacts(tmp_path: Path) -> None:
    assert read_contact_days(tmp_path) == (frozenset(), None)


def test_connection_effect_never_imports_textual() -> None:
    code = "import sys, companion.review.trends.support; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
