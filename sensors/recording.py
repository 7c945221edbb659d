"""Recording files (``*.hsrec``): JSON Lines, one header line, then events.

A recording keeps what a strap sent, as it arrived, so the day can be rebuilt
by feeding the same bytes through the same decoder. Format, version 1::

    {"format": "holdspace-recording", "version": 1, "started_at": "2026-11-25T08:30:00+00:00",
     "recording_id": "...", "device": {...}, "generator": {...}, "truth": {...}}
    {"t": 1764059400.512, "ev": "connected", "device": {"name": "Polar H10 1A2B3C4D"}}
    {"t": 1764059401.498, "ev": "hrm", "hex": "16431503"}
    {"t": 1764059460.0, "ev": "battery", "percent": 96}
    {"t": 1764060000.0, "ev": "session_start", "kind": "client", "label": "C-17"}
    {"t": 1764063000.0, "ev": "session_end", "heavy": true}
    {"t": 1764063100.0, "ev": "checkin", "answers": {"feeling": "tired"}}
    {"t": 1764063200.0, "ev": "disconnected", "reason": "link lost", "intentional": false}

A Polar strap streaming PMD (:mod:`sensors.pmd`) adds, within version 1::

    {"t": 1764059402.0, "ev": "pmd_start", "measurement": "ecg", "sample_rate_hz": 130,
     "resolution_bits": 14, "range_g": null}
    {"t": 1764059402.6, "ev": "pmd", "hex": "00ea54a2428b45520800..."}
    {"t": 1764063200.0, "ev": "pmd_stop", "measurement": "ecg"}

``pmd`` lines hold a PMD data notification as it arrived; the measurement it belongs to is
its own byte 0, decoded with the settings of the last ``pmd_start`` of that measurement.
Recordings without PMD hold none of these lines and read exactly as before.

``t`` is the host arrival time in seconds since the Unix epoch (a JSON float,
which round-trips exactly). ``generator`` and ``truth`` are optional and only
written by the workday generator.

A recording is body data: files are written mode 0600 and folders made for them 0700,
whatever the umask.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final

from sensors.events import (
    SESSION_KINDS,
    BatteryLevel,
    CheckIn,
    Connected,
    DeviceInfo,
    Disconnected,
    SessionEnded,
    SessionStarted,
)
from sensors.jsondepth import nests_deeper_than
from sensors.pmd.control import PmdMeasurement, PmdSettings, measurement_from_name

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "LINE_MAX_BYTES",
    "NESTING_MAX",
    "RecordLine",
    "RecordedPacket",
    "RecordedPmdFrame",
    "RecordedPmdStart",
    "RecordedPmdStop",
    "RecordingError",
    "RecordingHeader",
    "RecordingReader",
    "RecordingWriter",
    "write_recording",
]

FORMAT_NAME: Final = "holdspace-recording"
FORMAT_VERSION: Final = 1
LINE_MAX_BYTES: Final = 1024 * 1024
"""Longest line read (1 MiB): Holdspace writes lines under a few kilobytes (the header of
a generated day, with its truth, is the longest); a longer line is refused, unread."""
NESTING_MAX: Final = 32
"""Deepest nesting of arrays and objects read in one line: Holdspace's nest four levels
at most; deeper lines are refused before parsing (a line of 200,000 ``[`` would exhaust
the parser's stack)."""
_FILE_MODE: Final = 0o600
"""A recording is body data: readable by its owner only."""
_DIR_MODE: Final = 0o700
"""Folders made for a recording: only their owner can open them."""


def _private_fd(fd: int) -> int:
    """Give an open file mode 0600 whatever the umask it was created under."""
    with contextlib.suppress(AttributeError, OSError):  # Windows has no fchmod
        os.fchmod(fd, _FILE_MODE)
    return fd


def _make_private_dirs(directory: Path) -> None:
    """Create ``directory`` and its missing parents one level at a time, each 0700
    (``mkdir(parents=True)`` gives the parents the umask's mode)."""
    missing: list[Path] = []
    while not directory.is_dir() and directory.parent != directory:
        missing.append(directory)
        directory = directory.parent
    for level in reversed(missing):
        try:
            level.mkdir(mode=_DIR_MODE)
        except FileExistsError:
            if level.is_dir():
                continue
            raise
        level.chmod(_DIR_MODE)


class RecordingError(ValueError):
    """A recording cannot be read; the message names the file and, when the problem is
    on one line, the line (``line`` 0: the file as a whole, named without a line)."""

    def __init__(self, path: Path | str, line: int, problem: str) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line > 0 else f"{self.path}"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True, slots=True)
class RecordedPacket:
    """A raw 0x2A37 notification and its host arrival time (epoch seconds)."""

    at_s: float
    payload: bytes


@dataclass(frozen=True, slots=True)
class RecordedPmdStart:
    """A PMD stream started with ``settings`` at host time ``at_s`` (epoch seconds)."""

    at_s: float
    settings: PmdSettings


@dataclass(frozen=True, slots=True)
class RecordedPmdFrame:
    """A raw PMD data notification and its host arrival time (epoch seconds)."""

    at_s: float
    payload: bytes


@dataclass(frozen=True, slots=True)
class RecordedPmdStop:
    """The PMD stream of ``measurement`` stopped at host time ``at_s``."""

    at_s: float
    measurement: PmdMeasurement


RecordLine = (
    RecordedPacket
    | RecordedPmdStart
    | RecordedPmdFrame
    | RecordedPmdStop
    | Connected
    | Disconnected
    | BatteryLevel
    | SessionStarted
    | SessionEnded
    | CheckIn
)
"""What one event line of a recording holds."""


@dataclass(frozen=True, slots=True)
class RecordingHeader:
    """The first line of a recording.

    Attributes
    ----------
    started_at : timezone-aware start time of the recording.
    recording_id : stable identifier; replaying the same recording twice
        replaces, never duplicates, what it stored.
    device : the strap, as far as it is known.
    generator : for generated recordings, the scenario and seed that made it.
    truth : for generated recordings, the ground truth the generator scripted.
    """

    started_at: datetime
    recording_id: str
    device: DeviceInfo = field(default_factory=DeviceInfo)
    generator: Mapping[str, Any] = field(default_factory=dict)
    truth: Mapping[str, Any] = field(default_factory=dict)
    version: int = FORMAT_VERSION

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": FORMAT_NAME,
            "version": self.version,
            "started_at": self.started_at.isoformat(),
            "recording_id": self.recording_id,
            "device": self.device.to_json(),
        }
        if self.generator:
            out["generator"] = dict(self.generator)
        if self.truth:
            out["truth"] = dict(self.truth)
        return out


