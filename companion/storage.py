"""A TinyDB storage that never leaves a half-written file behind.

Every write goes to a temporary file in the same directory, is flushed and
fsynced, then atomically replaces the old file, and the directory is fsynced.
A process killed at any moment leaves either the old or the new file. Inside
:func:`one_dir_sync_each`, the directories are fsynced once each as the block
ends (a batch replacing many files of one directory). The
storage keeps the last state in memory (there is one writer), so TinyDB's
read-modify-write cycle does not re-parse the file on every operation.

A file found damaged when read (empty, truncated, not JSON, not a database: never
written so by Holdspace, but a disk fault or another program can) is moved aside
as ``NAME.corrupt-<YYYYmmddTHHMMSS>`` and read as empty, with one sentence in the
log and in :data:`SET_ASIDE`; everything in the other files is kept. A read-only
view leaves the file in place for the writer to deal with.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Final

import orjson
from tinydb.storages import Storage

from companion.errors import StoreError

__all__ = [
    "FILE_MODE",
    "AtomicJSONStorage",
    "fsync_dir",
    "one_dir_sync_each",
    "remove_stale_temp_files",
]

FILE_MODE: Final = 0o600
_TMP_SUFFIX: Final = ".tmp"
_deferred_dirs: ContextVar[set[Path] | None] = ContextVar("deferred_dir_syncs", default=None)
log = logging.getLogger("holdspace.storage")

SET_ASIDE: list[str] = []
"""One sentence for each damaged file this process set aside, for the screen to show."""


@contextlib.contextmanager
def one_dir_sync_each() -> Iterator[None]:
    """Within the block, writes fsync their directory once, when the block ends.

    The files themselves are fsynced as they are written; what is deferred is
    making their renames durable, which one fsync per directory does for all
    of them. Nothing written in the block counts as stored before it ends.
    """
    if _deferred_dirs.get() is not None:  # nested: the outer block syncs
        yield
        return
    directories: set[Path] = set()
    token = _deferred_dirs.set(directories)
    try:
        yield
    finally:
        _deferred_dirs.reset(token)
        for directory in sorted(directories):
            fsync_dir(directory)


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _decoded(raw: bytes) -> Any:
    """The JSON in ``raw``, or None when it is empty or not JSON."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def remove_stale_temp_files(directory: Path) -> int:
    """Delete temp files a killed writer left behind; returns how many."""
    removed = 0
    for tmp in directory.glob(f".*{_TMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            tmp.unlink()
            removed += 1
    return removed


class AtomicJSONStorage(Storage):
    """JSON file storage with atomic replace, for :class:`tinydb.TinyDB`.

    Parameters
    ----------
    path : the JSON file. It is created (mode 0600) on the first write only.
    read_only : refuse writes; reading a missing file yields an empty database.
    finite : the documents hold only finite floats (beat times and RR); they are
        then encoded with orjson, some fifteen times faster than the standard
        library on long lists of floats, and the same JSON values (orjson would
        write a non-finite float as null, where :mod:`json` refuses it).
    """

    def __init__(self, path: Path | str, read_only: bool = False, finite: bool = False) -> None:
        super().__init__()
        self.path = Path(path)
        self.read_only = read_only
        self.finite = finite
        self._cache: dict[str, dict[str, Any]] | None = None

    def read(self) -> dict[str, dict[str, Any]] | None:
        if self._cache is None:
            try:
                raw = self.path.read_bytes()
            except FileNotFoundError:
                return None
            except OSError as exc:
                raise StoreError(f"{self.path} cannot be read ({exc.strerror}).") from None
            data = _decoded(raw)
            if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
                what = "is empty" if not raw.strip() else "is not a readable database"
                self._set_aside(what)
                return None
            self._cache = data
        # A shallow copy: TinyDB replaces whole tables in it before calling write().
        return dict(self._cache)

    def _set_aside(self, what: str) -> None:
        """A damaged file (a truncated, empty or garbage write from outside, a disk
        fault): keep it as ``NAME.corrupt-<time>`` for a look, and carry on without it.
        A read-only view leaves it where it is (the writer sets it aside)."""
        if self.read_only:
            log.warning("%s %s; it is left out of this view.", self.path, what)
            return
        stamp = time.strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        try:
            self.path.replace(aside)
        except OSError as exc:
            raise StoreError(
                f"{self.path} {what}, and it cannot be moved aside ({exc.strerror})."
            ) from None
        message = (
            f"{self.path} {what}: it was moved aside as {aside.name}, and everything else is kept."
        )
        log.warning("%s", message)
        SET_ASIDE.append(message)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if self.read_only:
            raise StoreError(f"{self.path} is open read-only.")
        encoded = (
            orjson.dumps(data)
            if self.finite
            else json.dumps(data, separators=(",", ":"), allow_nan=False).encode("utf-8")
        )
        directory = self.path.parent
        try:
            fd, tmp_name = tempfile.mkstemp(
                prefix=f".{self.path.name}.", suffix=_TMP_SUFFIX, dir=directory
            )
        except OSError as exc:
            self._cache = None
            raise StoreError(f"cannot write in {directory} ({exc.strerror}).") from None
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(encoded)
                fh.flush()
                os.fsync(fh.fileno())
            Path(tmp_name).chmod(FILE_MODE)
            Path(tmp_name).replace(self.path)
        except OSError as exc:
            self._cache = None
            with contextlib.suppress(OSError):
                Path(tmp_name).unlink()
            raise StoreError(f"cannot write {self.path} ({exc.strerror}).") from None
        deferred = _deferred_dirs.get()
        if deferred is None:
            fsync_dir(directory)
        else:
            deferred.add(directory)
        self._cache = data

    def hold(self, data: dict[str, dict[str, Any]]) -> None:
        """Serve ``data`` from now on without writing it (an upgrade seen read-only)."""
        self._cache = data

    def close(self) -> None:
        self._cache = None
