"""A TinyDB storage that never leaves a half-written file behind, and keeps the last good one.

Every write goes to a temporary file in the same directory, is flushed and
fsynced, then atomically replaces the old file, and the directory is fsynced.
A process killed at any moment leaves either the old or the new file. Inside
:func:`one_dir_sync_each`, the directories are fsynced once each as the block
ends (a batch replacing many files of one directory). The
storage keeps the last state in memory (there is one writer), so TinyDB's
read-modify-write cycle does not re-parse the file on every operation.

With ``keep_previous`` (the main file, a day's minutes) the file being replaced is
kept as ``NAME.prev``, its previous generation: hard-linked to a temporary name and
renamed over the old ``.prev`` just before the new file is renamed in, so keeping it
copies nothing (two renames and a link per write, no second write of the data), and
``NAME`` itself is never missing: a kill between the steps leaves ``NAME`` and a
``.prev`` that is either the one before or the same file.

A file found damaged when read (empty, truncated, not JSON, not a database: never
written so by Holdspace, but a disk fault or another program can) is moved aside
as ``NAME.corrupt-<YYYYmmddTHHMMSS>``, with one sentence in the log and in
:data:`SET_ASIDE`. When its ``.prev`` is good, the file is recovered from it (only
the last write is lost); otherwise it is read as empty and everything in the other
files is kept. A missing file with a good ``.prev`` (deleted by another program) is
recovered the same way. A read-only view leaves the files in place for the writer
to deal with, and reads the ``.prev`` in memory.
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
from companion.store.paths import FILE_MODE

__all__ = [
    "PREVIOUS_SUFFIX",
    "AtomicJSONStorage",
    "fsync_dir",
    "one_dir_sync_each",
    "previous_path",
    "read_database",
    "remove_stale_temp_files",
    "replace_atomically",
]

_TMP_SUFFIX: Final = ".tmp"
PREVIOUS_SUFFIX: Final = ".prev"
"""``NAME.prev``: the file's previous good generation, kept by ``keep_previous`` storages."""
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


def _read_raw(path: Path) -> bytes | None:
    """The bytes of ``path``; None when it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"{path} cannot be read ({exc.strerror}).") from None


def _database(raw: bytes | None) -> dict[str, dict[str, Any]] | None:
    """The TinyDB document in ``raw`` (tables of documents), or None when it holds none."""
    if raw is None:
        return None
    data = _decoded(raw)
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        return None
    return data


def _damage(raw: bytes) -> str:
    return "is empty" if not raw.strip() else "is not a readable database"


def read_database(path: Path) -> dict[str, dict[str, Any]] | None:
    """The database in ``path``, or None when it is missing or damaged (nothing is moved)."""
    return _database(_read_raw(path))


def previous_path(path: Path) -> Path:
    """Where ``path``'s previous good generation is kept (``NAME.prev``)."""
    return path.with_name(path.name + PREVIOUS_SUFFIX)


