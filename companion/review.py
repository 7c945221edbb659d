"""The review of a stored day and of one session in it, ready for a screen.

:func:`load_day` reads only per-minute documents, sessions with their stored
analyses, prompts, check-ins and the day summary: never raw beats, so a long
day opens at once. :func:`load_session` reads the beats of one day and keeps
those of one session, for its tachogram and Poincaré plot.

Wording is descriptive, never diagnostic: a value is "8 bpm higher than your
baseline", not "stressed". Session labels are the helper's own codes, shown as
stored. This module is headless (no Textual).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from companion.baselines import baseline_from_json, stored_baseline
from companion.store import Store, StoredSession, local_day
from signals.baseline import ROLLING_DAYS, Baseline

__all__ = [
    "HRV_SECTIONS",
    "BaselineNote",
    "CheckInRow",
    "DayReview",
    "PromptRow",
    "SessionDetail",
    "SessionRow",
    "baseline_note",
    "change_text",
    "clock",
    "hrv_report_rows",
    "load_day",
    "load_session",
    "review_days",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

MINUTE_S: Final = 60.0
"""Spacing of the per-minute grid of a day, in seconds."""
END_TOLERANCE_S: Final = 1.0
"""A prompt delivered within this many seconds of a session's end belongs to it."""

HRV_SECTIONS: Final[tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...]] = (
    (
        "Time domain",
        "time",
        (
            ("mean_rr_ms", "Mean RR (ms)", "{:.0f}"),
            ("sdnn_ms", "SDNN (ms)", "{:.1f}"),
            ("rmssd_ms", "RMSSD (ms)", "{:.1f}"),
            ("sdsd_ms", "SDSD (ms)", "{:.1f}"),
            ("pnn50_pct", "pNN50 (%)", "{:.1f}"),
            ("pnn20_pct", "pNN20 (%)", "{:.1f}"),
            ("mean_hr_bpm", "Mean HR (bpm)", "{:.1f}"),
            ("min_hr_bpm", "Min HR, 5-beat average (bpm)", "{:.1f}"),
            ("max_hr_bpm", "Max HR, 5-beat average (bpm)", "{:.1f}"),
        ),
    ),
    (
        "Frequency domain",
        "frequency",
        (
            ("vlf_ms2", "VLF power (ms²)", "{:.0f}"),
            ("lf_ms2", "LF power (ms²)", "{:.0f}"),
            ("hf_ms2", "HF power (ms²)", "{:.0f}"),
            ("total_ms2", "Total power (ms²)", "{:.0f}"),
            ("lf_hf", "LF/HF (ratio)", "{:.2f}"),
            ("lf_nu", "LF (normalised units)", "{:.1f}"),
            ("hf_nu", "HF (normalised units)", "{:.1f}"),
        ),
    ),
    (
        "Nonlinear",
        "nonlinear",
        (
            ("sd1_ms", "Poincaré SD1 (ms)", "{:.1f}"),
            ("sd2_ms", "Poincaré SD2 (ms)", "{:.1f}"),
            ("dfa_alpha1", "DFA α1 (scaling exponent)", "{:.2f}"),
            ("sampen", "Sample entropy (unitless)", "{:.2f}"),
        ),
    ),
    (
        "Indices",
        "stress",
        (
            ("baevsky_si", "Baevsky stress index (Kubios scale)", "{:.1f}"),
            ("pns_index", "PNS index (SD from norms)", "{:+.2f}"),
            ("sns_index", "SNS index (SD from norms)", "{:+.2f}"),
        ),
    ),
)
"""Groups of :meth:`signals.hrv_report.HRVReport.to_json`: title, key, (field, label, format)."""


def clock(time_s: float) -> str:
    """Epoch seconds as local HH:MM."""
    return datetime.fromtimestamp(time_s).astimezone().strftime("%H:%M")


def change_text(value: float | None, unit: str, *, digits: int = 0) -> str:
    """A change against the baseline in plain words: ``"8 bpm higher than your baseline"``."""
    if value is None or not math.isfinite(value):
        return "not measured"
    amount = f"{abs(value):.{digits}f}"
    if float(amount) == 0.0:
        return "about the same as your baseline"
    word = "higher" if value > 0 else "lower"
    return f"{amount}{unit} {word} than your baseline"


