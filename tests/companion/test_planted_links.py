"""Whole-file writes never follow a link planted in the target folder (issue 16, item 8).

Every writer goes through :func:`companion.store.jsonfile.write_atomic`: a temporary file
created exclusively by ``mkstemp`` in the target folder, fsynced, renamed over the
target. A link planted at the old predictable temp name, or at the target itself,
leaves the file it points to untouched.
"""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from companion.cli.main import main
from companion.errors import HoldspaceError
from companion.store.jsonfile import write_atomic, write_private_json
from companion.store.store import Store
from sensors.events import DeviceInfo
from sensors.recording import RecordingError, RecordingHeader, RecordingWriter

VICTIM_TEXT = "the helper's own notes\n"


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file elsewhere that a planted link points at."""
    path = tmp_path / "elsewhere" / "notes.txt"
    path.parent.mkdir()
    path.write_text(VICTIM_TEXT)
    return path


def _day(data_dir: Path) -> str:
    with Store(data_dir, read_only=True) as store:
        return store.days()[0].isoformat()


def _report(data_dir: Path, out: Path, *extra: str) -> int:
    argv = ["--data-dir", str(data_dir), "report", _day(data_dir), "--html", str(out), *extra]
    return main(argv)


def test_a_link_at_the_old_partial_name_is_not_followed(
    heavy_day_store: Path, tmp_path: Path, victim: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    out = shared / "day.html"
    (shared / ".day.html.partial").symlink_to(victim)
    assert _report(heavy_day_store, out) == 0
    assert victim.read_text() == VICTIM_TEXT
    assert not out.is_symlink() and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    leftovers = {p.name for p in shared.iterdir()} - {"day.html", ".day.html.partial"}
    assert leftovers == set()


def test_a_link_at_the_report_itself_is_replaced_not_written_through(
    heavy_day_store: Path, tmp_path: Path, victim: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "day.html"
    out.symlink_to(tmp_path / "elsewhere" / "missing.html")  # dangling: out.exists() is False
    assert _report(heavy_day_store, out) == 1
    assert "already exists; add --force" in capsys.readouterr().err
    assert not (tmp_path / "elsewhere" / "missing.html").exists()
    out.unlink()
    out.symlink_to(victim)
    assert _report(heavy_day_store, out, "--force") == 0
    assert victim.read_text() == VICTIM_TEXT and not out.is_symlink()


def test_export_force_replaces_a_planted_link_and_leaves_its_target(
    heavy_day_store: Path, tmp_path: Path, victim: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir(mode=0o700)
    (out / "beats.csv").symlink_to(victim)
    argv = ["--data-dir", str(heavy_day_store), "export", "--out", str(out), "--force"]
    assert main(argv) == 0
    assert victim.read_text() == VICTIM_TEXT
    beats = out / "beats.csv"
    assert not beats.is_symlink() and beats.read_text().startswith("time_s,rr_ms,")
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in out.iterdir())
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_export_without_force_refuses_a_planted_link(
    heavy_day_store: Path, tmp_path: Path, victim: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "planned.csv").symlink_to(tmp_path / "elsewhere" / "new.csv")
    assert main(["--data-dir", str(heavy_day_store), "export", "--out", str(out)]) == 1
    assert "planned.csv already exists" in capsys.readouterr().err
    assert not (tmp_path / "elsewhere" / "new.csv").exists()


def test_write_atomic_modes_and_exclusive_placement(tmp_path: Path, victim: Path) -> None:
    target = tmp_path / "unit.service"
    write_atomic(target, b"one\n", mode=0o644)
    assert target.read_bytes() == b"one\n" and stat.S_IMODE(target.stat().st_mode) == 0o644
    with pytest.raises(FileExistsError):
        write_atomic(target, b"two\n", replace=False)
    link = tmp_path / "link.json"
    link.symlink_to(victim)
    with pytest.raises(FileExistsError):
        write_atomic(link, b"two\n", replace=False)
    write_private_json(link, {"a": 1})
    assert victim.read_text() == VICTIM_TEXT and not link.is_symlink()
    assert stat.S_IMODE(link.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "link.json", "unit.service"]


def test_a_failed_write_leaves_no_temp_file(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "x").mkdir()  # a folder where the file should go: the rename fails
    with pytest.raises(OSError):
        write_atomic(folder / "x", b"data")
    assert [p.name for p in folder.iterdir()] == ["x"]
    with pytest.raises(HoldspaceError, match="cannot write"):
        write_private_json(folder / "x", {})


def test_a_recording_is_never_appended_through_a_link(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    planted = tmp_path / "day.hsrec"
    planted.symlink_to(empty)
    header = RecordingHeader(datetime(2026, 11, 25, 8, tzinfo=UTC), "r1", DeviceInfo())
    with pytest.raises(RecordingError, match="is a link") as err:
        RecordingWriter(planted, header)
    assert "\n" not in str(err.value)
    assert empty.read_bytes() == b""
