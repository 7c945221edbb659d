"""Parsers for RR-interval files written by other tools.

Each parser turns the bytes of one file into RR intervals (milliseconds), beat
times (seconds) and gap marks, validating everything before returning; the
first problem raises :class:`RRImportError` naming the file and line. The unit
of a file is declared by the user's format or stated in the file's header, never
guessed from the size of the numbers.

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
    The ``*_RR.txt`` file of Polar Sensor Logger (Android, Jukka Happonen):
    header ``Phone timestamp;RR-interval [ms]``, then ``;``-separated rows such
    as ``2022-05-13T10:53:04.123;812``. The phone timestamp is the local time at
    which the notification carrying the RR *arrived*, so RR from one
    notification share a stamp; beat times are the cumulative RR sum, anchored
    so that no beat falls after its arrival time, and re-anchored with a gap
    where arrival times run ahead of the RR sum by more than
    :data:`POLAR_MAX_DRIFT_S`.

Gaps: beat ``i`` is flagged when the time column jumps further than its RR
explains (:attr:`GapReason.TIME_JUMP`), or when its RR is longer than
:data:`RR_MAX_MS` (:attr:`GapReason.MISSING_BEATS`: beats between went
unrecorded, as in the noisy stretches of PhysioNet Holter annotations). The
first interval must always be plausible, which is where a wrongly declared unit
shows.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from sensors.beats import DEFAULT_MAX_DRIFT_S, GapReason
from sensors.names import IMPORT_FORMATS

__all__ = [
    "IMPORT_FORMATS",
    "KUBIOS_MARKER",
    "POLAR_HEADER",
    "POLAR_MAX_DRIFT_S",
    "RR_GAP_MAX_MS",
    "RR_MAX_MS",
    "RR_MIN_MS",
    "TIME_JUMP_FRACTION",
    "TIME_JUMP_MIN_S",
    "ParsedRR",
    "RRImportError",
    "parse_rr_bytes",
]


RR_MIN_MS: Final = 20.0
"""Shorter RR intervals are rejected: no heart (or strap artefact) beats that fast."""
RR_MAX_MS: Final = 5000.0
"""Longer intervals are not one RR: the beat after one is flagged as a gap."""
RR_GAP_MAX_MS: Final = 3_600_000.0
"""Longer intervals (one hour) are rejected as a typing or unit error."""
TIME_JUMP_MIN_S: Final = 0.5
"""A time column may exceed the RR by this many seconds before it is a gap..."""
TIME_JUMP_FRACTION: Final = 0.5
"""...or by this fraction of the RR, whichever is larger."""
POLAR_MAX_DRIFT_S: Final = DEFAULT_MAX_DRIFT_S
"""Arrival stamps may lag the RR sum by this much (BLE batching) before it is a gap."""

KUBIOS_MARKER: Final = "SIGNAL/SERIES EXPORT - KUBIOS"
POLAR_HEADER: Final = "Phone timestamp;RR-interval [ms]"

_MS_PER_S: Final = 1000.0
_SEPARATORS: Final = re.compile(r"[,;]")
_UNIT: Final = r"(ms|msec|milliseconds?|s|sec|seconds?)"
_UNIT_KEY: Final = re.compile(r"\bunits?\s*[:=]\s*" + _UNIT + r"\b", re.IGNORECASE)
_RR_LABEL_UNIT: Final = re.compile(
    r"\b(?:rr|ibi|nn)\b[^\[\]()#]*?[\[(]\s*" + _UNIT + r"\s*[\])]"
    r"|\b(?:rr|ibi|nn)_" + _UNIT + r"\b",
    re.IGNORECASE,
)
_BRACKET_UNIT: Final = re.compile(r"[\[(]\s*" + _UNIT + r"\s*[\])]", re.IGNORECASE)
_POLAR_TIME_LABEL: Final = re.compile(r"^phone\s+timestamp$", re.IGNORECASE)
_POLAR_RR_LABEL: Final = re.compile(r"^rr[- ]?intervals?\s*\[\s*(ms|s)\s*\]$", re.IGNORECASE)

FloatArray = npt.NDArray[np.float64]


class RRImportError(ValueError):
    """An RR file cannot be imported; the message names the file and line.

    Attributes
    ----------
    path : the file.
    line : 1-based line number of the problem, 0 when it is not about one line.
    problem : the problem, one sentence.
    """

    def __init__(self, path: Path | str, line: int, problem: str) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line > 0 else f"{path}"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True, slots=True)
class ParsedRR:
    """The validated content of an RR file.

    Attributes
    ----------
    rr_ms : RR intervals in milliseconds, unrounded, one per beat.
    time_s : time of each beat (the end of its RR interval) in seconds: since the
        start of the file when ``absolute`` is False, since the Unix epoch when True.
    absolute : whether ``time_s`` are epoch seconds (files with wall-clock stamps).
    gap_reasons : index of each beat before which beats may be missing, to the
        reason; the first beat (index 0) is not included.
    """

    rr_ms: FloatArray
    time_s: FloatArray
    absolute: bool
    gap_reasons: dict[int, GapReason]


@dataclass(frozen=True, slots=True)
class _Text:
    """The lines of a delimited text file, sorted into comments, header and data."""

    body: list[str]
    """Data lines, comments and surrounding whitespace removed."""
    lines: npt.NDArray[np.int64]
    """Line number of each data line."""
    header: tuple[str, ...] | None
    header_line: int
    comments: tuple[str, ...]
    """Text of the ``#`` comments before the first header or data line."""
    first_content_line: int
    """Line number of the first header or data line (0 when there is none)."""