@dataclass(frozen=True, slots=True)
class BaselineNote:
    """What the day is measured against: ``personal`` is False for published norms."""

    source: str
    personal: bool
    hr_bpm: float
    rmssd_ms: float
    text: str


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


@dataclass(frozen=True, slots=True)
class CheckInRow:
    """A check-in as the helper gave it; ``text`` summarises the answers in their words."""

    at_s: float
    session_id: int | None
    answers: Mapping[str, Any]
    text: str


def _check_in_text(answers: Mapping[str, Any]) -> str:
    parts: list[str] = []
    for key, value in answers.items():
        name = key.replace("_", " ")
        if key == "heavy" and isinstance(value, bool):
            parts.append("marked heavy" if value else "not heavy")
        elif key == "note" and value:
            parts.append(f"“{value}”")
        elif isinstance(value, bool):
            parts.append(f"{name}: {'yes' if value else 'no'}")
        elif isinstance(value, list | tuple):
            parts.append(f"{name}: {', '.join(str(v) for v in value) or 'none'}")
        elif key == "intensity" and isinstance(value, int | float):
            parts.append(f"intensity {value}/10")
        elif value is not None and value != "":
            parts.append(f"{name}: {value}")
    return " · ".join(parts)


def _check_in(doc: Mapping[str, Any]) -> CheckInRow:
    answers = dict(doc.get("answers") or {})
    sid = doc.get("session_id")
    return CheckInRow(
        float(doc["at_s"]), None if sid is None else int(sid), answers, _check_in_text(answers)
    )


_FATE_TEXT: Final[Mapping[str, str]] = {
    "delivered": "shown",
    "deferred": "held for the end of the session",
    "merged": "folded into another prompt",
    "capped": "not shown: the daily limit was reached",
    "cooled_down": "not shown: a similar prompt came shortly before",
    "snoozed": "not shown: snoozed",
}


@dataclass(frozen=True, slots=True)
class PromptRow:
    """A prompt of the day, its fate and the helper's response, in words for the screen."""

    prompt_id: str
    kind: str
    rule: str
    raised_s: float
    delivered_s: float | None
    reason: str
    fate: str
    fate_text: str
    response: str | None
    response_text: str
    before_after_text: str
    """Stress and heart rate the minute before and over the minutes after ("" if not measured)."""


def _before_after(found: Any) -> str:
    if not isinstance(found, Mapping):
        return ""
    before, after = found.get("before") or {}, found.get("after") or {}
    parts = []
    if before.get("hr_bpm") is not None and after.get("hr_bpm") is not None:
        parts.append(f"heart rate {before['hr_bpm']:.0f} → {after['hr_bpm']:.0f} bpm")
    if before.get("stress") is not None and after.get("stress_mean") is not None:
        parts.append(f"stress {before['stress']:.0f} → {after['stress_mean']:.0f}")
    if not parts:
        return ""
    return f"{', '.join(parts)} (the minute before → mean of {after.get('minutes', '?')} min after)"


def _prompt(doc: Mapping[str, Any], merged_into: Mapping[str, str]) -> PromptRow:
    fate = str(doc.get("fate", ""))
    delivered = doc.get("delivered_s")
    fate_text = _FATE_TEXT.get(fate, fate.replace("_", " "))
    if fate == "delivered" and delivered is not None:
        fate_text = f"shown at {clock(float(delivered))}"
    elif fate == "merged" and doc.get("merged_into"):
        fate_text = f"folded into {merged_into.get(str(doc['merged_into']), 'another prompt')}"
    response = doc.get("response")
    responded = doc.get("responded_s")
    if response is None:
        response_text = "no response recorded" if fate == "delivered" else ""
    else:
        at = f" at {clock(float(responded))}" if responded is not None else ""
        response_text = f"{response}{at}"
    return PromptRow(
        prompt_id=str(doc["prompt_id"]),
        kind=str(doc.get("kind", "")),
        rule=str(doc.get("rule", "")),
        raised_s=float(doc["raised_s"]),
        delivered_s=None if delivered is None else float(delivered),
        reason=str(doc.get("reason", "")),
        fate=fate,
        fate_text=fate_text,
        response=None if response is None else str(response),
        response_text=response_text,
        before_after_text=_before_after(doc.get("before_after")),
    )


