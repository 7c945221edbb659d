"""Forgetting: removing stored days for real, not hiding them.

A forgotten day loses its beat segment files and its minutes (``epochs.json``): the
day's directory is deleted. In the main file (``holdspace.json``) every record of that
local day goes: sessions with their analyses, prompts, check-ins, acts, the day
summary, planned sessions, and the day in each source's list of days. TinyDB rewrites
the whole main file atomically on each change, so no old text of a removed record is
left in it; leftover temp files of earlier writes are deleted too.

Every other copy of the main file goes the same way. Its previous generation
(``holdspace.json.prev``) is deleted first and written again, as a copy of the
rewritten file, only once the records are gone, so a kill in between leaves no copy
holding the day. Upgrade backups (``holdspace.json.v<N>-backup``) lose the day's
records like the main file. Damaged copies (``holdspace.json.corrupt-…``) cannot be
read, so what they hold of the day cannot be picked out: they are deleted, and the log
says so in one sentence. A day's own folder, with its files' generations and damaged
copies, is deleted whole.

Forgetting everything also removes the body data kept among the settings (the resting
baseline) and any other file in the data directory, except ``settings.json``,
``colleagues.json`` (not body data) and the schema version.

Everything here works on an open, writable :class:`~companion.store.store.Store`: its writer
lock guarantees no recorder is writing meanwhile. Bytes freed on disk are not
overwritten; a journaling file system or an SSD may keep them until reused.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

from tinydb import Query, TinyDB

from companion.errors import HoldspaceError
from companion.store.lock import WriterLock
from companion.store.store import DAYS_DIR, LOCK_FILE, MAIN_FILE, Store
from companion.store.tinydb_storage import AtomicJSONStorage, read_database, remove_stale_temp_files
from companion.store.types import local_day

log = logging.getLogger("holdspace.forget")

__all__ = [
    "KEPT_FILES",
    "ForgetResult",
    "apply_retention",
    "forget_all",
    "forget_days",
    "stored_days",
]

KEPT_FILES: Final = ("settings.json", "colleagues.json")
"""Files in the data directory that forgetting everything keeps: they hold no body data."""
_KEPT_NAMES: Final = frozenset({*KEPT_FILES, ".colleagues.lock", LOCK_FILE, MAIN_FILE})
_KEPT_TABLES: Final = frozenset({"meta", "settings"})
"""Main-file tables forgetting days leaves alone (``sources`` is trimmed, not dropped)."""
_BODY_SETTINGS: Final = ("resting_baseline",)
"""Settings that hold body data (``companion.pipeline.baselines.RESTING_SETTING``): go with
--all."""
_TIME_FIELDS: Final = ("start_s", "raised_s", "at_s")
"""Fields a record's local day is taken from when it has no ``day`` field."""


@dataclass(frozen=True, slots=True)
class ForgetResult:
    """What a forget removed.

    Attributes
    ----------
    days : the local days forgotten, oldest first.
    files_removed : files deleted from the data directory (beat segments, minutes,
        temp files, and with everything forgotten any other file but the kept ones).
    records_removed : documents removed from the main file (sessions with their
        analyses, prompts, check-ins, acts, day summaries, planned sessions, sources,
        body-data settings).
    kept : the files deliberately kept (only when everything was forgotten).
    damaged_removed : damaged copies of the main file deleted because they could not
        be read to take the days out (counted in ``files_removed`` too).
    """

    days: tuple[date, ...]
    files_removed: int
    records_removed: int
    kept: tuple[str, ...] = ()
    damaged_removed: tuple[str, ...] = ()


def _doc_day(doc: Mapping[str, Any]) -> date | None:
    """The local day a main-file record belongs to, or None when it has none."""
    text = doc.get("day")
    if isinstance(text, str):
        with contextlib.suppress(ValueError):
            return date.fromisoformat(text)
    for field in _TIME_FIELDS:
        value = doc.get(field)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return local_day(float(value))
    return None


def _day_dirs(store: Store) -> dict[date, Path]:
    """The day directories under ``days/`` (with any file in them), by day."""
    root = store.data_dir / DAYS_DIR
    found: dict[date, Path] = {}
    if not root.is_dir():
        return found
    for child in root.iterdir():
        with contextlib.suppress(ValueError):
            if child.is_dir():
                found[date.fromisoformat(child.name)] = child
    return found


def stored_days(store: Store) -> list[date]:
    """Every local day something is stored for (files or records), oldest first."""
    days = set(_day_dirs(store))
    for name in store.main_db.tables() - _KEPT_TABLES:
        for doc in store.main_db.table(name).all():
            if name == "sources":
                for text in doc.get("days", ()):
                    with contextlib.suppress(TypeError, ValueError):
                        days.add(date.fromisoformat(text))
                continue
            day = _doc_day(doc)
            if day is not None:
                days.add(day)
    return sorted(days)


def _close_segments(store: Store, days: Collection[date] | None) -> None:
    """Close and drop the store's cached segment files of ``days`` (None: all)."""
    store.drop_cached_segments(days)


def _remove_tree(path: Path) -> int:
    """Delete ``path`` (a file or a directory tree); returns the files deleted."""
    if path.is_dir() and not path.is_symlink():
        count = sum(1 for p in path.rglob("*") if not p.is_dir() or p.is_symlink())
        try:
            shutil.rmtree(path)
        except OSError as exc:
            raise HoldspaceError(f"cannot delete {path} ({exc.strerror}).") from None
        return count
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    except OSError as exc:
        raise HoldspaceError(f"cannot delete {path} ({exc.strerror}).") from None
    return 1


