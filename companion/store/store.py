"""The local store: TinyDB files in the data directory, one writer at a time.

Layout (directory mode 0700, files 0600)::

    <data dir>/holdspace.json            settings, sessions, day summaries, sources, schema version
    <data dir>/holdspace.json.prev       its previous generation (recovered from when damaged)
    <data dir>/days/2026-11-25/beats-0930.json beats of 09:30-09:39 local time, in chunks
    <data dir>/days/2026-11-25/epochs.json     one document per minute: markers, stress, load
                                               (and its previous generation, epochs.json.prev)
    <data dir>/.writer.lock              held by the one process allowed to write

Beats live in day-scoped files of ten minutes each, so every write rewrites a bounded
amount of data: the cost per stored beat stays flat however long the day
grows, and long-range views read day summaries, never raw beats. Each file is
replaced atomically (:mod:`companion.store.tinydb_storage`), so a killed process leaves a
store that opens. The main file and each day's minutes keep their previous generation
beside them, so damage from outside (a disk fault, a sync tool) costs at most that file's
last write; a damaged beat file costs its ten minutes.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import stat
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import date, datetime
from itertools import compress
from pathlib import Path
from types import TracebackType
from typing import Any, Final

import numpy as np
from tinydb import Query, TinyDB

from companion.errors import StoreError
from companion.store import migrations
from companion.store.lock import WriterLock
from companion.store.paths import DIR_MODE, make_private_dir, open_private, readable_by_others
from companion.store.records import StoreRecords
from companion.store.tinydb_storage import (
    AtomicJSONStorage,
    one_dir_sync_each,
    remove_stale_temp_files,
)
from companion.store.types import BeatChunk, DayBeats, local_day
from sensors.beats import Beat, beat_columns

__all__ = ["SCHEMA_VERSION", "Store"]

log = logging.getLogger("holdspace.store")

SCHEMA_VERSION: Final = 1
MAIN_FILE: Final = "holdspace.json"
DAYS_DIR: Final = "days"
LOCK_FILE: Final = ".writer.lock"
SEGMENT_MIN: Final = 10
"""Minutes of beats per file: a flush rewrites at most this much."""
_OPEN_SEGMENTS_MAX: Final = 4


class Store(StoreRecords):
    """The one writer (or a reader) of a Holdspace data directory.

    The records kept in the main file (prompts, sessions, settings, check-ins, acts, day
    summaries) are read and written with the methods of :class:`StoreRecords`.

    Parameters
    ----------
    data_dir : the data directory; created with mode 0700 when writing (an existing one
        keeps its mode, with a warning when others can open it).
    read_only : open for reading only: no lock, nothing created or written.

    Raises
    ------
    StoreLockedError
        When another process holds the writer lock.
    StoreError
        When the directory or a file cannot be used, or the store was written
        by a newer Holdspace.
    """

    def __init__(self, data_dir: Path | str, *, read_only: bool = False) -> None:
        self.data_dir = Path(data_dir)
        self.read_only = read_only
        self._lock: WriterLock | None = None
        self._segments: dict[tuple[date, int], TinyDB] = {}
        self._source_days: dict[str, set[str]] = {}
        if not read_only:
            try:
                created = make_private_dir(self.data_dir)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the data directory {self.data_dir} ({exc.strerror})."
                ) from None
            loose = None if created else readable_by_others(self.data_dir)
            if loose is not None:
                log.warning("%s", loose)
            self._lock = WriterLock(self.data_dir / LOCK_FILE)
            self._lock.acquire()
            remove_stale_temp_files(self.data_dir)
        self._main = TinyDB(
            self.data_dir / MAIN_FILE,
            storage=AtomicJSONStorage,
            read_only=read_only,
            keep_previous=True,
        )
        try:
            self._check_schema()
        except BaseException:
            self.close()
            raise

    # -- lifecycle -------------------------------------------------------------------------

    def _check_schema(self) -> None:
        meta = self._main.table("meta").all()
        if not meta:
            if not self.read_only:
                self._main.table("meta").insert({"schema_version": SCHEMA_VERSION})
            return
        version = meta[0].get("schema_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise StoreError(
                f"the store in {self.data_dir} has no valid schema version ({version!r}) "
                f"in {MAIN_FILE}; it was not written by Holdspace."
            )
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the store in {self.data_dir} has schema version {version!r}, "
                f"newer than this Holdspace understands ({SCHEMA_VERSION}); upgrade Holdspace."
            )
        if version < SCHEMA_VERSION:
            self._upgrade(version)

    def _upgrade(self, version: int) -> None:
        """Bring an older main file up to :data:`SCHEMA_VERSION`
        (:mod:`companion.store.migrations`)."""
        storage = self._main.storage
        assert isinstance(storage, AtomicJSONStorage)
        upgraded = migrations.upgrade(storage.read() or {}, version, SCHEMA_VERSION)
        main_file = self.data_dir / MAIN_FILE
        if self.read_only:
            storage.hold(upgraded)
        else:
            backup = migrations.backup_path(main_file, version)
            try:
                if not backup.exists():
                    fd = open_private(backup, os.O_WRONLY | os.O_EXCL)
                    with os.fdopen(fd, "wb") as handle:
                        handle.write(main_file.read_bytes())
            except OSError as exc:
                raise StoreError(
                    f"cannot keep a copy of {main_file} before upgrading it ({exc.strerror}); "
                    "nothing was changed."
                ) from None
            storage.write(upgraded)
            log.warning(
                "Upgraded the store in %s from schema version %d to %d; the old file is kept "
                "as %s.",
                self.data_dir,
                version,
                SCHEMA_VERSION,
                backup.name,
            )
        for name in self._main.tables():
            self._main.table(name).clear_cache()

    def close(self) -> None:
        for db in self._segments.values():
            db.close()
        self._segments.clear()
        self._main.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @property
    def main_db(self) -> TinyDB:
        """The main file's database, for maintenance that spans its tables (forgetting)."""
        return self._main

    @property
    def main_storage(self) -> AtomicJSONStorage:
        """The main file's storage, for maintenance of its generations (forgetting)."""
        storage = self._main.storage
        assert isinstance(storage, AtomicJSONStorage)
        return storage

    def drop_cached_segments(self, days: Collection[date] | None = None) -> None:
        """Close the cached beat files of ``days`` (None: all), and forget which days each
        source stored (read again when needed): their files are about to go."""
        for key in [k for k in self._segments if days is None or k[0] in days]:
            self._segments.pop(key).close()
        self._source_days.clear()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- beats -----------------------------------------------------------------------------

    def _day_dir(self, day: date) -> Path:
        return self.data_dir / DAYS_DIR / day.isoformat()

    def _segment(self, day: date, slot: int) -> TinyDB:
        """The TinyDB of one day's ``slot``: minutes since midnight, a multiple of SEGMENT_MIN."""
        key = (day, slot)
        db = self._segments.get(key)
        if db is None:
            directory = self._day_dir(day)
            if not self.read_only and not directory.exists():
                self._make_day_dir(directory)
                remove_stale_temp_files(directory)
            if len(self._segments) >= _OPEN_SEGMENTS_MAX:
                oldest = next(iter(self._segments))
                self._segments.pop(oldest).close()
            db = TinyDB(
                directory / f"beats-{slot // 60:02d}{slot % 60:02d}.json",
                storage=AtomicJSONStorage,
                read_only=self.read_only,
                finite=True,  # beat times and RR, finite by the readers' checks
            )
            self._segments[key] = db
        return db

    def append_beats(
        self,
        beats: Sequence[Beat],
        source_id: str,
        gap_reasons: Mapping[int, str] | None = None,
    ) -> None:
        """Store beats, one chunk per local ten-minute segment they fall in.

        ``gap_reasons`` maps an index into ``beats`` to why that beat follows a
        gap. Each touched segment file is replaced atomically once.
        """
        self.write_chunks(self.prepare_beats(beats, source_id, gap_reasons))

    def prepare_beats(
        self,
        beats: Sequence[Beat],
        source_id: str,
        gap_reasons: Mapping[int, str] | None = None,
    ) -> list[BeatChunk]:
        """The first half of :meth:`append_beats`: notes the days ``source_id`` stored
        beats on and returns the chunks for :meth:`write_chunks`.

        The halves may run on different threads: :meth:`write_chunks` touches
        only segment files, which nothing else writes while a run stores beats.
        """
        if not beats:
            return []
        reasons = gap_reasons or {}
        columns = beat_columns(beats)
        times, rrs, gaps = columns.time_s, columns.rr_ms, columns.gap_before
        if not (all(map(math.isfinite, times)) and all(map(math.isfinite, rrs))):
            raise ValueError(f"beats from {source_id} hold a time or RR that is not finite")
        groups: dict[tuple[date, int], list[range]] = defaultdict(list)
        # Beats mostly arrive in time order: the segment of a beat is reused for
        # the run of beats after it that fall inside it (local offsets only change
        # on the segment boundaries, at whole ten minutes in every time zone).
        index, n = 0, len(times)
        while index < n:
            time_s = times[index]
            local = datetime.fromtimestamp(time_s)
            slot = local.hour * 60 + local.minute - local.minute % SEGMENT_MIN
            into_s = (local.minute % SEGMENT_MIN) * 60 + local.second + local.microsecond / 1e6
            lo_s = time_s - into_s
            # A millisecond inside either boundary: the rest asks the calendar.
            hi_s = lo_s + SEGMENT_MIN * 60 - 1e-3
            lo_s += 1e-3
            end = index + 1
            while end < n and lo_s <= times[end] < hi_s:
                end += 1
            groups[(local.date(), slot)].append(range(index, end))
            index = end
        chunks: list[BeatChunk] = []
        for (day, slot), runs in groups.items():
            chunk_t: list[float] = []
            chunk_rr: list[float] = []
            chunk_gap: list[list[int | str]] = []
            for run in runs:
                a, b = run.start, run.stop
                offset = len(chunk_t) - a
                chunk_gap.extend([i + offset, reasons.get(i, "")] for i in compress(run, gaps[a:b]))
                chunk_t.extend(times[a:b])
                chunk_rr.extend(rrs[a:b])
            doc = {"source": source_id, "t": chunk_t, "rr": chunk_rr, "gap": chunk_gap}
            chunks.append(BeatChunk(day, slot, doc))
            self._note_source_day(source_id, day)
        return chunks

    def write_chunks(self, chunks: Sequence[BeatChunk]) -> None:
        """The second half of :meth:`append_beats`: each chunk into its segment file."""
        with one_dir_sync_each():  # the segments of a day share their directory
            for chunk in chunks:
                self._segment(chunk.day, chunk.slot).table("chunks").insert(chunk.doc)

    def _note_source_day(self, source_id: str, day: date) -> None:
        days = self._source_days.get(source_id)
        if days is None:
            found = self._main.table("sources").get(Query().source_id == source_id)
            days = set(found["days"]) if isinstance(found, dict) else set()
            self._source_days[source_id] = days
        if day.isoformat() in days:
            return
        days.add(day.isoformat())
        self._main.table("sources").upsert(
            {"source_id": source_id, "days": sorted(days)}, Query().source_id == source_id
        )

    def _segment_paths(self, day: date) -> list[Path]:
        directory = self._day_dir(day)
        if not directory.is_dir():
            return []
        return sorted(directory.glob("beats-[0-2][0-9][0-5]0.json"))

    @staticmethod
    def _slot(path: Path) -> int:
        digits = path.stem.split("-")[1]
        return int(digits[:2]) * 60 + int(digits[2:])

    def _day_chunks(self, day: date) -> Iterator[Mapping[str, Any]]:
        for path in self._segment_paths(day):
            yield from self._segment(day, self._slot(path)).table("chunks").all()

    def beats(self, day: date) -> DayBeats:
        """All beats of a local day, sorted by time (stable for equal times)."""
        times: list[float] = []
        rrs: list[float] = []
        gaps: dict[int, str] = {}
        for chunk in self._day_chunks(day):
            offset = len(times)
            times.extend(chunk["t"])
            rrs.extend(chunk["rr"])
            gaps.update((offset + i, why) for i, why in chunk["gap"])
        t = np.asarray(times, dtype=np.float64)
        rr = np.asarray(rrs, dtype=np.float64)
        gap = np.zeros(t.size, dtype=np.bool_)
        gap[np.fromiter(gaps, dtype=np.intp, count=len(gaps))] = True
        order = np.argsort(t, kind="stable")
        position = np.empty_like(order)
        position[order] = np.arange(order.size)
        return DayBeats(
            day=day,
            time_s=t[order],
            rr_ms=rr[order],
            gap_before=gap[order],
            gap_reasons={int(position[i]): why for i, why in gaps.items()},
        )

    def days(self) -> list[date]:
        """Days that have stored beats, oldest first."""
        root = self.data_dir / DAYS_DIR
        if not root.is_dir():
            return []
        out: list[date] = []
        for child in sorted(root.iterdir()):
            with contextlib.suppress(ValueError):
                if child.is_dir() and self._segment_paths(date.fromisoformat(child.name)):
                    out.append(date.fromisoformat(child.name))
        return out

    def sources_on(self, day: date) -> set[str]:
        """The sources that stored beats on ``day``."""
        text = day.isoformat()
        return {
            str(doc["source_id"])
            for doc in self._main.table("sources").all()
            if text in doc.get("days", ())
        }

    def forget_source(self, source_id: str) -> None:
        """Remove everything a source stored (beats, minutes, sessions, prompts).

        Used before replaying or importing the same source again.
        """
        found = self._main.table("sources").get(Query().source_id == source_id)
        if isinstance(found, dict):
            for day_text in found["days"]:
                day = date.fromisoformat(day_text)
                for path in self._segment_paths(day):
                    segment = self._segment(day, self._slot(path))
                    segment.table("chunks").remove(Query().source == source_id)
                epochs = self._epochs_db(day)
                if epochs is not None:
                    epochs.table("epochs").remove(Query().source == source_id)
                    epochs.close()
            self._main.table("sources").remove(Query().source_id == source_id)
        self._source_days.pop(source_id, None)
        self._main.table("sessions").remove(Query().source == source_id)
        self._main.table("prompts").remove(Query().source == source_id)
        self._main.table("checkins").remove(Query().source == source_id)
        self._main.table("acts").remove(Query().source == source_id)

    # -- minutes (epochs) ------------------------------------------------------------------

    def _epochs_db(self, day: date, create: bool = False) -> TinyDB | None:
        directory = self._day_dir(day)
        path = directory / "epochs.json"
        if not path.exists() and not create:
            return None
        if create and not directory.exists():
            self._make_day_dir(directory)
        return TinyDB(path, storage=AtomicJSONStorage, read_only=self.read_only, keep_previous=True)

    def _make_day_dir(self, directory: Path) -> None:
        """Create a day's folder (and ``days/``) mode 0700 whatever the umask; a ``days/``
        left open by an older Holdspace is made private too (it is ours)."""
        try:
            make_private_dir(directory)
            root = self.data_dir / DAYS_DIR
            if stat.S_IMODE(root.stat().st_mode) != DIR_MODE:
                root.chmod(DIR_MODE)
        except OSError as exc:
            raise StoreError(f"cannot create {directory} ({exc.strerror}).") from None

    def append_epochs(self, minutes: Sequence[Mapping[str, Any]], source_id: str) -> None:
        """Store per-minute documents (each with ``start_s``), one atomic write per day."""
        by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
        for doc in minutes:
            by_day[local_day(float(doc["start_s"]))].append({**doc, "source": source_id})
        for day, docs in by_day.items():
            db = self._epochs_db(day, create=True)
            assert db is not None
            db.table("epochs").insert_multiple(docs)
            db.close()
            self._note_source_day(source_id, day)

    def epochs(self, day: date) -> list[dict[str, Any]]:
        """The stored minutes of a day, by start time."""
        db = self._epochs_db(day)
        if db is None:
            return []
        docs = [dict(d) for d in db.table("epochs").all()]
        db.close()
        return sorted(docs, key=lambda d: float(d["start_s"]))

    # -- disk use ----------------------------------------------------------------------------

    def file_sizes(self, day: date) -> int:
        """Bytes on disk used by a day's beat files."""
        return sum(p.stat().st_size for p in self._segment_paths(day))