def _prompts(docs: Sequence[Mapping[str, Any]]) -> tuple[PromptRow, ...]:
    names = {
        str(d["prompt_id"]): f"the {d.get('kind', '')} prompt of {clock(float(d['raised_s']))}"
        for d in docs
    }
    return tuple(_prompt(d, names) for d in docs)


@dataclass(frozen=True, slots=True)
class SessionRow:
    """One session of the table. Changes are against the baseline; None when not measured.

    Attributes
    ----------
    duration_s : None while the session is open.
    mean_hr_bpm : ``60000 / mean RR`` of the session's beats (from its HRV report),
        else the mean of its minutes.
    hr_change_bpm : mean heart rate of its good minutes minus baseline, bpm.
    rmssd_ms, rmssd_change_pct : RMSSD of the session, ms; its change, %.
    stress_mean, stress_peak : per-minute stress score, 0-100.
    minutes_high : minutes in the high band (76-100).
    load : the session's load, 0-100. recovery_min : minutes until back near baseline.
    marked_heavy : the helper's own verdict. check_in : the summary of its check-in, or "".
    """

    session_id: int
    kind: str
    label: str
    start_s: float
    end_s: float | None
    duration_s: float | None
    mean_hr_bpm: float | None
    hr_change_bpm: float | None
    rmssd_ms: float | None
    rmssd_change_pct: float | None
    stress_mean: float | None
    stress_peak: float | None
    minutes_high: int | None
    load: float | None
    recovery_min: float | None
    marked_heavy: bool | None
    check_in: str


def _number(found: Any) -> float | None:
    if isinstance(found, int | float) and not isinstance(found, bool) and math.isfinite(found):
        return float(found)
    return None


def _session_row(
    session: StoredSession,
    analysis: Mapping[str, Any] | None,
    check_in: CheckInRow | None,
    minute_hr: tuple[FloatArray, FloatArray],
) -> SessionRow:
    found = analysis or {}
    time_part = (found.get("hrv") or {}).get("time") or {}
    mean_hr = _number(time_part.get("mean_hr_bpm"))
    if mean_hr is None:
        starts, hr = minute_hr
        end = session.end_s if session.end_s is not None else math.inf
        inside = hr[(starts >= session.start_s) & (starts < end) & np.isfinite(hr)]
        mean_hr = float(inside.mean()) if inside.size else None
    minutes_high = _number(found.get("minutes_high"))
    return SessionRow(
        session_id=session.session_id,
        kind=session.kind,
        label=session.label,
        start_s=session.start_s,
        end_s=session.end_s,
        duration_s=None if session.end_s is None else session.end_s - session.start_s,
        mean_hr_bpm=mean_hr,
        hr_change_bpm=_number(found.get("hr_change_bpm")),
        rmssd_ms=_number(time_part.get("rmssd_ms")),
        rmssd_change_pct=_number(found.get("rmssd_change_pct")),
        stress_mean=_number(found.get("stress_mean")),
        stress_peak=_number(found.get("stress_peak")),
        minutes_high=None if minutes_high is None else int(minutes_high),
        load=_number(found.get("load")),
        recovery_min=_number(found.get("recovery_min")),
        marked_heavy=session.heavy,
        check_in="" if check_in is None else check_in.text,
    )