def _write_temp(path: Path, encoded: bytes) -> Path:
    """``encoded`` in a fsynced 0600 temp file beside ``path`` (raises :class:`OSError`)."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=_TMP_SUFFIX, dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            with contextlib.suppress(AttributeError):  # Windows has no fchmod
                os.fchmod(fh.fileno(), FILE_MODE)
            fh.write(encoded)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def replace_atomically(path: Path, encoded: bytes) -> None:
    """Write ``encoded`` to a temp file beside ``path``, fsync it and rename it over
    ``path`` (its directory is fsynced, or deferred by :func:`one_dir_sync_each`).

    Raises :class:`OSError`; the temp file is gone then.
    """
    tmp = _write_temp(path, encoded)
    try:
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _sync_dir_of(path)


def _sync_dir_of(path: Path) -> None:
    deferred = _deferred_dirs.get()
    if deferred is None:
        fsync_dir(path.parent)
    else:
        deferred.add(path.parent)


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
    keep_previous : keep the replaced file as ``NAME.prev`` on every write, and recover
        a damaged or missing file from it.
    """

    def __init__(
        self,
        path: Path | str,
        read_only: bool = False,
        finite: bool = False,
        keep_previous: bool = False,
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self.read_only = read_only
        self.finite = finite
        self.keep_previous = keep_previous
        self._linking = keep_previous
        self._cache: dict[str, dict[str, Any]] | None = None

    @property
    def previous_path(self) -> Path:
        """``NAME.prev``, where the previous generation is kept."""
        return previous_path(self.path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        if self._cache is None:
            raw = _read_raw(self.path)
            data = _database(raw)
            if data is None:
                data = self._recover(raw)
            if data is None:
                return None
            self._cache = data
        # A shallow copy: TinyDB replaces whole tables in it before calling write().
        return dict(self._cache)

    def _recover(self, raw: bytes | None) -> dict[str, dict[str, Any]] | None:
        """The file is missing (``raw`` None) or damaged: its previous generation, if good.

        Damaged files are set aside (by a writer); returns None when there is nothing
        to recover (a new file, or no good ``.prev``).
        """
        prev_raw = _read_raw(self.previous_path) if self.keep_previous else None
        previous = _database(prev_raw)
        if previous is None:
            if raw is not None:
                self._set_aside(self.path, _damage(raw), "everything else is kept")
            if prev_raw is not None:
                self._set_aside(self.previous_path, _damage(prev_raw), "nothing was recovered")
            return None
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.previous_path.stat().st_mtime))
        how = "is missing" if raw is None else _damage(raw)
        if self.read_only:
            log.warning(
                "%s %s; this view reads its last good copy, of %s (the writer recovers it).",
                self.path,
                how,
                when,
            )
            return previous
        kept = ""
        if raw is not None:
            kept = f"; the damaged file is kept as {self._move_aside(self.path).name}"
        self.write(previous)  # the file is not there now: no generation is linked
        message = (
            f"{self.path} {how}: it was recovered from its last good copy, of {when} "
            f"(the last write after it is lost){kept}."
        )
        log.warning("%s", message)
        SET_ASIDE.append(message)
        return previous

    def _move_aside(self, path: Path) -> Path:
        """Rename a damaged ``path`` to ``NAME.corrupt-<time>``; returns the new path."""
        stamp = time.strftime("%Y%m%dT%H%M%S")
        aside = path.with_name(f"{path.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        try:
            path.replace(aside)
        except OSError as exc:
            raise StoreError(
                f"{path} is damaged, and it cannot be moved aside ({exc.strerror})."
            ) from None
        return aside

    def _set_aside(self, path: Path, what: str, rest: str) -> None:
        """A damaged file (a truncated, empty or garbage write from outside, a disk
        fault): keep it as ``NAME.corrupt-<time>`` for a look, and carry on without it.
        A read-only view leaves it where it is (the writer sets it aside)."""
        if self.read_only:
            log.warning("%s %s; it is left out of this view.", path, what)
            return
        aside = self._move_aside(path)
        message = f"{path} {what}: it was moved aside as {aside.name}, and {rest}."
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
        try:
            tmp = _write_temp(self.path, encoded)
        except OSError as exc:
            self._cache = None
            raise StoreError(f"cannot write in {self.path.parent} ({exc.strerror}).") from None
        try:
            if self._linking:
                self._keep_generation()
            tmp.replace(self.path)
        except OSError as exc:
            self._cache = None
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise StoreError(f"cannot write {self.path} ({exc.strerror}).") from None
        _sync_dir_of(self.path)
        self._cache = data

    def _keep_generation(self) -> None:
        """Make the file about to be replaced ``NAME.prev``, copying nothing.

        A hard link under a temp name is renamed over the old ``.prev``, so ``NAME`` is
        there throughout. Where hard links are refused (some network and FAT file
        systems) the file is renamed to ``.prev`` instead; a kill before the new file
        is renamed in leaves only ``.prev``, which the next read recovers from.
        """
        link = self.path.with_name(f".{self.path.name}{PREVIOUS_SUFFIX}{_TMP_SUFFIX}")
        with contextlib.suppress(FileNotFoundError):
            link.unlink()
        try:
            os.link(self.path, link)
        except FileNotFoundError:
            return  # the first write, or a damaged file just set aside
        except OSError:
            with contextlib.suppress(FileNotFoundError):
                self.path.replace(self.previous_path)
            return
        link.replace(self.previous_path)

    @contextlib.contextmanager
    def rewriting_history(self) -> Iterator[None]:
        """For forgetting: the previous generation is deleted as the block starts, none is
        kept while it runs, and as it ends without error the file as it then is is copied
        (a file of its own, not a link) to be its previous generation.

        A kill inside the block leaves no ``.prev`` holding what the block removed.
        """
        if self.read_only:
            raise StoreError(f"{self.path} is open read-only.")
        with contextlib.suppress(FileNotFoundError):
            self.previous_path.unlink()
        self._linking = False
        try:
            yield
        finally:
            self._linking = self.keep_previous
        if self.keep_previous and self._cache is not None and self.path.exists():
            try:
                replace_atomically(self.previous_path, self.path.read_bytes())
            except OSError as exc:
                raise StoreError(f"cannot write {self.previous_path} ({exc.strerror}).") from None

    def hold(self, data: dict[str, dict[str, Any]]) -> None:
        """Serve ``data`` from now on without writing it (an upgrade seen read-only)."""
        self._cache = data

    def close(self) -> None:
        self._cache = None
