"""Tests for importing RR files from other tools (sensors.rrfiles: importer, formats)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import time
from pathlib import Path

import numpy as np
import pytest

from sensors.beats import GapReason
from sensors.events import BeatsImported
from sensors.names import IMPORT_FORMATS
from sensors.rrfiles.common import RR_MAX_MS, RRImportError
from sensors.rrfiles.importer import CHUNK_BEATS, ImportedRR, RRFileSource, read_rr_file
from sensors.source import BeatSource
from tests.support.paths import SHARED_DATA

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
T0 = START.timestamp()
DATA = SHARED_DATA
realdata = pytest.mark.realdata  # skipped without ../shared/data; fails under CI=true

POLAR_HEAD = "Phone timestamp;RR-interval [ms]\n"
KUBIOS_HEAD = (
    "# SIGNAL/SERIES EXPORT - KUBIOS\n"
    "# File:\t\t\t\tRandomSamples\n"
    "# Device:\t \t\t\tn/a\n"
    "# Comment:\t\t\tThese are the RR intervals of the SampleSeries.\n"
)


def write(tmp_path: Path, text: str | bytes, name: str = "data.txt") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def read(
    path: Path,
    fmt: str = "rr-ms",
    *,
    start: dt.datetime | None = START,
    first_is_time: bool = False,
    phone_tz: dt.tzinfo | None = dt.UTC,
) -> ImportedRR:
    return read_rr_file(path, fmt, start=start, first_is_time=first_is_time, phone_tz=phone_tz)


def error(path: Path, fmt: str = "rr-ms", *, first_is_time: bool = False) -> RRImportError:
    with pytest.raises(RRImportError) as info:
        read(path, fmt, first_is_time=first_is_time)
    return info.value


# --- rr-ms / rr-s: one column ------------------------------------------------------------------


def test_formats_registry() -> None:
    assert IMPORT_FORMATS == ("rr-ms", "rr-s", "kubios", "polar", "holdspace-csv")


def test_one_column_ms_places_beats_by_cumulative_rr(tmp_path: Path) -> None:
    imported = read(write(tmp_path, "800\n810\n790\n"))
    assert [b.rr_ms for b in imported.beats] == [800.0, 810.0, 790.0]
    assert [b.time_s - T0 for b in imported.beats] == pytest.approx([0.8, 1.61, 2.4])
    assert [b.gap_before for b in imported.beats] == [True, False, False]
    assert dict(imported.gap_reasons) == {0: GapReason.START}
    assert imported.source_format == "rr-ms"
    assert imported.path == tmp_path / "data.txt"
    assert imported.rr_ms.tolist() == [800.0, 810.0, 790.0]
    assert imported.duration_s == pytest.approx(2.4)
    assert imported.start_s == pytest.approx(T0)
    assert imported.gap_count == 0


def test_one_column_seconds_become_milliseconds_unrounded(tmp_path: Path) -> None:
    imported = read(write(tmp_path, "0.8\n0.8125\n"), "rr-s")
    assert imported.rr_ms.tolist() == pytest.approx([800.0, 812.5])
    assert imported.beats[-1].time_s - T0 == pytest.approx(1.6125)


def test_comments_blank_lines_and_crlf(tmp_path: Path) -> None:
    text = "# exported by hand\r\n\r\n800 # first\r\n   \r\n# a note\r\n810\r\n"
    assert read(write(tmp_path, text)).rr_ms.tolist() == [800.0, 810.0]


def test_utf8_bom_is_ignored(tmp_path: Path) -> None:
    assert read(write(tmp_path, b"\xef\xbb\xbf800\n810\n")).rr_ms.tolist() == [800.0, 810.0]


def test_first_is_time_opens_the_first_interval(tmp_path: Path) -> None:
    imported = read(write(tmp_path, "225.5\n0.8\n0.7\n"), "rr-s", first_is_time=True)
    assert len(imported.beats) == 2
    assert [b.time_s - T0 for b in imported.beats] == pytest.approx([226.3, 227.0])
    assert imported.rr_ms.tolist() == pytest.approx([800.0, 700.0])
    assert imported.beats[0].gap_before


def test_first_is_time_is_seconds_in_an_ms_file(tmp_path: Path) -> None:
    imported = read(write(tmp_path, "10\n800\n"), "rr-ms", first_is_time=True)
    assert imported.beats[0].time_s - T0 == pytest.approx(10.8)


def test_an_over_long_interval_is_a_gap_not_a_beat_to_difference(tmp_path: Path) -> None:
    imported = read(write(tmp_path, "800\n7476.5\n800\n"))
    assert len(imported.beats) == 3
    assert dict(imported.gap_reasons) == {0: GapReason.START, 1: GapReason.MISSING_BEATS}
    assert imported.beats[1].gap_before
    assert imported.beats[2].time_s - T0 == pytest.approx(9.0765)


# --- two columns, separators, header line ------------------------------------------------------


@pytest.mark.parametrize(
    "line_template",
    ["{t},{rr}", "{t};{rr}", "{t}\t{rr}", "{t} {rr}", "{t} ,  {rr}", "{t};{rr};", "  {t}   {rr}  "],
    ids=["comma", "semicolon", "tab", "space", "spaced-comma", "trailing-sep", "padded"],
)
def test_separators(tmp_path: Path, line_template: str) -> None:
    rows = [(0.8, 800), (1.61, 810), (2.4, 790)]
    text = "".join(line_template.format(t=t, rr=rr) + "\n" for t, rr in rows)
    imported = read(write(tmp_path, text))
    assert imported.rr_ms.tolist() == [800.0, 810.0, 790.0]
    assert [b.time_s - T0 for b in imported.beats] == pytest.approx([0.8, 1.61, 2.4])


def test_time_column_gives_beat_times(tmp_path: Path) -> None:
    imported = read(write(tmp_path, "10.0,0.8\n10.9,0.9\n"), "rr-s")
    assert [b.time_s - T0 for b in imported.beats] == pytest.approx([10.0, 10.9])
    assert dict(imported.gap_reasons) == {0: GapReason.START}


def test_time_jump_becomes_a_gap(tmp_path: Path) -> None:
    text = "0.8,800\n1.6,800\n5.0,800\n5.8,800\n"
    imported = read(write(tmp_path, text))
    assert dict(imported.gap_reasons) == {0: GapReason.START, 2: GapReason.TIME_JUMP}
    assert [b.gap_before for b in imported.beats] == [True, False, True, False]
    assert imported.beats[2].time_s - T0 == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("step_s", "rr_ms", "gap"),
    [
        (1.3, 800, False),  # 0.5 s over an 800-ms RR: within max(0.5 s, 0.4 s)
        (1.31, 800, True),
        (1.75, 1200, False),  # 0.55 s over a 1200-ms RR: within max(0.5 s, 0.6 s)
        (1.81, 1200, True),
    ],
)
def test_time_jump_tolerance(tmp_path: Path, step_s: float, rr_ms: int, gap: bool) -> None:
    text = f"1.0,{rr_ms}\n{1.0 + step_s:.2f},{rr_ms}\n"
    imported = read(write(tmp_path, text))
    assert imported.beats[1].gap_before is gap
    if gap:
        assert imported.gap_reasons[1] is GapReason.TIME_JUMP


def test_header_line_is_allowed_first(tmp_path: Path) -> None:
    text = "# from a spreadsheet\ntime,rr\n0.8,800\n1.6,800\n"
    assert len(read(write(tmp_path, text)).beats) == 2


def test_header_line_states_a_matching_unit(tmp_path: Path) -> None:
    text = "time [s];RR (ms)\n0.8;800\n"
    assert read(write(tmp_path, text)).rr_ms.tolist() == [800.0]


# --- errors name the file and the line ---------------------------------------------------------


def test_not_a_number_message(tmp_path: Path) -> None:
    path = write(tmp_path, "800\nabc\n810\n")
    exc = error(path)
    assert str(exc) == f"{path}:2: 'abc' is not a number"
    assert (exc.path, exc.line) == (path, 2)
    assert isinstance(exc, ValueError)


@pytest.mark.parametrize(
    ("text", "fmt", "line", "words"),
    [
        ("# c\n\n800\n8o0\n", "rr-ms", 4, "'8o0' is not a number"),
        ("800\nrr\n", "rr-ms", 2, "'rr' is not a number"),
        ("800\nnan\n", "rr-ms", 2, "'nan' is not a finite number"),
        ("800\ninf\n", "rr-ms", 2, "'inf' is not a finite number"),
        ("800\n1,,800\n", "rr-ms", 2, "3 columns where the lines above have 1"),
        ("1,800\n2,810\n3\n", "rr-ms", 3, "1 column where the lines above have 2"),
        ("1,800,3\n", "rr-ms", 1, "3 columns, expected one (RR) or two"),
        ("time,rr\n800\n", "rr-ms", 2, "1 column under a header of 2 columns"),
        ("800\n0\n", "rr-ms", 2, "RR 0 ms is not positive"),
        ("800\n-5\n", "rr-ms", 2, "RR -5 ms is not positive"),
        ("0.8\n0.81\n", "rr-ms", 1, "implausibly short"),
        ("800\n810\n", "rr-s", 1, "implausibly long for the first interval"),
        ("800\n4000000\n", "rr-ms", 2, "implausibly long (over 1 h)"),
        (
            "0.8,800\n0.7,800\n",
            "rr-ms",
            2,
            "time 0.7 s does not come after the previous beat's 0.8 s",
        ),
        ("0.8,800\n0.8,800\n", "rr-ms", 2, "does not come after"),
        ("-1,800\n", "rr-ms", 1, "time -1 s is negative"),
        ("time,rr [ms]\n0.8,800\n", "rr-s", 1, "header says the RR are in ms"),
        ("time [ms],rr\n800,800\n", "rr-ms", 1, "time column must be in seconds"),
        (POLAR_HEAD + "2022-05-13T10:53:04.123;812\n", "rr-ms", 1, "import it as polar"),
    ],
)
def test_error_names_line(tmp_path: Path, text: str, fmt: str, line: int, words: str) -> None:
    path = write(tmp_path, text)
    exc = error(path, fmt)
    assert exc.line == line
    assert str(exc).startswith(f"{path}:{line}: ")
    assert words in str(exc)


def test_unit_mistakes_suggest_the_other_format(tmp_path: Path) -> None:
    assert "import the file as rr-s" in str(error(write(tmp_path, "0.8\n"), "rr-ms"))
    assert "import the file as rr-ms" in str(error(write(tmp_path, "800\n"), "rr-s"))


def test_first_error_in_file_order_wins(tmp_path: Path) -> None:
    assert error(write(tmp_path, "800\n0\n-3\n9000000\n")).line == 2
    assert error(write(tmp_path, "1,800\nx,800\n3,800,1\n")).line == 2


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, b"800\n810\n8\xff0\n")
    exc = error(path)
    assert (exc.line, str(exc)) == (3, f"{path}:3: the file is not UTF-8 text")


@pytest.mark.parametrize("text", ["", "\n\n", "# only comments\n# here\n", "time,rr\n"], ids=repr)
def test_empty_file_has_no_beats(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    exc = error(path)
    assert (exc.line, str(exc)) == (0, f"{path}: the file holds no RR intervals")


def test_first_is_time_alone_has_no_beats(tmp_path: Path) -> None:
    exc = error(write(tmp_path, "225.8\n"), "rr-s", first_is_time=True)
    assert exc.line == 0
    assert "no RR intervals" in str(exc)


def test_first_is_time_rejects_two_columns(tmp_path: Path) -> None:
    exc = error(write(tmp_path, "0.8,800\n"), first_is_time=True)
    assert exc.line == 1
    assert "one-column" in str(exc)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    exc = error(path)
    assert (exc.path, exc.line, str(exc)) == (path, 0, f"{path}: no such file")


def test_directory(tmp_path: Path) -> None:
    exc = error(tmp_path)
    assert exc.line == 0
    assert "directory" in str(exc)


def test_argument_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "800\n")
    with pytest.raises(ValueError, match="unknown RR file format 'csv'"):
        read_rr_file(path, "csv", start=START)
    for fmt in ("rr-ms", "rr-s", "kubios"):
        with pytest.raises(ValueError, match="start time"):
            read_rr_file(path, fmt)
    with pytest.raises(ValueError, match="no time zone"):
        read_rr_file(path, "rr-ms", start=dt.datetime(2026, 3, 2, 8))
    with pytest.raises(ValueError, match="first_is_time"):
        read_rr_file(write(tmp_path, POLAR_HEAD), "polar", first_is_time=True)


# --- kubios ------------------------------------------------------------------------------------


def test_kubios_export_in_milliseconds(tmp_path: Path) -> None:
    imported = read(write(tmp_path, KUBIOS_HEAD + "766.000\n727.000\n789.000\n"), "kubios")
    assert imported.rr_ms.tolist() == [766.0, 727.0, 789.0]
    assert imported.source_format == "kubios"
    assert imported.beats[0].time_s - T0 == pytest.approx(0.766)


@pytest.mark.parametrize("statement", ["# Unit: s", "# Units = seconds", "# RR interval (s)"])
def test_kubios_unit_from_header(tmp_path: Path, statement: str) -> None:
    imported = read(write(tmp_path, KUBIOS_HEAD + statement + "\n0.766\n0.727\n"), "kubios")
    assert imported.rr_ms.tolist() == pytest.approx([766.0, 727.0])


def test_kubios_header_in_ms_and_time_column(tmp_path: Path) -> None:
    text = KUBIOS_HEAD + "# Unit: ms\nTime (s)\tRR (ms)\n0.766\t766\n1.493\t727\n"
    imported = read(write(tmp_path, text), "kubios")
    assert [b.time_s - T0 for b in imported.beats] == pytest.approx([0.766, 1.493])


def test_kubios_without_its_header_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "# some other export\n766\n727\n")
    exc = error(path, "kubios")
    assert exc.line == 2
    assert "not a Kubios RR export" in str(exc)
    assert "SIGNAL/SERIES EXPORT - KUBIOS" in str(exc)


def test_kubios_marker_without_data_has_no_beats(tmp_path: Path) -> None:
    exc = error(write(tmp_path, KUBIOS_HEAD), "kubios")
    assert (exc.line, exc.problem) == (0, "the file holds no RR intervals")


def test_kubios_conflicting_units_are_refused(tmp_path: Path) -> None:
    exc = error(write(tmp_path, KUBIOS_HEAD + "# Unit: s\n# RR (ms)\n766\n"), "kubios")
    assert "both as ms and as s" in str(exc)


def test_kubios_reads_as_rr_ms_too(tmp_path: Path) -> None:
    assert read(write(tmp_path, KUBIOS_HEAD + "766.000\n727.000\n")).rr_ms.tolist() == [766, 727]


# --- polar -------------------------------------------------------------------------------------


def polar_file(tmp_path: Path, rows: list[tuple[str, float]]) -> Path:
    return write(tmp_path, POLAR_HEAD + "".join(f"{s};{rr:g}\n" for s, rr in rows), "x_RR.txt")


def stamp(t0: dt.datetime, seconds: float) -> str:
    return (t0 + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


PHONE_T0 = dt.datetime(2022, 5, 13, 10, 53, 2)
TZ_PLUS2 = dt.timezone(dt.timedelta(hours=2))


def test_polar_shared_stamps_are_spread_by_rr(tmp_path: Path) -> None:
    # Beats every 800 ms; notifications carry one or two RR and arrive 50-900 ms late.
    true_beats_s = [0.8 * (k + 1) for k in range(8)]
    packets = [[0], [1, 2], [3], [4, 5], [6], [7]]
    latency_s = [0.9, 0.05, 0.3, 0.2, 0.6, 0.1]
    rows = []
    for packet, late_s in zip(packets, latency_s, strict=True):
        arrival_s = true_beats_s[packet[-1]] + late_s
        rows += [(stamp(PHONE_T0, arrival_s), 800.0) for _ in packet]
    path = polar_file(tmp_path, rows)
    imported = read(path, "polar", start=None, phone_tz=TZ_PLUS2)
    base_s = PHONE_T0.replace(tzinfo=TZ_PLUS2).timestamp()
    # The least-delayed notification (50 ms) anchors the clock: its newest beat falls on
    # its arrival, and every beat keeps its RR spacing. Latency is unknowable, so all
    # beats sit 50 ms after the truth.
    assert [b.time_s - base_s for b in imported.beats] == pytest.approx(
        [t + 0.05 for t in true_beats_s]
    )
    assert imported.beats[2].time_s - base_s == pytest.approx(2.45)
    assert np.diff(imported.time_s) == pytest.approx(0.8)
    assert dict(imported.gap_reasons) == {0: GapReason.START}
    assert imported.source_format == "polar"


def test_polar_beats_never_fall_after_their_arrival(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    rr = rng.normal(900, 60, 300).round()
    arrival = np.cumsum(rr) / 1000 + rng.uniform(0.0, 2.0, rr.size)
    arrival = np.maximum.accumulate(arrival)
    rows = [(stamp(PHONE_T0, a), float(r)) for a, r in zip(arrival, rr, strict=True)]
    imported = read(polar_file(tmp_path, rows), "polar", start=START)
    base_s = PHONE_T0.replace(tzinfo=dt.UTC).timestamp()
    arrival_ms = np.round((arrival + base_s) * 1000) / 1000  # stamps have ms resolution
    assert np.all(imported.time_s <= arrival_ms + 1e-6)
    assert np.diff(imported.time_s) * 1000 == pytest.approx(rr[1:])
    assert len(imported.gap_reasons) == 1


def test_polar_time_jump_is_a_gap(tmp_path: Path) -> None:
    rows = [(stamp(PHONE_T0, 0.8 * (k + 1)), 800.0) for k in range(5)]
    rows += [(stamp(PHONE_T0, 60 + 0.8 * (k + 1)), 800.0) for k in range(5)]
    imported = read(polar_file(tmp_path, rows), "polar", start=START)
    assert dict(imported.gap_reasons) == {0: GapReason.START, 5: GapReason.TIME_JUMP}
    base_s = PHONE_T0.replace(tzinfo=dt.UTC).timestamp()
    assert imported.beats[4].time_s - base_s == pytest.approx(4.0)
    assert imported.beats[5].time_s - base_s == pytest.approx(60.8)
    assert imported.beats[5].gap_before


def test_polar_late_batch_is_no_gap(tmp_path: Path) -> None:
    # Beats 2-7 arrive together 4.4 s after beat 2: late, but within POLAR_MAX_DRIFT_S.
    rows = [(stamp(PHONE_T0, 0.8), 800.0)] + [(stamp(PHONE_T0, 6.0), 800.0)] * 6
    imported = read(polar_file(tmp_path, rows), "polar", start=START)
    assert dict(imported.gap_reasons) == {0: GapReason.START}
    base_s = PHONE_T0.replace(tzinfo=dt.UTC).timestamp()
    assert imported.time_s - base_s == pytest.approx([0.8 * (k + 1) for k in range(7)])


def test_polar_timezones(tmp_path: Path) -> None:
    rows = [("2022-05-13T10:53:04.000", 800.0)]
    path = polar_file(tmp_path, rows)
    # start is not used for polar files: stamps are read in the local time zone by default.
    local = read_rr_file(path, "polar", start=dt.datetime(2022, 1, 1, tzinfo=TZ_PLUS2))
    naive = dt.datetime(2022, 5, 13, 10, 53, 4)
    assert local.beats[0].time_s == pytest.approx(naive.timestamp(), abs=1e-6)
    plus2 = read_rr_file(path, "polar", phone_tz=TZ_PLUS2)
    utc_8 = dt.datetime(2022, 5, 13, 8, 53, 4, tzinfo=dt.UTC).timestamp()
    assert plus2.beats[0].time_s == pytest.approx(utc_8, abs=1e-6)
    explicit = polar_file(tmp_path, [("2022-05-13T10:53:04.000+00:00", 800.0)])
    utc_10 = dt.datetime(2022, 5, 13, 10, 53, 4, tzinfo=dt.UTC).timestamp()
    assert read_rr_file(explicit, "polar", phone_tz=TZ_PLUS2).beats[0].time_s == pytest.approx(
        utc_10, abs=1e-6
    )


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="needs time.tzset (POSIX)")
def test_polar_local_time_follows_daylight_saving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "EET-2EEST,M3.5.0/3,M10.5.0/4")  # Helsinki: +2 winter, +3 summer
    time.tzset()
    try:
        winter = polar_file(tmp_path, [("2022-01-13T10:00:00.000", 800.0)])
        summer = write(tmp_path, POLAR_HEAD + "2022-07-13T10:00:00.000;800\n", "s_RR.txt")
        winter_s = read_rr_file(winter, "polar").beats[0].time_s
        summer_s = read_rr_file(summer, "polar").beats[0].time_s
    finally:
        monkeypatch.undo()
        time.tzset()
    utc = dt.UTC
    assert winter_s == pytest.approx(dt.datetime(2022, 1, 13, 8, tzinfo=utc).timestamp())
    assert summer_s == pytest.approx(dt.datetime(2022, 7, 13, 7, tzinfo=utc).timestamp())


def test_polar_seconds_unit_crlf_and_bom(tmp_path: Path) -> None:
    text = "\ufeffPhone timestamp;RR-interval [s]\r\n2022-05-13 10:53:04.000;0.8\r\n"
    imported = read(write(tmp_path, text), "polar")
    assert imported.rr_ms.tolist() == pytest.approx([800.0])


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("800\n810\n", 1, "not a Polar Sensor Logger RR file"),
        ("Phone timestamp;HR [bpm];HRV [ms];Breathing interval [rpm];\n", 1, "expected the header"),
        (
            "\n" + POLAR_HEAD + "13.05.2022 10:53;800\n",
            3,
            "'13.05.2022 10:53' is not a date and time",
        ),
        (POLAR_HEAD + "10:53:04.123;800\n", 2, "is not a date and time"),
        (POLAR_HEAD + "2022-05-13T10:53:04.123;8oo\n", 2, "'8oo' is not a number"),
        (POLAR_HEAD + "2022-05-13T10:53:04.123;800;1\n", 2, "3 fields"),
        (POLAR_HEAD + "2022-05-13T10:53:04;800\n2022-05-13T10:53:03;800\n", 3, "goes back"),
        (POLAR_HEAD + "2022-05-13T10:53:04;800\n2022-05-13T10:53:05;0\n", 3, "not positive"),
    ],
)
def test_polar_errors(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = write(tmp_path, text)
    exc = error(path, "polar")
    assert exc.line == line
    assert str(exc).startswith(f"{path}:{line}: ")
    assert words in str(exc)


def test_polar_header_only_has_no_beats(tmp_path: Path) -> None:
    assert error(write(tmp_path, POLAR_HEAD), "polar").line == 0


# --- the beat source ---------------------------------------------------------------------------


def long_file(tmp_path: Path, n: int, gap_at: int) -> Path:
    values = [str(RR_MAX_MS + 1000 if i == gap_at else 800 + i % 7) for i in range(n)]
    return write(tmp_path, "\n".join(values) + "\n", "long.txt")


async def test_source_yields_chunks_with_reindexed_gaps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = 2 * CHUNK_BEATS + 100
    gap_at = CHUNK_BEATS + 904
    path = long_file(tmp_path, n, gap_at)
    source = RRFileSource(path, "rr-ms", start=START)
    typed: BeatSource = source
    assert typed.progress == 0.0
    sleeps: list[float] = []
    real_sleep = asyncio.sleep

    async def counting_sleep(delay: float) -> None:
        sleeps.append(delay)
        await real_sleep(delay)

    monkeypatch.setattr(asyncio, "sleep", counting_sleep)
    events = []
    progress = []
    async for event in source.events():
        assert isinstance(event, BeatsImported)
        events.append(event)
        progress.append(source.progress)
    assert [len(e.beats) for e in events] == [CHUNK_BEATS, CHUNK_BEATS, 100]
    assert [dict(e.gap_reasons) for e in events] == [
        {0: GapReason.START},
        {904: GapReason.MISSING_BEATS},
        {},
    ]
    assert events[1].beats[904].gap_before
    beats = tuple(b for e in events for b in e.beats)
    assert beats == source.imported.beats
    assert progress == pytest.approx([CHUNK_BEATS / n, 2 * CHUNK_BEATS / n, 1.0])
    assert sleeps == [0, 0]


def test_source_identity(tmp_path: Path) -> None:
    path = write(tmp_path, "800\n810\n", "mine.txt")
    source = RRFileSource(path, "rr-ms", start=START)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    assert source.source_id == f"import:{digest}"
    assert source.description == "rr-ms file mine.txt"
    again = RRFileSource(write(tmp_path, "800\n810\n", "copy.txt"), "rr-ms", start=START)
    assert again.source_id == source.source_id


def test_source_fails_at_construction(tmp_path: Path) -> None:
    path = write(tmp_path, "800\n810\nx\n")
    with pytest.raises(RRImportError, match=r":3: 'x' is not a number"):
        RRFileSource(path, "rr-ms", start=START)
    with pytest.raises(ValueError, match="start time"):
        RRFileSource(path, "rr-ms")


# --- real recordings (../shared/data) ----------------------------------------------------------


@pytest.mark.realdata
@realdata
@pytest.mark.parametrize("fmt", ["rr-ms", "kubios"])
def test_kubios_sample_export(fmt: str) -> None:
    imported = read_rr_file(DATA / "kubios-ref" / "SampleExport.txt", fmt, start=START)
    assert len(imported.beats) == 423
    assert float(imported.rr_ms.mean()) == pytest.approx(707.5437, abs=1e-4)


@pytest.mark.realdata
@realdata
def test_holter_seconds_with_first_time() -> None:
    path = DATA / "holter-24h" / "nsr001_rr_secs.txt"
    lines = sum(1 for line in path.read_text().splitlines() if line.strip())
    imported = read_rr_file(path, "rr-s", start=START, first_is_time=True)
    assert len(imported.beats) == lines - 1
    assert imported.beats[0].time_s - T0 == pytest.approx(225.796875 + 0.6953125)
    # The beats span 22.49 h; with the 226 s before the first beat, 22.55 h (README: 22.6 h).
    assert imported.duration_s / 3600 == pytest.approx(22.49, abs=0.01)
    assert (imported.end_s - T0) / 3600 == pytest.approx(22.6, abs=0.1)
    # Unannotated stretches (7.5 s and 5.2 s between normal beats) are gaps, not beats.
    assert list(imported.gap_reasons.values()).count(GapReason.MISSING_BEATS) == 2


@pytest.mark.realdata
@realdata
def test_holter_milliseconds() -> None:
    path = DATA / "holter-24h" / "healthy000_rr_ms.txt"
    imported = read_rr_file(path, "rr-ms", start=START)
    assert len(imported.beats) == 80441
    assert imported.duration_s / 3600 == pytest.approx(21.08, abs=0.01)
    assert dict(imported.gap_reasons) == {0: GapReason.START}
    assert float(imported.rr_ms.min()) == 352.0
