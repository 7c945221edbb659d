"""The headless review of a day and of a session (companion.review.day), on the replayed
heavy day."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from companion.review.day import DayReview, baseline_note, load_day, load_session, review_days
from companion.review.rows import change_text, clock, hrv_report_rows
from companion.store.store import Store
from signals.scores.baseline import NORMS
from tests.support.paths import ROOT

HEAVY_DAY = date(2026, 11, 23)
ANSWERS = {"tension": ["shoulders", "jaw"], "intensity": 6, "heavy": True, "note": "long one"}


@pytest.fixture(scope="module")
def store(heavy_day_store: Path) -> Iterator[Store]:
    with Store(heavy_day_store, read_only=True) as opened:
        yield opened


@pytest.fixture(scope="module")
def day(store: Store) -> DayReview:
    return load_day(store, HEAVY_DAY)


def test_review_days_are_the_stored_days(store: Store) -> None:
    assert review_days(store) == [HEAVY_DAY]


def test_rows_equal_the_stored_sessions_and_analyses(store: Store, day: DayReview) -> None:
    stored = store.sessions(HEAVY_DAY)
    assert len(day.sessions) == len(stored) == 12
    assert [r.start_s for r in day.sessions] == sorted(r.start_s for r in day.sessions)
    for row, session in zip(day.sessions, stored, strict=True):
        analysis = store.session_analysis(session.session_id)
        assert analysis is not None
        assert (row.session_id, row.kind, row.label) == (
            session.session_id,
            session.kind,
            session.label,
        )
        assert (row.start_s, row.end_s, row.marked_heavy) == (
            session.start_s,
            session.end_s,
            session.heavy,
        )
        assert session.end_s is not None
        assert row.duration_s == session.end_s - session.start_s
        for key in ("stress_mean", "stress_peak", "load", "hr_change_bpm", "rmssd_change_pct"):
            assert getattr(row, key) == analysis[key], key
        assert row.minutes_high == analysis["minutes_high"]
        assert row.recovery_min == analysis["recovery_min"]
        assert row.rmssd_ms == analysis["hrv"]["time"]["rmssd_ms"]
        assert row.mean_hr_bpm == analysis["hrv"]["time"]["mean_hr_bpm"]
        assert row.check_in == ""


def test_minutes_lie_on_a_regular_grid_with_gaps_as_nan(store: Store, day: DayReview) -> None:
    epochs = store.epochs(HEAVY_DAY)
    assert day.minute_s[0] == epochs[0]["start_s"]
    assert day.minute_s[-1] == epochs[-1]["start_s"]
    assert np.all(np.diff(day.minute_s) == 60.0)
    assert day.hr_bpm.shape == day.stress.shape == day.minute_s.shape
    by_start = {float(e["start_s"]): e for e in epochs}
    for start, hr, stress in zip(day.minute_s, day.hr_bpm, day.stress, strict=True):
        epoch = by_start.get(float(start))
        if epoch is None:
            assert math.isnan(hr) and math.isnan(stress)
            continue
        assert math.isnan(hr) if epoch["hr_bpm"] is None else hr == epoch["hr_bpm"]
        assert math.isnan(stress) if epoch["stress"] is None else stress == epoch["stress"]
    summary = store.day_summary(HEAVY_DAY)
    assert summary is not None
    assert day.daily_load_end == summary["daily_load"]
    assert day.daily_load_peak == summary["daily_load_peak"]


def test_prompts_in_order_with_fates_in_words(store: Store, day: DayReview) -> None:
    assert [p.prompt_id for p in day.prompts] == [p["prompt_id"] for p in store.prompts(HEAVY_DAY)]
    assert len(day.prompts) == 8
    for prompt in day.prompts:
        assert prompt.fate_text
        if prompt.fate == "delivered":
            assert prompt.delivered_s is not None
            assert prompt.fate_text == "shown"
            assert clock(prompt.raised_s) in prompt.when_text
            assert clock(prompt.delivered_s) in prompt.when_text
            assert prompt.response_text == "no response recorded"
            assert "→" in prompt.before_after_text
        if prompt.fate == "merged":
            assert prompt.fate_text.startswith("folded into the ")


def test_the_baseline_shown_is_the_one_the_run_measured_against(
    day: DayReview, heavy_day_store: Path
) -> None:
    # The fixture replay had no stored baseline, so it used the recording's calm minutes;
    # every session analysis keeps that baseline, and the review says so.
    with Store(heavy_day_store, read_only=True) as opened:
        first = opened.sessions(HEAVY_DAY)[0]
        kept = (opened.session_analysis(first.session_id) or {})["baseline"]
    assert kept["source"] == "file-calm"
    assert day.baseline.personal
    assert day.baseline.hr_bpm == pytest.approx(kept["hr_bpm"])
    assert day.baseline.text.startswith("Compared with your own baseline: the calmest")


def test_published_norms_say_they_are_not_yet_yours() -> None:
    note = baseline_note(NORMS)
    assert not note.personal
    assert "published norms until 14 days of your own data" in note.text


def test_day_view_reads_no_raw_beats(
    heavy_day_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Store, day: date) -> None:
        raise AssertionError("the day view must not read raw beats")

    monkeypatch.setattr(Store, "beats", refuse)
    with Store(heavy_day_store, read_only=True) as opened:
        assert len(load_day(opened, HEAVY_DAY).sessions) == 12


def _with_check_in(src: Path, dst: Path, answers: dict[str, Any]) -> tuple[Path, int]:
    shutil.copytree(src, dst)
    with Store(dst) as writer:
        session = writer.sessions(HEAVY_DAY)[3]
        assert session.end_s is not None
        writer.add_check_in(session.end_s + 30.0, answers, session.session_id, "test")
    return dst, session.session_id


def test_check_in_summary_in_the_row_and_the_detail(heavy_day_store: Path, tmp_path: Path) -> None:
    path, session_id = _with_check_in(heavy_day_store, tmp_path / "data", ANSWERS)
    expected = "tension: shoulders, jaw · intensity 6/10 · marked heavy · “long one”"
    with Store(path, read_only=True) as opened:
        rows = {r.session_id: r for r in load_day(opened, HEAVY_DAY).sessions}
        assert rows[session_id].check_in == expected
        assert [r.check_in for r in rows.values() if r.session_id != session_id] == [""] * 11
        detail = load_session(opened, session_id)
    assert detail.check_in is not None
    assert detail.check_in.text == expected
    assert detail.check_in.answers == ANSWERS


def test_session_detail_covers_exactly_its_beats(store: Store) -> None:
    session = store.sessions(HEAVY_DAY)[4]
    assert session.end_s is not None
    detail = load_session(store, session.session_id)
    beats = store.beats(HEAVY_DAY)
    inside = (beats.time_s >= session.start_s) & (beats.time_s < session.end_s)
    np.testing.assert_array_equal(detail.beat_time_s, beats.time_s[inside])
    np.testing.assert_array_equal(detail.rr_ms, beats.rr_ms[inside])
    np.testing.assert_array_equal(detail.gap_before, beats.gap_before[inside])
    assert detail.beat_time_s.size > 4000
    pairs = detail.beat_time_s.size - 1 - int(detail.gap_before[1:].sum())
    assert detail.poincare_x_ms.size == detail.poincare_y_ms.size == pairs
    np.testing.assert_array_equal(detail.poincare_x_ms[:10], detail.rr_ms[:10])
    analysis = store.session_analysis(session.session_id)
    assert analysis is not None
    assert detail.hrv == analysis["hrv"]
    assert detail.row == load_day(store, HEAVY_DAY).sessions[4]


def test_session_prompts_are_raised_in_it_or_delivered_at_its_end(store: Store) -> None:
    all_prompts = store.prompts(HEAVY_DAY)
    seen = set()
    for session in store.sessions(HEAVY_DAY):
        assert session.end_s is not None
        expected = [
            p["prompt_id"]
            for p in all_prompts
            if session.start_s <= p["raised_s"] <= session.end_s
            or (p["delivered_s"] is not None and abs(p["delivered_s"] - session.end_s) <= 1.0)
        ]
        got = [p.prompt_id for p in load_session(store, session.session_id).prompts]
        assert got == expected
        seen.update(got)
    assert seen == {p["prompt_id"] for p in all_prompts}


def test_hrv_report_groups_carry_units(store: Store) -> None:
    detail = load_session(store, store.sessions(HEAVY_DAY)[0].session_id)
    groups = dict(hrv_report_rows(detail.hrv))
    assert list(groups) == ["Time domain", "Frequency domain", "Nonlinear", "Indices", "Signal"]
    time_rows = dict(groups["Time domain"])
    assert detail.hrv is not None
    assert time_rows["RMSSD (ms)"] == f"{detail.hrv['time']['rmssd_ms']:.1f}"
    for rows in groups.values():
        for label, _ in rows:
            assert label.endswith(")"), label
    assert hrv_report_rows(None) == []


def test_unknown_session_is_a_key_error(store: Store) -> None:
    with pytest.raises(KeyError):
        load_session(store, 999)


def test_wording_is_descriptive() -> None:
    assert change_text(8.0, " bpm") == "8 bpm higher than your baseline"
    assert change_text(-25.4, "%") == "25% lower than your baseline"
    assert change_text(0.2, " bpm") == "about the same as your baseline"
    assert change_text(None, " bpm") == "not measured"


def test_empty_store(tmp_path: Path) -> None:
    with Store(tmp_path / "empty") as empty:
        assert review_days(empty) == []
        review = load_day(empty, HEAVY_DAY)
    assert review.empty
    assert review.sessions == review.prompts == ()
    assert review.daily_load_end is None


def _epoch(start_s: float, i: int) -> dict[str, Any]:
    return {
        "start_s": start_s,
        "hr_bpm": 70.0 + i % 30,
        "rmssd_ms": 30.0,
        "ln_rmssd": 3.4,
        "resp_per_min": 14.0,
        "stress": i % 100,
        "band": "low",
        "hr_delta_bpm": 5.0,
        "ln_rmssd_delta": -0.1,
        "quality": "good",
        "unscored_reason": None,
        "artifact_fraction": 0.0,
        "daily_load": float(i % 100),
    }


def test_a_22_hour_day_opens_within_half_a_second(store: Store, tmp_path: Path) -> None:
    analysis = store.session_analysis(store.sessions(HEAVY_DAY)[4].session_id)
    assert analysis is not None
    start = store.sessions(HEAVY_DAY)[0].start_s - 8 * 3600.0 + 600.0
    with Store(tmp_path / "long") as writer:
        writer.append_epochs([_epoch(start + 60.0 * i, i) for i in range(22 * 60)], "long")
        for n in range(24):
            sid = writer.begin_session("client", f"C-{n}", start + 3300.0 * n, "long")
            writer.finish_session(sid, start + 3300.0 * n + 3000.0)
            writer.set_session_analysis(sid, analysis)
        writer.put_day_summary(HEAVY_DAY, {"daily_load": 50.0, "daily_load_peak": 90.0})
    with Store(tmp_path / "long", read_only=True) as opened:
        began = time.perf_counter()
        review = load_day(opened, HEAVY_DAY)
        elapsed = time.perf_counter() - began
    assert review.minute_s.size == 22 * 60
    assert len(review.sessions) == 24
    assert elapsed < 0.5


def test_review_module_is_headless() -> None:
    probe = "import json, sys, companion.review.day; print(json.dumps('textual' in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) is False
