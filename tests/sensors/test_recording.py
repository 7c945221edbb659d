"""Recording files: round trip, whole lines only, and errors that name file and line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sensors.events import (
    BatteryLevel,
    CheckIn,
    Connected,
    DeviceInfo,
    Disconnected,
    SessionEnded,
    SessionStarted,
)
from sensors.recording import (
    RecordedPacket,
    RecordingError,
    RecordingHeader,
    RecordingReader,
    RecordingWriter,
    write_recording,
)

T0 = 1_764_059_400.123456
HEADER = RecordingHeader(
    started_at=datetime(2025, 11, 25, 8, 30, tzinfo=UTC),
    recording_id="test-1",
    device=DeviceInfo(name="Polar H10 1A2B", manufacturer="Polar"),
)
EVENTS = [
    Connected(T0, DeviceInfo(name="Polar H10 1A2B")),
    RecordedPacket(T0 + 0.987654321, bytes.fromhex("16421804700 1".replace(" ", ""))),
    BatteryLevel(T0 + 2, 97),
    SessionStarted(T0 + 3, "client", "C-07"),
    CheckIn(T0 + 4, {"feeling": "tired", "energy": 3}),
    SessionEnded(T0 + 5, heavy=True),
    SessionEnded(T0 + 6),
    Disconnected(T0 + 7, "link lost", intentional=False),
]


def test_round_trip_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "a.hsrec"
    assert write_recording(path, HEADER, EVENTS) == len(EVENTS)
    reader = RecordingReader(path)
    assert reader.header == HEADER
    events = [event for _, event in reader]
    assert events == EVENTS
    assert events[1].at_s == T0 + 0.987654321  # floats survive JSON exactly


def test_writer_appends_whole_lines_and_reopens(tmp_path: Path) -> None:
    path = tmp_path / "live.hsrec"
    with RecordingWriter(path, HEADER) as writer:
        writer.write(EVENTS[0])
    with RecordingWriter(path, HEADER) as writer:
        writer.write(EVENTS[1])
    raw = path.read_bytes()
    assert raw.endswith(b"\n")
    assert all(json.loads(line) for line in raw.splitlines())
    assert [e for _, e in RecordingReader(path)] == EVENTS[:2]
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_writer_refuses_to_append_to_another_recording(tmp_path: Path) -> None:
    path = tmp_path / "a.hsrec"
    write_recording(path, HEADER, [])
    other = RecordingHeader(started_at=HEADER.started_at, recording_id="other")
    with pytest.raises(RecordingError, match="another recording"):
        RecordingWriter(path, other)


def test_atomic_write_leaves_nothing_when_it_fails(tmp_path: Path) -> None:
    path = tmp_path / "a.hsrec"

    def events():  # type: ignore[no-untyped-def]
        yield EVENTS[0]
        raise RuntimeError("generator died")

    with pytest.raises(RuntimeError):
        write_recording(path, HEADER, events())
    assert list(tmp_path.iterdir()) == []


def test_truncated_last_line_is_skipped_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.hsrec"
    write_recording(path, HEADER, EVENTS[:3])
    with path.open("ab") as fh:
        fh.write(b'{"t": 1764059500.0, "ev": "hr')
    reader = RecordingReader(path)
    assert [e for _, e in reader] == EVENTS[:3]
    assert reader.truncated_tail


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("not json", "not valid JSON"),
        ('{"t": 1, "ev": "hrm", "hex": "zz"}', "not hexadecimal"),
        ('{"t": "soon", "ev": "battery", "percent": 3}', "'t' must be a finite number"),
        ('{"t": 1, "ev": "battery", "percent": 300}', "outside 0..100"),
        ('{"t": 1, "ev": "teleport"}', "unknown event 'teleport'"),
        ('{"t": 1, "ev": "session_start", "kind": "party"}', "unknown session kind 'party'"),
        ("[1, 2]", "expected a JSON object"),
    ],
)
def test_bad_lines_name_file_and_line(tmp_path: Path, line: str, problem: str) -> None:
    path = tmp_path / "bad.hsrec"
    write_recording(path, HEADER, EVENTS[:2])
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    with pytest.raises(RecordingError) as info:
        list(RecordingReader(path))
    assert info.value.line == 4
    assert str(info.value).startswith(f"{path}:4: ")
    assert problem in str(info.value)


@pytest.mark.parametrize(
    ("first", "problem"),
    [
        ("", "empty"),
        ('{"format": "something-else"}', "not a Holdspace recording"),
        (
            '{"format": "holdspace-recording", "version": 99, '
            '"started_at": "2025-01-01T00:00:00+00:00"}',
            "newer Holdspace",
        ),
        (
            '{"format": "holdspace-recording", "version": 1, "started_at": "2025-01-01T00:00:00"}',
            "no UTC offset",
        ),
    ],
)
def test_bad_headers(tmp_path: Path, first: str, problem: str) -> None:
    path = tmp_path / "bad.hsrec"
    path.write_text(first + "\n", encoding="utf-8")
    with pytest.raises(RecordingError, match=problem):
        RecordingReader(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="no such file"):
        RecordingReader(tmp_path / "nope.hsrec")