def parse_rr_bytes(
    data: bytes,
    path: Path,
    fmt: str,
    *,
    first_is_time: bool = False,
    phone_tz: dt.tzinfo | None = None,
) -> ParsedRR:
    """Parse and validate a whole RR file.

    Parameters
    ----------
    data : the file's bytes (UTF-8, an optional BOM is ignored).
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
    lines = _decode(data, path)
    if fmt == "polar":
        return _parse_polar(lines, path, phone_tz)
    if fmt == "holdspace-csv":
        from sensors.beatscsv import parse_beats_csv

        return parse_beats_csv(lines, path)
    text = _read_text(lines)
    if not text.body:
        raise RRImportError(path, 0, "the file holds no RR intervals")
    if fmt == "kubios":
        if not any(KUBIOS_MARKER in " ".join(c.upper().split()) for c in text.comments):
            raise RRImportError(
                path,
                max(text.first_content_line, 1),
                f"not a Kubios RR export: the '# {KUBIOS_MARKER}' header line is missing",
            )
        unit = _kubios_unit(text, path)
    else:
        unit = "ms" if fmt == "rr-ms" else "s"
        _check_header_line(text, path, fmt, unit)
    columns = _columns(text.body, text.lines, text.header, path)
    return _relative_beats(columns, text.lines, path, unit, first_is_time=first_is_time)


def _decode(data: bytes, path: Path) -> list[str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RRImportError(path, line, "the file is not UTF-8 text") from None
    return text.split("\n")


def _split_fields(text: str) -> list[str]:
    """Fields of a line: split on ``,`` or ``;`` if present, else on whitespace."""
    if "," in text or ";" in text:
        return [f.strip() for f in _SEPARATORS.split(text.rstrip(",;").rstrip())]
    return text.split()


def _split_header(text: str) -> list[str]:
    """Fields of a header line; labels may hold spaces when tabs separate them."""
    if "," not in text and ";" not in text and "\t" in text:
        return [f.strip() for f in text.split("\t") if f.strip()]
    return _split_fields(text)


def _n_columns(n: int) -> str:
    return f"{n} column" if n == 1 else f"{n} columns"


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def _read_text(lines: Sequence[str]) -> _Text:
    """Sort lines into leading comments, an optional first header line and data lines."""
    comments: list[str] = []
    if "#" in "\n".join(lines):
        for raw in lines:
            text, mark, comment = raw.partition("#")
            if text.strip():
                break
            if mark:
                comments.append(comment.strip())
        texts = [raw.split("#", 1)[0].strip() for raw in lines]
    else:
        texts = [raw.strip() for raw in lines]
    content = [i for i, text in enumerate(texts) if text]
    header: tuple[str, ...] | None = None
    header_line = 0
    first_content = content[0] + 1 if content else 0
    if content:
        first_fields = _split_header(texts[content[0]])
        if not any(_is_number(f) for f in first_fields):
            header, header_line = tuple(first_fields), first_content
            content = content[1:]
    return _Text(
        body=[texts[i] for i in content],
        lines=np.asarray(content, dtype=np.int64) + 1,
        header=header,
        header_line=header_line,
        comments=tuple(comments),
        first_content_line=first_content,
    )


def _columns(
    body: list[str], line_nos: npt.NDArray[np.int64], header: tuple[str, ...] | None, path: Path
) -> tuple[FloatArray, ...]:
    """Split and convert the data lines; raise for the earliest bad line."""
    rows: list[list[str]] | None = None
    joined = "\n".join(body)  # holds a character if and only if some line does
    if "," in joined or ";" in joined:
        rows = [_split_fields(text) for text in body]
    elif " " in joined or "\t" in joined:
        rows = [text.split() for text in body]
    ncols = len(rows[0]) if rows is not None else 1
    if ncols > 2:
        raise RRImportError(
            path, int(line_nos[0]), f"{ncols} columns, expected one (RR) or two (time in s, RR)"
        )
    if header is not None and len(header) != ncols:
        raise RRImportError(
            path,
            int(line_nos[0]),
            f"{_n_columns(ncols)} under a header of {_n_columns(len(header))}",
        )
    if rows is None:
        ragged, fields = len(body), [body]
    else:
        ragged = next((k for k, row in enumerate(rows) if len(row) != ncols), len(rows))
        fields = [[row[c] for row in rows[:ragged]] for c in range(ncols)]

    def row(k: int) -> list[str]:
        return rows[k] if rows is not None else [body[k]]

    try:
        columns = tuple(np.array(col, dtype=np.float64) for col in fields)
    except ValueError:
        for k in range(ragged):
            for field in row(k):
                try:
                    float(field)
                except ValueError:
                    raise RRImportError(
                        path, int(line_nos[k]), f"{field!r} is not a number"
                    ) from None
        columns = tuple(np.array([float(f) for f in col], dtype=np.float64) for col in fields)
    finite = np.logical_and.reduce([np.isfinite(col) for col in columns])
    nonfinite = np.flatnonzero(~finite)
    if nonfinite.size:
        k = int(nonfinite[0])
        field = next(f for f in row(k) if not math.isfinite(float(f)))
        raise RRImportError(path, int(line_nos[k]), f"{field!r} is not a finite number")
    if rows is not None and ragged < len(rows):
        raise RRImportError(
            path,
            int(line_nos[ragged]),
            f"{_n_columns(len(rows[ragged]))} where the lines above have {ncols}",
        )
    return columns


def _unit_name(token: str) -> str:
    return "ms" if token.lower().startswith("m") else "s"


def _header_rr_unit(text: _Text) -> str | None:
    """Unit stated by the RR column's label in a header line, if any."""
    if text.header is None:
        return None
    found = _BRACKET_UNIT.search(text.header[-1]) or _RR_LABEL_UNIT.search(text.header[-1])
    if found is None:
        return None
    return _unit_name(next(g for g in found.groups() if g))