def _remove_day_records(db: TinyDB, days: Collection[date]) -> int:
    """Remove the records of ``days`` from every table of a main file but meta and settings."""
    texts = {d.isoformat() for d in days}
    removed = 0
    for name in sorted(db.tables() - _KEPT_TABLES):
        table = db.table(name)
        if name == "sources":
            for doc in table.all():
                left = [t for t in doc.get("days", ()) if t not in texts]
                if not left:
                    table.remove(doc_ids=[doc.doc_id])
                    removed += 1
                elif len(left) != len(doc.get("days", ())):
                    table.update({"days": left}, doc_ids=[doc.doc_id])
            continue
        ids = [doc.doc_id for doc in table.all() if _doc_day(doc) in days]
        if ids:
            table.remove(doc_ids=ids)
            removed += len(ids)
    return removed


def _damaged_copies(data_dir: Path) -> list[Path]:
    """Damaged copies of the main file (and of its generations and backups) set aside."""
    return sorted(p for p in data_dir.glob(f"{MAIN_FILE}*.corrupt-*") if p.is_file())


def _scrub_backups(data_dir: Path, days: Collection[date]) -> tuple[int, list[str]]:
    """Take ``days`` out of the upgrade backups of the main file, and delete the damaged
    copies (and backups that cannot be read). Returns (files deleted, names deleted as
    damaged)."""
    damaged: list[str] = []
    for backup in sorted(data_dir.glob(f"{MAIN_FILE}.v*-backup")):
        if read_database(backup) is None:
            _remove_tree(backup)
            damaged.append(backup.name)
            continue
        db = TinyDB(backup, storage=AtomicJSONStorage)
        try:
            _remove_day_records(db, days)
        finally:
            db.close()
    for copy in _damaged_copies(data_dir):
        _remove_tree(copy)
        damaged.append(copy.name)
    if damaged:
        log.warning(
            "Deleted %d damaged %s of %s (%s): %s cannot be read, so the forgotten days "
            "could not be taken out of %s.",
            len(damaged),
            "copy" if len(damaged) == 1 else "copies",
            MAIN_FILE,
            ", ".join(damaged),
            "it" if len(damaged) == 1 else "they",
            "it" if len(damaged) == 1 else "them",
        )
    return len(damaged), damaged


def forget_days(store: Store, days: Iterable[date]) -> ForgetResult:
    """Remove everything stored for ``days``: their files, their main-file records, and
    their records in every other copy of the main file (generation, backups; a damaged
    copy, which cannot be read, is deleted)."""
    chosen = frozenset(days)
    if not chosen:  # nothing to forget: the generation stays as it is
        return ForgetResult((), remove_stale_temp_files(store.data_dir), 0)
    with store.main_storage.rewriting_history():
        files, damaged = _scrub_backups(store.data_dir, chosen)
        _close_segments(store, chosen)
        directories = _day_dirs(store)
        files += sum(_remove_tree(directories[d]) for d in chosen if d in directories)
        records = _remove_day_records(store.main_db, chosen)
    files += remove_stale_temp_files(store.data_dir)
    return ForgetResult(tuple(sorted(chosen)), files, records, damaged_removed=tuple(damaged))


def _remove_nested_store(path: Path) -> int:
    """Delete a store kept inside the data directory (the demo's), if nobody writes it."""
    lock = WriterLock(path / LOCK_FILE)
    lock.acquire()  # a running demo: the store's own one-sentence error
    try:
        return _remove_tree(path)
    finally:
        lock.release()


def forget_all(store: Store) -> ForgetResult:
    """Remove every stored day, record and file, keeping only :data:`KEPT_FILES`,
    the settings that are not body data, and the schema version."""
    days = stored_days(store)
    _close_segments(store, None)
    files = 0
    with store.main_storage.rewriting_history():
        for path in sorted(store.data_dir.iterdir()):
            if path.name in _KEPT_NAMES:
                continue
            if path.is_dir() and (path / LOCK_FILE).exists():
                files += _remove_nested_store(path)
            else:
                files += _remove_tree(path)
        records = 0
        for name in sorted(store.main_db.tables() - _KEPT_TABLES):
            records += len(store.main_db.table(name))
            store.main_db.drop_table(name)
        settings = store.main_db.table("settings")
        for key in _BODY_SETTINGS:
            records += len(settings.remove(Query().key == key))
    files += remove_stale_temp_files(store.data_dir)
    kept = tuple(name for name in KEPT_FILES if (store.data_dir / name).exists())
    return ForgetResult(tuple(days), files, records, kept)


def apply_retention(store: Store, keep_days: int, today: date) -> ForgetResult:
    """Forget the days older than the last ``keep_days`` local days (today counts as one).

    Raises
    ------
    HoldspaceError
        When ``keep_days`` is below 1.
    """
    if keep_days < 1:
        raise HoldspaceError(f"days to keep must be 1 or more, not {keep_days}.")
    first_kept = today - timedelta(days=keep_days - 1)
    return forget_days(store, [d for d in stored_days(store) if d < first_kept])
