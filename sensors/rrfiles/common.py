"""What every RR file parser shares: the error, the result and the RR checks.

:class:`RRImportError` names the file and line of the first problem;
:class:`ParsedRR` is the validated content of a file; :func:`check_rr` rejects
RR intervals no heart beats (the limits are the ``RR_*`` constants) and flags
the beats that follow an over-long one. :data:`RR_MAX_BEATS` and
:data:`RR_LINE_MAX_CHARS` bound what one file may hold. The parsers are
:mod:`sensors.rrfiles.formats` (delimited text, Kubios), :mod:`sensors.rrfiles.polar` (Polar
Sensor Logger) and :mod:`sensors.rrfiles.beatscsv` (Holdspace's own ``beats.csv``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from sensors.beats import GapReason

__all__ = [
    "MS_PER_S",
    "RR_GAP_MAX_MS",
    "RR_LINE_MAX_CHARS",
    "RR_MAX_BEATS",
    "RR_MAX_MS",
    "RR_MIN_MS",
    "TIME_JUMP_FRACTION",
    "TIME_JUMP_MIN_S",
    "FloatArray",
    "ParsedRR",
    "RRImportError",
    "check_rr",
    "raise_first",
    "too_many_beats",
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

MS_PER_S: Final = 1000.0

RR_MAX_BEATS: Final = 5_000_000
"""Most RR intervals one file may hold: eight weeks of beats at 60 per minute (a day
is about 100,000). Files are read a block at a time and only the numbers are kept (the
parsers peak near 45 bytes a beat, an import as a whole near 120: some 600 MB at the
limit); a longer file is refused at the line past the limit, to be split into parts."""
RR_LINE_MAX_CHARS: Final = 4096
"""Longest line read: RR files hold a number or two per line and short ``#``
comments; a longer line (a file without line breaks, binary data) is refused."""

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


def too_many_beats(path: Path, line: int) -> RRImportError:
    """The error for the line past :data:`RR_MAX_BEATS`."""
    return RRImportError(
        path,
        line,
        f"the file holds more than {RR_MAX_BEATS:,} RR intervals, the most one import "
        "reads; split it into parts",
    )


def raise_first(path: Path, problems: list[tuple[int, str]]) -> None:
    """Raise for the problem on the earliest line, if there is any."""
    if problems:
        line, problem = min(problems, key=lambda p: p[0])
        raise RRImportError(path, line, problem)


def check_rr(
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
    raise_first(path, problems)
    return {int(i): GapReason.MISSING_BEATS for i in np.flatnonzero(rr_ms > RR_MAX_MS)}
