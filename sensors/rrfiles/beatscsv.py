"""Reading back Holdspace's own beat export (``beats.csv`` of ``holdspace export``).

Columns ``time_s,rr_ms,gap_before,gap_reason``: the beat's time in epoch seconds and
its RR interval in milliseconds, both at full precision, so an export re-imported
with ``holdspace import beats.csv --format holdspace-csv`` stores exactly the beats
that were exported (times, RR, gaps and their reasons).
"""

from __future__ import annotations

import csv
import math
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

import numpy as np

from sensors.beats import GapReason
from sensors.rrfiles.common import RR_MAX_BEATS, ParsedRR, RRImportError, too_many_beats
from sensors.rrfiles.text import LineBlock, numbered_lines

__all__ = ["BEATS_CSV_COLUMNS", "FORMULA_STARTS", "cell_text", "parse_beats_csv", "text_cell"]

BEATS_CSV_COLUMNS: Final = ("time_s", "rr_ms", "gap_before", "gap_reason")
_REASONS: Final = {reason.value: reason for reason in GapReason}

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet reads a cell beginning with one of these as a formula (OWASP, "CSV
Injection"): text cells that do get a leading ``'``, which spreadsheets show as text."""


def text_cell(text: str) -> str:
    """A text value as a CSV cell no spreadsheet runs as a formula.

    Text beginning with one of :data:`FORMULA_STARTS` gets a leading ``'``, and so
    does text that already begins with ``'`` (so that :func:`cell_text` can tell them
    apart). Only text is passed here: numbers Holdspace writes (``-2.9``) stay numbers.
    """
    return "'" + text if text.startswith((*FORMULA_STARTS, "'")) else text


def cell_text(cell: str) -> str:
    """The text :func:`text_cell` was given: exactly one leading ``'`` it added removed."""
    if cell.startswith("'") and cell[1:].startswith((*FORMULA_STARTS, "'")):
        return cell[1:]
    return cell


def _csv_rows(blocks: Iterable[LineBlock], path: Path) -> Iterator[tuple[int, list[str]]]:
    """``(line number, fields)`` of every line that is not blank."""
    for no, line in numbered_lines(blocks):
        try:
            row = next(csv.reader([line.rstrip("\r")]), [])
        except csv.Error as exc:
            raise RRImportError(path, no, f"is not a CSV line ({exc})") from None
        if any(f.strip() for f in row):
            yield no, row


def parse_beats_csv(blocks: Iterable[LineBlock], path: Path) -> ParsedRR:
    """The beats of an exported ``beats.csv``, read line by line; RRImportError at the
    first bad line, or past :data:`~sensors.rrfiles.common.RR_MAX_BEATS` beats."""
    rows = _csv_rows(blocks, path)
    first = next(rows, None)
    if first is None or tuple(f.strip() for f in first[1]) != BEATS_CSV_COLUMNS:
        raise RRImportError(
            path,
            first[0] if first else 0,
            "not a Holdspace beats.csv: the first line must be " + ",".join(BEATS_CSV_COLUMNS),
        )
    times = array("d")
    rrs = array("d")
    gaps: dict[int, GapReason] = {}
    for no, row in rows:
        if len(times) == RR_MAX_BEATS:
            raise too_many_beats(path, no)
        if len(row) != len(BEATS_CSV_COLUMNS):
            raise RRImportError(path, no, f"{len(row)} fields, expected {len(BEATS_CSV_COLUMNS)}")
        try:
            time_s, rr_ms = float(row[0]), float(row[1])
        except ValueError:
            raise RRImportError(path, no, "time_s and rr_ms must be numbers") from None
        if not (math.isfinite(time_s) and math.isfinite(rr_ms) and rr_ms > 0):
            raise RRImportError(path, no, "time_s must be finite and rr_ms a positive number")
        if times and time_s < times[-1]:
            raise RRImportError(path, no, "the beats are not in time order")
        if row[2].strip() not in ("0", "1"):
            raise RRImportError(path, no, f"gap_before must be 0 or 1, not {row[2]!r}")
        if row[2].strip() == "1" and times:
            reason = _REASONS.get(cell_text(row[3].strip()), GapReason.MISSING_BEATS)
            gaps[len(times)] = reason
        times.append(time_s)
        rrs.append(rr_ms)
    if not times:
        raise RRImportError(path, 0, "the file holds no beats")
    return ParsedRR(
        rr_ms=np.array(rrs, dtype=np.float64),
        time_s=np.array(times, dtype=np.float64),
        absolute=True,
        gap_reasons=gaps,
    )