def _check_time_label(text: _Text, path: Path) -> None:
    if text.header is None or len(text.header) != 2:
        return
    found = _BRACKET_UNIT.search(text.header[0])
    if found is not None and _unit_name(found.group(1)) != "s":
        raise RRImportError(
            path, text.header_line, "the time column must be in seconds, the header says ms"
        )


def _check_header_line(text: _Text, path: Path, fmt: str, unit: str) -> None:
    if text.header is not None and _POLAR_TIME_LABEL.match(text.header[0]):
        raise RRImportError(
            path, text.header_line, "this is a Polar Sensor Logger file, import it as polar"
        )
    _check_time_label(text, path)
    stated = _header_rr_unit(text)
    if stated is not None and stated != unit:
        raise RRImportError(
            path,
            text.header_line,
            f"the header says the RR are in {stated} but the format {fmt} declares {unit}",
        )


def _kubios_unit(text: _Text, path: Path) -> str:
    """The unit a Kubios export states in its header, milliseconds if none."""
    stated: set[str] = set()
    for comment in text.comments:
        for regex in (_UNIT_KEY, _RR_LABEL_UNIT):
            for found in regex.finditer(comment):
                stated.add(_unit_name(next(g for g in found.groups() if g)))
    label_unit = _header_rr_unit(text)
    if label_unit is not None:
        stated.add(label_unit)
    if len(stated) > 1:
        raise RRImportError(path, 0, "the header states the RR unit both as ms and as s")
    _check_time_label(text, path)
    return stated.pop() if stated else "ms"


