"""Where Holdspace's log goes: a private, rotated file in the data folder; stderr only headless.

Specification:

- The log file is ``DATA/holdspace.log`` (:data:`LOG_FILE`), created mode 0600 whatever the
  umask, in a folder created mode 0700. It is rotated at :data:`LOG_MAX_BYTES`, keeping
  :data:`LOG_BACKUPS` older files (``holdspace.log.1`` ... ``.3``), so it never holds more
  than about 4 MB. It is opened at the first line written: a command that logs nothing
  leaves no file.
- Every line passes the channel-secret filter (:func:`companion.connect.secrets.scrub_handler`):
  passwords and tokens of channel URLs read in this process become ``***``. Session
  labels, notes and message texts are never logged by Holdspace in the first place.
- :func:`command_logging` (every command, around its run): warnings and errors as one
  ``holdspace: LEVEL: message`` line on stderr, and the same lines in the file when the
  data folder already exists (a headless command never creates it just to log).
- :func:`screen_logging` (while a Textual screen runs): *nothing but Textual writes to the
  terminal*. Every handler writing to stdout or stderr is taken off the root logger and
  every other logger (Bleak's, Apprise's, Bumble's, ours), the file takes their place,
  Python warnings are logged (:func:`logging.captureWarnings`), and the logging module's
  own fallbacks (``logging.lastResort``, a handler's error report) write to the file or
  nowhere. Leaving the block restores what was there.

What the helper must know while the screen runs is shown by the screen (a line, a
notification), never logged for them to find.
"""

from __future__ import annotations

import contextlib
import io
import logging
import logging.handlers
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from companion.connect.secrets import scrub_handler
from companion.store.paths import make_private_dir, open_private

__all__ = [
    "LOG_BACKUPS",
    "LOG_FILE",
    "LOG_MAX_BYTES",
    "PrivateLogHandler",
    "command_logging",
    "screen_logging",
]

LOG_FILE: Final = "holdspace.log"
"""The log's file name in the data folder."""
LOG_MAX_BYTES: Final = 1_000_000
"""Size at which the log is rotated, in bytes: a month of ordinary use, kept small on purpose."""
LOG_BACKUPS: Final = 3
"""Rotated files kept besides the current one (``holdspace.log.1`` is the newest)."""
FILE_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
STDERR_FORMAT: Final = "holdspace: %(levelname)s: %(message)s"


class PrivateLogHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file opened mode 0600 (its folder 0700), secrets scrubbed.

    ``create_dir``: make the folder when the first line is written (else a missing
    folder drops the line). Errors writing the log are swallowed: a full disk must not
    print a traceback over the screen, and there is nowhere left to report them.
    """

    def __init__(self, path: Path, *, create_dir: bool = True) -> None:
        super().__init__(
            path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8", delay=True
        )
        self.create_dir = create_dir
        self.setFormatter(logging.Formatter(FILE_FORMAT))
        scrub_handler(self)

    def _open(self) -> io.TextIOWrapper:
        path = Path(self.baseFilename)
        if self.create_dir:
            make_private_dir(path.parent)  # each level 0700, whatever the umask
        fd = open_private(path, os.O_WRONLY | os.O_APPEND)  # 0600 also for an older file
        return os.fdopen(fd, "a", encoding="utf-8", errors="backslashreplace")

    def emit(self, record: logging.LogRecord) -> None:
        if not self.create_dir and not Path(self.baseFilename).parent.is_dir():
            return
        super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        """Drop the line: reporting a logging failure would write to stderr."""


def _file_handler(root: logging.Logger, path: Path) -> PrivateLogHandler | None:
    """The log-file handler already on ``root`` for ``path``, if any."""
    wanted = os.path.abspath(path)  # noqa: PTH100 - as logging computes baseFilename
    for handler in root.handlers:
        if isinstance(handler, PrivateLogHandler) and handler.baseFilename == wanted:
            return handler
    return None


@contextlib.contextmanager
def command_logging(level: str, data_dir: Path | None) -> Iterator[None]:
    """Log at ``level`` ("debug" ... "error") to stderr, and to ``data_dir``'s log while
    that folder exists (a command does not create it to log).

    For the whole of a command. The handlers hold ``level``; the root logger is lowered
    to it if need be, never raised (a program or test that gathers more keeps it).
    Leaving the block takes the handlers off and restores the root logger's level, so a
    test may call the command many times.
    """
    root = logging.getLogger()
    saved_level = root.level
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(logging.Formatter(STDERR_FORMAT))
    scrub_handler(stderr)
    added: list[logging.Handler] = [stderr]
    if data_dir is not None and _file_handler(root, data_dir / LOG_FILE) is None:
        added.append(PrivateLogHandler(data_dir / LOG_FILE, create_dir=False))
    wanted = getattr(logging, level.upper())
    root.setLevel(min(saved_level, wanted) if saved_level != logging.NOTSET else logging.NOTSET)
    for handler in added:
        handler.setLevel(wanted)
        root.addHandler(handler)
    try:
        yield
    finally:
        for handler in added:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(saved_level)


def _writes_to_terminal(handler: logging.Handler) -> bool:
    """Whether ``handler`` writes to stdout or stderr (of the process or of ``sys``)."""
    if not isinstance(handler, logging.StreamHandler) or isinstance(handler, logging.FileHandler):
        return False
    stream = handler.stream
    if stream in (sys.stderr, sys.stdout, sys.__stderr__, sys.__stdout__):
        return True
    try:
        return stream.fileno() in (1, 2)
    except (AttributeError, OSError, ValueError):  # a StringIO, a closed stream
        return False


def _loggers() -> list[logging.Logger]:
    """The root logger and every logger created so far."""
    found = [logging.getLogger()]
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            found.append(logger)
    return found


@contextlib.contextmanager
def screen_logging(data_dir: Path) -> Iterator[Path]:
    """While the block runs (a screen), log to ``DATA/holdspace.log`` only; yields its path.

    Handlers writing to the terminal are taken off every logger and put back after;
    Python warnings go to the log; ``logging.lastResort`` is the log file.
    """
    root = logging.getLogger()
    path = Path(data_dir) / LOG_FILE
    handler = _file_handler(root, path)
    ours = handler is None
    if handler is None:
        handler = PrivateLogHandler(path)
        root.addHandler(handler)
    saved_create, handler.create_dir = handler.create_dir, True
    removed: list[tuple[logging.Logger, logging.Handler]] = []
    for logger in _loggers():
        for each in list(logger.handlers):
            if _writes_to_terminal(each):
                logger.removeHandler(each)
                removed.append((logger, each))
    saved_last_resort = logging.lastResort
    logging.lastResort = handler
    shown = warnings.showwarning
    logging.captureWarnings(True)
    try:
        yield path
    finally:
        if warnings.showwarning is not shown:  # they were not captured before
            logging.captureWarnings(False)
        logging.lastResort = saved_last_resort
        for logger, each in removed:
            logger.addHandler(each)
        handler.create_dir = saved_create
        if ours:
            root.removeHandler(handler)
            handler.close()
