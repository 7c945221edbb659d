"""Every reader has documented limits and fails in one sentence (issue 16, item 11).

Recordings: lines of at most 1 MiB, nesting at most 32 deep (a line of 200,000 ``[``
once raised RecursionError). RR files: read a block at a time, at most 5,000,000 RR
intervals and lines of at most 4,096 characters (a 100 MB file once took 3.4 GB).
Settings and colleagues files: at most 4 MiB, nesting at most 32 deep. The large
cases run in a fresh process under a generous guard (1 GiB of address space);
``make bench`` prints the real figures (``bench/fuzz_bench.py``, F2).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.fuzz_bench import deep_recording, large_rr_file, read_in_child
from companion.cli.main import main
from companion.errors import HoldspaceError
from companion.store.jsonfile import JSON_MAX_BYTES, read_json_object
from sensors.names import IMPORT_FORMATS
from sensors.recording import RecordingError, RecordingReader
from sensors.rrfiles import beatscsv
from sensors.rrfiles import common as rr_common
from sensors.rrfiles import polar as rr_polar
from sensors.rrfiles import text as rr_text
from sensors.rrfiles.common import ParsedRR, RRImportError
from sensors.rrfiles.formats import parse_rr_bytes, parse_rr_stream
from tests.support.paths import FIXTURES

AS_LIMIT_BYTES = 1 << 30
HEADER = (FIXTURES / "rest-5min.hsrec").read_bytes().split(b"\n", 1)[0] + b"\n"


def _one_sentence(message: str, path: Path, line: int) -> None:
    assert message.startswith(f"{path}:{line}: ") and "\n" not in message


@pytest.mark.parametrize(
    ("body", "line"),
    [
        (HEADER + b"[" * 200_000 + b"\n", 2),
        (HEADER + b"[" * 200_000, 2),  # as a last line without its newline
        (b"[" * 200_000 + b"\n", 1),  # as the header
        (HEADER + b'{"t": 1, "ev": "checkin", "answers": ' + b'{"a": ' * 40 + b"1" + b"}" * 41, 2),
    ],
)
def test_deep_nesting_in_a_recording_is_one_sentence(
    tmp_path: Path, body: bytes, line: int
) -> None:
    path = tmp_path / "deep.hsrec"
    path.write_bytes(body)
    with pytest.raises(RecordingError, match="nests deeper than 32 levels") as err:
        list(RecordingReader(path))
    _one_sentence(str(err.value), path, line)


def test_a_recording_line_over_1_mib_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.hsrec"
    note = b"a" * (1024 * 1024)
    path.write_bytes(
        HEADER + b'{"t": 1.0, "ev": "checkin", "answers": {"note": "' + note + b'"}}\n'
    )
    with pytest.raises(RecordingError, match="longer than 1 MiB") as err:
        list(RecordingReader(path))
    _one_sentence(str(err.value), path, 2)


def test_brackets_inside_strings_do_not_count(tmp_path: Path) -> None:
    path = tmp_path / "ok.hsrec"
    answers = b'{"note": "' + b"[{" * 100 + b'"}'
    path.write_bytes(HEADER + b'{"t": 1.0, "ev": "checkin", "answers": ' + answers + b"}\n")
    [(_, event)] = list(RecordingReader(path))
    assert event.answers["note"] == "[{" * 100  # type: ignore[union-attr]


def test_replaying_200000_brackets_is_one_line_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = deep_recording(tmp_path / "deep.hsrec")
    assert main(["replay", str(path), "--headless", "--fast", "--no-store"]) == 1
    err = capsys.readouterr().err
    problem = "nests deeper than 32 levels, which no recording line does"
    assert err == f"holdspace: error: {path}:2: {problem}.\n"


def test_a_100_mb_rr_file_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    path = large_rr_file(tmp_path / "large.txt")
    got = read_in_child(path, "rr-ms", AS_LIMIT_BYTES)
    assert not got["crashed"], got["outcome"]
    assert got["outcome"] == (
        f"{path}:5000001: the file holds more than 5,000,000 RR intervals, the most one "
        "import reads; split it into parts"
    )


@pytest.mark.parametrize("fmt", IMPORT_FORMATS)
def test_every_rr_format_stops_past_its_beat_limit(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in (rr_common, rr_text, rr_polar, beatscsv):
        monkeypatch.setattr(module, "RR_MAX_BEATS", 3)
    lines = {
        "polar": "Phone timestamp;RR-interval [ms]\n"
        + "".join(f"2026-11-20T08:30:0{i}.000;812\n" for i in range(5)),
        "holdspace-csv": "time_s,rr_ms,gap_before,gap_reason\n"
        + "".join(f"{1.0 + i},812.0,0,\n" for i in range(5)),
        "kubios": "# SIGNAL/SERIES EXPORT - KUBIOS\n" + "812\n" * 5,
    }.get(fmt, "812\n" * 5 if fmt == "rr-ms" else "0.812\n" * 5)
    with pytest.raises(RRImportError, match="more than 3 RR intervals") as err:
        parse_rr_bytes(lines.encode(), Path("f.txt"), fmt)
    line = 5 if fmt in ("polar", "holdspace-csv", "kubios") else 4
    _one_sentence(str(err.value), Path("f.txt"), line)


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"812\n" + b"8" * 5000 + b"\n812\n", 2),
        (b"8" * 5_000_000, 1),  # no line break at all: refused after one block
        ("# é\n812\n".encode() + "é".encode() * 5000 + b"\n", 3),
    ],
)
def test_an_over_long_rr_line_is_refused(data: bytes, line: int) -> None:
    for fmt in IMPORT_FORMATS:
        with pytest.raises(RRImportError, match="longer than 4,096 characters") as err:
            parse_rr_bytes(data, Path("f.txt"), fmt)
        _one_sentence(str(err.value), Path("f.txt"), line)


_LINE = st.one_of(
    st.sampled_from(
        [
            "812",
            "790.5",
            "# unit: ms",
            "# SIGNAL/SERIES EXPORT - KUBIOS",
            "time,rr",
            "1.0,812",
            "x",
            "nan",
            "",
            "Phone timestamp;RR-interval [ms]",
            "2026-11-20T08:30:00.123;812",
            "time_s,rr_ms,gap_before,gap_reason",
            "1764000000.25,812.5,1,start",
            "é",
            "812\r",
        ]
    ),
    st.text(alphabet="0123456789.,; \t#x\r", max_size=8),
)


def _outcome(data: bytes, fmt: str) -> object:
    try:
        parsed = parse_rr_stream(io.BytesIO(data), Path("f.txt"), fmt)
    except RRImportError as exc:
        return str(exc)
    assert isinstance(parsed, ParsedRR)
    return (parsed.rr_ms.tolist(), parsed.time_s.tolist(), parsed.gap_reasons)


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(_LINE, max_size=25),
    fmt=st.sampled_from(IMPORT_FORMATS),
    block=st.integers(1, 40),
    bom=st.booleans(),
)
def test_the_block_size_never_changes_the_result(
    lines: list[str], fmt: str, block: int, bom: bool
) -> None:
    data = ("\ufeff" if bom else "").encode() + "\n".join(lines).encode()
    whole = _outcome(data, fmt)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rr_text, "READ_BLOCK_BYTES", block)
        assert _outcome(data, fmt) == whole


def test_settings_files_have_limits(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(b"[" * 200_000)
    with pytest.raises(HoldspaceError, match="nests deeper than 32 levels") as err:
        read_json_object(path, "settings", "delete it to start from the defaults")
    assert "\n" not in str(err.value)
    path.write_bytes(b'{"a": "' + b"x" * JSON_MAX_BYTES + b'"}')
    with pytest.raises(HoldspaceError, match="larger than 4 MiB"):
        read_json_object(path, "settings", "delete it to start from the defaults")
