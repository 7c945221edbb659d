"""The main file and a day's minutes keep their last good generation (``NAME.prev``):
damage from outside costs that file's last write, never the history."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from companion.cli.main import main
from companion.store import tinydb_storage
from companion.store.store import Store
from companion.store.tinydb_storage import AtomicJSONStorage

DAY = date(2026, 11, 23)
NOTE = "the-last-write-7Q"

DAMAGE = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    "empty": lambda p: p.write_bytes(b""),
    "garbage": lambda p: p.write_bytes(b"\x00\xff not json at all \x89PNG"),
    "not a database": lambda p: p.write_text('["a", "list"]'),
}


@pytest.fixture(autouse=True)
def said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sentences about damaged files this test caused (and no earlier test)."""
    fresh: list[str] = []
    monkeypatch.setattr(tinydb_storage, "SET_ASIDE", fresh)
    return fresh


@pytest.fixture
def data(heavy_day_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(heavy_day_store, copy)
    return copy


def _records(store: Store) -> tuple[Any, ...]:
    return store.sessions(), store.prompts(), store.check_ins(), store.acts()


def _corrupt(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.corrupt-*"))


@pytest.mark.parametrize("how", list(DAMAGE))
def test_a_damaged_main_file_is_recovered_from_its_last_good_copy(
    data: Path, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main_file = data / "holdspace.json"
    with Store(data) as store:
        session = store.sessions(DAY)[0]
        store.add_check_in(session.end_s or session.start_s, {"heavy": True}, None, "hand")
        kept = _records(store)  # the last good write
        store.add_check_in(session.start_s + 1, {"note": NOTE}, None, "hand")  # the last write
    assert kept[0] and kept[1] and kept[2]
    DAMAGE[how](main_file)
    damaged = main_file.read_bytes()

    # A reader (``holdspace sessions``) sees the recovered day and leaves the files alone.
    assert main(["--data-dir", str(data), "sessions", DAY.isoformat(), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [s["label"] for s in shown] == [s.label for s in kept[0] if s.day == DAY]
    assert main_file.read_bytes() == damaged and not _corrupt(main_file)

    with Store(data) as store:  # any writer
        assert _records(store) == kept
        assert NOTE not in json.dumps(store.check_ins())
    (aside,) = _corrupt(main_file)
    assert aside.read_bytes() == damaged
    (message,) = tinydb_storage.SET_ASIDE
    assert "recovered from its last good copy" in message and aside.name in message
    assert "the last write after it is lost" in message and "\n" not in message
    assert stat.S_IMODE(main_file.stat().st_mode) == 0o600
    with Store(data) as store:  # the recovered file is whole again
        assert _records(store) == kept
    assert len(_corrupt(main_file)) == 1


def test_a_main_file_deleted_by_another_program_is_recovered(data: Path) -> None:
    with Store(data, read_only=True) as store:
        sessions = store.sessions()
    (data / "holdspace.json").unlink()
    with Store(data) as store:
        assert store.sessions() == sessions
    assert any("is missing" in m for m in tinydb_storage.SET_ASIDE)


def test_damaged_minutes_are_recovered_too(data: Path) -> None:
    epochs = data / "days" / DAY.isoformat() / "epochs.json"
    with Store(data) as store:
        minutes = store.epochs(DAY)
        store.append_epochs([{"start_s": minutes[-1]["start_s"] + 60.0, "stress": 1}], "late")
    DAMAGE["truncated"](epochs)
    with Store(data) as store:
        assert store.epochs(DAY) == minutes
    assert len(_corrupt(epochs)) == 1


def test_a_damaged_file_and_a_damaged_copy_are_both_set_aside(data: Path) -> None:
    main_file = data / "holdspace.json"
    with Store(data, read_only=True) as store:
        n_beats = store.beats(DAY).time_s.size
    DAMAGE["garbage"](main_file)
    DAMAGE["empty"](tinydb_storage.previous_path(main_file))
    with Store(data) as store:
        assert store.sessions() == []
        assert store.beats(DAY).time_s.size == n_beats
    assert len(_corrupt(main_file)) == 1
    assert len(_corrupt(tinydb_storage.previous_path(main_file))) == 1


def test_each_write_keeps_the_replaced_file_without_copying_it(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    db = AtomicJSONStorage(path, keep_previous=True)
    db.write({"t": {"1": {"n": 1}}})
    assert not tinydb_storage.previous_path(path).exists()
    first = path.stat().st_ino
    db.write({"t": {"1": {"n": 2}}})
    prev = tinydb_storage.previous_path(path)
    assert prev.stat().st_ino == first  # the old file itself, linked: no second write
    assert json.loads(prev.read_bytes()) == {"t": {"1": {"n": 1}}}
    assert json.loads(path.read_bytes()) == {"t": {"1": {"n": 2}}}
    assert stat.S_IMODE(prev.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.json", "db.json.prev"]


def _two_writes(path: Path) -> AtomicJSONStorage:
    db = AtomicJSONStorage(path, keep_previous=True)
    db.write({"t": {"1": {"n": 1}}})
    db.write({"t": {"1": {"n": 2}}})
    return db


def test_a_kill_between_link_and_rename_leaves_the_new_file(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    _two_writes(path)
    # Killed after linking the current file under the temp name, before renaming it.
    os.link(path, tmp_path / ".db.json.prev.tmp")
    assert AtomicJSONStorage(path, keep_previous=True).read() == {"t": {"1": {"n": 2}}}
    assert tinydb_storage.remove_stale_temp_files(tmp_path) == 1


def test_without_hard_links_the_file_is_renamed_and_a_kill_is_recovered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: Any, dst: Any) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    path = tmp_path / "db.json"
    _two_writes(path)
    assert json.loads(tinydb_storage.previous_path(path).read_bytes()) == {"t": {"1": {"n": 1}}}
    # Killed after renaming the file to .prev, before the new one was renamed in.
    path.replace(tinydb_storage.previous_path(path))
    db = AtomicJSONStorage(path, keep_previous=True)
    assert db.read() == {"t": {"1": {"n": 2}}}
    assert json.loads(path.read_bytes()) == {"t": {"1": {"n": 2}}}


def test_a_read_only_view_reads_the_copy_and_moves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    _two_writes(path)
    path.write_bytes(b"{")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert AtomicJSONStorage(path, read_only=True, keep_previous=True).read() == {
        "t": {"1": {"n": 1}}
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == names
