"""Reading delimited RR text files: lines, header, columns and the stated unit.

:func:`decode_lines` splits a file's bytes into lines; :func:`read_text` sorts
them into leading ``#`` comments, an optional header line and data lines;
:func:`read_columns` converts the data lines into one or two float columns,
raising :class:`~sensors.rr_common.RRImportError` for the earliest bad line.
:func:`header_rr_unit` and :func:`kubios_unit` find the RR unit a header states
(``# Unit: s``, a column label such as ``RR (s)`` or ``rr_ms``); the unit is
never guessed from the size of the numbers. Used by :mod:`sensors.rrformats`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from sensors.rr_common import FloatArray, RRImportError

__all__ = [
    "DelimitedText",
    "check_time_label",
    "decode_lines",
    "header_rr_unit",
    "kubios_unit",
    "read_columns",
    "read_text",
]


_SEPARATORS: Final = re.compile(r"[,;]")
_UNIT: Final = r"(ms|msec|milliseconds?|s|sec|seconds?)"
_UNIT_KEY: Final = re.compile(r"\bunits?\s*[:=]\s*" + _UNIT + r"\b", re.IGNORECASE)
_RR_LABEL_UNIT: Final = re.compile(
    r"\b(?:rr|ibi|nn)\b[^\[\]()#]*?[\[(]\s*" + _UNIT + r"\s*[\])]"
    r"|\b(?:rr|ibi|nn)_" + _UNIT + r"\b",
    re.IGNORECASE,
)
_HEADER_WORD: Final = re.compile(
    r"\b(?:rr|ibi|nn|interval|intervals|time|timestamp|beat|beats|ms|s)\b|rr_|_ms\b|_s\b",
    re.IGNORECASE,
)
"""A word that makes a lone line of text a column header, not a bad data line."""
_BRACKET_UNIT: Final = re.compile(r"[\[(]\s*" + _UNIT + r"\s*[\])]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DelimitedText:
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


def decode_lines(data: bytes, path: Path) -> list[str]:
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


def read_text(lines: Sequence[str]) -> DelimitedText:
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
        # A lone line of words is a header only when it reads like one ("time,rr");
        # otherwise it is a bad data line, and the error names it.
        looks_like_header = len(content) > 1 or any(_HEADER_WORD.search(f) for f in first_fields)
        if not any(_is_number(f) for f in first_fields) and looks_like_header:
            header, header_line = tuple(first_fields), first_content
            content = content[1:]
    return DelimitedText(
        body=[texts[i] for i in content],
        lines=np.asarray(content, dtype=np.int64) + 1,
        header=header,
        header_line=header_line,
        comments=tuple(comments),
        first_content_line=first_content,
    )


def read_columns(
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


def header_rr_unit(text: DelimitedText) -> str | None:
    """Unit stated by the RR column's label in a header line, if any."""
    if text.header is None:
        return None
    found = _BRACKET_UNIT.search(text.header[-1]) or _RR_LABEL_UNIT.search(text.header[-1])
    if found is None:
        return None
    return _unit_name(next(g for g in found.groups() if g))


def check_time_label(text: DelimitedText, path: Path) -> None:
    """Raise if a two-column header states the time column in another unit than seconds."""
    if text.header is None or len(text.header) != 2:
        return
    found = _BRACKET_UNIT.search(text.header[0])
    if found is not None and _unit_name(found.group(1)) != "s":
        raise RRImportError(
            path, text.header_line, "the time column must be in seconds, the header says ms"
        )


def kubios_unit(text: DelimitedText, path: Path) -> str:
    """The unit a Kubios export states in its header, milliseconds if none."""
    stated: set[str] = set()
    for comment in text.comments:
        for regex in (_UNIT_KEY, _RR_LABEL_UNIT):
            for found in regex.finditer(comment):
                stated.add(_unit_name(next(g for g in found.groups() if g)))
    label_unit = header_rr_unit(text)
    if label_unit is not None:
        stated.add(label_unit)
    if len(stated) > 1:
        raise RRImportError(path, 0, "the header states the RR unit both as ms and as s")
    check_time_label(text, path)
    return stated.pop() if stated else "ms"
