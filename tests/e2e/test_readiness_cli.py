"""``holdspace readiness`` and ``holdspace simulate --days`` as a user runs them (issue 20)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from companion.store.store import Store
from sensors.recording import RecordingReader
from tests.support.cli import holdspace
from tests.support.week import FIRST, plan, store_mornings

LAST = FIRST + timedelta(days=13)


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("week")
    with Store(folder / "data") as store:
        store_mornings(store, plan(("calm", 10), ("heavy", 3), ("calm", 1)), seed=1, folder=folder)
    return folder / "data"


def test_json_has_the_documented_shape(week: Path) -> None:
    result = holdspace("readiness", str(LAST), "--json", data_dir=week)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert list(doc) == ["date", "ln_rmssd", "hr_bpm", "usual", "status", "readings"]
    assert list(doc["usual"]) == ["mean", "low", "high"]
    assert doc["date"] == str(LAST)
    assert doc["status"] == "below"
    assert isinstance(doc["ln_rmssd"], float) and isinstance(doc["hr_bpm"], float)
    assert doc["readings"] == 14


def test_text_says_it_in_plain_words_with_the_trend(week: Path) -> None:
    result = holdspace("readiness", str(LAST), data_dir=week)
    assert result.returncode == 0, result.stderr
    assert "below your usual range" in result.stdout
    assert "Over the last two weeks (14 readings)" in result.stdout
    assert "not a diagnosis" in result.stdout


def test_early_days_say_not_enough_days(week: Path) -> None:
    result = holdspace("readiness", str(FIRST + timedelta(days=2)), "--json", data_dir=week)
    doc = json.loads(result.stdout)
    assert doc["status"] == "not_enough_days"
    assert doc["usual"] == {"mean": None, "low": None, "high": None}


def test_a_day_without_a_reading_says_so_and_exits_0(week: Path, tmp_path: Path) -> None:
    result = holdspace("readiness", str(LAST + timedelta(days=1)), data_dir=week)
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == f"No morning reading on {LAST + timedelta(days=1)}."
    empty = holdspace("readiness", "2026-11-02", "--json", data_dir=tmp_path / "none")
    assert empty.returncode == 0 and json.loads(empty.stdout)["status"] == "no_reading"


def test_simulate_days_writes_each_morning_and_the_day(tmp_path: Path) -> None:
    out = tmp_path / "week"
    args = ["simulate", "calm", "--days", "1", "--lead", "heavy:1", "--seed", "4"]
    result = holdspace(*args, "--date", "2026-11-02", "--out-dir", str(out), data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "2026-11-02-heavy.hsrec",
        "2026-11-02-morning.hsrec",
        "2026-11-03-calm.hsrec",
        "2026-11-03-morning.hsrec",
    ]
    header = RecordingReader(out / "2026-11-03-morning.hsrec").header
    assert header.truth["morning"]["carried_load"] == 1.0
    assert header.truth["morning"]["day_scenario"] == "calm"
    single = tmp_path / "single.hsrec"
    args = ["simulate", "calm", "--seed", "4", "--date", "2026-11-03", "--out", str(single)]
    assert holdspace(*args, data_dir=tmp_path).returncode == 0
    assert single.read_bytes() == (out / "2026-11-03-calm.hsrec").read_bytes()
