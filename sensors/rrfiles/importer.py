"""Import RR-interval files from other tools as beats.

:func:`read_rr_file` reads a whole file into an :class:`ImportedRR`, all or
nothing; :class:`RRFileSource` offers the same file as a
:class:`~sensors.source.BeatSource` that yields
:class:`~sensors.events.BeatsImported` chunks, so an import flows through the
same pipeline as a live strap. The formats and their rules are described in
:mod:`sensors.rrfiles.formats`; the unit of a file is declared (``rr-ms`` / ``rr-s``)
or read from its header, never guessed.

Example::

    imported = read_rr_file("day.txt", "rr-ms", start=datetime(2026, 3, 2, 8, tzinfo=UTC))
    imported.beats[0].time_s   # epoch seconds of the first beat
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import BinaryIO, Final

import numpy as np
import numpy.typing as npt

from sensors.beats import BeatColumns, GapReason
from sensors.events import BeatsImported, SourceEvent
from sensors.names import IMPORT_FORMATS
from sensors.rrfiles.common import ParsedRR, RRImportError
from sensors.rrfiles.formats import parse_rr_stream

__all__ = ["CHUNK_BEATS", "ImportedRR", "RRFileSource", "read_rr_file"]

CHUNK_BEATS: Final = 4096
"""Most beats in one :class:`~sensors.events.BeatsImported` event."""

_ABSOLUTE_FORMATS: Final = frozenset({"polar", "holdspace-csv"})
"""Formats whose files carry wall-clock times, so ``start`` is not needed."""


@dataclass(frozen=True, slots=True)
class ImportedRR:
    """The beats of one imported RR file.

    Attributes
    ----------
    beats : one beat per RR interval, oldest first, as columns; ``time_s`` in
        seconds since the Unix epoch, ``rr_ms`` in milliseconds as in the file
        (unrounded).
    gap_reasons : index of every beat flagged ``gap_before`` to the reason,
        including beat 0 (:attr:`GapReason.START`).
    source_format : the format the file was read as, one of :data:`IMPORT_FORMATS`.
    path : the file.
    """

    beats: BeatColumns
    gap_reasons: Mapping[int, GapReason]
    source_format: str
    path: Path

    @property
    def rr_ms(self) -> npt.NDArray[np.float64]:
        """RR intervals in milliseconds, one per beat."""
        return np.asarray(self.beats.rr_ms, dtype=np.float64)

    @property
    def time_s(self) -> npt.NDArray[np.float64]:
        """Beat times in seconds since the Unix epoch."""
        return np.asarray(self.beats.time_s, dtype=np.float64)

    @property
    def start_s(self) -> float:
        """Epoch seconds at which the first RR interval began (first beat minus its RR)."""
        return self.beats.time_s[0] - self.beats.rr_ms[0] / 1000.0

    @property
    def end_s(self) -> float:
        """Epoch seconds of the last beat."""
        return self.beats.time_s[-1]

    @property
    def duration_s(self) -> float:
        """Seconds from :attr:`start_s` to the last beat, gaps included."""
        return self.end_s - self.start_s

    @property
    def gap_count(self) -> int:
        """Number of gaps inside the file (the start is not counted)."""
        return len(self.gap_reasons) - 1


def read_rr_file(
    path: Path | str,
    fmt: str,
    *,
    start: dt.datetime | None = None,
    first_is_time: bool = False,
    phone_tz: dt.tzinfo | None = None,
) -> ImportedRR:
    """Read an RR file completely, validating every line before returning.

    Parameters
    ----------
    path : the file.
    fmt : its format, one of :data:`IMPORT_FORMATS` (``rr-ms``, ``rr-s``,
        ``kubios``, ``polar``). Elite HRV exports are ``rr-ms``.
    start : timezone-aware wall-clock time at which the file begins, required
        for formats without wall-clock times (all but ``polar``): a one-column
        file's first beat falls at ``start`` + its first RR, a two-column file's
        beats at ``start`` + their time column. Not used for ``polar`` files,
        which carry their own times.
    first_is_time : the first value of a one-column file is the time in seconds
        after ``start`` of the R peak opening the first RR interval, not an RR
        (PhysioNet-derived ``*_rr_secs.txt``); the first beat then falls at
        ``start`` + that time + the first RR, and there is one beat per line
        after the first.
    phone_tz : ``polar`` only: the time zone of phone timestamps without a UTC
        offset (Polar Sensor Logger writes local time); default: this machine's
        local time zone, with its daylight-saving rules.

    Returns
    -------
    ImportedRR
        The beats, the first flagged ``gap_before`` with :attr:`GapReason.START`.

    Raises
    ------
    RRImportError
        When the file is missing, unreadable, not UTF-8, empty, or any line is
        malformed or implausible (the message names the file and line).
    ValueError
        For an unknown format, or a missing or naive ``start``.
    """
    file_path = Path(path)
    _check_arguments(fmt, start)
    imported, _ = _import(file_path, fmt, start, first_is_time, phone_tz)
    return imported


class RRFileSource:
    """An RR file as a beat source.

    The file is parsed and validated completely at construction, so every error
    surfaces before anything is stored. :meth:`events` yields
    :class:`~sensors.events.BeatsImported` chunks of at most :data:`CHUNK_BEATS`
    beats, handing control back to the event loop between chunks.

    Parameters
    ----------
    path, fmt, start, first_is_time, phone_tz : as for :func:`read_rr_file`.

    Attributes
    ----------
    source_id : ``"import:"`` + the first 16 hex digits of the SHA-256 of the
        file's bytes, so the same file imported twice has the same id.
    description : ``"{fmt} file {name}"``.
    imported : the parsed file.
    """

    def __init__(
        self,
        path: Path | str,
        fmt: str,
        *,
        start: dt.datetime | None = None,
        first_is_time: bool = False,
        phone_tz: dt.tzinfo | None = None,
    ) -> None:
        self.path = Path(path)
        _check_arguments(fmt, start)
        self.imported, digest = _import(self.path, fmt, start, first_is_time, phone_tz)
        self.source_id = "import:" + digest[:16]
        self.description = f"{fmt} file {self.path.name}"
        self._beats_sent = 0

    @property
    def progress(self) -> float:
        """Fraction of the beats yielded so far, 0 to 1."""
        return self._beats_sent / len(self.imported.beats)

    async def events(self) -> AsyncIterator[SourceEvent]:
        """Yield the beats as :class:`~sensors.events.BeatsImported` chunks, oldest first."""
        beats = self.imported.beats
        gaps = sorted(self.imported.gap_reasons.items())
        self._beats_sent = 0
        for lo in range(0, len(beats), CHUNK_BEATS):
            if lo:
                await asyncio.sleep(0)
            hi = min(lo + CHUNK_BEATS, len(beats))
            chunk_gaps = {i - lo: reason for i, reason in gaps if lo <= i < hi}
            self._beats_sent = hi
            yield BeatsImported(beats=beats[lo:hi], gap_reasons=chunk_gaps)


def _check_arguments(fmt: str, start: dt.datetime | None) -> None:
    if fmt not in IMPORT_FORMATS:
        raise ValueError(f"unknown RR file format {fmt!r}; use one of {', '.join(IMPORT_FORMATS)}")
    if start is None:
        if fmt not in _ABSOLUTE_FORMATS:
            raise ValueError(
                f"{fmt} files hold no wall-clock times: give the start time of the recording"
            )
    elif start.tzinfo is None or start.utcoffset() is None:
        raise ValueError(f"start time {start.isoformat()} has no time zone")


class _HashingReader:
    """A binary file that hashes (SHA-256) what is read from it."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1, /) -> bytes:
        data = self._fh.read(size)
        self.sha256.update(data)
        return data