def encode_line(event: RecordLine) -> dict[str, Any]:
    """The JSON object of one event line."""
    match event:
        case RecordedPacket(at_s=t, payload=payload):
            return {"t": t, "ev": "hrm", "hex": payload.hex()}
        case Connected(at_s=t, device=device):
            return {"t": t, "ev": "connected", "device": device.to_json()}
        case Disconnected(at_s=t, reason=reason, intentional=intentional):
            return {"t": t, "ev": "disconnected", "reason": reason, "intentional": intentional}
        case BatteryLevel(at_s=t, percent=percent):
            return {"t": t, "ev": "battery", "percent": percent}
        case SessionStarted(at_s=t, kind=kind, label=label):
            return {"t": t, "ev": "session_start", "kind": kind, "label": label}
        case SessionEnded(at_s=t, heavy=heavy):
            out: dict[str, Any] = {"t": t, "ev": "session_end"}
            if heavy is not None:
                out["heavy"] = heavy
            return out
        case CheckIn(at_s=t, answers=answers):
            return {"t": t, "ev": "checkin", "answers": dict(answers)}
        case RecordedPmdStart(at_s=t, settings=settings):
            return {"t": t, "ev": "pmd_start", **settings.to_json()}
        case RecordedPmdFrame(at_s=t, payload=payload):
            return {"t": t, "ev": "pmd", "hex": payload.hex()}
        case RecordedPmdStop(at_s=t, measurement=measurement):
            return {"t": t, "ev": "pmd_stop", "measurement": measurement.name.lower()}
    raise TypeError(f"not a recording event: {event!r}")  # pragma: no cover


def _dumps(obj: Mapping[str, Any]) -> bytes:
    return (json.dumps(obj, separators=(",", ":"), allow_nan=False) + "\n").encode("utf-8")


