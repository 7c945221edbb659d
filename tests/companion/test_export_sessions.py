"""``sessions.csv`` holds plain columns with local ISO 8601 times; the whole analysis of
each session goes to ``sessions.json`` (CSV) or into its object (``export.json``)."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

from companion.review.export import ExportOptions, write_export
from companion.review.heavy import heaviness
from companion.store.store import Store


def _export(store_dir: Path, out: Path, fmt: str = "csv") -> None:
    with Store(store_dir, read_only=True) as store:
        day = store.days()[0]
        write_export(store, ExportOptions(day, day, fmt, out))


def test_sessions_csv_is_plain_with_iso_local_times(heavy_day_store: Path, tmp_path: Path) -> None:
    _export(heavy_day_store, tmp_path / "out")
    text = (tmp_path / "out" / "sessions.csv").read_text(encoding="utf-8")
    assert "{" not in text  # no JSON blob
    rows = list(csv.DictReader(text.splitlines()))
    with Store(heavy_day_store, read_only=True) as store:
        stored = store.sessions()
        analyses = [store.session_analysis(s.session_id) for s in stored]
    assert len(rows) == len(stored)
    for row, session, analysis in zip(rows, stored, analyses, strict=True):
        start = datetime.fromisoformat(row["start"])
        assert start.utcoffset() is not None  # the offset is written (UTC in the tests)
        assert row["start"].endswith("+00:00") and "T" in row["start"]
        assert abs(start.timestamp() - session.start_s) < 1.0
        assert session.end_s is not None
        assert abs(datetime.fromisoformat(row["end"]).timestamp() - session.end_s) < 1.0
        assert float(row["duration_min"]) == round((session.end_s - session.start_s) / 60, 1)
        assert (row["heavy"] == "1") is heaviness(session.heavy, analysis, kind=session.kind).heavy
        assert float(row["mean_hr_bpm"]) > 40


def test_the_analysis_has_its_own_file(heavy_day_store: Path, tmp_path: Path) -> None:
    _export(heavy_day_store, tmp_path / "csv")
    doc = json.loads((tmp_path / "csv" / "sessions.json").read_text(encoding="utf-8"))
    with Store(heavy_day_store, read_only=True) as store:
        stored = store.sessions()
        assert [s["analysis"] for s in doc["sessions"]] == [
            store.session_analysis(s.session_id) for s in stored
        ]
    assert [s["start_s"] for s in doc["sessions"]] == [s.start_s for s in stored]
    _export(heavy_day_store, tmp_path / "json", "json")
    whole = json.loads((tmp_path / "json" / "export.json").read_text(encoding="utf-8"))
    assert [s["analysis"] for s in whole["sessions"]] == [s["analysis"] for s in doc["sessions"]]
    assert "analysis" not in whole["meta"]["columns"]["sessions"]
