"""What a replay, an import or a stored day amounts to: beats, gaps, sessions, data quality.

The same :func:`summarise` serves a run (collected by :class:`RunCollector`
while the pipeline runs) and a stored day (read back from the store), so the
two can never disagree on definitions.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from companion.sessions import Session
from companion.store.types import DayBeats, local_day
from sensors.beats import Beat, GapReason, beat_columns
from sensors.events import BatteryLevel, SourceEvent
from signals.artifacts.batch import screen_artifacts

__all__ = [
    "GapSpan",
    "RunCollector",
    "RunSummary",
    "iso_local",
    "stress_by_hour",
    "summarise",
    "summary_is_current",
]


def iso_local(time_s: float) -> str:
    """Epoch seconds as a local ISO 8601 time with UTC offset, to the second."""
    return datetime.fromtimestamp(time_s).astimezone().isoformat(timespec="seconds")


def stress_by_hour(minutes: Iterable[Mapping[str, Any]]) -> list[list[float]]:
    """Per local hour 0-23: ``[scored minutes, sum of their stress scores]``.

    ``minutes`` are per-minute documents (``start_s`` epoch seconds, ``stress`` 0-100 or
    None). This is the shape a day summary may keep under ``"stress_by_hour"``, so that
    trends need not read the day's minutes; sums (not means) add up exactly across days.
    """
    out = [[0, 0.0] for _ in range(24)]
    for doc in minutes:
        stress = doc.get("stress")
        if isinstance(stress, int | float) and not isinstance(stress, bool):
            cell = out[datetime.fromtimestamp(float(doc["start_s"])).hour]
            cell[0] += 1
            cell[1] += float(stress)
    return out


@dataclass(frozen=True, slots=True)
class GapSpan:
    """A stretch without beats: from the last beat before to the start of the first RR after."""

    start_s: float
    end_s: float
    reason: str

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_json(self) -> dict[str, Any]:
        return {
            "start": iso_local(self.start_s),
            "end": iso_local(self.end_s),
            "duration_s": round(self.duration_s, 3),
            "reason": self.reason,
        }


def _session_json(session: Session) -> dict[str, Any]:
    return {
        "kind": session.kind,
        "label": session.label,
        "start": iso_local(session.start_s),
        "end": None if session.end_s is None else iso_local(session.end_s),
        "duration_min": None if session.duration_s is None else round(session.duration_s / 60.0, 1),
        "heavy": session.heavy,
    }


@dataclass(frozen=True, slots=True)
class RunSummary:
    """The summary of a stream of beats and sessions.

    Attributes
    ----------
    beats : number of beats.
    start_s, end_s : first and last beat, epoch seconds (None without beats).
    mean_rr_ms, mean_hr_bpm : over beats not flagged as artifacts; mean HR is
        ``60000 / mean RR`` (the Kubios definition).
    artifacts : counts by type from :func:`signals.artifacts.batch.screen_artifacts`.
    artifacts_fraction : share of flagged beats, 0..1.
    """

    beats: int
    start_s: float | None
    end_s: float | None
    mean_rr_ms: float | None
    mean_hr_bpm: float | None
    gaps: tuple[GapSpan, ...]
    sessions: tuple[Session, ...]
    artifacts: Mapping[str, int]
    artifacts_fraction: float
    battery_percent: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.extra)
        out.update(
            {
                "beats": self.beats,
                "start": None if self.start_s is None else iso_local(self.start_s),
                "end": None if self.end_s is None else iso_local(self.end_s),
                "duration_s": None
                if self.start_s is None or self.end_s is None
                else round(self.end_s - self.start_s, 3),
                "mean_rr_ms": None if self.mean_rr_ms is None else round(self.mean_rr_ms, 4),
                "mean_hr_bpm": None if self.mean_hr_bpm is None else round(self.mean_hr_bpm, 2),
                "gaps": [gap.to_json() for gap in self.gaps],
                "sessions": [_session_json(s) for s in self.sessions],
                "artifacts": dict(self.artifacts),
                "artifacts_fraction": round(self.artifacts_fraction, 6),
                "battery_percent": self.battery_percent,
            }
        )
        return out


def summary_is_current(
    summary: Mapping[str, Any] | None,
    *,
    open_session: bool,
    last_data_s: float | None,
) -> bool:
    """Whether a stored day summary still covers the day: the day is finished.

    A run writes the summary of its days when it ends (:func:`companion.pipeline.runs.run_source`).
    Until then a day being recorded has no summary, or an older run's: the day is
    **so far**, and its load, hours and recoveries are not final. The summary is not
    current when there is none, when a session of the day is still open, or when
    something stored starts after its last beat (``last_data_s``: the latest start of
    a stored minute or session of the day, epoch seconds).
    """
    if summary is None or open_session:
        return False
    end = summary.get("end")
    if last_data_s is None or not isinstance(end, str):
        return True
    try:
        end_s = datetime.fromisoformat(end).timestamp()
    except ValueError:
        return True
    return last_data_s <= end_s


def summarise(
    time_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike,
    gap_reasons: Mapping[int, str],
    sessions: Sequence[Session],
    *,
    battery_percent: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> RunSummary:
    """Summarise beats (epoch ``time_s``, ``rr_ms``, ``gap_before`` flags) and sessions."""
    t = np.asarray(time_s, dtype=np.float64)
    rr = np.asarray(rr_ms, dtype=np.float64)
    gaps_mask = np.asarray(gap_before, dtype=np.bool_)
    screen = screen_artifacts(rr, gaps_mask)
    clean = rr[~screen.flagged]
    mean_rr = float(clean.mean()) if clean.size else None
    gap_spans = []
    for i in np.flatnonzero(gaps_mask):
        if i == 0:
            continue
        start = float(t[i - 1])
        end = max(start, float(t[i] - rr[i] / 1000.0))
        gap_spans.append(GapSpan(start, end, gap_reasons.get(int(i), "") or "unknown"))
    return RunSummary(
        beats=int(t.size),
        start_s=float(t[0]) if t.size else None,
        end_s=float(t[-1]) if t.size else None,
        mean_rr_ms=mean_rr,
        mean_hr_bpm=60000.0 / mean_rr if mean_rr else None,
        gaps=tuple(gap_spans),
        sessions=tuple(sorted(sessions, key=lambda s: s.start_s)),
        artifacts=screen.counts(),
        artifacts_fraction=screen.fraction,
        battery_percent=battery_percent,
        extra=dict(extra or {}),
    )


class RunCollector:
    """A pipeline observer that keeps what :func:`summarise` needs.

    Beats are kept as packed doubles (8 bytes a value, not a float object and a
    list slot each): a recorder that runs for days keeps 16 bytes a beat here.
    """

    def __init__(self) -> None:
        self._time_s = array("d")
        self._rr_ms = array("d")
        self._gaps = array("q")
        self._reasons: dict[int, str] = {}
        self._sessions: list[Session] = []
        self._open: Session | None = None
        self.battery_percent: int | None = None

    def on_event(self, event: SourceEvent) -> None:
        if isinstance(event, BatteryLevel):
            self.battery_percent = event.percent

    def on_beats(self, beats: Sequence[Beat], gap_reasons: Mapping[int, GapReason]) -> None:
        offset = len(self._time_s)
        columns = beat_columns(beats)
        self._time_s.extend(columns.time_s)
        self._rr_ms.extend(columns.rr_ms)
        self._gaps.extend(columns.gap_indices(offset))
        for i, reason in gap_reasons.items():
            self._reasons[offset + i] = reason.value

    def on_session_opened(self, session: Session) -> None:
        self._open = session

    def on_session_closed(self, session: Session) -> None:
        self._open = None
        self._sessions.append(session)

    def on_stream_end(self, at_s: float | None) -> None:
        pass

    def span_s(self) -> tuple[float, float] | None:
        """The first and the last beat collected, epoch seconds (None without beats)."""
        if not self._time_s:
            return None
        return self._time_s[0], self._time_s[-1]

    @property
    def beat_count(self) -> int:
        return len(self._time_s)

    @property
    def sessions(self) -> list[Session]:
        """Closed sessions, then the open one if any."""
        return [*self._sessions, *([self._open] if self._open is not None else [])]

    def arrays(
        self,
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
        """Beat times (epoch s), RR (ms) and gap flags collected so far."""
        gap = np.zeros(len(self._time_s), dtype=np.bool_)
        gap[np.array(self._gaps, dtype=np.intp)] = True
        # Copies: a view would pin the packed arrays, which must still grow.
        return (
            np.array(self._time_s, dtype=np.float64),
            np.array(self._rr_ms, dtype=np.float64),
            gap,
        )

    def day_beats(self, day: date) -> DayBeats | None:
        """The collected beats of local ``day`` as :meth:`Store.beats` would return them
        had this run stored them alone; None when that cannot be told cheaply (beats
        out of time order, a day boundary the clock does not place plainly)."""
        t, rr, gap = self.arrays()
        if t.size == 0 or (t.size > 1 and not bool((t[1:] >= t[:-1]).all())):
            return None
        start_s = datetime.combine(day, time(0, 0)).timestamp()
        end_s = datetime.combine(day + timedelta(days=1), time(0, 0)).timestamp()
        a, b = (int(i) for i in np.searchsorted(t, [start_s, end_s], side="left"))
        if a == b:
            return None
        edges = [(a, True), (b - 1, True), (a - 1, False), (b, False)]
        for index, inside in edges:  # the calendar agrees at both ends
            if 0 <= index < t.size and (local_day(float(t[index])) == day) != inside:
                return None
        return DayBeats(
            day=day,
            time_s=t[a:b],
            rr_ms=rr[a:b],
            gap_before=gap[a:b],
            gap_reasons={i - a: why for i, why in self._reasons.items() if a <= i < b and gap[i]},
        )

    def summary(self, extra: Mapping[str, Any] | None = None) -> RunSummary:
        return summarise_run(*self.summary_args(extra))

    def summary_args(
        self, extra: Mapping[str, Any] | None = None
    ) -> tuple[
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
        npt.NDArray[np.bool_],
        dict[int, str],
        list[Session],
        int | None,
        Mapping[str, Any] | None,
    ]:
        """What :meth:`summary` passes to :func:`summarise` (for :func:`summarise_run`
        elsewhere, e.g. in the worker process while the day summaries are made)."""
        t, rr, gap = self.arrays()
        return t, rr, gap, dict(self._reasons), self.sessions, self.battery_percent, extra


def summarise_run(
    time_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike,
    gap_reasons: Mapping[int, str],
    sessions: Sequence[Session],
    battery_percent: int | None,
    extra: Mapping[str, Any] | None,
) -> RunSummary:
    """:func:`summarise` with positional arguments only (for an executor's job)."""
    return summarise(
        time_s,
        rr_ms,
        gap_before,
        gap_reasons,
        sessions,
        battery_percent=battery_percent,
        extra=extra,
    )
