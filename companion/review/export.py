"""Export stored days as CSV or JSON tables, and RR intervals as Kubios text.

``holdspace export --from D --to D --format csv|json --out DIR [--redact-labels]
[--rr-kubios] [--force]`` writes the local days ``D`` .. ``D`` (inclusive) into ``DIR``
(created mode 0700; every file mode 0600). Existing export files are not replaced
unless ``--force``. Colleagues and their channel URLs (``colleagues.json``) are never
exported. Times are epoch seconds (UTC), except the sessions' ``start`` and ``end``,
local ISO 8601 times with offset; ``day`` is the local day ``YYYY-MM-DD``.

In CSV an empty field is "none", booleans are ``1`` / ``0``, nested values (a prompt's
before/after, an act's result) are compact JSON text, and floats are written with
full precision (Python ``repr``) so that they read back exactly. A text cell that
begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or with ``'``) gets
a leading ``'``, so a spreadsheet shows a label like ``=1+1`` as text instead of running
it (OWASP, "CSV Injection"; :func:`sensors.rrfiles.beatscsv.text_cell`); numbers are never
prefixed, so ``-2.9`` stays a number. A cell holding a comma, a double quote, a line
feed or a carriage return is quoted. ``--format json``
writes one ``export.json``: a ``meta`` block (``holdspace_version``, ``from``, ``to``,
``redacted``, ``columns`` of each table) and each table as a list of objects with the
same keys, booleans and nested values as JSON.

Tables and columns (names are stable):

``beats.csv``, one row per beat, oldest first
    ``time_s`` time of the beat (the end of its RR interval), epoch seconds;
    ``rr_ms`` RR interval, milliseconds, unrounded;
    ``gap_before`` 1 when beats may be missing before this one (start of a recording,
    strap disconnected, skin contact lost), else 0;
    ``gap_reason`` why (``start``, ``disconnected``, ``contact_lost``, ...), empty if none.
``sessions.csv``, one row per tagged session, plain values only
    ``session_id``; ``day``; ``kind`` (client, break, supervision, admin, ...);
    ``label`` the helper's label (``client-1``, ``client-2``, ... per kind when redacted);
    ``start``, ``end`` local ISO 8601 times with UTC offset, to the second (``end``
    empty while open); ``duration_min``; ``heavy`` 1 when the session counts as heavy
    (:mod:`companion.review.heavy`: marked heavy by the helper, or its mean or sustained
    stress in the high band), ``marked_heavy`` the helper's own verdict (empty if not
    given), ``high_stress`` the measured half of the definition; ``source`` the
    recording or import it came from; from the session's analysis: ``load`` (0-100;
    empty, in JSON null, when no minute of the session was scored: not measured),
    ``stress_mean``, ``stress_peak`` (0-100), ``minutes_high`` (minutes in the high
    stress band), ``mean_hr_bpm``, ``hr_change_bpm``, ``rmssd_ms``, ``rmssd_change_pct``
    (changes against the baseline), ``recovery_min`` (minutes to settle after, empty if
    not reached).
``sessions.json``, with CSV, next to ``sessions.csv``
    ``holdspace_version`` and ``sessions``: per session ``session_id``, ``start``,
    ``end`` (as in the CSV), ``start_s``, ``end_s`` (exact epoch seconds) and
    ``analysis``, the whole stored analysis (HRV report, load, baseline). In
    ``export.json`` each session object holds its ``analysis`` instead.
``epochs.csv``, one row per scored minute
    ``start_s``; ``hr_bpm``; ``rmssd_ms``; ``ln_rmssd``; ``resp_per_min`` (breaths per
    minute); ``stress`` (0-100); ``band`` (rest, low, medium,
    high); ``hr_delta_bpm`` and
    ``ln_rmssd_delta`` (against the baseline); ``quality``; ``unscored_reason``;
    ``artifact_fraction`` (0-1); ``daily_load`` (0-100, so far that day); ``source``.
``prompts.csv``, one row per prompt raised
    ``prompt_id``; ``kind`` (pause, breathe, contact, ...); ``rule`` that raised it;
    ``raised_s``; ``reason`` the sentence shown (it names no session labels);
    ``in_session``; ``delivered_s``; ``fate`` (delivered, merged, ...); ``merged_into``;
    ``response``; ``responded_s``; ``before_after`` the minutes before and after (JSON);
    ``source``.
``check_ins.csv``, one row per check-in
    ``at_s``; ``day``; ``session_id`` (empty if none); ``tension`` (where, comma-separated
    places); ``intensity`` (0-10); ``heavy``; ``feeling``; ``note`` the helper's own words
    (always empty when redacted); ``source``.
``acts.csv``, one row per act (a pause, breathing, a colleague contacted)
    ``at_s``; ``day``; ``kind``; ``prompt_id`` that led to it; ``result`` (JSON; text
    fields dropped when redacted); ``source``.
``planned.csv``, one row per planned (calendar) session
    ``day``; ``start_s``; ``end_s``; ``kind``; ``label`` (neutral, kind and time);
    ``title`` (empty unless titles were kept; always empty when redacted); ``all_day``;
    ``uid``; ``source``.
``mornings.csv``, one row per day with a morning reading (``companion.readiness``)
    ``day``; ``start_s``; ``ln_rmssd`` (mean 60-s ln RMSSD, ln of ms); ``hr_bpm``;
    ``n_minutes``; ``source`` (screen or first-calm-minutes); ``status`` (below, within,
    above, not_enough_days); ``usual_mean``, ``usual_low``, ``usual_high`` (ln RMSSD, empty
    without enough days); ``readings`` (in the 28 days before, plus the day's).

``--rr-kubios`` adds ``rr-YYYY-MM-DD.txt`` per day with beats and
``rr-YYYY-MM-DD-session-ID.txt`` per finished session: the "SIGNAL/SERIES EXPORT -
KUBIOS" text file, ``#`` header lines (unit, start time, gaps), then one RR interval in
milliseconds per line. ``holdspace import FILE --format kubios --start T`` (T from the
``# Start:`` line) reads it back with the same RR values; as with every one-column RR
file, beat times are rebuilt from the RR sum, so after a gap they come earlier than
stored (the header lists each gap).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from companion import __version__
from companion.errors import HoldspaceError
from companion.pipeline.summary import iso_local
from companion.readiness.reading import readiness_json, readiness_of, reading_json
from companion.review.heavy import heaviness
from companion.review.rows import measured_load, neutral_labels
from companion.store.jsonfile import write_atomic
from companion.store.tinydb_storage import fsync_dir
from companion.store.types import DayBeats, StoredSession, local_day
from sensors.rrfiles.beatscsv import text_cell
from signals.scores.readiness import MorningReading

if TYPE_CHECKING:
    from companion.store.store import Store

__all__ = [
    "EXPORT_FORMATS",
    "SESSIONS_JSON",
    "TABLE_COLUMNS",
    "ExportOptions",
    "ExportResult",
    "Table",
    "collect_tables",
    "kubios_text",
    "session_analyses_json",
    "write_export",
]

EXPORT_FORMATS: Final = ("csv", "json")
DIR_MODE: Final = 0o700
FILE_MODE: Final = 0o600
JSON_FILE: Final = "export.json"
KUBIOS_MARKER: Final = "SIGNAL/SERIES EXPORT - KUBIOS"

TABLE_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "beats": ("time_s", "rr_ms", "gap_before", "gap_reason"),
    "sessions": (
        "session_id", "day", "kind", "label", "start", "end", "duration_min", "heavy",
        "marked_heavy", "high_stress", "source", "load", "stress_mean", "stress_peak",
        "minutes_high", "mean_hr_bpm", "hr_change_bpm", "rmssd_ms", "rmssd_change_pct",
        "recovery_min",
    ),
    "epochs": (
        "start_s", "hr_bpm", "rmssd_ms", "ln_rmssd", "resp_per_min", "stress", "band",
        "hr_delta_bpm", "ln_rmssd_delta", "quality", "unscored_reason",
        "artifact_fraction", "daily_load", "source",
    ),
    "prompts": (
        "prompt_id", "kind", "rule", "raised_s", "reason", "in_session", "delivered_s",
        "fate", "merged_into", "response", "responded_s", "before_after", "source",
        "hold_probability",
    ),
    "check_ins": (
        "at_s", "day", "session_id", "tension", "intensity", "heavy", "feeling", "note",
        "source",
    ),
    "acts": ("at_s", "day", "kind", "prompt_id", "result", "source"),
    "planned": (
        "day", "start_s", "end_s", "kind", "label", "title", "all_day", "uid", "source",
    ),
    "mornings": (
        "day", "start_s", "ln_rmssd", "hr_bpm", "n_minutes", "source", "status", "usual_mean",
        "usual_low", "usual_high", "readings",
    ),
}  # fmt: skip
"""Every table and its columns, in file order; the names are stable."""

_CSV_SPECIAL: Final = re.compile(r'[,"\r\n]')
"""Characters that make a CSV cell need quotes."""

SESSIONS_JSON: Final = "sessions.json"
"""With CSV: each session's whole analysis, next to ``sessions.csv``."""


