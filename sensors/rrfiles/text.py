"""Reading delimited RR text files: lines, header, columns and the stated unit.

:func:`line_blocks` reads a file's lines a block at a time (never the whole file);
:func:`read_text` sorts them into leading ``#`` comments, an optional header line and
data lines, looking no further than the first two data lines; :func:`read_columns`
converts the data lines, block by block, into one or two float columns, raising
:class:`~sensors.rrfiles.common.RRImportError` for the earliest bad line. Memory grows with
the RR intervals kept (8 bytes each, a limit of :data:`~sensors.rrfiles.common.RR_MAX_BEATS`),
not with the file. :func:`header_rr_unit` and :func:`kubios_unit` find the RR unit a
header states (``# Unit: s``, a column label such as ``RR (s)`` or ``rr_ms``); the unit
is never guessed from the size of the numbers. Used by :mod:`sensors.rrfiles.formats`.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol

import numpy as np
import numpy.typing as npt

from sensors.rrfiles.common import (
    RR_LINE_MAX_CHARS,
    RR_MAX_BEATS,
    FloatArray,
    RRImportError,
    too_many_beats,
)

__all__ = [
    "ByteReader",
    "DelimitedText",
    "LineBlock",
    "check_time_label",
    "header_rr_unit",
    "kubios_unit",
    "line_blocks",
    "numbered_lines",
    "read_columns",
    "read_text",
]

READ_BLOCK_BYTES: Final = 1024 * 1024
"""Bytes read at a time; a block's lines are split and converted together."""


