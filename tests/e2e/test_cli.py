"""The headless command line, run as a user would, in subprocesses."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from companion.cli.main import build_parser
from companion.store.store import Store
from sensors.recording import RecordingReader
from tests.support.cli import holdspace
from tests.support.paths import FIXTURES, ROOT, shared_file

HEAVY = FIXTURES / "heavy-day.hsrec"


def _instant(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def _assert_plain_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("holdspace: error: ")
    for needle in needles:
        assert needle in lines[0]


@pytest.fixture(scope="module")
def heavy_replay(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    data_dir = tmp_path_factory.mktemp("heavy") / "data"
    out = holdspace("replay", str(HEAVY), "--headless", "--fast", "--json", data_dir=data_dir)
    return json.loads(out.stdout), data_dir


def test_help_and_version(tmp_path: Path) -> None:
    out = holdspace("--help", data_dir=tmp_path)
    for command in ("simulate", "replay", "import", "sessions"):
        assert command in out.stdout
    assert holdspace("--version", data_dir=tmp_path).stdout.startswith("holdspace 0.")


def test_replay_lists_every_scripted_session_with_kinds_and_times(
    heavy_replay: tuple[dict[str, Any], Path],
) -> None:
    summary, _ = heavy_replay
    truth = RecordingReader(HEAVY).header.truth
    assert len(summary["sessions"]) == len(truth["sessions"]) >= 9
    for got, want in zip(summary["sessions"], truth["sessions"], strict=True):
        assert got["kind"] == want["kind"]
        assert got["label"] == want["label"]
        assert abs(_instant(got["start"]) - _instant(want["start"])) <= 1.0
        assert abs(_instant(got["end"]) - _instant(want["end"])) <= 1.0
    assert sum(s["kind"] == "client" for s in summary["sessions"]) >= 8


def test_replay_shows_a_gap_where_the_recording_had_a_disconnect(
    heavy_replay: tuple[dict[str, Any], Path],
) -> None:
    summary, _ = heavy_replay
    truth = RecordingReader(HEAVY).header.truth
    assert len(truth["disconnects"]) == 1
    disconnected = [g for g in summary["gaps"] if g["reason"] == "disconnected"]
    assert len(disconnected) == 1
    gap, cut = disconnected[0], truth["disconnects"][0]
    assert _instant(gap["start"]) <= _instant(cut["start"]) + 1.0
    assert _instant(gap["end"]) >= _instant(cut["end"]) - 1.0
    assert _instant(gap["end"]) - _instant(gap["start"]) < (
        _instant(cut["end"]) - _instant(cut["start"]) + 10.0
    )
    assert len(summary["gaps"]) == 1 + len(truth["contact_losses"])


def test_replay_counts_beats_and_artifacts(heavy_replay: tuple[dict[str, Any], Path]) -> None:
    summary, data_dir = heavy_replay
    truth = RecordingReader(HEAVY).header.truth
    assert 0.9 * truth["beats"] < summary["beats"] <= truth["beats"]
    assert 0.0 < summary["artifacts_fraction"] < 0.02
    with Store(data_dir, read_only=True) as store:
        assert len(store.beats(date(2026, 11, 23))) == summary["beats"]
        assert store.day_summary(date(2026, 11, 23))["beats"] == summary["beats"]


def test_replaying_again_replaces_rather_than_duplicates(
    heavy_replay: tuple[dict[str, Any], Path],
) -> None:
    summary, data_dir = heavy_replay
    holdspace("replay", str(HEAVY), "--headless", "--fast", data_dir=data_dir)
    sessions = json.loads(holdspace("sessions", "2026-11-23", "--json", data_dir=data_dir).stdout)
    assert [(s["kind"], s["label"]) for s in sessions] == [
        (s["kind"], s["label"]) for s in summary["sessions"]
    ]
    with Store(data_dir, read_only=True) as store:
        assert len(store.beats(date(2026, 11, 23))) == summary["beats"]


def test_text_summary_and_sessions_listing(heavy_replay: tuple[dict[str, Any], Path]) -> None:
    _, data_dir = heavy_replay
    text = holdspace("sessions", "2026-11-23", data_dir=data_dir).stdout
    assert "client" in text and "supervision" in text
    assert "No sessions" in holdspace("sessions", "2020-01-01", data_dir=data_dir).stdout


def test_simulate_then_replay_round_trip(tmp_path: Path) -> None:
    rec = tmp_path / "rest.hsrec"
    out = holdspace(
        "simulate",
        "rest",
        "--out",
        str(rec),
        "--seed",
        "3",
        "--date",
        "2026-11-25",
        data_dir=tmp_path / "d",
    )
    assert "rest" in out.stdout
    again = tmp_path / "again.hsrec"
    holdspace(
        "simulate",
        "rest",
        "--out",
        str(again),
        "--seed",
        "3",
        "--date",
        "2026-11-25",
        data_dir=tmp_path / "d",
    )
    assert rec.read_bytes() == again.read_bytes()
    text = holdspace("replay", str(rec), "--headless", "--fast", data_dir=tmp_path / "d").stdout
    assert "beats" in text and "Signal quality" in text


def test_kubios_sample_imports_423_beats_with_its_mean_rr(tmp_path: Path) -> None:
    sample = shared_file("kubios-ref", "SampleExport.txt")
    data_dir = tmp_path / "data"
    holdspace("import", str(sample), "--format", "rr-ms", "--date", "2026-11-20", data_dir=data_dir)
    with Store(data_dir, read_only=True) as store:
        beats = store.beats(date(2026, 11, 20))
    assert len(beats) == 423
    assert float(np.mean(beats.rr_ms)) == pytest.approx(707.5437, abs=1e-4)


def test_a_bad_line_names_file_and_line_and_stores_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "rr.txt"
    bad.write_text("# my export\n800\n810\n8l0\n790\n", encoding="utf-8")
    data_dir = tmp_path / "data"
    result = holdspace(
        "import",
        str(bad),
        "--format",
        "rr-ms",
        "--date",
        "2026-11-20",
        data_dir=data_dir,
        check=False,
    )
    _assert_plain_error(result, f"{bad}:4")
    with Store(data_dir, read_only=True) as store:
        assert store.days() == []
        assert store.sessions() == []


def test_a_bad_import_keeps_what_was_stored_before(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    good = tmp_path / "good.txt"
    good.write_text("800\n810\n790\n", encoding="utf-8")
    holdspace("import", str(good), "--format", "rr-ms", "--date", "2026-11-19", data_dir=data_dir)
    bad = tmp_path / "bad.txt"
    bad.write_text("800\n-5\n", encoding="utf-8")
    result = holdspace(
        "import",
        str(bad),
        "--format",
        "rr-ms",
        "--date",
        "2026-11-19",
        data_dir=data_dir,
        check=False,
    )
    _assert_plain_error(result, f"{bad}:2")
    with Store(data_dir, read_only=True) as store:
        assert len(store.beats(date(2026, 11, 19))) == 3


def test_user_mistakes_are_one_sentence_not_a_traceback(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    missing = tmp_path / "nope.hsrec"
    _assert_plain_error(
        holdspace("replay", str(missing), "--headless", data_dir=data_dir, check=False),
        str(missing),
    )
    not_rec = tmp_path / "x.hsrec"
    not_rec.write_text("hello\n", encoding="utf-8")
    _assert_plain_error(
        holdspace("replay", str(not_rec), "--headless", data_dir=data_dir, check=False),
        f"{not_rec}:1",
    )
    _assert_plain_error(
        holdspace("sessions", "yesterday-ish", data_dir=data_dir, check=False), "not a date"
    )
    usage = holdspace("import", "x", "--format", "csv-ish", data_dir=data_dir, check=False)
    assert usage.returncode == 2 and "invalid choice" in usage.stderr


def test_a_second_writer_is_told_plainly(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with Store(data_dir):
        result = holdspace(
            "replay",
            str(FIXTURES / "rest-5min.hsrec"),
            "--headless",
            "--fast",
            data_dir=data_dir,
            check=False,
        )
    _assert_plain_error(result, "another Holdspace process")


def test_output_cut_short_by_a_closed_pipe_is_no_error(tmp_path: Path) -> None:
    """``holdspace analyze ... --json | head`` ends quietly (exit 0, no traceback)."""
    env = {**os.environ, "HOLDSPACE_DATA_DIR": str(tmp_path / "d")}
    command = [sys.executable, "-m", "companion", "analyze", str(HEAVY), "--epochs", "60"]
    with subprocess.Popen(
        [*command, "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.read(100)  # more than a pipe's buffer is still to come
        process.stdout.close()
        errors = process.stderr.read().decode()
        assert process.wait() == 0
    assert "Traceback" not in errors


def test_readme_shows_every_command_with_an_example() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = set(re.findall(r"^holdspace ([a-z-]+)", readme, flags=re.MULTILINE))
    parser = build_parser()
    commands = {
        name
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for name in action.choices
    }
    assert len(commands) > 15
    assert commands - examples == set()
