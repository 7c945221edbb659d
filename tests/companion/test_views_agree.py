"""The views say the same thing: a prompt's time by one rule, one date parser for every
command, and dates on a listing that spans days."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path

import pytest

from companion.cli import main as cli
from companion.cli.args import date_arg
from companion.review.heavy import Heaviness
from companion.review.html import _prompt_item
from companion.review.rows import PromptRow, SessionRow, prompt_when
from companion.review.session_words import load_words
from companion.store.store import Store
from tui.screens.review import prompts_text, session_cells

RAISED_S = datetime(2026, 11, 24, 11, 38).timestamp()
SHOWN_S = datetime(2026, 11, 24, 12, 27).timestamp()


def _row(delivered_s: float | None) -> PromptRow:
    return PromptRow(
        prompt_id="p1",
        kind="pause",
        rule="sustained_high",
        raised_s=RAISED_S,
        delivered_s=delivered_s,
        reason="Stress has been high for a few minutes.",
        fate="delivered" if delivered_s is not None else "capped",
        fate_text="shown" if delivered_s is not None else "not shown",
        response=None,
        response_text="",
        before_after_text="",
    )


def test_a_prompt_held_to_the_end_of_a_session_says_both_times() -> None:
    assert prompt_when(RAISED_S, SHOWN_S) == "raised 11:38, shown 12:27"
    assert prompt_when(RAISED_S, RAISED_S + 20) == "11:38"
    assert prompt_when(RAISED_S, None) == "11:38"


@pytest.mark.parametrize("delivered_s", [SHOWN_S, None])
def test_the_review_and_the_html_report_give_a_prompt_the_same_time(
    delivered_s: float | None,
) -> None:
    row = _row(delivered_s)
    assert row.when_text in prompts_text((row,)).plain
    assert f'<span class="when">{row.when_text}</span>' in _prompt_item(row)


def test_every_command_takes_today_and_yesterday() -> None:
    today = date(2026, 11, 25)
    assert date_arg("today", today) == today
    assert date_arg("Yesterday", today) == date(2026, 11, 24)
    assert date_arg("2026-11-20", today) == date(2026, 11, 20)
    with pytest.raises(argparse.ArgumentTypeError, match="'today' or 'yesterday'"):
        date_arg("tomorrow", today)


@pytest.mark.parametrize(
    "argv",
    [["report", "today", "--html", "out.html"], ["review", "yesterday"], ["sessions", "today"]],
)
def test_the_day_words_parse_for_report_review_and_sessions(argv: list[str]) -> None:
    args = cli.build_parser().parse_args(argv)
    assert args.day is not None


def test_sessions_all_lists_each_session_with_its_day(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store(data_dir) as store:
        for day in (24, 25):
            start_s = datetime(2026, 11, day, 9, 0).timestamp()
            sid = store.begin_session("client", "C-01", start_s, "test")
            store.finish_session(sid, start_s + 3000.0)
    assert cli.main(["--data-dir", str(data_dir), "sessions", "all"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["2026-11-24", "2026-11-25"]


def _session_row(load: float | None) -> SessionRow:
    start_s = datetime(2026, 11, 24, 9, 0).timestamp()
    return SessionRow(
        session_id=1,
        kind="client",
        label="C-01",
        start_s=start_s,
        end_s=start_s + 3000.0,
        duration_s=3000.0,
        mean_hr_bpm=80.0,
        hr_change_bpm=8.0,
        rmssd_ms=30.0,
        rmssd_change_pct=-10.0,
        stress_mean=60.0,
        stress_peak=70.0,
        minutes_high=4,
        load=load,
        recovery_min=12.0,
        marked_heavy=None,
        check_in="",
        heaviness=Heaviness(False, False),
    )


def test_a_session_load_is_a_whole_number_in_the_review_table_and_detail() -> None:
    row = _session_row(31.6)
    load_cell = session_cells(row)[9]
    assert str(load_cell) == "32"
    assert load_words(row) == "32"
