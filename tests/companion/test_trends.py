"""Trends over 7 and 30 days: numbers against hand-computed values, and careful wording."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from companion.pipeline.summary import stress_by_hour
from companion.review.trends.acts import ActOutcome
from companion.review.trends.loads import KindLoad
from companion.review.trends.report import latest_day, trends
from companion.store.store import Store

SOURCE = "test:trends"
END = date(2026, 11, 22)  # a Sunday: the 21 days up to it are ISO weeks 45, 46 and 47
WEEK_45, WEEK_46, WEEK_47 = date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)
# Mondays, Tuesdays and Thursdays are recorded, with these daily load peaks.
PEAKS = {
    WEEK_45: 30.0,
    WEEK_45 + timedelta(1): 40.0,
    WEEK_45 + timedelta(3): 50.0,
    WEEK_46: 20.0,
    WEEK_46 + timedelta(1): 60.0,
    WEEK_46 + timedelta(3): 40.0,
    WEEK_47: 80.0,
    WEEK_47 + timedelta(1): 30.0,
    WEEK_47 + timedelta(3): 55.0,
}
NO_LOAD_DAY = WEEK_47 + timedelta(4)  # a summary without a daily load (stage never ran)
# Per recorded day, ten minutes in each of these hours at this stress score.
HOUR_STRESS = {9: 20, 10: 20, 11: 20, 14: 50, 15: 60, 16: 70}


def at(day: date, hour: int, minute: int = 0) -> float:
    return datetime.combine(day, time(hour, minute)).timestamp()


def day_minutes(day: date) -> list[dict[str, Any]]:
    minutes = [
        {"start_s": at(day, hour, m), "stress": stress, "hr_bpm": 70.0}
        for hour, stress in HOUR_STRESS.items()
        for m in range(10)
    ]
    # Unscored minutes (poor signal) count nowhere.
    minutes += [{"start_s": at(day, 12, m), "stress": None, "hr_bpm": None} for m in range(5)]
    return minutes


def add_session(
    store: Store,
    kind: str,
    day: date,
    hour: int,
    analysis: dict[str, Any] | None,
    marked: bool | None = None,
    *,
    open_: bool = False,
) -> None:
    sid = store.begin_session(kind, kind[:3].upper(), at(day, hour), SOURCE)
    if not open_:
        store.finish_session(sid, at(day, hour, 50), marked)
    if analysis is not None:
        store.set_session_analysis(sid, analysis)


def prompt(
    kind: str,
    day: date,
    hour: int,
    response: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    delivered: bool = True,
) -> dict[str, Any]:
    raised_s = at(day, hour)
    return {
        "prompt_id": f"{kind}-{raised_s:.0f}",
        "kind": kind,
        "rule": "test",
        "raised_s": raised_s,
        "reason": "",
        "delivered_s": raised_s if delivered else None,
        "fate": "delivered" if delivered else "cooled_down",
        "response": response,
        "before_after": None if before is None else {"before": before, "after": after},
    }


def minute(stress: float, hr: float | None) -> dict[str, Any]:
    return {"stress": stress, "hr_bpm": hr, "ln_rmssd": 3.0}


def after(stress: float, hr: float | None) -> dict[str, Any]:
    return {"minutes": 5, "stress_mean": stress, "hr_bpm": hr, "ln_rmssd": 3.2}


@pytest.fixture(scope="module")
def three_weeks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    data = tmp_path_factory.mktemp("trends") / "data"
    with Store(data) as store:
        for day, peak in PEAKS.items():
            summary: dict[str, Any] = {"daily_load_peak": peak, "daily_load": peak - 10}
            if day >= WEEK_47:
                # The last week keeps its hour profile in the summary: no minutes are read.
                summary["stress_by_hour"] = stress_by_hour(day_minutes(day))
            else:
                store.append_epochs(day_minutes(day), SOURCE)
            store.put_day_summary(day, summary)
        store.put_day_summary(NO_LOAD_DAY, {"beats": 10})
        # Week 45: one heavy client session (peak 90).
        add_session(store, "client", WEEK_45, 9, {"load": 40.0, "heavy": False, "stress_peak": 60})
        add_session(store, "client", WEEK_45, 14, {"load": 80.0, "heavy": True, "stress_peak": 90})
        add_session(store, "supervision", WEEK_45 + timedelta(1), 10, {"load": 10.0})
        # Week 46: one heavy session (marked by the helper), one break.
        add_session(
            store, "client", WEEK_46, 9, {"load": 20.0, "heavy": True, "stress_peak": 70}, True
        )
        add_session(store, "break", WEEK_46 + timedelta(3), 12, {"load": 4.0, "heavy": False})
        # Week 47: a measured heavy one (peak 95), a heavy one without an analysis (marked),
        # and an open session, which does not count.
        add_session(store, "client", WEEK_47, 9, {"load": 60.0, "heavy": True, "stress_peak": 95})
        add_session(store, "client", WEEK_47, 14, {"load": 30.0, "heavy": False})
        add_session(store, "supervision", WEEK_47 + timedelta(3), 10, {"load": 20.0})
        add_session(store, "admin", WEEK_47 + timedelta(3), 15, None, True)
        add_session(store, "client", END, 9, {"load": 99.0}, open_=True)
        # Before the period: ignored.
        add_session(store, "client", WEEK_45 - timedelta(1), 9, {"load": 99.0, "heavy": True})
        store.put_prompts(
            [
                prompt("pause", WEEK_45, 15, "accepted", minute(80, 100), after(60, 90)),
                prompt("pause", WEEK_46, 15, "accepted", minute(70, 95), after(60, 93)),
                prompt("breathe", WEEK_46, 16, "accepted", minute(60, 90), after(55, None)),
                prompt("breathe", WEEK_47, 16, "accepted", minute(50, 80), after(50, 78)),
                prompt("contact", WEEK_47, 11, "dismissed", minute(90, 99), after(20, 70)),
                prompt("contact", WEEK_47, 12, None, minute(90, 99), after(20, 70)),
                prompt("pause", WEEK_47, 13, "accepted", minute(90, 99), None),
                prompt("pause", WEEK_47, 14, "accepted", None, None, delivered=False),
                prompt(
                    "pause", WEEK_45 - timedelta(1), 9, "accepted", minute(90, 99), after(0, 60)
                ),
            ],
            SOURCE,
        )
    with Store(data, read_only=True) as store:
        yield store


def test_daily_load_per_day_with_missing_days_as_none(three_weeks: Store) -> None:
    t = trends(three_weeks, END, days=21)
    assert (t.first, t.end, t.days) == (WEEK_45, END, 21)
    assert [d.day for d in t.daily.days] == [WEEK_45 + timedelta(i) for i in range(21)]
    by_day = {d.day: d for d in t.daily.days}
    for day, peak in PEAKS.items():
        assert (by_day[day].recorded, by_day[day].peak, by_day[day].end) == (True, peak, peak - 10)
    wednesday = by_day[WEEK_45 + timedelta(2)]
    assert (wednesday.recorded, wednesday.peak, wednesday.end) == (False, None, None)
    assert (by_day[NO_LOAD_DAY].recorded, by_day[NO_LOAD_DAY].peak) == (True, None)
    assert t.n_days_recorded == 10
    assert t.daily.mean_peak == pytest.approx(405 / 9)
    assert t.daily.headline == (
        "Daily load peaked highest on Mon 16 Nov (80), against a mean peak of 45 over 9 days, "
        "in your own data."
    )


def test_load_by_session_kind(three_weeks: Store) -> None:
    kinds = trends(three_weeks, END, days=21).kinds
    assert kinds.kinds == (
        KindLoad("client", 5, 230.0, 46.0),
        KindLoad("supervision", 2, 30.0, 15.0),
        KindLoad("break", 1, 4.0, 4.0),
    )
    assert (kinds.n_sessions, kinds.mean_all) == (8, pytest.approx(33.0))
    assert kinds.headline == (
        "Client sessions carried the most load per session (mean 46, n=5), against 33 across "
        "all 8 sessions, in your own data."
    )


def test_stress_by_hour_of_day(three_weeks: Store) -> None:
    hours = trends(three_weeks, END, days=21).hours
    assert len(hours.hours) == 24
    for h in hours.hours:
        if h.hour in HOUR_STRESS:
            assert (h.n_minutes, h.mean_stress) == (90, HOUR_STRESS[h.hour])
        else:
            assert (h.n_minutes, h.mean_stress) == (0, None)
    assert (hours.n_minutes, hours.mean_all) == (540, 40.0)
    assert hours.heaviest == (14, 15, 16)
    assert hours.headline == (
        "Afternoons (14–17 h) carried the most stress in these 21 days (mean 60 vs 40 over the "
        "day; 270 of 540 minutes), in your own data."
    )


def test_stress_by_hour_from_summary_equals_from_minutes(three_weeks: Store) -> None:
    last_week = trends(three_weeks, END, days=7).hours  # summaries only
    first_week = trends(three_weeks, WEEK_45 + timedelta(6), days=7).hours  # minutes only
    assert last_week.hours == first_week.hours


def test_heavy_sessions_per_iso_week(three_weeks: Store) -> None:
    heavy = trends(three_weeks, END, days=21).heavy
    assert [(w.year, w.week, w.monday, w.n_days) for w in heavy.weeks] == [
        (2026, 45, WEEK_45, 7),
        (2026, 46, WEEK_46, 7),
        (2026, 47, WEEK_47, 7),
    ]
    assert [(w.n_sessions, w.n_heavy, w.mean_heavy_peak) for w in heavy.weeks] == [
        (3, 1, 90.0),
        (2, 1, 70.0),
        (4, 2, 95.0),
    ]
    assert heavy.headline == (
        "The week of 16 Nov held 2 heavy of 4 sessions (you marked 1, high stress in 1 more; "
        "mean peak stress 95), against 1 of 2 in the week of 9 Nov, in your own data."
    )


def test_partial_weeks_say_how_many_days_are_in_view(three_weeks: Store) -> None:
    heavy = trends(three_weeks, WEEK_47 + timedelta(1), days=7).heavy
    assert [(w.week, w.n_days, w.n_sessions) for w in heavy.weeks] == [(46, 5, 1), (47, 2, 2)]
    assert heavy.headline == (
        "The week of 16 Nov (2 days in view) held 1 heavy of 2 sessions (high stress in 1; "
        "mean peak stress 95), "
        "against 0 of 1 in the week of 9 Nov (5 days in view), in your own data."
    )


def test_act_outcomes_over_accepted_prompts(three_weeks: Store) -> None:
    acts = trends(three_weeks, END, days=21).acts
    assert acts.acts == (
        ActOutcome("pause", 2, -15.0, -6.0),
        ActOutcome("breathe", 2, -2.5, -2.0),
        ActOutcome("contact", 0, None, None),
    )
    assert (acts.n, acts.unanswered) == (4, 1)
    assert acts.headline == (
        "Pausing was followed by the largest drop in stress (-15 points in the minutes after, "
        "against the minute before; n=2), in your own data. A small sample: read it as a hint."
    )


def test_too_few_days_say_so(three_weeks: Store) -> None:
    t = trends(three_weeks, WEEK_45 + timedelta(2), days=7)  # Mon and Tue of week 45
    assert t.n_days_recorded == 2
    assert t.daily.headline == "Not enough days yet (2 of 7) to see a pattern."
    assert t.kinds.headline == "Not enough days yet (2 of 7) to see a pattern by session kind."
    assert t.hours.headline == "Not enough days yet (2 of 7) to see a pattern by hour of day."
    assert t.hours.heaviest == ()
    # The 7 days reach back to the Sunday before week 45, with one more session and act.
    assert t.acts.headline == "Too few accepted acts yet (n=2) to compare them."
    # The numbers are still there, with their counts.
    assert t.kinds.n_sessions == 4


def test_empty_store(tmp_path: Path) -> None:
    with Store(tmp_path / "data") as store:
        t = trends(store, END, days=30)
        assert latest_day(store) is None
    assert t.n_days_recorded == 0
    assert all(d.peak is None and not d.recorded for d in t.daily.days)
    assert len(t.daily.days) == 30
    assert t.daily.headline == "No days recorded in these 30 days."
    assert t.kinds.headline == "No sessions with a measured load in these 30 days."
    assert t.hours.headline == "No scored minutes in these 30 days."
    assert t.heavy.headline == "No sessions in these 30 days."
    assert t.acts.headline.startswith("No accepted pause, breathe or contact prompts")


def test_heavy_day_store(heavy_day_store: Path) -> None:
    day = date(2026, 11, 23)
    with Store(heavy_day_store, read_only=True) as store:
        assert latest_day(store) == day
        t = trends(store, day)
        scored = [m for m in store.epochs(day) if m["stress"] is not None]
        analyses = [store.session_analysis(s.session_id) for s in store.sessions(day)]
    assert t.n_days_recorded == 1
    assert t.daily.days[-1].peak is not None
    assert t.daily.headline == "Not enough days yet (1 of 7) to see a pattern."
    assert t.hours.n_minutes == len(scored)
    assert t.kinds.n_sessions == 12
    assert sum(k.total for k in t.kinds.kinds) == pytest.approx(
        sum(a["load"] for a in analyses if a is not None)
    )
    assert sum(w.n_heavy for w in t.heavy.weeks) == 3
    # The replay recorded no answers: its delivered prompts are not counted as acts.
    assert (t.acts.n, t.acts.unanswered) == (0, 3)
    assert "3 delivered without an answer recorded are left out" in t.acts.headline


def test_days_must_be_positive(three_weeks: Store) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        trends(three_weeks, END, days=0)


def test_trends_never_import_textual() -> None:
    code = "import sys, companion.review.trends.report; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
