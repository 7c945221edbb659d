"""Tests for ``holdspace export`` (companion.review.export, companion.cli.export)."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import stat
from pathlib import Path

import numpy as np
import pytest

from companion.cli.export import add_export_parsers, cmd_export
from companion.errors import HoldspaceError
from companion.review.export import TABLE_COLUMNS
from companion.store.store import Store
from sensors.rrfiles.importer import read_rr_file
from tests.support.stores import copy_with_private_session

SECRET_URL = "mailtos://sam:hunter2-secret@mail.example.org?to=sam@example.org"
NOTE = "talked about Margaret Oyelaran's custody hearing"
TITLE = "Intake Jonas Weber"
PRIVATE_LABEL = "Jonas Weber"


@pytest.fixture(scope="module")
def source(heavy_day_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the heavy day with a check-in note, a named session, a plan and colleagues."""
    data = tmp_path_factory.mktemp("export") / "data"
    end_s = copy_with_private_session(heavy_day_store, data, PRIVATE_LABEL, NOTE)
    with Store(data) as store:
        day = store.days()[0]
        store.add_act(end_s + 800.0, "contact", {"colleague": "Sam", "ok": True}, None, "manual")
        plan = {"uid": "u1", "start_s": end_s, "end_s": end_s + 3000.0, "kind": "client"}
        plan |= {"label": "client-1700", "title": TITLE, "all_day": False}
        store.put_planned([plan], day, day, source="cal.ics")
    (data / "colleagues.json").write_text(json.dumps({"colleagues": [{"channels": [SECRET_URL]}]}))
    return data


def run(data_dir: Path, *args: str) -> int:
    parser = argparse.ArgumentParser(prog="holdspace")
    parser.add_argument("--data-dir")
    add_export_parsers(parser.add_subparsers(dest="command", required=True))
    return cmd_export(parser.parse_args(["--data-dir", str(data_dir), "export", *args]))


def day_of(data_dir: Path) -> str:
    with Store(data_dir, read_only=True) as store:
        return store.days()[0].isoformat()


def all_text(directory: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(directory.iterdir()))


