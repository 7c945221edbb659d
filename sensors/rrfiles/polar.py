"""Parser for the RR files of Polar Sensor Logger, and their clock anchoring.

``polar`` (see :data:`sensors.names.IMPORT_FORMATS`)
    The ``*_RR.txt`` file of Polar Sensor Logger (Android, Jukka Happonen):
    header ``Phone timestamp;RR-interval [ms]``, then ``;``-separated rows such
    as ``2022-05-13T10:53:04.123;812``. The phone timestamp is the local time at
    which the notification carrying the RR *arrived*, so RR from one
    notification share a stamp; beat times are the cumulative RR sum, anchored
    so that no beat falls after its arrival time, and re-anchored with a gap
    where arrival times run ahead of the RR sum by more than
    :data:`POLAR_MAX_DRIFT_S`.

:func:`parse_polar` is called by :func:`sensors.rrfiles.formats.parse_rr_stream`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import Final

import numpy as np

from sensors.beats import DEFAULT_MAX_DRIFT_S, GapReason
from sensors.rrfiles.common import (
    MS_PER_S,
    RR_MAX_BEATS,
    FloatArray,
    ParsedRR,
    RRImportError,
    check_rr,
    too_many_beats,
)
from sensors.rrfiles.text import LineBlock, numbered_lines

__all__ = [
    "POLAR_HEADER",
    "POLAR_MAX_DRIFT_S",
    "is_polar_time_label",
    "parse_polar",
]


POLAR_MAX_DRIFT_S: Final = DEFAULT_MAX_DRIFT_S
"""Arrival stamps may lag the RR sum by this much (BLE batching) before it is a gap."""

POLAR_HEADER: Final = "Phone timestamp;RR-interval [ms]"

_POLAR_TIME_LABEL: Final = re.compile(r"^phone\s+timestamp$", re.IGNORECASE)
_POLAR_RR_LABEL: Final = re.compile(r"^rr[- ]?intervals?\s*\[\s*(ms|s)\s*\]$", re.IGNORECASE)


def is_polar_time_label(label: str) -> bool:
    """Whether a header label is Polar Sensor Logger's time column (``Phone timestamp``)."""
    return _POLAR_TIME_LABEL.match(label) is not None


def parse_polar(blocks: Iterable[LineBlock], path: Path, phone_tz: dt.tzinfo | None) -> ParsedRR:
    """Polar Sensor Logger ``*_RR.txt``: phone arrival stamps and RR."""
    numbered = numbered_lines(blocks)
    header_no, header = next(((no, raw) for no, raw in numbered if raw.strip()), (0, ""))
    if header_no == 0:
        raise RRImportError(path, 0, "the file holds no RR intervals")
    header = header.strip()
    labels = [f.strip() for f in header.rstrip(";").split(";")]
    rr_label = _POLAR_RR_LABEL.match(labels[1]) if len(labels) == 2 else None
    if rr_label is None or not _POLAR_TIME_LABEL.match(labels[0]):
        raise RRImportError(
            path,
            header_no,
            f"not a Polar Sensor Logger RR file: expected the header {POLAR_HEADER!r}, "
            f"found {header[:60]!r}",
        )
    scale = 1.0 if rr_label.group(1).lower() == "ms" else MS_PER_S
    phone = array("d")
    rr = array("d")
    line_nos = array("q")
    for no, raw in numbered:
        text = raw.strip()
        if not text:
            continue
        if len(rr) == RR_MAX_BEATS:
            raise too_many_beats(path, no)
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
    phone_s = np.array(phone, dtype=np.float64)
    rr_ms = np.array(rr, dtype=np.float64)
    lines_arr = np.array(line_nos, dtype=np.int64)
    gaps = check_rr(rr_ms, lines_arr, path, "")
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
    rr_s = (rr_ms / MS_PER_S).tolist()
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