@dataclass(frozen=True, slots=True)
class Table:
    """One exported table: its name, its columns and one tuple of values per row."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def objects(self) -> list[dict[str, Any]]:
        """The rows as objects keyed by column (the JSON form)."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """What to export and where.

    ``first`` .. ``last`` are local days, inclusive; ``fmt`` one of :data:`EXPORT_FORMATS`.
    """

    first: date
    last: date
    fmt: str
    out_dir: Path
    redact_labels: bool = False
    rr_kubios: bool = False
    force: bool = False


@dataclass(frozen=True, slots=True)
class ExportResult:
    """The files written and the rows of each table."""

    files: tuple[Path, ...]
    rows: Mapping[str, int]


def _in_range(day: date, first: date, last: date) -> bool:
    return first <= day <= last


def _day_text(doc: Mapping[str, Any], time_key: str) -> date:
    text = doc.get("day")
    return date.fromisoformat(text) if isinstance(text, str) else local_day(float(doc[time_key]))


def _beats_rows(day_beats: Iterable[DayBeats]) -> tuple[tuple[Any, ...], ...]:
    rows: list[tuple[Any, ...]] = []
    for beats in day_beats:
        flags = beats.gap_before.tolist()
        for i, (t, rr) in enumerate(zip(beats.time_s.tolist(), beats.rr_ms.tolist(), strict=True)):
            rows.append((t, rr, bool(flags[i]), beats.gap_reasons.get(i, "")))
    return tuple(rows)


def _session_row(
    s: StoredSession, label: str, analysis: Mapping[str, Any] | None
) -> tuple[Any, ...]:
    """One row of ``sessions.csv``: plain values, local ISO times, heavy by one definition."""
    found = analysis or {}
    time_part = (found.get("hrv") or {}).get("time") or {}
    heavy = heaviness(s.heavy, analysis, kind=s.kind)
    duration = None if s.end_s is None else round((s.end_s - s.start_s) / 60.0, 1)
    return (
        s.session_id, s.day.isoformat(), s.kind, label,
        iso_local(s.start_s), None if s.end_s is None else iso_local(s.end_s), duration,
        heavy.heavy, s.heavy, heavy.high_stress, s.source_id,
        measured_load(analysis), found.get("stress_mean"), found.get("stress_peak"),
        found.get("minutes_high"), time_part.get("mean_hr_bpm"), found.get("hr_change_bpm"),
        time_part.get("rmssd_ms"), found.get("rmssd_change_pct"), found.get("recovery_min"),
    )  # fmt: skip


def _session_analyses(
    store: Store, sessions: Sequence[StoredSession]
) -> dict[int, Mapping[str, Any] | None]:
    return {s.session_id: store.session_analysis(s.session_id) for s in sessions}


def session_analyses_json(
    sessions: Sequence[StoredSession], analyses: Mapping[int, Mapping[str, Any] | None]
) -> str:
    """``sessions.json``: per session its id, exact times and its whole analysis."""
    doc = {
        "holdspace_version": __version__,
        "sessions": [
            {
                "session_id": s.session_id,
                "start": iso_local(s.start_s),
                "end": None if s.end_s is None else iso_local(s.end_s),
                "start_s": s.start_s,
                "end_s": s.end_s,
                "analysis": analyses.get(s.session_id),
            }
            for s in sessions
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def _pick(docs: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(doc.get(c) for c in columns) for doc in docs)


def _flatten_check_in(doc: Mapping[str, Any], redact: bool) -> dict[str, Any]:
    answers = doc.get("answers") or {}
    flat = {**doc, **{k: answers.get(k) for k in ("tension", "intensity", "heavy", "feeling")}}
    flat["note"] = None if redact else answers.get("note")
    return flat


def _redact_result(result: Any) -> Any:
    """Drop free text from an act's result (it may name a client or a colleague)."""
    if isinstance(result, dict):
        return {k: _redact_result(v) for k, v in result.items() if not isinstance(v, str)}
    if isinstance(result, list):
        return [_redact_result(v) for v in result if not isinstance(v, str)]
    return result


