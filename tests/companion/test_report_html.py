"""Tests for ``holdspace report DATE --html OUT`` (companion.review.html, report_charts, svg)."""

from __future__ import annotations

import itertools
import math
import os
import re
import stat
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from companion.cli.main import main
from companion.connect.colleagues import ContactRecord, record_contact
from companion.review.html import CSP, build_day_report
from companion.review.svg import hour_ticks, line_path, nice_ticks
from companion.store.store import Store
from tests.support.stores import copy_with_private_session

PRIVATE_LABEL = "Jonas Weber"
NOTE = "talked about Margaret Oyelaran's custody hearing"
COLLEAGUE = "Sam Okafor"


@pytest.fixture(scope="module")
def source(heavy_day_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The heavy day plus a session labelled with a name, a check-in note and a talk with Sam."""
    data = tmp_path_factory.mktemp("report") / "data"
    end_s = copy_with_private_session(heavy_day_store, data, PRIVATE_LABEL, NOTE)
    record_contact(data, ContactRecord(end_s + 800.0, COLLEAGUE, "in_person", True))
    return data


def day_of(data_dir: Path) -> date:
    with Store(data_dir, read_only=True) as store:
        return store.days()[0]


def report(data_dir: Path, out: Path, *extra: str) -> int:
    return main(
        ["--data-dir", str(data_dir), "report", str(day_of(data_dir)), "--html", str(out), *extra]
    )


class Tags(HTMLParser):
    """Every start tag with its attributes, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def of(self, tag: str, cls: str | None = None) -> list[dict[str, str | None]]:
        return [
            a
            for t, a in self.tags
            if t == tag and (cls is None or cls in (a.get("class") or "").split())
        ]


def parse(page: str) -> Tags:
    tags = Tags()
    tags.feed(page)
    return tags


@pytest.fixture(scope="module")
def redacted(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("html") / "day.html"
    assert report(source, out) == 0
    yield out.read_text(encoding="utf-8")


def test_report_is_one_self_contained_private_file(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "day.html"
    assert report(source, out) == 0
    assert f"Wrote the report of {day_of(source)}" in capsys.readouterr().out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["day.html"]  # no partial file left
    page = out.read_text(encoding="utf-8")
    tags = parse(page)
    assert {t for t, _ in tags.tags}.isdisjoint({"script", "link", "img", "iframe", "object"})
    for _, attrs in tags.tags:
        for name in ("src", "href", "srcset", "poster", "action"):
            assert attrs.get(name) is None, (name, attrs)
    csp = tags.of("meta")
    assert any(
        a.get("http-equiv") == "Content-Security-Policy" and a.get("content") == CSP for a in csp
    )
    assert "default-src 'none'" in CSP
    # The only URL in the page is the SVG namespace, which names a vocabulary and loads nothing.
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) == {"http://www.w3.org/2000/svg"}
    assert "url(" not in page and "@import" not in page


def test_redacted_report_names_no_session_colleague_or_note(source: Path, redacted: str) -> None:
    with Store(source, read_only=True) as store:
        labels = {s.label for s in store.sessions(day_of(source))}
    assert PRIVATE_LABEL in labels and len(labels) > 5
    for secret in (*labels, NOTE, COLLEAGUE, "Sam"):
        assert not re.search(rf"\b{re.escape(secret)}\b", redacted), secret
    assert "client-1" in redacted and "supervision-1" in redacted
    assert "a talk in person with a colleague" in redacted
    assert "--keep-labels" in redacted


def test_keep_labels_shows_the_helpers_own_codes(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "day.html"
    assert report(source, out, "--keep-labels") == 0
    page = out.read_text(encoding="utf-8")
    assert PRIVATE_LABEL in page and "C-52" in page
    assert "Margaret Oyelaran" in page.replace("&#x27;", "'")
    assert f"a talk in person with {COLLEAGUE}" in page


def test_charts_draw_every_session_minute_and_prompt(source: Path, redacted: str) -> None:
    tags = parse(redacted)
    svgs = tags.of("svg", "chart")
    assert [a["class"] for a in svgs] == ["chart timeline", "chart load", "chart recovery"]
    assert all(a.get("role") == "img" for a in svgs)
    day = day_of(source)
    with Store(source, read_only=True) as store:
        sessions = store.sessions(day)
        minutes = store.epochs(day)
        shown = [p for p in store.prompts(day) if p.get("delivered_s") is not None]
    assert len(tags.of("rect", "band")) == len(sessions)
    assert len(tags.of("path", "prompt-mark")) == len(shown) == 3
    hr = tags.of("path", "line-hr")[0]["d"] or ""
    points = len(re.findall(r"[ML]?-?\d+\.\d -?\d+\.\d", hr))
    with_hr = sum(1 for m in minutes if m.get("hr_bpm") is not None)
    assert with_hr - 5 <= points <= with_hr + 5
    bars = tags.of("rect", "bar")
    loads = [x for x in _loads(source, day) if x is not None]
    assert len(bars) == len(loads) == len(sessions) - 1  # the added session is not analysed
    assert "not measured" in redacted
    # The heaviest session (C-16, load 79) has the widest bar.
    widths = [float(b["width"] or 0) for b in bars]
    assert widths.index(max(widths)) == loads.index(max(loads))
    assert len(tags.of("rect", "recovered")) == sum(
        1 for x in _recoveries(source, day) if x is not None
    )


def _loads(data_dir: Path, day: date) -> list[float | None]:
    with Store(data_dir, read_only=True) as store:
        return [
            (store.session_analysis(s.session_id) or {}).get("load") for s in store.sessions(day)
        ]


def _recoveries(data_dir: Path, day: date) -> list[float | None]:
    with Store(data_dir, read_only=True) as store:
        return [
            (store.session_analysis(s.session_id) or {}).get("recovery_min")
            for s in store.sessions(day)
            if s.end_s is not None
        ]


def test_report_says_what_moved_against_which_baseline(redacted: str) -> None:
    assert "Compared with your own baseline" in redacted
    assert "This is not a diagnosis" in redacted
    # 80 since the vagal marker takes the 60-s ln RMSSD when it is lower than the blend
    # (signals.scores.stress: quick to fall, slow to recover); 79 with the blend alone.
    assert "The highest session load was 80 of 100, in client-4" in redacted
    assert "were not back near baseline" in redacted


def test_same_store_gives_the_same_bytes(source: Path) -> None:
    day = day_of(source)
    with Store(source, read_only=True) as store:
        first = build_day_report(store, day)
        second = build_day_report(store, day)
    assert first == second


def test_a_day_without_data_is_one_sentence_and_writes_nothing(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "day.html"
    rc = main(["--data-dir", str(source), "report", "2026-01-05", "--html", str(out)])
    err = capsys.readouterr().err
    assert rc == 1 and not out.exists()
    assert err.startswith("holdspace: error: nothing is stored for 2026-01-05;")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_an_existing_file_is_kept_unless_forced(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "day.html"
    out.write_text("my notes")
    assert report(source, out) == 1
    assert "already exists; add --force" in capsys.readouterr().err
    assert out.read_text() == "my notes"
    assert report(source, out, "--force") == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_a_missing_folder_or_a_folder_as_out_is_named(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert report(source, tmp_path / "nowhere" / "day.html") == 1
    assert f"the folder {tmp_path / 'nowhere'} does not exist" in capsys.readouterr().err
    assert report(source, tmp_path) == 1
    assert f"{tmp_path} is a folder" in capsys.readouterr().err


def test_no_data_folder_is_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        [
            "--data-dir",
            str(tmp_path / "none"),
            "report",
            "2026-11-23",
            "--html",
            str(tmp_path / "x.html"),
        ]
    )
    assert rc == 1
    assert "no Holdspace data in" in capsys.readouterr().err


def test_line_path_breaks_at_missing_minutes() -> None:
    nan = math.nan
    d = line_path([0, 10, 20, 30, 40, 50], [1, 2, nan, 4, nan, 6])
    assert d == "M0.0 1.0L10.0 2.0M28.5 4.0H31.5M48.5 6.0H51.5"
    assert line_path([], []) == ""


def test_nice_ticks_are_round_and_cover_the_range() -> None:
    assert nice_ticks(60, 120, 4) == [60, 80, 100, 120]
    assert nice_ticks(0, 100, 4) == [0, 50, 100]
    assert nice_ticks(0.0, 7.0, 4) == [0, 2, 4, 6]
    assert nice_ticks(5.0, 5.0) == [5.0]


@pytest.fixture
def berlin() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    try:
        yield
    finally:
        os.environ["TZ"] = old or "UTC"
        time.tzset()


@pytest.mark.usefixtures("berlin")
def test_hour_ticks_follow_the_local_clock_across_a_change() -> None:
    # 2026-10-25: clocks in Berlin go back from 03:00 CEST to 02:00 CET.
    start = datetime(2026, 10, 24, 23, 30, tzinfo=UTC).timestamp()  # 01:30 CEST
    ticks = hour_ticks(start, start + 3 * 3600)
    assert [name for _, name in ticks] == ["02:00", "02:00", "03:00"]
    assert [b - a for (a, _), (b, _) in itertools.pairwise(ticks)] == [3600.0, 3600.0]


def test_a_day_of_sessions_without_beats_still_reports(data_dir: Path) -> None:
    start_s = datetime(2026, 11, 23, 9, 0, tzinfo=UTC).timestamp()
    with Store(data_dir) as store:
        sid = store.begin_session("client", "C-1", start_s, "manual")
        store.finish_session(sid, start_s + 3000.0)
        store.begin_session("break", "B-1", start_s + 3600.0, "manual")  # still open
        page = build_day_report(store, date(2026, 11, 23))
    tags = parse(page)
    assert len(tags.of("svg", "chart")) == 3
    assert len(tags.of("rect", "band")) == 2
    assert tags.of("path", "line-hr")[0]["d"] == ""
    assert "0 min recorded" in page and "not measured" in page and "open" in page
