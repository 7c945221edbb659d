"""An export gives no load for a session whose load was not measured (issue 15).

A session without a scored minute stores ``load: 0.0`` in its analysis (the other fields
say nothing was measured); exported as 0 it read as "no load at all". Its ``load`` is now
empty in ``sessions.csv`` and null in ``export.json``, as the review shows "–".
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date, datetime
from pathlib import Path

from companion.pipeline.results import SessionResult
from companion.review.export import ExportOptions, write_export
from companion.sessions import Session
from companion.store.store import Store
from signals.scores.baseline import NORMS
from signals.scores.load import session_load

DAY = date(2026, 11, 23)


def _with_a_short_session(heavy_day_store: Path, data: Path) -> None:
    """The heavy day and a 40-second session T-1 after it, stored as the live path stores
    one: analysed when it ends, no minute of it scored."""
    shutil.copytree(heavy_day_store, data)
    start_s = datetime(2026, 11, 23, 18, 5).timestamp()
    end_s = start_s + 40.0
    with Store(data) as store:
        sid = store.begin_session("supervision", "T-1", start_s, "test:short")
        store.finish_session(sid, end_s, heavy=None)
        load = session_load(start_s, end_s, [], [], NORMS)
        session = Session("supervision", "T-1", start_s, end_s, session_id=sid)
        analysis = SessionResult(session=session, load=load, baseline=NORMS).to_json()
        assert analysis["load"] == 0.0  # what is stored: a zero that says nothing
        store.set_session_analysis(sid, analysis)


def _export(data: Path, out: Path, fmt: str) -> None:
    with Store(data, read_only=True) as store:
        write_export(store, ExportOptions(DAY, DAY, fmt, out))


def test_a_session_without_a_scored_minute_exports_no_load(
    heavy_day_store: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    _with_a_short_session(heavy_day_store, data)

    _export(data, tmp_path / "csv", "csv")
    text = (tmp_path / "csv" / "sessions.csv").read_text(encoding="utf-8")
    rows = {row["label"]: row for row in csv.DictReader(text.splitlines())}
    assert rows["T-1"]["load"] == ""
    assert float(rows["C-52"]["load"]) > 0  # a measured session keeps its load

    _export(data, tmp_path / "json", "json")
    doc = json.loads((tmp_path / "json" / "export.json").read_text(encoding="utf-8"))
    sessions = {s["label"]: s for s in doc["sessions"]}
    assert sessions["T-1"]["load"] is None
    assert sessions["C-52"]["load"] == float(rows["C-52"]["load"])
