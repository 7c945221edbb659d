"""Parsers for RR-interval files written by other tools.

Each parser turns the bytes of one file into RR intervals (milliseconds), beat
times (seconds) and gap marks, validating everything before returning; the
first problem raises :class:`RRImportError` naming the file and line. The unit
of a file is declared by the user's format or stated in the file's header, never
guessed from the size of the numbers. Files are read a block at a time
(:func:`parse_rr_stream`); limits: at most :data:`RR_MAX_BEATS` RR intervals and
lines of at most :data:`RR_LINE_MAX_CHARS` characters.

Formats (see :data:`IMPORT_FORMATS`):

``rr-ms``, ``rr-s``
    One RR interval per line, in milliseconds or seconds. Optionally two
    columns: the beat time in seconds from the start of the file, then the RR.
    Fields are separated by whitespace, a comma, a semicolon or a tab; ``#``
    starts a comment; blank lines are skipped; one non-numeric header line
    (``time,rr``) may come first. Elite HRV's RR export (one integer RR in ms
    per line) is an ``rr-ms`` file, and so is a Kubios series export.
``kubios``
    The "SIGNAL/SERIES EXPORT - KUBIOS" text file: ``#`` header lines, then one
    RR per line (``%.3f``). This header is the one written by the ``kubios``
    Python package (PGomes92/kubios, ``export_nni``) for Kubios HRV's RR text
    input; it states no unit, so values are milliseconds unless a header line
    says otherwise (``# Unit: s`` or a column label such as ``RR (s)``). Two
    columns (time in s, then RR), as RR text files for HRV tools often carry,
    are read as for ``rr-ms``.
``polar``
    The ``*_RR.txt`` file of Polar Sensor Logger (header :data:`POLAR_HEADER`):
    phone arrival stamps and RR, parsed by :mod:`sensors.rrfiles.polar`, which
    describes how beat times are anchored to the arrival stamps.

Gaps: beat ``i`` is flagged when the time column jumps further than its RR
explains (:attr:`GapReason.TIME_JUMP`), or when its RR is longer than
:data:`RR_MAX_MS` (:attr:`GapReason.MISSING_BEATS`: beats between went
unrecorded, as in the noisy stretches of PhysioNet Holter annotations). The
first interval must always be plausible, which is where a wrongly declared unit
shows.

The pieces every parser shares (:class:`RRImportError`, :class:`ParsedRR`, the
``RR_*`` limits) are in :mod:`sensors.rrfiles.common`, reading delimited text and its
header's unit in :mod:`sensors.rrfiles.text`.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from sensors.beats import GapReason
from sensors.names import IMPORT_FORMATS
from sensors.rrfiles.beatscsv import parse_beats_csv
from sensors.rrfiles.common import (
    MS_PER_S,
    TIME_JUMP_FRACTION,
    TIME_JUMP_MIN_S,
    FloatArray,
    ParsedRR,
    RRImportError,
    check_rr,
    raise_first,
)
from sensors.rrfiles.polar import is_polar_time_label, parse_polar
from sensors.rrfiles.text import (
    ByteReader,
    DelimitedText,
    check_time_label,
    header_rr_unit,
    kubios_unit,
    line_blocks,
    read_columns,
    read_text,
)

__all__ = ["KUBIOS_MARKER", "parse_rr_bytes", "parse_rr_stream"]


KUBIOS_MARKER: Final = "SIGNAL/SERIES EXPORT - KUBIOS"


def parse_rr_bytes(
    data: bytes,
    path: Path,
    fmt: str,
    *,
    first_is_time: bool = False,
    phone_tz: dt.tzinfo | None = None,
) -> ParsedRR:
    """:func:`parse_rr_stream` on bytes already in memory."""
    return parse_rr_stream(
        io.BytesIO(data), path, fmt, first_is_time=first_is_time, phone_tz=phone_tz
    )


def parse_rr_stream(
    fh: ByteReader,
    path: Path,
    fmt: str,
    *,
    first_is_time: bool = False,
    phone_tz: dt.tzinfo | None = None,
) -> ParsedRR:
    """Parse and validate a whole RR file, reading it a block at a time.

    Memory grows with the RR intervals kept, not with the file; a file of more than
    :data:`RR_MAX_BEATS` intervals, or with a line longer than
    :data:`RR_LINE_MAX_CHARS` characters, is refused naming the line.

    Parameters
    ----------
    fh : the file, open for reading bytes (UTF-8, an optional BOM is ignored).
    path : the file, for error messages.
    fmt : one of :data:`IMPORT_FORMATS`.
    first_is_time : for one-column ``rr-ms``, ``rr-s`` and ``kubios`` files: the
        first value is the time in seconds, from the start of the file, of the
        R peak that opens the first RR interval (as in PhysioNet-derived
        ``*_rr_secs.txt`` Holter files), not an RR interval.
    phone_tz : ``polar``: time zone of phone timestamps that carry no UTC
        offset; ``None`` for this machine's local time zone.

    Raises
    ------
    RRImportError
        At the first problem, naming the file and line.
    ValueError
        For an unknown ``fmt`` or ``first_is_time`` with ``polar``.
    """
    if fmt not in IMPORT_FORMATS:
        raise ValueError(f"unknown RR file format {fmt!r}; use one of {', '.join(IMPORT_FORMATS)}")
    if fmt in ("polar", "holdspace-csv") and first_is_time:
        raise ValueError(f"first_is_time applies to rr-ms, rr-s and kubios files, not {fmt}")
    blocks = line_blocks(fh, path)
    if fmt == "polar":
        return parse_polar(blocks, path, phone_tz)
    if fmt == "holdspace-csv":
        return parse_beats_csv(blocks, path)
    text = read_text(blocks)
    if not text.has_data:
        raise RRImportError(path, 0, "the file holds no RR intervals")
    if fmt == "kubios":
        if not any(KUBIOS_MARKER in " ".join(c.upper().split()) for c in text.comments):
            raise RRImportError(
                path,
                max(text.first_content_line, 1),
                f"not a Kubios RR export: the '# {KUBIOS_MARKER}' header line is missing",
            )
        unit = kubios_unit(text, path)
    else:
        unit = "ms" if fmt == "rr-ms" else "s"
        _check_header_line(text, path, fmt, unit)
    columns, lines = read_columns(text, path)
    return _relative_beats(columns, lines, path, unit, first_is_time=first_is_time)


def _check_header_line(text: DelimitedText, path: Path, fmt: str, unit: str) -> None:
    if text.header is not None and is_polar_time_label(text.header[0]):
        raise RRImportError(
            path, text.header_line, "this is a Polar Sensor Logger file, import it as polar"
        )
    check_time_label(text, path)
    stated = header_rr_unit(text)
    if stated is not None and stated != unit:
        raise RRImportError(
            path,
            text.header_line,
            f"the header says the RR are in {stated} but the format {fmt} declares {unit}",
        )


def _unit_hint(unit: str) -> str:
    if unit == "ms":
        return "; if the values are seconds, import the file as rr-s"
    return "; if the values are milliseconds, import the file as rr-ms"


def _relative_beats(
    columns: tuple[FloatArray, ...],
    lines: npt.NDArray[np.int64],
    path: Path,
    unit: str,
    *,
    first_is_time: bool,
) -> ParsedRR:
    """Beats of a file without wall-clock times, relative to the start of the file."""
    scale = 1.0 if unit == "ms" else MS_PER_S
    hint = _unit_hint(unit)
    if len(columns) == 2:
        if first_is_time:
            raise RRImportError(
                path, int(lines[0]), "first_is_time applies to one-column files only"
            )
        times_s, rr_ms = columns[0], columns[1] * scale
        gaps = check_rr(rr_ms, lines, path, hint)
        gaps.update(_time_column_gaps(times_s, rr_ms, lines, path))
        return ParsedRR(rr_ms=rr_ms, time_s=times_s, absolute=False, gap_reasons=gaps)
    values = columns[0]
    opening_s = 0.0
    if first_is_time:
        opening_s = float(values[0])
        if opening_s < 0:
            raise RRImportError(
                path, int(lines[0]), f"time {opening_s:g} s of the first beat is negative"
            )
        values, lines = values[1:], lines[1:]
        if values.size == 0:
            raise RRImportError(path, 0, "the file holds no RR intervals after the first time")
    rr_ms = values * scale
    gaps = check_rr(rr_ms, lines, path, hint)
    times_s = opening_s + np.cumsum(rr_ms) / MS_PER_S
    return ParsedRR(rr_ms=rr_ms, time_s=times_s, absolute=False, gap_reasons=gaps)


def _time_column_gaps(
    times_s: FloatArray, rr_ms: FloatArray, lines: npt.NDArray[np.int64], path: Path
) -> dict[int, GapReason]:
    """Check that a time column advances; flag jumps the RR do not explain."""
    problems: list[tuple[int, str]] = []
    if times_s[0] < 0:
        problems.append((int(lines[0]), f"time {times_s[0]:g} s is negative"))
    step_s = np.diff(times_s)
    back = np.flatnonzero(step_s <= 0)
    if back.size:
        i = int(back[0]) + 1
        problems.append(
            (
                int(lines[i]),
                f"time {times_s[i]:g} s does not come after the previous beat's "
                f"{times_s[i - 1]:g} s",
            )
        )
    raise_first(path, problems)
    rr_s = rr_ms[1:] / MS_PER_S
    tolerance_s = np.maximum(TIME_JUMP_MIN_S, TIME_JUMP_FRACTION * rr_s)
    jumps = np.flatnonzero(step_s - rr_s > tolerance_s) + 1
    return {int(i): GapReason.TIME_JUMP for i in jumps}