@dataclass(frozen=True, slots=True)
class DayReview:
    """A day for the screen, from per-minute documents (no raw beats).

    ``minute_s`` is a regular grid of minute starts (epoch seconds) from the first
    to the last stored minute; ``hr_bpm``, ``stress`` (0-100) and ``daily_load``
    (0-100) are NaN where a minute is missing or unscored, so a chart shows gaps.
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

    @property
    def empty(self) -> bool:
        return self.minute_s.size == 0 and not self.sessions


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
    check_ins = tuple(_check_in(d) for d in store.check_ins(day))
    sessions = tuple(
        _session_row(
            s,
            store.session_analysis(s.session_id),
            _latest_check_in(check_ins, s.session_id),
            (grid, hr),
        )
        for s in store.sessions(day)
    )
    summary = store.day_summary(day) or {}
    finite = load[np.isfinite(load)]
    end = _number(summary.get("daily_load"))
    peak = _number(summary.get("daily_load_peak"))
    return DayReview(
        day=day,
        minute_s=grid,
        hr_bpm=hr,
        stress=stress,
        daily_load=load,
        sessions=sessions,
        prompts=_prompts(store.prompts(day)),
        check_ins=check_ins,
        daily_load_end=end if end is not None else (float(finite[-1]) if finite.size else None),
        daily_load_peak=peak
        if peak is not None
        else (float(finite.max()) if finite.size else None),
        baseline=baseline_note(
            _baseline_of(store, day, (store.session_analysis(s.session_id) for s in sessions))
        ),
    )


@dataclass(frozen=True, slots=True)
class SessionDetail:
    """One session in full.

    Attributes
    ----------
    hrv : :meth:`signals.hrv_report.HRVReport.to_json` of the session, None if not analysed.
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


def hrv_report_rows(hrv: Mapping[str, Any] | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The HRV report as titled groups of (label with unit, formatted value); "–" if missing."""
    if not hrv:
        return []
    groups = []
    for title, key, fields in HRV_SECTIONS:
        part = hrv.get(key) or {}
        rows = []
        for field, label, fmt in fields:
            value = _number(part.get(field))
            rows.append((label, "–" if value is None else fmt.format(value)))
        groups.append((title, rows))
    artifacts = hrv.get("artifacts") or {}
    breathing = _number((hrv.get("respiration") or {}).get("rate_per_min"))
    fraction = _number(artifacts.get("fraction"))
    groups.append(
        (
            "Signal",
            [
                ("Beats analysed (count)", str(hrv.get("n_beats", "–"))),
                ("Duration analysed (min)", f"{float(hrv.get('duration_s') or 0) / 60:.1f}"),
                ("Artifacts corrected (%)", "–" if fraction is None else f"{100 * fraction:.2f}"),
                ("Breathing rate (breaths/min)", "–" if breathing is None else f"{breathing:.1f}"),
            ],
        )
    )
    return groups


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
    check_ins = [_check_in(d) for d in store.check_ins(session.day)]
    check_in = _latest_check_in(check_ins, session_id)
    analysis = store.session_analysis(session_id)
    prompts = tuple(
        p
        for p in _prompts(store.prompts(session.day))
        if session.start_s <= p.raised_s <= end_s
        or (p.delivered_s is not None and abs(p.delivered_s - end_s) <= END_TOLERANCE_S)
    )
    epochs = store.epochs(session.day)
    grid, hr, _, _ = _minute_grid(epochs)
    hrv = (analysis or {}).get("hrv")
    return SessionDetail(
        row=_session_row(session, analysis, check_in, (grid, hr)),
        hrv=hrv if isinstance(hrv, Mapping) else None,
        beat_time_s=t,
        rr_ms=rr,
        gap_before=gap,
        poincare_x_ms=rr[:-1][pair] if rr.size else rr,
        poincare_y_ms=rr[1:][pair] if rr.size else rr,
        prompts=prompts,
        check_in=check_in,
        baseline=baseline_note(_baseline_of(store, session.day, [analysis])),
    )


def _baseline_of(store: Store, day: date, analyses: Iterable[Mapping[str, Any] | None]) -> Baseline:
    """What the numbers were measured against: the baseline kept with the session
    analyses (each run stores the one it used), else the one stored for that day."""
    for analysis in analyses:
        kept = baseline_from_json(analysis.get("baseline")) if analysis else None
        if kept is not None:
            return kept
    return stored_baseline(store, day)