def test_csv_beats_round_trip_exactly(source: Path, tmp_path: Path) -> None:
    day = day_of(source)
    assert run(source, "--from", day, "--to", day, "--out", str(tmp_path / "out")) == 0
    with Store(source, read_only=True) as store:
        beats = store.beats(dt.date.fromisoformat(day))
    with (tmp_path / "out" / "beats.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(TABLE_COLUMNS["beats"])
    assert [float(r["time_s"]) for r in rows] == beats.time_s.tolist()
    assert [float(r["rr_ms"]) for r in rows] == beats.rr_ms.tolist()
    assert [r["gap_before"] == "1" for r in rows] == beats.gap_before.tolist()
    assert {i: r["gap_reason"] for i, r in enumerate(rows) if r["gap_reason"]} == dict(
        beats.gap_reasons
    )


def test_every_table_has_its_documented_columns(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(source, "--out", str(out))
    for name, columns in TABLE_COLUMNS.items():
        with (out / f"{name}.csv").open(newline="") as f:
            header = next(csv.reader(f))
        assert tuple(header) == columns
    with (out / "sessions.csv").open(newline="") as f:
        sessions = list(csv.DictReader(f))
    assert len(sessions) == 13
    assert sessions[0]["label"] == "C-33" and float(sessions[3]["load"]) > 0
    assert (sessions[3]["heavy"], sessions[3]["marked_heavy"], sessions[3]["high_stress"]) == (
        "1",
        "1",
        "1",
    )
    analyses = json.loads((out / "sessions.json").read_text(encoding="utf-8"))["sessions"]
    assert analyses[3]["analysis"]["heavy"] is True
    with (out / "check_ins.csv").open(newline="") as f:
        (check_in,) = csv.DictReader(f)
    assert check_in["note"] == NOTE and check_in["heavy"] == "1"


def test_json_holds_the_same_tables_and_meta(source: Path, tmp_path: Path) -> None:
    day = day_of(source)
    run(source, "--from", day, "--to", day, "--format", "json", "--out", str(tmp_path))
    doc = json.loads((tmp_path / "export.json").read_text())
    assert doc["meta"]["from"] == doc["meta"]["to"] == day
    assert doc["meta"]["redacted"] is False
    assert doc["meta"]["holdspace_version"].startswith("0.")
    with Store(source, read_only=True) as store:
        beats = store.beats(dt.date.fromisoformat(day))
        n_epochs = len(store.epochs(beats.day))
    assert [b["rr_ms"] for b in doc["beats"]] == beats.rr_ms.tolist()
    assert [b["time_s"] for b in doc["beats"]] == beats.time_s.tolist()
    assert len(doc["epochs"]) == n_epochs
    assert set(doc) == {"meta", *TABLE_COLUMNS}


def test_redacted_export_holds_no_label_note_or_title(source: Path, tmp_path: Path) -> None:
    with Store(source, read_only=True) as store:
        labels = {s.label for s in store.sessions()}
        reasons = [p["reason"] for p in store.prompts()]
    assert PRIVATE_LABEL in labels and "LUNCH" in labels
    csv_out, json_out = tmp_path / "csv", tmp_path / "json"
    run(source, "--redact-labels", "--rr-kubios", "--out", str(csv_out))
    run(source, "--redact-labels", "--format", "json", "--out", str(json_out))
    for text in (all_text(csv_out), all_text(json_out)):
        for secret in (*labels, NOTE, TITLE, "Margaret", "Sam", "hunter2"):
            assert secret not in text
        assert all(reason in text for reason in reasons)  # prompt reasons are kept
        assert "client-1" in text and "client-9" in text and "break-2" in text
    doc = json.loads((json_out / "export.json").read_text())
    assert doc["meta"]["redacted"] is True
    assert [s["label"] for s in doc["sessions"] if s["kind"] == "client"][-1] == "client-9"


def test_channel_urls_are_never_exported(source: Path, tmp_path: Path) -> None:
    run(source, "--rr-kubios", "--out", str(tmp_path / "out"))
    text = all_text(tmp_path / "out")
    assert "hunter2" not in text and "mailtos" not in text
    assert not any("colleague" in p.name for p in (tmp_path / "out").iterdir())


def _start(path: Path) -> dt.datetime:
    line = next(x for x in path.read_text().splitlines() if x.startswith("# Start: "))
    return dt.datetime.fromisoformat(line.removeprefix("# Start: "))


@pytest.mark.parametrize("fmt", ["kubios", "rr-ms"])
def test_kubios_text_reimports_with_the_same_rr(source: Path, tmp_path: Path, fmt: str) -> None:
    day = day_of(source)
    run(source, "--from", day, "--to", day, "--rr-kubios", "--out", str(tmp_path))
    path = tmp_path / f"rr-{day}.txt"
    imported = read_rr_file(path, fmt, start=_start(path))
    with Store(source, read_only=True) as store:
        beats = store.beats(dt.date.fromisoformat(day))
    assert imported.rr_ms.tolist() == beats.rr_ms.tolist()
    first_gap = min(i for i in beats.gap_reasons if i)
    assert np.allclose(imported.time_s[:first_gap], beats.time_s[:first_gap], rtol=0, atol=0.01)
    notes = [x for x in path.read_text().splitlines() if x.startswith("# Gap before")]
    assert len(notes) == len(beats.gap_reasons) - 1


def test_a_session_file_holds_that_sessions_beats(source: Path, tmp_path: Path) -> None:
    run(source, "--rr-kubios", "--out", str(tmp_path))
    with Store(source, read_only=True) as store:
        session = store.sessions()[3]
        beats = store.beats(session.day)
    inside = (beats.time_s >= session.start_s) & (beats.time_s < float(session.end_s or 0))
    path = tmp_path / f"rr-{session.day}-session-{session.session_id}.txt"
    imported = read_rr_file(path, "kubios", start=_start(path))
    assert imported.rr_ms.tolist() == beats.rr_ms[inside].tolist()
    assert abs(imported.time_s[0] - beats.time_s[inside][0]) < 1e-5


def test_modes_and_no_overwrite_without_force(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "new" / "out"
    run(source, "--out", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in out.iterdir())
    with pytest.raises(HoldspaceError, match=r"already exists.*--force"):
        run(source, "--out", str(out))
    (out / "beats.csv").chmod(0o644)
    assert run(source, "--out", str(out), "--force") == 0
    assert stat.S_IMODE((out / "beats.csv").stat().st_mode) == 0o600


def test_a_range_without_data_is_one_sentence(source: Path, tmp_path: Path) -> None:
    with pytest.raises(HoldspaceError, match="nothing is stored") as err:
        run(source, "--from", "2020-01-01", "--to", "2020-01-31", "--out", str(tmp_path / "o"))
    assert str(err.value).count(". ") == 0 and "\n" not in str(err.value)
    assert not (tmp_path / "o").exists()
    with pytest.raises(HoldspaceError, match="comes after"):
        run(source, "--from", "2026-12-02", "--to", "2026-12-01", "--out", str(tmp_path / "o"))
    with pytest.raises(HoldspaceError, match="no Holdspace data"):
        run(tmp_path / "missing", "--out", str(tmp_path / "o"))


def test_a_bad_date_is_a_usage_error(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run(source, "--from", "23/11/2026", "--out", str(tmp_path))
    assert exit_info.value.code == 2
    assert "is not a date like" in capsys.readouterr().err


def test_holdspace_import_of_the_export_stores_exactly_the_same_beats(
    source: Path, tmp_path: Path
) -> None:
    from companion.cli.main import main

    day = day_of(source)
    assert run(source, "--from", day, "--to", day, "--out", str(tmp_path / "out")) == 0
    again = tmp_path / "again"
    beats_csv = tmp_path / "out" / "beats.csv"
    assert (
        main(["--data-dir", str(again), "import", str(beats_csv), "--format", "holdspace-csv"]) == 0
    )
    with Store(source, read_only=True) as a, Store(again, read_only=True) as b:
        want, got = a.beats(dt.date.fromisoformat(day)), b.beats(dt.date.fromisoformat(day))
    assert got.time_s.tolist() == want.time_s.tolist()
    assert got.rr_ms.tolist() == want.rr_ms.tolist()
    assert got.gap_before.tolist() == want.gap_before.tolist()
    assert dict(got.gap_reasons) == dict(want.gap_reasons)
    # And the export of the re-import is the same file, byte for byte.
    assert run(again, "--from", day, "--to", day, "--out", str(tmp_path / "out2")) == 0
    assert (tmp_path / "out2" / "beats.csv").read_bytes() == beats_csv.read_bytes()