def _import(
    path: Path,
    fmt: str,
    start: dt.datetime | None,
    first_is_time: bool,
    phone_tz: dt.tzinfo | None,
) -> tuple[ImportedRR, str]:
    """The file's beats and the SHA-256 of its bytes (hex), read a block at a time."""
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        raise RRImportError(path, 0, "no such file") from None
    except IsADirectoryError:
        raise RRImportError(path, 0, "is a directory, not an RR file") from None
    except PermissionError:
        raise RRImportError(path, 0, "permission denied") from None
    except OSError as exc:
        raise RRImportError(path, 0, f"cannot be read ({exc.strerror or exc})") from None
    with fh:
        reader = _HashingReader(fh)
        try:
            parsed = parse_rr_stream(
                reader, path, fmt, first_is_time=first_is_time, phone_tz=phone_tz
            )
        except IsADirectoryError:
            raise RRImportError(path, 0, "is a directory, not an RR file") from None
        except OSError as exc:
            raise RRImportError(path, 0, f"cannot be read ({exc.strerror or exc})") from None
        for _ in iter(lambda: reader.read(1024 * 1024), b""):
            pass  # the rest of the file, for its hash (a parser may stop before the end)
    return _to_imported(parsed, path, fmt, start), reader.sha256.hexdigest()


def _to_imported(parsed: ParsedRR, path: Path, fmt: str, start: dt.datetime | None) -> ImportedRR:
    times_s = parsed.time_s
    if not parsed.absolute:
        if start is None:  # guarded by _check_arguments
            raise ValueError(f"{fmt} files need a start time")
        times_s = times_s + start.timestamp()
    gap_reasons: dict[int, GapReason] = {0: GapReason.START}
    gap_reasons.update(sorted(parsed.gap_reasons.items()))
    flags = np.zeros(times_s.size, dtype=bool)
    flags[list(gap_reasons)] = True
    beats = BeatColumns(times_s.tolist(), parsed.rr_ms.tolist(), flags.tolist())
    return ImportedRR(
        beats=beats,
        gap_reasons=MappingProxyType(gap_reasons),
        source_format=fmt,
        path=path,
    )
