"""The review of a stored day and of one session in it, ready for a screen.

:func:`load_day` reads only per-minute documents, sessions with their stored
analyses, prompts, check-ins and the day summary: never raw beats, so a long
day opens at once. :func:`load_session` reads the beats of one day and keeps
those of one session, for its tachogram and Poincaré plot. The rows and their
wording are in :mod:`companion.review.rows`. This module is headless (no Textual).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from companion.connect.colleagues import load_book
from companion.errors import HoldspaceError
from companion.pipeline.baselines import baseline_from_json, stored_baseline
from companion.pipeline.summary import summary_is_current
from companion.readiness.reading import readiness_of
from companion.readiness.words import readiness_words
from companion.review.heavy import heaviness, heavy_count_text
from companion.review.rows import (
    BaselineNote,
    CheckInRow,
    PromptRow,
    SessionRow,
    check_in_row,
    measured_load,
    number,
    prompt_rows,
)
from companion.review.session_words import session_summary
from companion.store.store import Store
from companion.store.types import StoredSession, local_day
from signals.scores.bands import steady_bands
from signals.scores.baseline import ROLLING_DAYS, Baseline

__all__ = [
    "DayReview",
    "SessionDetail",
    "baseline_note",
    "day_so_far",
    "load_day",
    "load_session",
    "review_days",
    "steady_high",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

MINUTE_S: Final = 60.0
"""Spacing of the per-minute grid of a day, in seconds."""
END_TOLERANCE_S: Final = 1.0
"""A prompt delivered within this many seconds of a session's end belongs to it."""


def baseline_note(baseline: Baseline) -> BaselineNote:
    """Describe a baseline for the screen; norms say they are not yet the helper's own."""
    values = f"heart rate {baseline.hr_bpm:.0f} bpm, RMSSD {baseline.rmssd_ms:.0f} ms"
    if baseline.is_personal:
        text = f"Compared with your own baseline: {baseline.note} ({values})."
    else:
        text = (
            f"Compared with published norms until {ROLLING_DAYS} days of your own data "
            f"are in ({values})."
        )
    return BaselineNote(
        baseline.source, baseline.is_personal, baseline.hr_bpm, baseline.rmssd_ms, text
    )


def steady_high(minute_s: FloatArray, stress: FloatArray) -> BoolArray:
    """Whether each minute of a day's grid was in the steady high band, from the stored
    scores (:func:`signals.scores.bands.steady_bands`, the rule the screen and the
    prompts used live); NaN stress is an unscored or missing minute."""
    minutes = [
        (float(t), None if math.isnan(v) else round(float(v)))
        for t, v in zip(minute_s, stress, strict=True)
    ]
    return np.array([b == "high" for b in steady_bands(minutes)], dtype=np.bool_)


def _minutes_high(
    session: StoredSession, found: Mapping[str, Any], grid: tuple[FloatArray, FloatArray, BoolArray]
) -> int | None:
    """Minutes of ``session`` in the steady high band, recounted from the day's stored
    minutes (those whose middle lies in the session, as the session load counts them);
    the stored count when the day holds no scored minute of it."""
    starts, stress, high = grid
    end = session.end_s if session.end_s is not None else math.inf
    middle = starts + MINUTE_S / 2.0
    inside = (middle >= session.start_s) & (middle < end) & np.isfinite(stress)
    if inside.any():
        return int(high[inside].sum())
    stored = number(found.get("minutes_high"))
    return None if stored is None else int(stored)


