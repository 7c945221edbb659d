"""The records the store keeps in its main file, ``holdspace.json``.

Prompts, session analyses, settings, sessions, check-ins, acts, day summaries and
morning readings.
:class:`StoreRecords` is a base of :class:`~companion.store.store.Store`, which opens the main
file as :attr:`StoreRecords._main` and owns everything else (the lock, the beat files,
the minutes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from tinydb import Query, TinyDB

from companion.store.types import StoredSession, local_day

__all__ = ["StoreRecords"]


class StoreRecords:
    """The methods of :class:`~companion.store.store.Store` that read and write the main file."""

    _main: TinyDB

    # -- prompts and session analyses ------------------------------------------------------

    def put_prompts(self, records: Sequence[Mapping[str, Any]], source_id: str) -> None:
        """Store (replace) prompt records, keyed by ``prompt_id`` within a source.

        One atomic write for the whole batch.
        """
        ids = {r["prompt_id"] for r in records}
        table = self._main.table("prompts")
        table.remove((Query().source == source_id) & (Query().prompt_id.one_of(list(ids))))
        table.insert_multiple({**r, "source": source_id} for r in records)

    def prompts(self, day: date | None = None) -> list[dict[str, Any]]:
        docs = [dict(d) for d in self._main.table("prompts").all()]
        if day is not None:
            docs = [d for d in docs if local_day(float(d["raised_s"])) == day]
        return sorted(docs, key=lambda d: float(d["raised_s"]))

    def set_session_analysis(self, session_id: int, analysis: Mapping[str, Any]) -> None:
        """Attach the load, recovery and HRV report of a finished session (none to a
        session too short to keep, which is gone from the store)."""
        sessions = self._main.table("sessions")
        if sessions.contains(doc_id=session_id):
            sessions.update({"analysis": dict(analysis)}, doc_ids=[session_id])

    def session_analysis(self, session_id: int) -> dict[str, Any] | None:
        doc = self._main.table("sessions").get(doc_id=session_id)
        if not isinstance(doc, dict):
            return None
        found = doc.get("analysis")
        return dict(found) if isinstance(found, dict) else None

    # -- settings ----------------------------------------------------------------------------

    def put_setting(self, key: str, value: Any) -> None:
        self._main.table("settings").upsert({"key": key, "value": value}, Query().key == key)

    def setting(self, key: str, default: Any = None) -> Any:
        found = self._main.table("settings").get(Query().key == key)
        return found["value"] if isinstance(found, dict) else default

    # -- sessions --------------------------------------------------------------------------

    def begin_session(self, kind: str, label: str, start_s: float, source_id: str) -> int:
        """Store a session as open; returns its id."""
        doc_id: int = self._main.table("sessions").insert(
            {
                "kind": kind,
                "label": label,
                "start_s": start_s,
                "end_s": None,
                "heavy": None,
                "day": local_day(start_s).isoformat(),
                "source": source_id,
            }
        )
        return doc_id

    def finish_session(self, session_id: int, end_s: float, heavy: bool | None = None) -> None:
        self._main.table("sessions").update({"end_s": end_s, "heavy": heavy}, doc_ids=[session_id])

    def drop_session(self, session_id: int) -> None:
        """Remove a session that was too short to keep (see ``sessions.MIN_SESSION_S``)."""
        self._main.table("sessions").remove(doc_ids=[session_id])

    def sessions(self, day: date | None = None) -> list[StoredSession]:
        """Sessions of one local day (or all), ordered by start."""
        table = self._main.table("sessions")
        docs = table.all() if day is None else table.search(Query().day == day.isoformat())
        out = [
            StoredSession(
                session_id=doc.doc_id,
                kind=doc["kind"],
                label=doc["label"],
                start_s=doc["start_s"],
                end_s=doc["end_s"],
                heavy=doc["heavy"],
                source_id=doc["source"],
            )
            for doc in docs
        ]
        return sorted(out, key=lambda s: (s.start_s, s.session_id))

    def mark_heavy(self, session_id: int, heavy: bool) -> None:
        """The helper's own verdict on a finished session (from its check-in)."""
        self._main.table("sessions").update({"heavy": heavy}, doc_ids=[session_id])

    # -- check-ins -------------------------------------------------------------------------

    def add_check_in(
        self, at_s: float, answers: Mapping[str, Any], session_id: int | None, source_id: str
    ) -> int:
        """Store a check-in: where tension sits, intensity, heavy, a note (the helper's words)."""
        doc = {"session_id": session_id, "answers": dict(answers)}
        return self._add_dated("checkins", at_s, doc, source_id)

    def check_ins(self, day: date | None = None) -> list[dict[str, Any]]:
        """Check-ins of one local day (or all), oldest first."""
        return self._dated("checkins", day)

    # -- acts (a pause, a breathing exercise, a colleague contacted) -------------------------

    def add_act(
        self,
        at_s: float,
        kind: str,
        result: Mapping[str, Any],
        prompt_id: str | None,
        source_id: str,
    ) -> int:
        """Store what the helper did (``kind`` pause / breathe / contact) and how it went."""
        doc = {"kind": kind, "prompt_id": prompt_id, "result": dict(result)}
        return self._add_dated("acts", at_s, doc, source_id)

    def acts(self, day: date | None = None) -> list[dict[str, Any]]:
        """Acts of one local day (or all), oldest first."""
        return self._dated("acts", day)

    def _add_dated(self, table: str, at_s: float, doc: Mapping[str, Any], source_id: str) -> int:
        """Insert ``doc`` stamped with its time, local day and source; returns its id."""
        stamped = {"at_s": at_s, "day": local_day(at_s).isoformat(), **doc, "source": source_id}
        doc_id: int = self._main.table(table).insert(stamped)
        return doc_id

    def _dated(self, table: str, day: date | None) -> list[dict[str, Any]]:
        found = self._main.table(table)
        docs = found.all() if day is None else found.search(Query().day == day.isoformat())
        return sorted((dict(d) for d in docs), key=lambda d: float(d["at_s"]))

    # -- day summaries ---------------------------------------------------------------------

    def put_day_summary(self, day: date, summary: Mapping[str, Any]) -> None:
        """Store (replace) the summary of a day; long-range views read only these."""
        self._main.table("days").upsert(
            {**summary, "day": day.isoformat()}, Query().day == day.isoformat()
        )

    def day_summary(self, day: date) -> dict[str, Any] | None:
        found = self._main.table("days").get(Query().day == day.isoformat())
        return dict(found) if isinstance(found, dict) else None

    # -- morning readings ------------------------------------------------------------------

    def put_morning(self, day: date, reading: Mapping[str, Any]) -> None:
        """Store (replace) the morning reading of a day (``start_s``, ``ln_rmssd``,
        ``hr_bpm``, ``n_minutes``, ``source``; see ``companion.readiness.reading``)."""
        self._main.table("mornings").upsert(
            {**reading, "day": day.isoformat()}, Query().day == day.isoformat()
        )

    def morning(self, day: date) -> dict[str, Any] | None:
        """The stored morning reading of a day, or None (a store from before has none)."""
        found = self._main.table("mornings").get(Query().day == day.isoformat())
        return dict(found) if isinstance(found, dict) else None

    def mornings(self) -> list[dict[str, Any]]:
        """Every stored morning reading, oldest day first."""
        return sorted((dict(d) for d in self._main.table("mornings").all()), key=lambda d: d["day"])

    # -- planned sessions (calendar) -------------------------------------------------------

    def put_planned(
        self, planned: Sequence[Mapping[str, Any]], first: date, last: date, *, source: str
    ) -> None:
        """Replace the planned sessions of local days ``first`` .. ``last`` (one write).

        Each document has ``start_s``, ``end_s``, ``kind``, ``label``, ``uid``,
        ``all_day`` and ``title`` (None unless the helper kept titles).
        """
        table = self._main.table("planned")
        lo, hi = first.isoformat(), last.isoformat()
        keep = [dict(d) for d in table.all() if not lo <= str(d.get("day", "")) <= hi]
        new = [
            {**doc, "day": local_day(float(doc["start_s"])).isoformat(), "source": source}
            for doc in planned
        ]
        table.truncate()
        table.insert_multiple(sorted(keep + new, key=lambda d: float(d["start_s"])))

    def planned(self, day: date | None = None) -> list[dict[str, Any]]:
        """Planned sessions (of one local day), by start time."""
        table = self._main.table("planned")
        docs = table.all() if day is None else table.search(Query().day == day.isoformat())
        return sorted((dict(d) for d in docs), key=lambda d: float(d["start_s"]))