def _mornings(store: Store, days: Sequence[date]) -> list[dict[str, Any]]:
    """The morning reading of each day that has one, against the usual of its own day."""
    out: list[dict[str, Any]] = []
    known: dict[date, MorningReading | None] = {}
    for day in days:
        found = readiness_of(store, day, known)
        if found.reading is not None:
            doc = readiness_json(found)
            out.append(
                {
                    **reading_json(found.reading),
                    "day": doc["date"],
                    "status": doc["status"],
                    "readings": doc["readings"],
                    **{f"usual_{k}": v for k, v in doc["usual"].items()},
                }
            )
    return out


def collect_tables(
    store: Store, first: date, last: date, *, redact_labels: bool = False
) -> dict[str, Table]:
    """Read the tables of local days ``first`` .. ``last`` from ``store``.

    With ``redact_labels``: session labels become ``client-1``, ``client-2``, ... per
    kind, check-in notes, planned titles and text in act results are dropped.
    """
    days = [d for d in store.days() if _in_range(d, first, last)]
    sessions = [s for s in store.sessions() if _in_range(s.day, first, last)]
    labels = neutral_labels(sessions) if redact_labels else None
    epochs = [doc for d in days for doc in store.epochs(d)]
    prompts = [
        p for p in store.prompts() if _in_range(local_day(float(p["raised_s"])), first, last)
    ]
    check_ins = [
        _flatten_check_in(c, redact_labels)
        for c in store.check_ins()
        if _in_range(_day_text(c, "at_s"), first, last)
    ]
    acts = [a for a in store.acts() if _in_range(_day_text(a, "at_s"), first, last)]
    if redact_labels:
        acts = [{**a, "result": _redact_result(a.get("result"))} for a in acts]
    planned = [p for p in store.planned() if _in_range(_day_text(p, "start_s"), first, last)]
    if redact_labels:
        planned = [{**p, "title": None} for p in planned]
    analyses = _session_analyses(store, sessions)
    rows: dict[str, tuple[tuple[Any, ...], ...]] = {
        "beats": _beats_rows(store.beats(d) for d in days),
        "sessions": tuple(
            _session_row(
                s, s.label if labels is None else labels[s.session_id], analyses[s.session_id]
            )
            for s in sessions
        ),
        "epochs": _pick(epochs, TABLE_COLUMNS["epochs"]),
        "prompts": _pick(prompts, TABLE_COLUMNS["prompts"]),
        "check_ins": _pick(check_ins, TABLE_COLUMNS["check_ins"]),
        "acts": _pick(acts, TABLE_COLUMNS["acts"]),
        "planned": _pick(planned, TABLE_COLUMNS["planned"]),
        "mornings": _pick(_mornings(store, days), TABLE_COLUMNS["mornings"]),
    }
    return {name: Table(name, TABLE_COLUMNS[name], rows[name]) for name in TABLE_COLUMNS}


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    if isinstance(value, str):
        return text_cell(value)  # '=1+1 stays text in a spreadsheet
    return str(value)


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if _CSV_SPECIAL.search(cell) else cell