def _session_row(
    session: StoredSession,
    analysis: Mapping[str, Any] | None,
    check_in: CheckInRow | None,
    minute_hr: tuple[FloatArray, FloatArray],
    minute_high: tuple[FloatArray, FloatArray, BoolArray],
) -> SessionRow:
    found = analysis or {}
    fields = found.get("session_load")
    counts = fields if isinstance(fields, Mapping) else {}
    n_minutes, n_scored = number(counts.get("n_minutes")), number(counts.get("n_scored"))
    time_part = (found.get("hrv") or {}).get("time") or {}
    mean_hr = number(time_part.get("mean_hr_bpm"))
    if mean_hr is None:
        starts, hr = minute_hr
        end = session.end_s if session.end_s is not None else math.inf
        inside = hr[(starts >= session.start_s) & (starts < end) & np.isfinite(hr)]
        mean_hr = float(inside.mean()) if inside.size else None
    minutes_high = _minutes_high(session, found, minute_high)
    return SessionRow(
        session_id=session.session_id,
        kind=session.kind,
        label=session.label,
        start_s=session.start_s,
        end_s=session.end_s,
        duration_s=None if session.end_s is None else session.end_s - session.start_s,
        mean_hr_bpm=mean_hr,
        hr_change_bpm=number(found.get("hr_change_bpm")),
        rmssd_ms=number(time_part.get("rmssd_ms")),
        rmssd_change_pct=number(found.get("rmssd_change_pct")),
        stress_mean=number(found.get("stress_mean")),
        stress_peak=number(found.get("stress_peak")),
        minutes_high=minutes_high,
        load=measured_load(analysis),
        recovery_min=number(found.get("recovery_min")),
        marked_heavy=session.heavy,
        check_in="" if check_in is None else check_in.text,
        heaviness=heaviness(session.heavy, analysis, kind=session.kind),
        n_minutes=None if n_minutes is None else int(n_minutes),
        n_scored=None if n_scored is None else int(n_scored),
    )


@dataclass(frozen=True, slots=True)
class DayReview:
    """A day for the screen, from per-minute documents (no raw beats).

    ``minute_s`` is a regular grid of minute starts (epoch seconds) from the first
    to the last stored minute; ``hr_bpm``, ``stress`` (0-100) and ``daily_load``
    (0-100) are NaN where a minute is missing or unscored, so a chart shows gaps.
    ``so_far``: the day is still being recorded (:func:`day_so_far`), so its load is
    the latest stored minute's, not the end of the day's.
    """

    day: date
    minute_s: FloatArray
    hr_bpm: FloatArray
    stress: FloatArray
    daily_load: FloatArray
    sessions: tuple[SessionRow, ...]
    prompts: tuple[PromptRow, ...]
    check_ins: tuple[CheckInRow, ...]
    daily_load_end: float | None
    daily_load_peak: float | None
    baseline: BaselineNote
    connection: str = ""
    """Who the helper was in contact with that day, and how, in one line ("" for nobody)."""
    so_far: bool = False
    morning: tuple[str, ...] = ()
    """The day's morning reading against the usual, in plain words (() without one)."""

    @property
    def load_text(self) -> str:
        """The day's load in words, saying which load it is and when it was read:
        "day's load 39 at the end, highest 94 (0-100, whole day)" (the daily load of
        :mod:`signals.scores.load`, not a session's load); "" when no minute has one."""
        if self.daily_load_end is None:
            return ""
        when = "so far" if self.so_far else "at the end"
        text = f"day's load {self.daily_load_end:.0f} {when}"
        if self.daily_load_peak is not None:
            text += f", highest {self.daily_load_peak:.0f}"
        return text + " (0-100, whole day)"

    @property
    def empty(self) -> bool:
        return self.minute_s.size == 0 and not self.sessions

    @property
    def minutes_recorded(self) -> int:
        """Minutes with a heart rate."""
        return int(np.isfinite(self.hr_bpm).sum())

    @property
    def heavy_text(self) -> str:
        """The day's heavy sessions and why, as trends count them: "3 heavy of 9 sessions
        (you marked 2, high stress in 1 more)"; finished sessions only."""
        done = [s.heaviness for s in self.sessions if s.end_s is not None]
        return heavy_count_text(done, len(done))


def _minute_grid(epochs: Sequence[Mapping[str, Any]]) -> tuple[FloatArray, ...]:
    if not epochs:
        empty = np.zeros(0, dtype=np.float64)
        return empty, empty, empty, empty
    starts = np.array([float(e["start_s"]) for e in epochs])
    first = starts[0]
    index = np.rint((starts - first) / MINUTE_S).astype(np.intp)
    grid = first + MINUTE_S * np.arange(int(index[-1]) + 1, dtype=np.float64)
    out = [grid]
    for key in ("hr_bpm", "stress", "daily_load"):
        values = np.full(grid.size, np.nan)
        values[index] = [np.nan if e.get(key) is None else float(e[key]) for e in epochs]
        out.append(values)
    return tuple(out)


