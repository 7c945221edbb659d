"""Stores of every earlier schema version open with today's code (companion.store.migrations).

``fixtures/stores/v<N>/`` holds a store written at schema version N
(``python -m tests.golden_store``). Each is copied and opened for writing and
read-only; everything it holds must read back. The upgrade machinery itself is
tested with a made-up version 2, since version 1 is the only one so far.
"""

from __future__ import annotations

import json
import re
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

import companion.store.store
from companion.errors import StoreError
from companion.review.day import load_day
from companion.review.export import ExportOptions, write_export
from companion.review.html import build_day_report
from companion.store import migrations
from companion.store.store import MAIN_FILE, SCHEMA_VERSION, Store
from tests.support.golden_store import NOTE, STORES

VERSIONS = sorted(int(p.name[1:]) for p in STORES.glob("v*") if re.fullmatch(r"v\d+", p.name))


def raw_main(data_dir: Path) -> dict[str, dict[str, Any]]:
    loaded: dict[str, dict[str, Any]] = json.loads((data_dir / MAIN_FILE).read_text())
    return loaded


def raw_beats(data_dir: Path) -> int:
    count = 0
    for segment in sorted((data_dir / "days").glob("*/beats-*.json")):
        for chunk in json.loads(segment.read_text())["chunks"].values():
            count += len(chunk["rr"])
    return count


@pytest.fixture(params=VERSIONS, ids=[f"v{v}" for v in VERSIONS])
def old_store(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(STORES / f"v{request.param}", data)
    return data


def test_a_store_of_every_version_is_committed() -> None:
    assert list(range(1, SCHEMA_VERSION + 1)) == VERSIONS
    assert sorted(migrations.MIGRATIONS) == list(range(1, SCHEMA_VERSION))


def test_every_earlier_store_opens_and_reads_everything(old_store: Path, tmp_path: Path) -> None:
    before = raw_main(old_store)
    beats = raw_beats(old_store)
    assert beats > 6000
    with Store(old_store) as store:
        day = store.days()[0]
        assert store.beats(day).rr_ms.size == beats
        assert len(store.epochs(day)) > 80
        sessions = store.sessions(day)
        assert [s.label for s in sessions] == [d["label"] for d in before["sessions"].values()]
        assert store.session_analysis(sessions[0].session_id) is not None
        assert store.check_ins(day)[0]["answers"]["note"] == NOTE
        assert [a["kind"] for a in store.acts(day)] == ["pause"]
        assert [p["response"] for p in store.prompts(day)] == ["accepted"]
        assert store.planned(day)[0]["uid"] == "golden-1"
        assert store.setting("daily_prompt_cap") == 3
        assert store.day_summary(day) is not None
        review = load_day(store, day)
        assert review.minutes_recorded > 80 and len(review.sessions) == 2
        assert "client-1" in build_day_report(store, day)
        written = write_export(store, ExportOptions(day, day, "csv", tmp_path / "out"))
        assert written.rows["beats"] == beats
    assert raw_main(old_store)["meta"]["1"]["schema_version"] == SCHEMA_VERSION


def _v2_step(doc: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A made-up step: every session gains a ``planned_uid`` field."""
    for session in doc.get("sessions", {}).values():
        session["planned_uid"] = None
    return doc


@pytest.fixture
def version_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(companion.store.store, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(migrations.MIGRATIONS, 1, _v2_step)


@pytest.mark.usefixtures("version_2")
def test_an_upgrade_keeps_the_old_file_and_runs_once(
    old_store: Path, caplog: pytest.LogCaptureFixture
) -> None:
    original = (old_store / MAIN_FILE).read_bytes()
    with Store(old_store) as store:
        assert all("planned_uid" in d for d in store._main.table("sessions").all())
    backup = old_store / f"{MAIN_FILE}.v1-backup"
    assert backup.read_bytes() == original
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    upgraded = raw_main(old_store)
    assert upgraded["meta"]["1"]["schema_version"] == 2
    assert all(s["planned_uid"] is None for s in upgraded["sessions"].values())
    assert "from schema version 1 to 2" in caplog.text
    caplog.clear()
    after = (old_store / MAIN_FILE).read_bytes()
    with Store(old_store):
        pass
    assert (old_store / MAIN_FILE).read_bytes() == after
    assert "Upgraded" not in caplog.text


@pytest.mark.usefixtures("version_2")
def test_a_read_only_view_upgrades_in_memory_only(old_store: Path) -> None:
    files = {p: p.read_bytes() for p in old_store.rglob("*") if p.is_file()}
    with Store(old_store, read_only=True) as store:
        assert all("planned_uid" in d for d in store._main.table("sessions").all())
        assert len(store.sessions()) == 2
    assert {p: p.read_bytes() for p in old_store.rglob("*") if p.is_file()} == files


def test_a_failing_step_changes_nothing(old_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(doc: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        raise KeyError("label")

    monkeypatch.setattr(companion.store.store, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(migrations.MIGRATIONS, 1, broken)
    files = {p: p.read_bytes() for p in old_store.rglob("*") if p.is_file()}
    with pytest.raises(StoreError, match=r"from schema version 1 to 2 failed \(KeyError"):
        Store(old_store)
    after = {p: p.read_bytes() for p in old_store.rglob("*") if p.is_file()}
    assert {p: b for p, b in after.items() if p.name != ".writer.lock"} == files
    # The writer lock was let go: once the step is fixed, the store opens.
    monkeypatch.setitem(migrations.MIGRATIONS, 1, _v2_step)
    with Store(old_store) as store:
        assert len(store.sessions()) == 2


def test_a_missing_step_is_named(old_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(companion.store.store, "SCHEMA_VERSION", 3)
    monkeypatch.setitem(migrations.MIGRATIONS, 1, _v2_step)
    with pytest.raises(StoreError, match="cannot upgrade a store from schema version 2 to 3"):
        Store(old_store, read_only=True)


@pytest.mark.parametrize("version", [0, -1, "1", True, None])
def test_a_nonsense_version_is_refused(data_dir: Path, version: object) -> None:
    with Store(data_dir):
        pass
    doc = raw_main(data_dir)
    doc["meta"]["1"]["schema_version"] = version
    (data_dir / MAIN_FILE).write_text(json.dumps(doc))
    with pytest.raises(StoreError, match="no valid schema version"):
        Store(data_dir)
