"""A session's report opens with a plain summary (what moved, against which baseline,
against the rest of the day) and gives every technical marker a one-line meaning."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Static

from companion.review.day import load_session
from companion.review.rows import HRV_SECTIONS
from companion.review.session_words import MARKER_MEANINGS, hrv_report_explained
from companion.store.store import Store
from tui.screens.review import SessionDetailScreen


@pytest.fixture
def store(heavy_day_store: Path) -> Iterator[Store]:
    with Store(heavy_day_store, read_only=True) as opened:
        yield opened


def _session(store: Store, label: str) -> int:
    return next(s.session_id for s in store.sessions() if s.label == label)


def test_the_summary_says_what_moved_against_which_baseline_and_the_day(store: Store) -> None:
    detail = load_session(store, _session(store, "C-52"))
    moved, baseline, day, recovery, heavy = detail.summary
    assert moved.startswith("In this session your heart rate was ")
    assert "bpm higher than your baseline" in moved and "RMSSD" in moved
    assert "in the high band" in moved
    assert baseline == detail.baseline.text
    assert baseline.startswith("Compared with your own baseline")
    # 78 (77 before the vagal marker took the 60-s ln RMSSD when lower than the blend).
    assert day.startswith("Against the rest of the day: its load of 78 (0-100) was the 3rd")
    assert "of the 12 measured sessions of the day" in day and "the other sessions averaged" in day
    assert recovery == "You were not back near your baseline before the next session began."
    assert heavy.startswith("It counts as heavy (you marked it, high stress)")


def test_a_calm_break_is_the_lowest_of_the_day(store: Store) -> None:
    summary = load_session(store, _session(store, "BRK")).summary
    assert "lower than your baseline" in summary[0]
    assert "the lowest of the 12 measured sessions of the day" in summary[2]
    assert not any(line.startswith("It counts as heavy") for line in summary)


def test_every_marker_has_a_one_line_meaning(store: Store) -> None:
    fields = {field for _, _, rows in HRV_SECTIONS for field, _, _ in rows}
    assert fields <= set(MARKER_MEANINGS)
    detail = load_session(store, _session(store, "C-52"))
    groups = hrv_report_explained(detail.hrv)
    assert [title for title, _ in groups][-1] == "Signal"
    for _, rows in groups:
        for label, _, meaning in rows:
            assert meaning and "\n" not in meaning and len(meaning) <= 90, label


class Host(App[None]):
    def __init__(self, store: Store, session_id: int) -> None:
        super().__init__()
        self.store = store
        self.session_id = session_id

    def on_mount(self) -> None:
        self.push_screen(SessionDetailScreen(self.store, self.session_id))


def _text(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


async def test_the_screen_opens_with_the_summary_and_explains_the_markers(store: Store) -> None:
    app = Host(store, _session(store, "C-52"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        first = _text(app.screen, "#against-baseline")
        assert first.startswith("In short\nIn this session your heart rate was ")
        assert "Against the rest of the day" in first
        nonlinear = _text(app.screen, "#hrv-nonlinear")
        assert "DFA α1" in nonlinear and MARKER_MEANINGS["dfa_alpha1"] in nonlinear
        assert MARKER_MEANINGS["lf_nu"] in _text(app.screen, "#hrv-frequency")


def test_the_day_so_far_is_not_a_possessive(store: Store) -> None:
    """Read "the day so far's 2 measured sessions" (issue 15, third pass)."""
    from companion.review.session_words import _against_the_day

    detail = load_session(store, _session(store, "C-52"))
    text = _against_the_day(detail.row, [detail.row], so_far=True)
    assert text is not None and "so far's" not in text
    assert "the 2 measured sessions of the day so far" in text