class ByteReader(Protocol):
    """A file open for reading bytes (``open(path, "rb")``, :class:`io.BytesIO`)."""

    def read(self, size: int = -1, /) -> bytes: ...


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
_WHITESPACE: Final = re.compile(r"\s")
_BRACKET_UNIT: Final = re.compile(r"[\[(]\s*" + _UNIT + r"\s*[\])]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LineBlock:
    """Whole lines of a file, as read in one block."""

    first_line: int
    """Line number of ``lines[0]``."""
    lines: list[str]
    """The lines, without their ``\\n`` (a ``\\r`` before it is kept)."""
    text: str
    """The same lines as one string, joined by ``\\n`` (for quick "is there a ..." tests)."""


def _decoded(block: bytes, first_line: int, encoding: str, path: Path) -> str:
    try:
        return block.decode(encoding)
    except UnicodeDecodeError as exc:
        line = first_line + block.count(b"\n", 0, exc.start)
        raise RRImportError(path, line, "the file is not UTF-8 text") from None


def _too_long(path: Path, line: int) -> RRImportError:
    return RRImportError(
        path, line, f"the line is longer than {RR_LINE_MAX_CHARS:,} characters; no RR file's is"
    )


def line_blocks(fh: ByteReader, path: Path) -> Iterator[LineBlock]:
    """The lines of the UTF-8 file ``fh`` (an optional BOM is ignored), a block at a time.

    Lines end at ``\\n``; a line longer than :data:`~sensors.rrfiles.common.RR_LINE_MAX_CHARS`
    characters, or a file that is not UTF-8, raises :class:`RRImportError` naming the
    line. At most :data:`READ_BLOCK_BYTES` plus one line are held at a time.
    """
    first_line, carry, encoding = 1, b"", "utf-8-sig"
    while True:
        chunk = fh.read(READ_BLOCK_BYTES)
        data = carry + chunk if carry else chunk
        if not data:
            return
        cut = data.rfind(b"\n") + 1 if chunk else len(data)  # at the end: the last line
        if cut == 0:  # no line ends in this block yet
            if len(data) > 4 * RR_LINE_MAX_CHARS:  # more bytes than 4-byte characters fill
                raise _too_long(path, first_line)
            carry = data
            continue
        text = _decoded(data[:cut], first_line, encoding, path)
        carry, encoding = data[cut:], "utf-8"
        if chunk:
            text = text[:-1]  # the final newline
        lines = text.split("\n")
        if len(text) > RR_LINE_MAX_CHARS and max(map(len, lines)) > RR_LINE_MAX_CHARS:
            long = next(k for k, line in enumerate(lines) if len(line) > RR_LINE_MAX_CHARS)
            raise _too_long(path, first_line + long)
        yield LineBlock(first_line, lines, text)
        first_line += len(lines)
        if not chunk:
            return


def numbered_lines(blocks: Iterable[LineBlock]) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` for every line of the blocks, in order."""
    for block in blocks:
        yield from enumerate(block.lines, start=block.first_line)


@dataclass(frozen=True, slots=True)
class DelimitedText:
    """A delimited text file sorted into comments, header and data lines.

    Everything up to the first two data lines has been read; :attr:`chunks` reads the
    rest of the file as it is consumed (once).
    """

    chunks: Iterator[tuple[list[str], npt.NDArray[np.int64]]]
    """Data lines (comments and surrounding whitespace removed) with their line numbers,
    a block at a time."""
    has_data: bool
    """Whether there is at least one data line."""
    header: tuple[str, ...] | None
    header_line: int
    comments: tuple[str, ...]
    """Text of the ``#`` comments before the first header or data line."""
    first_content_line: int
    """Line number of the first header or data line (0 when there is none)."""


def _content(block: LineBlock) -> tuple[list[str], npt.NDArray[np.int64]]:
    """The non-empty lines of a block with comments removed, and their line numbers."""
    if "#" in block.text:
        texts = [raw.split("#", 1)[0].strip() for raw in block.lines]
    else:
        texts = [raw.strip() for raw in block.lines]
    if all(texts):  # the common block: no blank or comment-only line
        return texts, np.arange(len(texts), dtype=np.int64) + block.first_line
    content = [i for i, text in enumerate(texts) if text]
    lines = np.asarray(content, dtype=np.int64) + block.first_line
    return [texts[i] for i in content], lines


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


def read_text(blocks: Iterable[LineBlock]) -> DelimitedText:
    """Sort lines into leading comments, an optional first header line and data lines.

    Reads blocks only until the first two header or data lines are seen; the data
    lines after them are read as :attr:`DelimitedText.chunks` is consumed.
    """
    rest = iter(blocks)
    comments: list[str] = []
    read: list[tuple[list[str], npt.NDArray[np.int64]]] = []
    seen = 0
    for block in rest:
        body, lines = _content(block)
        if not seen:
            before = int(lines[0]) - block.first_line if body else len(block.lines)
            for raw in block.lines[:before]:
                _, mark, comment = raw.partition("#")
                if mark:
                    comments.append(comment.strip())
        read.append((body, lines))
        seen += len(body)
        if seen >= 2:
            break
    header: tuple[str, ...] | None = None
    header_line = first_content = 0
    first = next(((body, lines) for body, lines in read if body), None)
    if first is not None:
        first_content = int(first[1][0])
        first_fields = _split_header(first[0][0])
        # A lone line of words is a header only when it reads like one ("time,rr");
        # otherwise it is a bad data line, and the error names it.
        looks_like_header = seen > 1 or any(_HEADER_WORD.search(f) for f in first_fields)
        if not any(_is_number(f) for f in first_fields) and looks_like_header:
            header, header_line = tuple(first_fields), first_content
            k = next(k for k, (body, _) in enumerate(read) if body)
            read[k] = (first[0][1:], first[1][1:])
    has_data = seen - (header is not None) > 0
    return DelimitedText(
        chunks=itertools.chain(read, map(_content, rest)),
        has_data=has_data,
        header=header,
        header_line=header_line,
        comments=tuple(comments),
        first_content_line=first_content,
    )


def _rows(body: list[str]) -> list[list[str]] | None:
    """Fields of each line (as :func:`_split_fields` splits it), or None when no line
    has a separator (one field per line): the same for any grouping of lines."""
    joined = "".join(body)  # holds a character if and only if some line does
    if "," in joined or ";" in joined:
        return [_split_fields(text) for text in body]
    if _WHITESPACE.search(joined):
        return [text.split() for text in body]
    return None


def _chunk_columns(
    body: list[str], lines: npt.NDArray[np.int64], ncols: int, path: Path
) -> tuple[FloatArray, ...]:
    """Convert one block of data lines; raise for its earliest bad line."""
    rows = _rows(body)

    def row(k: int) -> list[str]:
        return rows[k] if rows is not None else [body[k]]

    if rows is None:  # one field per line
        ragged = len(body) if ncols == 1 else 0
        fields = [body] if ncols == 1 else [[] for _ in range(ncols)]
    else:
        ragged = next((k for k, r in enumerate(rows) if len(r) != ncols), len(rows))
        fields = [[r[c] for r in rows[:ragged]] for c in range(ncols)]
    problems: list[tuple[int, str]] = []
    try:
        columns = tuple(np.array(col, dtype=np.float64) for col in fields)
    except ValueError:
        bad = next((k for k in range(ragged) if not all(map(_is_number, row(k)))), None)
        if bad is None:  # a field numpy refuses but float() reads
            columns = tuple(np.array([float(f) for f in col], dtype=np.float64) for col in fields)
        else:
            field = next(f for f in row(bad) if not _is_number(f))
            problems.append((bad, f"{field!r} is not a number"))
            ragged = bad
            columns = tuple(np.array(col[:bad], dtype=np.float64) for col in fields)
    finite = np.logical_and.reduce([np.isfinite(col) for col in columns])
    nonfinite = np.flatnonzero(~finite)
    if nonfinite.size:
        k = int(nonfinite[0])
        field = next(f for f in row(k) if not math.isfinite(float(f)))
        problems.append((k, f"{field!r} is not a finite number"))
    elif not problems and ragged < len(body):
        found = _n_columns(len(row(ragged)))
        problems.append((ragged, f"{found} where the lines above have {ncols}"))
    if problems:
        k, problem = min(problems)
        raise RRImportError(path, int(lines[k]), problem)
    return columns


def read_columns(
    text: DelimitedText, path: Path
) -> tuple[tuple[FloatArray, ...], npt.NDArray[np.int64]]:
    """Split and convert the data lines, a block at a time; raise for the earliest bad
    line, or once more than :data:`~sensors.rrfiles.common.RR_MAX_BEATS` lines are read.

    Returns the columns (one or two) and the line number of each row.
    """
    ncols = 0
    parts: list[tuple[FloatArray, ...]] = []
    line_parts: list[npt.NDArray[np.int64]] = []
    total = 0
    for body, lines in text.chunks:
        if not body:
            continue
        if not ncols:
            ncols = len(_split_fields(body[0]))
            if ncols > 2:
                raise RRImportError(
                    path,
                    int(lines[0]),
                    f"{ncols} columns, expected one (RR) or two (time in s, RR)",
                )
            if text.header is not None and len(text.header) != ncols:
                raise RRImportError(
                    path,
                    int(lines[0]),
                    f"{_n_columns(ncols)} under a header of {_n_columns(len(text.header))}",
                )
        if total + len(body) > RR_MAX_BEATS:
            raise too_many_beats(path, int(lines[RR_MAX_BEATS - total]))
        parts.append(_chunk_columns(body, lines, ncols, path))
        line_parts.append(lines)
        total += len(body)
    columns = tuple(np.concatenate([part[c] for part in parts]) for c in range(ncols))
    return columns, np.concatenate(line_parts)


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
