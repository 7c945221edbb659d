"""The local store: permissions, atomic files, one writer, day files, schema."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from companion.errors import StoreError, StoreLockedError
from companion.store.store import Store
from companion.store.tinydb_storage import AtomicJSONStorage
from sensors.beats import Beat

DAY_START = 1_764_028_800.0  # 2025-11-25 00:00 UTC


def _beats(start_s: float, n: int, rr_ms: float = 800.0) -> list[Beat]:
    return [Beat(start_s + (i + 1) * rr_ms / 1000.0, rr_ms, i == 0) for i in range(n)]


def test_directory_0700_files_0600(data_dir: Path) -> None:
    with Store(data_dir) as store:
        store.append_beats(_beats(DAY_START + 9 * 3600, 10), "s")
        store.begin_session("client", "C-01", DAY_START + 9 * 3600, "s")
    assert data_dir.stat().st_mode & 0o777 == 0o700
    for path in data_dir.rglob("*"):
        expected = 0o700 if path.is_dir() else 0o600
        assert path.stat().st_mode & 0o777 == expected, path


def test_beats_go_to_day_and_ten_minute_files_and_read_back_sorted(data_dir: Path) -> None:
    with Store(data_dir) as store:
        late = _beats(DAY_START + 10 * 3600, 5)
        early = _beats(DAY_START + 9 * 3600 + 3590, 40)  # crosses 10:00
        store.append_beats(late, "b")
        store.append_beats(early, "a", {0: "start"})
        files = sorted(p.name for p in (data_dir / "days" / "2025-11-25").iterdir())
        assert files == ["beats-0950.json", "beats-1000.json"]
        day = store.beats(date(2025, 11, 25))
    assert len(day) == 45
    assert np.all(np.diff(day.time_s) >= 0)
    assert day.gap_reasons[0] == "start"
    assert sum(day.gap_before) == 2


def test_forget_source_removes_its_beats_and_sessions_only(data_dir: Path) -> None:
    with Store(data_dir) as store:
        store.append_beats(_beats(DAY_START + 9 * 3600, 10), "keep")
        store.append_beats(_beats(DAY_START + 9 * 3600 + 100, 10), "drop")
        store.begin_session("client", "C-01", DAY_START + 9 * 3600, "drop")
        store.begin_session("break", "", DAY_START + 9 * 3600, "keep")
        store.forget_source("drop")
        assert len(store.beats(date(2025, 11, 25))) == 10
        assert [s.kind for s in store.sessions()] == ["break"]


def test_one_writer_at_a_time(data_dir: Path) -> None:
    with Store(data_dir):
        with pytest.raises(StoreLockedError, match="another Holdspace process"):
            Store(data_dir)
        with Store(data_dir, read_only=True) as reader:  # readers do not need the lock
            assert reader.days() == []
    with Store(data_dir):
        pass


def test_read_only_store_creates_nothing(tmp_path: Path) -> None:
    with Store(tmp_path / "absent", read_only=True) as store:
        assert store.sessions() == []
    assert not (tmp_path / "absent").exists()


def test_newer_schema_is_refused_with_a_plain_message(data_dir: Path) -> None:
    with Store(data_dir):
        pass
    main = data_dir / "holdspace.json"
    data = json.loads(main.read_text())
    data["meta"]["1"]["schema_version"] = 99
    main.write_text(json.dumps(data))
    with pytest.raises(StoreError, match="schema version 99"):
        Store(data_dir)


def test_damaged_file_is_set_aside_not_a_traceback(data_dir: Path) -> None:
    with Store(data_dir):
        pass
    (data_dir / "holdspace.json").write_text("{not json")
    with Store(data_dir) as store:  # issue 7: set aside, and carry on (test_corruption.py)
        assert store.sessions() == []
    (aside,) = data_dir.glob("holdspace.json.corrupt-*")
    assert aside.read_text() == "{not json"


def test_atomic_storage_replaces_and_leaves_no_temp(tmp_path: Path) -> None:
    storage = AtomicJSONStorage(tmp_path / "db.json")
    assert storage.read() is None
    storage.write({"t": {"1": {"a": 1}}})
    storage.write({"t": {"1": {"a": 2}}})
    assert json.loads((tmp_path / "db.json").read_text()) == {"t": {"1": {"a": 2}}}
    assert [p.name for p in tmp_path.iterdir()] == ["db.json"]
    assert AtomicJSONStorage(tmp_path / "db.json").read() == {"t": {"1": {"a": 2}}}


def test_stale_temp_files_of_a_killed_writer_are_cleaned(data_dir: Path) -> None:
    with Store(data_dir):
        pass
    stale = data_dir / ".holdspace.json.abc.tmp"
    stale.write_text("half")
    with Store(data_dir):
        assert not stale.exists()


def test_day_summaries_replace(data_dir: Path) -> None:
    with Store(data_dir) as store:
        store.put_day_summary(date(2025, 11, 25), {"beats": 1})
        store.put_day_summary(date(2025, 11, 25), {"beats": 2})
        assert store.day_summary(date(2025, 11, 25)) == {"day": "2025-11-25", "beats": 2}
        assert store.day_summary(date(2025, 11, 26)) is None


def test_floats_are_stored_exactly(data_dir: Path) -> None:
    beats = [Beat(DAY_START + 36000.123456789, 1000 / 1024 * 777, True)]
    with Store(data_dir) as store:
        store.append_beats(beats, "s")
        day = store.beats(date(2025, 11, 25))
    assert day.time_s[0] == beats[0].time_s and day.rr_ms[0] == beats[0].rr_ms
    assert (data_dir / "days" / "2025-11-25" / "beats-1000.json").stat().st_size > 0
