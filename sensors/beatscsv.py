"""Reading back Holdspace's own beat export (``beats.csv`` of ``holdspace export``).

Columns ``time_s,rr_ms,gap_before,gap_reason``: the beat's time in epoch seconds and
its RR interval in milliseconds, both at full precision, so an export re-imported
with ``holdspace import beats.csv --format holdspace-csv`` stores exactly the beats
that were exported (times, RR, gaps and their reasons).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np

from sensors.beats import GapReason

if TYPE_CHECKING:
    from sensors.rrformats import ParsedRR

__all__ = ["BEATS_CSV_COLUMNS", "parse_beats_csv"]

BEATS_CSV_COLUMNS: Final = ("time_s", "rr_ms", "gap_before", "gap_reason")
_REASONS: Final = {reason.value: reason for reason in GapReason}


def parse_beats_csv(lines: Sequence[str], path: Path) -> ParsedRR:
    """The beats of an exported ``beats.csv``; RRImportError at the first bad line."""
    from sensors.rrformats import ParsedRR, RRImportError

    numbered: list[tuple[int, list[str]]] = []
    for no, line in enumerate(lines, start=1):
        try:
            row = next(csv.reader([line.rstrip("\r")]), [])
        except csv.Error as exc:
            raise RRImportError(path, no, f"is not a CSV line ({exc})") from None
        if any(f.strip() for f in row):
            numbered.append((no, row))
    if not numbered or tuple(f.strip() for f in numbered[0][1]) != BEATS_CSV_COLUMNS:
        raise RRImportError(
            path,
            numbered[0][0] if numbered else 0,
            "not a Holdspace beats.csv: the first line must be " + ",".join(BEATS_CSV_COLUMNS),
        )
    times: list[float] = []
    rrs: list[float] = []
    gaps: dict[int, GapReason] = {}
    for no, row in numbered[1:]:
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
            reason = _REASONS.get(row[3].strip(), GapReason.MISSING_BEATS)
            gaps[len(times)] = reason
        times.append(time_s)
        rrs.append(rr_ms)
    if not times:
        raise RRImportError(path, 0, "the file holds no beats")
    return ParsedRR(
        rr_ms=np.asarray(rrs, dtype=np.float64),
        time_s=np.asarray(times, dtype=np.float64),
        absolute=True,
        gap_reasons=gaps,
    )