def _latest_check_in(rows: Sequence[CheckInRow], session_id: int) -> CheckInRow | None:
    mine = [c for c in rows if c.session_id == session_id]
    return mine[-1] if mine else None


def review_days(store: Store) -> list[date]:
    """Days with stored beats, oldest first."""
    return store.days()


def load_day(store: Store, day: date) -> DayReview:
    """The review of one local day (see module docstring): minutes, sessions, prompts."""
    grid, hr, stress, load = _minute_grid(store.epochs(day))
    high = (grid, stress, steady_high(grid, stress))
    check_ins = tuple(check_in_row(d) for d in store.check_ins(day))
    sessions = tuple(
        _session_row(
            s,
            store.session_analysis(s.session_id),
            _latest_check_in(check_ins, s.session_id),
            (grid, hr),
            high,
        )
        for s in store.sessions(day)
    )
    so_far = day_so_far(store, day, grid, hr)
    summary = {} if so_far else (store.day_summary(day) or {})
    finite = load[np.isfinite(load)]
    end = number(summary.get("daily_load"))
    peak = number(summary.get("daily_load_peak"))
    return DayReview(
        day=day,
        minute_s=grid,
        hr_bpm=hr,
        stress=stress,
        daily_load=load,
        sessions=sessions,
        prompts=prompt_rows(store.prompts(day), store.acts(day)),
        check_ins=check_ins,
        daily_load_end=end if end is not None else (float(finite[-1]) if finite.size else None),
        daily_load_peak=peak
        if peak is not None
        else (float(finite.max()) if finite.size else None),
        baseline=baseline_note(
            _baseline_of(store, day, (store.session_analysis(s.session_id) for s in sessions))
        ),
        connection=connection_line(store, day, sessions),
        so_far=so_far,
        morning=_morning_words(store, day),
    )


def _morning_words(store: Store, day: date) -> tuple[str, ...]:
    """The day's morning reading in words (:mod:`companion.readiness`), or () without one."""
    found = readiness_of(store, day)
    return tuple(readiness_words(found)) if found.reading is not None else ()


def day_so_far(
    store: Store, day: date, minute_s: FloatArray | None = None, hr_bpm: FloatArray | None = None
) -> bool:
    """Whether ``day`` is still being recorded: its stored summary is missing, or older
    than what is stored for it (:func:`companion.pipeline.summary.summary_is_current`).

    ``minute_s`` and ``hr_bpm`` are the day's minute grid when the caller has read it
    (:func:`_minute_grid`); else the minutes are read here.
    """
    sessions = store.sessions(day)
    if minute_s is None or hr_bpm is None:
        minute_s, hr_bpm, _, _ = _minute_grid(store.epochs(day))
    with_beats = minute_s[np.isfinite(hr_bpm)]
    starts = [s.start_s for s in sessions] + ([float(with_beats[-1])] if with_beats.size else [])
    return not summary_is_current(
        store.day_summary(day),
        open_session=any(s.end_s is None for s in sessions),
        last_data_s=max(starts, default=None),
    )


_WAYS: Final = {"message": "a message to {}", "in_person": "a talk in person with {}"}


def connection_line(
    store: Store, day: date, sessions: Sequence[SessionRow], *, names: bool = True
) -> str:
    """The day's contacts with colleagues (messages sent, talks in person, supervision
    and peer sessions), and stress in those sessions against client sessions when the
    day has both: an observation about this day, not a finding. With ``names=False``
    each colleague is "a colleague"."""
    parts: list[str] = []
    try:
        contacts = load_book(store.data_dir).contacts
    except HoldspaceError:
        contacts = ()
    for record in contacts:
        if record.ok and record.way in _WAYS and local_day(record.t_s) == day:
            parts.append(_WAYS[record.way].format(record.name if names else "a colleague"))
    parts += [f"a {s.kind} session" for s in sessions if s.kind in ("supervision", "peer")]
    if not parts:
        return ""
    text = "Connection today: " + ", ".join(dict.fromkeys(parts)) + "."
    connected = [
        s.stress_mean
        for s in sessions
        if s.kind in ("supervision", "peer") and s.stress_mean is not None
    ]
    client = [s.stress_mean for s in sessions if s.kind == "client" and s.stress_mean is not None]
    if connected and client:
        text += (
            f" Stress averaged {sum(connected) / len(connected):.0f} in supervision and peer "
            f"sessions, {sum(client) / len(client):.0f} in client sessions (this day only)."
        )
    return text