class RecordingWriter:
    """Append events to a recording, one whole line per ``write`` system call.

    Each line is encoded completely before a single unbuffered ``os.write``, so
    a crashed process leaves whole lines behind. :meth:`sync` forces them to
    disk; :meth:`close` syncs too. Opening an existing file appends to it only
    if it is a recording with the same ``recording_id``.
    """

    def __init__(self, path: Path | str, header: RecordingHeader) -> None:
        self.path = Path(path)
        if self.path.is_symlink():  # a link planted there would send the lines elsewhere
            raise RecordingError(self.path, 0, "is a link; give the recording's own path")
        exists = self.path.exists() and self.path.stat().st_size > 0
        if exists:
            existing = RecordingReader(self.path).header
            if existing.recording_id != header.recording_id:
                raise RecordingError(self.path, 1, "is another recording; refusing to append to it")
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
        self._fd: int | None = _private_fd(os.open(self.path, flags, _FILE_MODE))
        if not exists:
            self._write(_dumps(header.to_json()))

    def _write(self, data: bytes) -> None:
        if self._fd is None:
            raise ValueError("recording is closed")
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def write(self, event: RecordLine) -> None:
        """Append one event as one whole line."""
        self._write(_dumps(encode_line(event)))

    def sync(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def write_recording(path: Path | str, header: RecordingHeader, events: Iterable[RecordLine]) -> int:
    """Write a whole recording atomically (temp file, fsync, rename).

    Returns the number of event lines. The destination is either untouched or complete.
    """
    target = Path(path)
    _make_private_dirs(target.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    _private_fd(fd)
    count = 0
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(_dumps(header.to_json()))
            for event in events:
                fh.write(_dumps(encode_line(event)))
                count += 1
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp_name).replace(target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return count


def _number(obj: Mapping[str, Any], key: str, path: Path, line: int) -> float:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RecordingError(path, line, f"'{key}' must be a finite number, got {value!r}")
    return float(value)


def _string(obj: Mapping[str, Any], key: str, path: Path, line: int, default: str = "") -> str:
    value = obj.get(key, default)
    if not isinstance(value, str):
        raise RecordingError(path, line, f"'{key}' must be a string, got {value!r}")
    return value


def _hex(obj: Mapping[str, Any], path: Path, line: int) -> bytes:
    hex_text = _string(obj, "hex", path, line)
    try:
        return bytes.fromhex(hex_text)
    except ValueError:
        raise RecordingError(path, line, f"'hex' is not hexadecimal: {hex_text!r}") from None


def _decode_pmd_line(obj: Mapping[str, Any], t: float, path: Path, line: int) -> RecordLine:
    """A ``pmd``, ``pmd_start`` or ``pmd_stop`` line."""
    ev = obj.get("ev")
    if ev == "pmd":
        return RecordedPmdFrame(at_s=t, payload=_hex(obj, path, line))
    try:
        if ev == "pmd_start":
            return RecordedPmdStart(at_s=t, settings=PmdSettings.from_json(obj))
        return RecordedPmdStop(
            at_s=t, measurement=measurement_from_name(_string(obj, "measurement", path, line))
        )
    except ValueError as exc:
        if isinstance(exc, RecordingError):
            raise
        raise RecordingError(path, line, str(exc)) from None


_PMD_EVENTS: Final = frozenset({"pmd", "pmd_start", "pmd_stop"})


def decode_line(obj: Any, path: Path, line: int) -> RecordLine:
    """Turn one parsed event line into an event; raise :class:`RecordingError`."""
    if not isinstance(obj, dict):
        raise RecordingError(path, line, "expected a JSON object")
    t = _number(obj, "t", path, line)
    ev = obj.get("ev")
    if ev == "hrm":
        return RecordedPacket(at_s=t, payload=_hex(obj, path, line))
    if isinstance(ev, str) and ev in _PMD_EVENTS:
        return _decode_pmd_line(obj, t, path, line)
    if ev == "connected":
        device = obj.get("device", {})
        if not isinstance(device, dict):
            raise RecordingError(path, line, "'device' must be an object")
        return Connected(at_s=t, device=DeviceInfo.from_json(device))
    if ev == "disconnected":
        return Disconnected(
            at_s=t,
            reason=_string(obj, "reason", path, line),
            intentional=bool(obj.get("intentional", False)),
        )
    if ev == "battery":
        percent = _number(obj, "percent", path, line)
        if not 0 <= percent <= 100:
            raise RecordingError(path, line, f"battery percent {percent:g} is outside 0..100")
        return BatteryLevel(at_s=t, percent=int(percent))
    if ev == "session_start":
        kind = _string(obj, "kind", path, line)
        if kind not in SESSION_KINDS:
            raise RecordingError(
                path,
                line,
                f"unknown session kind {kind!r} (expected one of {', '.join(SESSION_KINDS)})",
            )
        return SessionStarted(at_s=t, kind=kind, label=_string(obj, "label", path, line))
    if ev == "session_end":
        heavy = obj.get("heavy")
        if heavy is not None and not isinstance(heavy, bool):
            raise RecordingError(path, line, "'heavy' must be true or false")
        return SessionEnded(at_s=t, heavy=heavy)
    if ev == "checkin":
        answers = obj.get("answers")
        if not isinstance(answers, dict):
            raise RecordingError(path, line, "'answers' must be an object")
        return CheckIn(at_s=t, answers=answers)
    raise RecordingError(path, line, f"unknown event {ev!r}")


def _parse_header(obj: Any, path: Path) -> RecordingHeader:
    if not isinstance(obj, dict) or obj.get("format") != FORMAT_NAME:
        raise RecordingError(path, 1, f"is not a Holdspace recording (no '{FORMAT_NAME}' header)")
    version = obj.get("version")
    if not isinstance(version, int) or version < 1:
        raise RecordingError(path, 1, f"header has no valid 'version' ({version!r})")
    if version > FORMAT_VERSION:
        raise RecordingError(
            path,
            1,
            f"was written by a newer Holdspace (format version {version}); "
            f"this one reads up to version {FORMAT_VERSION}",
        )
    try:
        started_at = datetime.fromisoformat(_string(obj, "started_at", path, 1))
    except ValueError:
        raise RecordingError(path, 1, "header 'started_at' is not an ISO 8601 time") from None
    if started_at.tzinfo is None:
        raise RecordingError(path, 1, "header 'started_at' has no UTC offset")
    device = obj.get("device", {})
    generator = obj.get("generator", {})
    truth = obj.get("truth", {})
    if not all(isinstance(x, dict) for x in (device, generator, truth)):
        raise RecordingError(path, 1, "header 'device', 'generator' and 'truth' must be objects")
    return RecordingHeader(
        started_at=started_at,
        recording_id=_string(obj, "recording_id", path, 1) or path.stem,
        device=DeviceInfo.from_json(device),
        generator=generator,
        truth=truth,
        version=version,
    )


class RecordingReader:
    """Read a recording: the header at once, events lazily and in order.

    A final line without its newline that does not parse is what a crash
    mid-write would leave by another writer; it is skipped and
    :attr:`truncated_tail` is set. Every other problem raises
    :class:`RecordingError` naming file and line, among them a line longer than
    :data:`LINE_MAX_BYTES` or nested deeper than :data:`NESTING_MAX`. Lines are
    read one at a time, so a recording of any size reads in constant memory.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.size_bytes = self.path.stat().st_size
            with self.path.open("rb") as fh:
                first = fh.readline(LINE_MAX_BYTES + 1)
        except FileNotFoundError:
            raise RecordingError(self.path, 0, "no such file") from None
        except IsADirectoryError:
            raise RecordingError(self.path, 0, "is a directory, not a recording") from None
        except PermissionError:
            raise RecordingError(self.path, 0, "cannot be read (permission denied)") from None
        if not first.strip():
            raise RecordingError(self.path, 1, "is empty: no recording header")
        self._guard(first, 1)
        self.header = _parse_header(self._json(first, 1), self.path)
        self.truncated_tail = False
        self.bytes_read = 0

    def _guard(self, raw: bytes, line: int) -> None:
        """Refuse a line over :data:`LINE_MAX_BYTES` or nested over :data:`NESTING_MAX`."""
        if len(raw) > LINE_MAX_BYTES:
            raise RecordingError(
                self.path, line, "is longer than 1 MiB, which no recording line is"
            )
        if nests_deeper_than(raw, NESTING_MAX):
            raise RecordingError(
                self.path,
                line,
                f"nests deeper than {NESTING_MAX} levels, which no recording line does",
            )

    def _json(self, raw: bytes, line: int) -> Any:
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise RecordingError(self.path, line, f"is not valid JSON ({exc.msg})") from None
        except UnicodeDecodeError:
            raise RecordingError(self.path, line, "is not UTF-8 text") from None

    def __iter__(self) -> Iterator[tuple[int, RecordLine]]:
        """Yield ``(line_number, event)`` for every event line."""
        with self.path.open("rb") as fh:
            fh.readline(LINE_MAX_BYTES + 1)
            self.bytes_read = fh.tell()
            yield from self._events(fh)

    def _events(self, fh: IO[bytes]) -> Iterator[tuple[int, RecordLine]]:
        line_no = 1
        for raw in iter(lambda: fh.readline(LINE_MAX_BYTES + 1), b""):
            line_no += 1
            self.bytes_read += len(raw)
            if not raw.strip():
                continue
            self._guard(raw, line_no)
            if not raw.endswith(b"\n"):
                try:
                    obj = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    self.truncated_tail = True
                    return
            else:
                obj = self._json(raw, line_no)
            yield line_no, decode_line(obj, self.path, line_no)
