"""One definition of a heavy session (companion.review.heavy), and trends, the review, the day
report and the export all count by it, saying which half each heavy session meets."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from companion.review.day import load_day
from companion.review.export import ExportOptions, write_export
from companion.review.heavy import Heaviness, heaviness, heavy_count_text
from companion.review.html import build_day_report
from companion.review.trends.report import trends
from companion.store.store import Store

CALM = {"session_load": {"mean_stress": 40.0, "sustained_peak_stress": 60.0}}
SUSTAINED_HIGH = {"session_load": {"mean_stress": 50.0, "sustained_peak_stress": 80.0}}


@pytest.mark.parametrize(
    ("marked", "analysis", "expected"),
    [
        (None, CALM, Heaviness(False, False)),
        (True, CALM, Heaviness(True, False)),
        (False, SUSTAINED_HIGH, Heaviness(False, True)),  # "not heavy", yet high stress
        (None, {"stress_mean": 76.0}, Heaviness(False, True)),  # no session_load kept
        (None, {"stress_mean": 75.9}, Heaviness(False, False)),
        (None, {"heavy": True}, Heaviness(False, True)),  # only the analysis' own verdict
        (None, None, Heaviness(False, False)),
    ],
)
def test_heavy_is_marked_or_high_stress(
    marked: bool | None, analysis: dict[str, object] | None, expected: Heaviness
) -> None:
    assert heaviness(marked, analysis, kind="client") == expected


@pytest.mark.parametrize("marked", [None, False, True])
def test_a_break_is_heavy_only_when_marked(marked: bool | None) -> None:
    high = {"session_load": {"mean_stress": 85.0, "sustained_peak_stress": 90.0}}
    assert heaviness(marked, high, kind="break") == Heaviness(marked is True, False)
    assert heaviness(marked, high, kind="supervision").high_stress


def test_the_words_say_which_half() -> None:
    items = [Heaviness(True, True), Heaviness(True, False), Heaviness(False, True)]
    items.append(Heaviness(False, False))
    assert (
        heavy_count_text(items, 4) == "3 heavy of 4 sessions (you marked 2, high stress in 1 more)"
    )
    assert heavy_count_text(items[2:]) == "1 heavy (high stress in 1)"
    assert Heaviness(True, True).text == "heavy (you marked it, high stress)"
    assert Heaviness(False, False).text == ""


@pytest.fixture(scope="module")
def marked_later(heavy_day_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The heavy day where the helper's marks changed after the sessions were analysed:
    two calm client sessions marked heavy in their check-ins, and one with stress in the
    high band (analysed heavy) marked "not heavy" — as the demo's helper does."""
    data = tmp_path_factory.mktemp("heavy-marks") / "data"
    shutil.copytree(heavy_day_store, data)
    with Store(data) as store:
        by_label = {s.label: s for s in store.sessions()}
        for label, heavy in (("C-36", True), ("C-21", True), ("C-52", False)):
            session = by_label[label]
            assert session.end_s is not None
            store.add_check_in(session.end_s + 60.0, {"heavy": heavy}, session.session_id, "t")
            store.mark_heavy(session.session_id, heavy)
    return data


def test_trends_review_report_and_export_agree(marked_later: Path, tmp_path: Path) -> None:
    with Store(marked_later, read_only=True) as store:
        day = store.days()[0]
        review = load_day(store, day)
        week = trends(store, day, 7).heavy.weeks[-1]
        page = build_day_report(store, day)
        write_export(store, ExportOptions(day, day, "csv", tmp_path / "out"))
    by_label = {row.label: row.heaviness for row in review.sessions}
    heavy = sorted(label for label, h in by_label.items() if h.heavy)
    assert heavy == ["C-16", "C-21", "C-36", "C-50", "C-52"]
    assert by_label["C-52"] == Heaviness(marked=False, high_stress=True)
    assert by_label["C-36"] == Heaviness(marked=True, high_stress=False)
    expected = "5 heavy of 12 sessions (you marked 4, high stress in 1 more)"
    assert review.heavy_text == expected
    assert (week.n_heavy, week.n_marked, week.heavy_text) == (5, 4, expected)
    assert expected in page
    with (tmp_path / "out" / "sessions.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["label"] for r in rows if r["heavy"] == "1") == heavy
    assert sum(r["marked_heavy"] == "1" for r in rows) == 4
