"""``--demo``: the demo's day (kept in DATA_DIR/demo) is reachable from every command that
reads the store, and the "nothing stored" messages name the way to it."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from companion.cli.args import DEMO_DIR, data_dir
from companion.cli.main import build_parser, main

READING_COMMANDS = ("review", "sessions", "report", "export", "analyze")


@pytest.fixture
def data(heavy_day_store: Path, tmp_path: Path) -> Path:
    """A data folder whose own store is empty and whose demo store holds the heavy day,
    as after ``holdspace demo`` on a new machine."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copytree(heavy_day_store, folder / DEMO_DIR)
    return folder


def _run(data: Path, *args: str) -> int:
    return main(["--data-dir", str(data), *args])


def test_the_data_dir_rule_reads_the_demo_store_with_demo(tmp_path: Path) -> None:
    parser = build_parser()
    for command, extra in (("sessions", []), ("report", ["2026-11-23", "--html", "x.html"])):
        plain = parser.parse_args(["--data-dir", str(tmp_path), command, *extra])
        demo = parser.parse_args(["--data-dir", str(tmp_path), command, *extra, "--demo"])
        assert data_dir(plain) == tmp_path
        assert data_dir(demo) == tmp_path / DEMO_DIR


def test_every_command_that_reads_the_store_takes_demo() -> None:
    subparsers = next(
        a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)
    )
    for name in READING_COMMANDS:
        options = {o for a in subparsers.choices[name]._actions for o in a.option_strings}
        assert "--demo" in options, name


def test_sessions_point_to_the_demo_and_list_it_with_demo(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(data, "sessions", "all") == 0
    out = capsys.readouterr().out
    assert "No sessions." in out
    assert "The demo's day is kept apart: add --demo (`holdspace sessions --demo`)." in out
    assert _run(data, "sessions", "2026-11-23", "--demo") == 0
    out = capsys.readouterr().out
    assert "C-33" in out and "--demo" not in out


def test_review_names_the_demo_store_instead_of_suggesting_the_demo_again(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(data, "review") == 1
    err = capsys.readouterr().err
    assert "add --demo (`holdspace review --demo`)" in err
    assert "run `holdspace demo`" not in err
    # With --demo the day is there: only the missing terminal stops it in a test.
    assert _run(data, "review", "--demo") == 1
    assert "needs a terminal" in capsys.readouterr().err


def test_report_and_export_name_the_demo_and_read_it_with_demo(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "day.html"
    assert _run(data, "report", "2026-11-23", "--html", str(page)) == 1
    assert "add --demo (`holdspace report 2026-11-23 --demo --html" in capsys.readouterr().err
    assert not page.exists()
    assert _run(data, "report", "2026-11-23", "--html", str(page), "--demo") == 0
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    out = tmp_path / "export"
    assert _run(data, "export", "--out", str(out)) == 1
    assert "add --demo (`holdspace export --demo --out" in capsys.readouterr().err
    assert _run(data, "export", "--out", str(out), "--demo") == 0
    assert (out / "beats.csv").stat().st_size > 0


def test_no_demo_hint_when_your_own_store_has_days(
    heavy_day_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    shutil.copytree(heavy_day_store, data)
    shutil.copytree(heavy_day_store, data / DEMO_DIR)
    assert _run(data, "sessions", "2020-01-01") == 0
    assert "--demo" not in capsys.readouterr().out


def test_demo_without_a_demo_store_says_to_run_the_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path / "data", "review", "--demo") == 1
    assert "run `holdspace demo` first" in capsys.readouterr().err