def _raise_first(path: Path, problems: list[tuple[int, str]]) -> None:
    """Raise for the problem on the earliest line, if there is any."""
    if problems:
        line, problem = min(problems, key=lambda p: p[0])
        raise RRImportError(path, line, problem)


def _check_rr(
    rr_ms: FloatArray, lines: npt.NDArray[np.int64], path: Path, hint: str
) -> dict[int, GapReason]:
    """Validate RR intervals; return the beats that follow an over-long interval."""
    problems: list[tuple[int, str]] = []
    short = np.flatnonzero(rr_ms < RR_MIN_MS)
    if short.size:
        i = int(short[0])
        value = float(rr_ms[i])
        if value <= 0:
            problems.append((int(lines[i]), f"RR {value:g} ms is not positive"))
        else:
            problems.append(
                (
                    int(lines[i]),
                    f"RR {value:g} ms is implausibly short (under {RR_MIN_MS:g} ms){hint}",
                )
            )
    if rr_ms.size and rr_ms[0] > RR_MAX_MS:
        problems.append(
            (
                int(lines[0]),
                f"RR {rr_ms[0]:g} ms is implausibly long for the first interval "
                f"(over {RR_MAX_MS:g} ms){hint}",
            )
        )
    huge = np.flatnonzero(rr_ms > RR_GAP_MAX_MS)
    if huge.size:
        i = int(huge[0])
        problems.append((int(lines[i]), f"RR {rr_ms[i]:g} ms is implausibly long (over 1 h)"))
    _raise_first(path, problems)
    return {int(i): GapReason.MISSING_BEATS for i in np.flatnonzero(rr_ms > RR_MAX_MS)}


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
    scale = 1.0 if unit == "ms" else _MS_PER_S
    hint = _unit_hint(unit)
    if len(columns) == 2:
        if first_is_time:
            raise RRImportError(
                path, int(lines[0]), "first_is_time applies to one-column files only"
            )
        times_s, rr_ms = columns[0], columns[1] * scale
        gaps = _check_rr(rr_ms, lines, path, hint)
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
    gaps = _check_rr(rr_ms, lines, path, hint)
    times_s = opening_s + np.cumsum(rr_ms) / _MS_PER_S
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
    _raise_first(path, problems)
    rr_s = rr_ms[1:] / _MS_PER_S
    tolerance_s = np.maximum(TIME_JUMP_MIN_S, TIME_JUMP_FRACTION * rr_s)
    jumps = np.flatnonzero(step_s - rr_s > tolerance_s) + 1
    return {int(i): GapReason.TIME_JUMP for i in jumps}


