"""A damaged store file is set aside as NAME.corrupt-<time>, said in one sentence, and
everything else stays: the main file, a ten-minute beat file, a day's minutes. (The main
file and the minutes are recovered from their last good copy when there is one:
tests/companion/test_generations.py; here there is none.)"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from companion.store import tinydb_storage
from companion.store.store import Store

DAY = date(2026, 11, 23)

DAMAGE: dict[str, Callable[[Path], object]] = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    "empty": lambda p: p.write_bytes(b""),
    "garbage": lambda p: p.write_bytes(b"\x00\xff not json at all \x89PNG"),
    "not a database": lambda p: p.write_text('["a", "list"]'),
}


@pytest.fixture
def data(heavy_day_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(heavy_day_store, copy)
    return copy


def set_aside(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.corrupt-*"))


@pytest.mark.parametrize("how", list(DAMAGE))
def test_a_damaged_beat_file_is_set_aside_and_the_rest_of_the_day_kept(
    data: Path, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    with Store(data, read_only=True) as store:
        before = store.beats(DAY)
    segments = sorted((data / "days" / DAY.isoformat()).glob("beats-*.json"))
    victim = segments[3]
    DAMAGE[how](victim)
    caplog.set_level(logging.WARNING)
    damaged = victim.read_bytes()
    with Store(data) as store:
        after = store.beats(DAY)
        assert store.sessions(DAY)  # the main file is untouched
    (aside,) = set_aside(victim)
    assert not victim.exists() and aside.read_bytes() == damaged
    # Only that file's ten minutes are gone.
    assert 0 < before.time_s.size - after.time_s.size < before.time_s.size // 5
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(victim.name in m and aside.name in m and "everything else" in m for m in messages)
    assert all("\n" not in m for m in messages)
    assert any(aside.name in m for m in tinydb_storage.SET_ASIDE)


@pytest.mark.parametrize("how", ["truncated", "garbage", "empty"])
def test_a_damaged_main_file_without_a_good_copy_keeps_the_beats(data: Path, how: str) -> None:
    """(With its last good copy it is recovered: tests/companion/test_generations.py.)"""
    main = data / "holdspace.json"
    with Store(data, read_only=True) as store:
        n_beats = store.beats(DAY).time_s.size
    tinydb_storage.previous_path(main).unlink()
    DAMAGE[how](main)
    with Store(data) as store:
        assert store.sessions() == []  # they lived in the main file
        assert store.beats(DAY).time_s.size == n_beats
        assert store.epochs(DAY)
    assert len(set_aside(main)) == 1
    with Store(data) as store:  # a fresh main file was written: it opens cleanly again
        assert store.sessions() == []
    assert len(set_aside(main)) == 1


def test_damaged_minutes_and_a_read_only_view_leaves_the_file_in_place(data: Path) -> None:
    epochs = data / "days" / DAY.isoformat() / "epochs.json"
    tinydb_storage.previous_path(epochs).unlink(missing_ok=True)
    DAMAGE["truncated"](epochs)
    damaged = epochs.read_bytes()
    with Store(data, read_only=True) as store:
        assert store.epochs(DAY) == []
        assert store.beats(DAY).time_s.size > 0
    assert epochs.read_bytes() == damaged and not set_aside(epochs)
    with Store(data) as store:
        assert store.epochs(DAY) == []
    assert len(set_aside(epochs)) == 1 and not epochs.exists()