@dataclass(frozen=True, slots=True)
class SessionDetail:
    """One session in full.

    Attributes
    ----------
    hrv : :meth:`signals.hrv.report.HRVReport.to_json` of the session, None if not analysed.
    beat_time_s, rr_ms, gap_before : the session's stored beats (``start_s <= t < end_s``):
        epoch seconds, RR in milliseconds (as recorded, not corrected), gap flags.
    poincare_x_ms, poincare_y_ms : successive pairs RR(n), RR(n+1), never across a gap.
    prompts : raised during the session, or delivered at its end.
    """

    row: SessionRow
    hrv: Mapping[str, Any] | None
    beat_time_s: FloatArray
    rr_ms: FloatArray
    gap_before: BoolArray
    poincare_x_ms: FloatArray
    poincare_y_ms: FloatArray
    prompts: tuple[PromptRow, ...]
    check_in: CheckInRow | None
    baseline: BaselineNote
    summary: tuple[str, ...] = ()
    """What moved, against which baseline and the rest of the day, in sentences
    (:func:`companion.review.session_words.session_summary`): the report opens with it."""
    so_far: bool = False
    """Its day is still being recorded (:func:`day_so_far`): recovery is not known yet."""


def load_session(store: Store, session_id: int) -> SessionDetail:
    """One session with its beats, HRV report, prompts and check-in.

    Raises
    ------
    KeyError
        When no session has that id.
    """
    found = [s for s in store.sessions() if s.session_id == session_id]
    if not found:
        raise KeyError(f"no session with id {session_id} in the store")
    session = found[0]
    end_s = session.end_s if session.end_s is not None else math.inf
    days = sorted({session.day, local_day(session.end_s or session.start_s)})
    times, rrs, gaps = [], [], []
    for day in days:
        beats = store.beats(day)
        inside = (beats.time_s >= session.start_s) & (beats.time_s < end_s)
        times.append(beats.time_s[inside])
        rrs.append(beats.rr_ms[inside])
        gaps.append(beats.gap_before[inside])
    t, rr, gap = np.concatenate(times), np.concatenate(rrs), np.concatenate(gaps)
    pair = ~gap[1:]
    check_ins = [check_in_row(d) for d in store.check_ins(session.day)]
    check_in = _latest_check_in(check_ins, session_id)
    analysis = store.session_analysis(session_id)
    prompts = tuple(
        p
        for p in prompt_rows(store.prompts(session.day), store.acts(session.day))
        if session.start_s <= p.raised_s <= end_s
        or (p.delivered_s is not None and abs(p.delivered_s - end_s) <= END_TOLERANCE_S)
    )
    epochs = store.epochs(session.day)
    grid, hr, stress, _ = _minute_grid(epochs)
    high = (grid, stress, steady_high(grid, stress))
    so_far = day_so_far(store, session.day, grid, hr)
    hrv = (analysis or {}).get("hrv")
    row = _session_row(session, analysis, check_in, (grid, hr), high)
    day_rows = [
        _session_row(s, store.session_analysis(s.session_id), None, (grid, hr), high)
        for s in store.sessions(session.day)
        if s.session_id != session_id
    ]
    baseline = baseline_note(_baseline_of(store, session.day, [analysis]))
    return SessionDetail(
        row=row,
        hrv=hrv if isinstance(hrv, Mapping) else None,
        beat_time_s=t,
        rr_ms=rr,
        gap_before=gap,
        poincare_x_ms=rr[:-1][pair] if rr.size else rr,
        poincare_y_ms=rr[1:][pair] if rr.size else rr,
        prompts=prompts,
        check_in=check_in,
        baseline=baseline,
        summary=session_summary(row, day_rows, baseline, so_far=so_far),
        so_far=so_far,
    )


def _baseline_of(store: Store, day: date, analyses: Iterable[Mapping[str, Any] | None]) -> Baseline:
    """What the numbers were measured against: the baseline kept with the session
    analyses (each run stores the one it used), else the one stored for that day."""
    for analysis in analyses:
        kept = baseline_from_json(analysis.get("baseline")) if analysis else None
        if kept is not None:
            return kept
    return stored_baseline(store, day)
