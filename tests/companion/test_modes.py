"""Every folder Holdspace makes is 0700 and every file 0600, whatever the umask; an
existing data folder others can open keeps its mode, and a sentence says how to fix it."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from companion.cli.main import main
from companion.connect.colleagues import add_colleague
from companion.logfile import PrivateLogHandler
from companion.settings import Settings, save_settings
from companion.store.store import Store
from sensors.recording import RecordingHeader, RecordingWriter, write_recording
from tests.support.paths import FIXTURES


@pytest.fixture(params=[0o000, 0o277], ids=["umask-0000", "umask-0277"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _all_private(top: Path) -> None:
    assert _mode(top) == 0o700, top
    for path in top.rglob("*"):
        want = 0o700 if path.is_dir() else 0o600
        assert _mode(path) == want, f"{path.relative_to(top)}: {oct(_mode(path))}"


def test_a_replayed_day_and_its_side_files_are_private_whatever_the_umask(
    tmp_path: Path, umask: int
) -> None:
    top = tmp_path / "home"  # none of it exists: every level is made here
    data = top / "share" / "holdspace"
    heavy = FIXTURES / "heavy-day.hsrec"
    assert main(["--data-dir", str(data), "replay", str(heavy), "--headless", "--fast"]) == 0
    add_colleague(data, "Sam", ["mailto://sam@example.org"], now_s=1_795_000_000.0)
    save_settings(data, Settings(daily_cap=3))
    logging.getLogger("holdspace.test").addHandler(handler := PrivateLogHandler(data / "x.log"))
    logging.getLogger("holdspace.test").warning("a line")
    handler.close()
    logging.getLogger("holdspace.test").removeHandler(handler)
    with Store(data) as store:
        store.put_setting("strap_name", "H10")  # a second write: the generation is kept
    _all_private(top)
    names = {p.name for p in data.rglob("*")}
    assert {".colleagues.lock", ".writer.lock", "days", "holdspace.json.prev"} <= names
    assert {"colleagues.json", "settings.json", "x.log", "epochs.json"} <= names


def test_recordings_are_private_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    header = RecordingHeader(started_at=datetime(2026, 11, 23, 8, tzinfo=UTC), recording_id="r1")
    write_recording(tmp_path / "a" / "b" / "day.hsrec", header, [])
    with RecordingWriter(tmp_path / "a" / "live.hsrec", header):
        pass
    _all_private(tmp_path / "a")


def test_an_open_data_folder_keeps_its_mode_and_says_how_to_close_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "shared"
    data.mkdir()
    data.chmod(0o755)
    with Store(data) as store:
        store.put_setting("strap_name", "H10")
    assert _mode(data) == 0o755  # not re-moded behind the helper's back
    assert all(_mode(p) == 0o600 for p in data.iterdir())
    (sentence,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert f"chmod 700 {data}" in sentence and "0755" in sentence and "\n" not in sentence
    data.chmod(0o700)
    caplog.clear()
    with Store(data):
        pass
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]


def test_a_private_json_file_makes_its_missing_folders_0700_under_umask_0(tmp_path: Path) -> None:
    """``write_private_json`` made its parents with ``mkdir(parents=True)``, which ignores
    the mode for every folder but the last and honours the umask for that one."""
    from companion.store.jsonfile import write_private_json

    old = os.umask(0)
    try:
        target = write_private_json(tmp_path / "a" / "b" / "c.json", {"x": 1})
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