def _parse_polar(lines: Sequence[str], path: Path, phone_tz: dt.tzinfo | None) -> ParsedRR:
    """Polar Sensor Logger ``*_RR.txt``: phone arrival stamps and RR."""
    header_no = next((no for no, raw in enumerate(lines, start=1) if raw.strip()), 0)
    if header_no == 0:
        raise RRImportError(path, 0, "the file holds no RR intervals")
    header = lines[header_no - 1].strip()
    labels = [f.strip() for f in header.rstrip(";").split(";")]
    rr_label = _POLAR_RR_LABEL.match(labels[1]) if len(labels) == 2 else None
    if rr_label is None or not _POLAR_TIME_LABEL.match(labels[0]):
        raise RRImportError(
            path,
            header_no,
            f"not a Polar Sensor Logger RR file: expected the header {POLAR_HEADER!r}, "
            f"found {header[:60]!r}",
        )
    scale = 1.0 if rr_label.group(1).lower() == "ms" else _MS_PER_S
    phone: list[float] = []
    rr: list[float] = []
    line_nos: list[int] = []
    for no in range(header_no + 1, len(lines) + 1):
        text = lines[no - 1].strip()
        if not text:
            continue
        fields = text.rstrip(";").split(";")
        if len(fields) != 2:
            raise RRImportError(path, no, f"{len(fields)} fields, expected timestamp;RR")
        stamp, value = fields[0].strip(), fields[1].strip()
        try:
            when = dt.datetime.fromisoformat(stamp)
        except ValueError:
            raise RRImportError(path, no, f"{stamp!r} is not a date and time") from None
        if when.tzinfo is None and phone_tz is not None:
            when = when.replace(tzinfo=phone_tz)
        try:
            rr_value = float(value)
        except ValueError:
            raise RRImportError(path, no, f"{value!r} is not a number") from None
        if not math.isfinite(rr_value):
            raise RRImportError(path, no, f"{value!r} is not a finite number")
        phone.append(when.timestamp())
        rr.append(rr_value * scale)
        line_nos.append(no)
    if not rr:
        raise RRImportError(path, 0, "the file holds no RR intervals")
    phone_s = np.asarray(phone, dtype=np.float64)
    rr_ms = np.asarray(rr, dtype=np.float64)
    lines_arr = np.asarray(line_nos, dtype=np.int64)
    gaps = _check_rr(rr_ms, lines_arr, path, "")
    back = np.flatnonzero(np.diff(phone_s) < 0)
    if back.size:
        i = int(back[0]) + 1
        raise RRImportError(
            path, int(lines_arr[i]), "the phone timestamp goes back before the previous row's"
        )
    times_s, jumps = _anchor_to_arrivals(phone_s, rr_ms)
    gaps.update(jumps)
    return ParsedRR(rr_ms=rr_ms, time_s=times_s, absolute=True, gap_reasons=gaps)


def _anchor_to_arrivals(
    arrival_s: FloatArray, rr_ms: FloatArray
) -> tuple[FloatArray, dict[int, GapReason]]:
    """Place beats by cumulative RR, anchored to notification arrival times.

    Within a segment, beat ``i`` is at ``anchor + sum(rr[first..i])``, with the
    anchor as late as possible such that no beat falls after its arrival. A new
    segment (and a gap) starts where the arrival runs ahead of the RR sum by more
    than :data:`POLAR_MAX_DRIFT_S` beyond the smallest lag seen in the segment.
    A segment never starts before the last beat of the previous one.
    """
    n = rr_ms.size
    rr_s = (rr_ms / _MS_PER_S).tolist()
    arrivals = arrival_s.tolist()
    cum = [0.0] * n
    times = np.empty(n, dtype=np.float64)
    gaps: dict[int, GapReason] = {}
    seg_start, total_s, min_lag_s, last_beat_s = 0, 0.0, math.inf, -math.inf

    def close(end: int) -> float:
        anchor_s = max(min_lag_s, last_beat_s)
        times[seg_start:end] = anchor_s + np.asarray(cum[seg_start:end])
        return float(times[end - 1])

    for i in range(n):
        total_s += rr_s[i]
        lag_s = arrivals[i] - total_s
        if lag_s - min_lag_s > POLAR_MAX_DRIFT_S:
            last_beat_s = close(i)
            gaps[i] = GapReason.TIME_JUMP
            seg_start, total_s = i, rr_s[i]
            lag_s = arrivals[i] - total_s
            min_lag_s = lag_s
        elif lag_s < min_lag_s:
            min_lag_s = lag_s
        cum[i] = total_s
    close(n)
    return times, gaps