def csv_line(cells: Sequence[str]) -> str:
    """One CSV line, ``\n``-terminated: a cell holding ``,``, ``"``, LF or CR is quoted.

    As :func:`csv.writer` with ``lineterminator="\\n"`` writes it, except that a CR in
    a cell is quoted too (``csv.writer`` quotes only the terminator's characters, and a
    bare CR splits the row for every reader).
    """
    line = ",".join(cells)
    if line.count(",") == len(cells) - 1 and _CSV_SPECIAL.search(line) is None:
        return line + "\n"  # the common row: nothing to quote
    return ",".join([_quoted(c) for c in cells]) + "\n"


def csv_text(table: Table) -> str:
    """A table as CSV text: a header row, then one row per record (see the module doc)."""
    lines = [csv_line(table.columns)]
    lines += [csv_line([_csv_value(v) for v in row]) for row in table.rows]
    return "".join(lines)


def json_text(
    tables: Mapping[str, Table],
    options: ExportOptions,
    analyses: Mapping[int, Mapping[str, Any] | None] | None = None,
) -> str:
    """All tables as one JSON document with a ``meta`` block; each session object also
    holds its whole ``analysis`` (from ``analyses``, by session id)."""
    doc: dict[str, Any] = {
        "meta": {
            "holdspace_version": __version__,
            "from": options.first.isoformat(),
            "to": options.last.isoformat(),
            "redacted": options.redact_labels,
            "columns": {name: list(t.columns) for name, t in tables.items()},
        }
    }
    doc.update((name, t.objects()) for name, t in tables.items())
    for session in doc.get("sessions", []):
        session["analysis"] = (analyses or {}).get(session["session_id"])
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def kubios_text(rr_ms: Sequence[float], start_s: float, gaps: Mapping[int, str], name: str) -> str:
    """RR intervals as a Kubios RR text file.

    Parameters
    ----------
    rr_ms : RR intervals in milliseconds, written unrounded (``repr``), one per line.
    start_s : epoch seconds at which the first RR interval begins (its beat minus its RR).
    gaps : index of each beat before which beats may be missing, to the reason; listed
        in the header by data line (1-based), the body stays plain numbers.
    name : the file's name, for the header and the import hint.
    """
    start = datetime.fromtimestamp(start_s).astimezone().isoformat()
    lines = [
        f"# {KUBIOS_MARKER}",
        f"# File: {name}",
        f"# Device: Holdspace {__version__}",
        "# Unit: ms",
        f"# Start: {start}",
        f"# Import: holdspace import {name} --format kubios --start {start}",
        f"# Beats: {len(rr_ms)}",
    ]
    lines += [f"# Gap before data line {i + 1}: {why}" for i, why in sorted(gaps.items()) if i]
    lines += [repr(float(rr)) for rr in rr_ms]
    return "\n".join(lines) + "\n"


