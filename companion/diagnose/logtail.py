"""The end of ``holdspace.log`` and the diagnosis's own log, with every secret masked.

Holdspace's log never holds a session label, a note or a message's text, and its file
handler already scrubs the channel secrets read in the process that wrote it. The bundle
does not rely on that alone (an older version, another process, a line written before a
channel was read):

- the records of the loggers about colleagues' channels and notifications
  (:data:`CHANNEL_LOGGERS`) are left out whole, traceback lines included, and only counted;
- every URL left is replaced by :func:`~companion.connect.secrets.mask_url` (scheme, user
  name and host kept, passwords, tokens and paths masked);
- the words the caller names (each channel's secrets, the colleagues' names) are masked
  wherever they stand as a word.

A record starts with the log file's time stamp (``2026-12-07 08:01:02,345 LEVEL logger:``);
the lines after it that do not (a traceback) belong to it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl, unquote, urlsplit

from companion.connect.secrets import MASK, mask_url, secrets_of

__all__ = [
    "CHANNEL_LOGGERS",
    "TAIL_LINES",
    "LogMasker",
    "LogTail",
    "captured_run_log",
    "private_words",
    "read_log_tail",
]

TAIL_LINES: Final = 400
"""Lines kept from the end of the log: the last few days of ordinary use."""
TAIL_MAX_BYTES: Final = 512 * 1024
"""At most this much of the log's end is read (its file is rotated at about 1 MB)."""
CHANNEL_LOGGERS: Final = ("holdspace.channels", "holdspace.notify", "apprise", "urllib3")
"""Loggers that write about colleagues and their channels: none of their lines is kept."""
RUN_LOGGERS: Final = {"holdspace": logging.DEBUG, "bleak": logging.WARNING}
"""What the diagnosis logs of its own run, by logger: all of ours (the strap's states, the
traceback of an unknown failure), Bleak's warnings (its debug lines name nearby devices)."""
RUN_LOG_MAX_LINES: Final = 2000

_URL_PARTS = re.compile(r"[/:@?&=#,;+]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_RECORD = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} [A-Z]+ (?P<logger>[^\s:]+): ")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{1,30}://[^\s\"'<>`]+")
_RUN_FORMAT: Final = "%(relativeCreated)9.0f ms %(levelname)s %(name)s: %(message)s"


class LogMasker:
    """Masks URLs and the given private words (longest first, as whole words) in a line."""

    def __init__(self, private_words: Iterable[str] = ()) -> None:
        words = sorted({w for w in private_words if len(w.strip()) >= 2}, key=len, reverse=True)
        self._words = (
            re.compile("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in words)) if words else None
        )

    def __call__(self, line: str) -> str:
        if self._words is not None:
            line = self._words.sub(MASK, line)
        return _URL.sub(lambda m: _masked_url(m.group(0)), line)


def private_words(names: Iterable[str], channels: Iterable[str]) -> tuple[str, ...]:
    """The words to mask for these colleagues' names and channel URLs.

    Each name; each URL whole, its secrets (:func:`~companion.connect.secrets.secrets_of`),
    the e-mail addresses in it, and its user, password, host, path segments and query
    values of three characters or more: not even a recipient or a host that :func:`mask_url`
    would show is kept.
    """
    words: set[str] = {name.strip() for name in names}
    for url in channels:
        words.add(url)
        words.update(secrets_of(url))
        words.update(_EMAIL.findall(url))
        words.update(p for p in _url_pieces(url) if len(p) >= 3)
    return tuple(sorted(w for w in words if len(w) >= 2))


def _url_pieces(url: str) -> list[str]:
    """User, password, host, path segments, query values and fragment of ``url``."""
    try:
        parts = urlsplit(url)
        pieces = [parts.username, parts.password, parts.hostname, parts.fragment]
        values = [unquote(v) for _, v in parse_qsl(parts.query, keep_blank_values=True)]
    except ValueError:  # not a URL urllib can read: every part but the scheme
        return _URL_PARTS.split(url.split("://", 1)[-1])
    segments = [unquote(p) for p in parts.path.split("/")]
    return [p for p in (*pieces, *segments, *values) if p]


def _masked_url(url: str) -> str:
    trail = ""
    while url and url[-1] in ".,;:)]}":  # sentence punctuation after a URL
        url, trail = url[:-1], url[-1] + trail
    try:
        return mask_url(url) + trail
    except Exception:  # a URL too broken to read: keep its scheme only
        return url.split("://", 1)[0] + "://" + MASK + trail


@dataclass(frozen=True, slots=True)
class LogTail:
    """The end of the log as the bundle holds it.

    Attributes
    ----------
    lines : the kept lines, masked, oldest first.
    left_out : lines of :data:`CHANNEL_LOGGERS` records left out.
    found : whether there was a log file at all.
    """

    lines: tuple[str, ...]
    left_out: int
    found: bool

    def text(self) -> str:
        note = f"[{self.left_out} lines about colleagues' channels left out]\n"
        return "".join(f"{line}\n" for line in self.lines) + (note if self.left_out else "")


def read_log_tail(path: Path, masker: LogMasker, max_lines: int = TAIL_LINES) -> LogTail:
    """The last ``max_lines`` lines of ``path``, channel records left out, the rest masked."""
    try:
        with path.open("rb") as fh:
            size = fh.seek(0, 2)
            fh.seek(max(0, size - TAIL_MAX_BYTES))
            raw = fh.read()
    except OSError:
        return LogTail((), 0, False)
    lines = raw.decode("utf-8", "replace").splitlines()
    if len(raw) < size:
        lines = lines[1:]  # the first line read may be the end of a longer one
    kept, left_out = _without_channels(lines)
    return LogTail(tuple(masker(line) for line in kept[-max_lines:]), left_out, True)


def _without_channels(lines: Sequence[str]) -> tuple[list[str], int]:
    kept: list[str] = []
    left_out = 0
    dropping = False
    for line in lines:
        record = _RECORD.match(line)
        if record is not None:
            dropping = record.group("logger").startswith(CHANNEL_LOGGERS)
        if dropping:
            left_out += 1
        else:
            kept.append(line)
    return kept, left_out


class _Lines(logging.Handler):
    def __init__(self, masker: LogMasker) -> None:
        super().__init__(logging.DEBUG)
        self.masker = masker
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter(_RUN_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.lines) < RUN_LOG_MAX_LINES and not record.name.startswith(CHANNEL_LOGGERS):
            self.lines.extend(self.masker(line) for line in self.format(record).splitlines())


@contextmanager
def captured_run_log(masker: LogMasker) -> Iterator[list[str]]:
    """Keep what :data:`RUN_LOGGERS` log in the block, masked; yields the list of lines.

    The loggers' levels are lowered for the block and restored after; the command's own
    handlers (stderr, the log file) keep their levels, so nothing more reaches them.
    """
    handler = _Lines(masker)
    saved: list[tuple[logging.Logger, int]] = []
    for name, level in RUN_LOGGERS.items():
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.setLevel(level)
        logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        for logger, level in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
