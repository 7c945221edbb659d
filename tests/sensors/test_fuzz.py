"""Property-based tests of the file readers: whatever the bytes, only the documented error.

The packet decoder has its own (``tests/sensors/test_hrm.py``), the calendar importer too
(``tests/companion/test_calendar_ics.py``). Here: every RR import format on arbitrary and on
plausible text, and the recording reader on mutated real recordings. ``make bench``
runs the long version (``bench/fuzz_bench.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensors.names import IMPORT_FORMATS
from sensors.recording import RecordingError, RecordingReader
from sensors.rrfiles.common import ParsedRR, RRImportError
from sensors.rrfiles.formats import parse_rr_bytes
from tests.support.paths import FIXTURES

PATH = Path("fuzz.txt")
HEAVY_HEAD = b"".join((FIXTURES / "heavy-day.hsrec").read_bytes().splitlines(keepends=True)[:60])

_number = st.one_of(
    st.integers(-5, 3000).map(str),
    st.floats(allow_nan=True, allow_infinity=True, width=32).map(repr),
    st.sampled_from(["0.8", "812.5", "1e3", "nan", "inf", "-0", "", "x"]),
)
_line = st.one_of(
    _number,
    st.tuples(_number, st.sampled_from([",", ";", "\t", " ", ", "]), _number).map("".join),
    st.sampled_from(
        [
            "# Kubios HRV RR interval data",
            "# unit: ms",
            "Phone timestamp;RR-interval [ms]",
            "2026-11-20T08:30:00.123;812",
            "time [s], RR [ms]",
            "time_s,rr_ms,gap_before,gap_reason",
            "1764000000.25,812.5,1,start",
            "#",
            "",
        ]
    ),
)
_text = st.lists(_line, max_size=30).map("\n".join).map(str.encode)


def _parse(data: bytes, fmt: str, first_is_time: bool) -> None:
    only_rr = fmt not in ("polar", "holdspace-csv")
    try:
        parsed = parse_rr_bytes(data, PATH, fmt, first_is_time=first_is_time and only_rr)
    except RRImportError as exc:
        assert str(exc).startswith(str(PATH)) and "\n" not in str(exc)
        return
    assert isinstance(parsed, ParsedRR)
    assert (parsed.rr_ms > 0).all() and parsed.rr_ms.size == parsed.time_s.size


@settings(max_examples=600, deadline=None)
@given(data=st.one_of(_text, st.binary(max_size=300)), fmt=st.sampled_from(IMPORT_FORMATS))
def test_rr_files_give_beats_or_one_documented_error(data: bytes, fmt: str) -> None:
    _parse(data, fmt, first_is_time=False)


@settings(max_examples=300, deadline=None)
@given(data=_text, fmt=st.sampled_from(["rr-ms", "rr-s", "kubios"]))
def test_first_is_time_too(data: bytes, fmt: str) -> None:
    _parse(data, fmt, first_is_time=True)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cuts=st.lists(st.tuples(st.integers(0, len(HEAVY_HEAD) - 1), st.binary(max_size=4)), max_size=4)
)
def test_mutated_recordings_read_or_raise_the_documented_error(
    tmp_path: Path, cuts: list[tuple[int, bytes]]
) -> None:
    data = bytearray(HEAVY_HEAD)
    for at, insert in cuts:
        data[at : at + len(insert) or at + 1] = insert
    path = tmp_path / "fuzz.hsrec"
    path.write_bytes(bytes(data))
    try:
        events = list(RecordingReader(path))
    except RecordingError as exc:
        assert "\n" not in str(exc)
        return
    assert all(isinstance(n, int) for n, _ in events)


def test_the_unmutated_head_reads() -> None:
    assert HEAVY_HEAD.count(b"\n") == 60
    with pytest.raises(RRImportError):
        parse_rr_bytes(b"\xff\xfe", PATH, "rr-ms")