def _kubios_files(store: Store, days: Sequence[date], first: date, last: date) -> dict[str, str]:
    files: dict[str, str] = {}
    sessions = [s for s in store.sessions() if _in_range(s.day, first, last)]
    for day in days:
        beats = store.beats(day)
        if not len(beats):
            continue
        rr, t = beats.rr_ms.tolist(), beats.time_s.tolist()
        name = f"rr-{day.isoformat()}.txt"
        files[name] = kubios_text(rr, t[0] - rr[0] / 1000.0, beats.gap_reasons, name)
        for s in sessions:
            if s.day != day or s.end_s is None:
                continue
            inside = [i for i, ti in enumerate(t) if s.start_s <= ti < s.end_s]
            if not inside:
                continue
            lo, hi = inside[0], inside[-1] + 1
            gaps = {i - lo: why for i, why in beats.gap_reasons.items() if lo < i < hi}
            name = f"rr-{day.isoformat()}-session-{s.session_id}.txt"
            files[name] = kubios_text(rr[lo:hi], t[lo] - rr[lo] / 1000.0, gaps, name)
    return files


def _write_file(path: Path, text: str, force: bool) -> None:
    """Write one export file atomically, never through a link planted in ``out_dir``."""
    try:
        write_atomic(path, text.encode("utf-8"), mode=FILE_MODE, replace=force, sync_dir=False)
    except FileExistsError:
        raise HoldspaceError(
            f"{path} already exists; choose another --out or add --force."
        ) from None
    except OSError as exc:
        raise HoldspaceError(f"cannot write {path} ({exc.strerror or exc}).") from None


def _prepare_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise HoldspaceError(f"{out_dir} is a file, not a directory; give --out a directory.")
    try:
        if not out_dir.exists():
            out_dir.mkdir(mode=DIR_MODE, parents=True)
            out_dir.chmod(DIR_MODE)
    except OSError as exc:
        raise HoldspaceError(f"cannot create {out_dir} ({exc.strerror or exc}).") from None


def write_export(store: Store, options: ExportOptions) -> ExportResult:
    """Export the chosen days into ``options.out_dir`` (see the module doc).

    Raises
    ------
    HoldspaceError
        When the range is empty or holds no data, an export file already exists
        (without ``force``), or the directory or a file cannot be written.
    """
    first, last = options.first, options.last
    if first > last:
        raise HoldspaceError(f"--from {first} comes after --to {last}; swap them.")
    if options.fmt not in EXPORT_FORMATS:
        raise HoldspaceError(f"unknown export format {options.fmt!r}; use csv or json.")
    tables = collect_tables(store, first, last, redact_labels=options.redact_labels)
    if not any(t.rows for t in tables.values()):
        raise HoldspaceError(
            f"nothing is stored in {store.data_dir} from {first} to {last}; "
            "choose days you recorded, replayed or imported."
        )
    sessions = [s for s in store.sessions() if _in_range(s.day, first, last)]
    analyses = _session_analyses(store, sessions)
    texts: dict[str, str] = {}
    if options.fmt == "csv":
        texts.update((f"{name}.csv", csv_text(t)) for name, t in tables.items())
        texts[SESSIONS_JSON] = session_analyses_json(sessions, analyses)
    else:
        texts[JSON_FILE] = json_text(tables, options, analyses)
    if options.rr_kubios:
        days = [d for d in store.days() if _in_range(d, first, last)]
        texts.update(_kubios_files(store, days, first, last))
    out_dir = options.out_dir
    if not options.force:
        for name in texts:
            if (out_dir / name).exists():
                raise HoldspaceError(
                    f"{out_dir / name} already exists; choose another --out or add --force."
                )
    _prepare_dir(out_dir)
    for name, text in texts.items():
        _write_file(out_dir / name, text, options.force)
    fsync_dir(out_dir)
    return ExportResult(
        files=tuple(out_dir / name for name in texts),
        rows={name: len(t.rows) for name, t in tables.items()},
    )
