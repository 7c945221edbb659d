"""A session's report in plain words: a summary first, then each marker with its meaning.

:func:`session_summary` says what moved in one session, against which baseline, and
how it compares with the rest of the day (the day's other finished sessions);
:func:`hrv_report_explained` is :func:`companion.review.rows.hrv_report_rows` with a
one-line meaning under each technical marker (:data:`MARKER_MEANINGS`). Wording is
descriptive, never diagnostic. Pure: no store, no numpy, no Textual.

References for the meanings: Shaffer F, Ginsberg JP. An overview of heart rate
variability metrics and norms. Front Public Health 2017;5:258. Task Force of the ESC
and NASPE. Heart rate variability: standards of measurement. Circulation
1996;93:1043-1065.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from companion.review.heavy import HEAVY_DEFINITION
from companion.review.rows import (
    HRV_SECTIONS,
    BaselineNote,
    SessionRow,
    change_text,
    hrv_report_rows,
)

__all__ = [
    "MARKER_MEANINGS",
    "against_baseline_lines",
    "hrv_report_explained",
    "load_words",
    "session_summary",
]

MARKER_MEANINGS: Final[Mapping[str, str]] = {
    # time domain
    "mean_rr_ms": "the average time between beats; longer means a slower heart",
    "sdnn_ms": "how much the time between beats varied over the whole session",
    "rmssd_ms": "beat-to-beat variability; usually higher when the body is at rest",
    "sdsd_ms": "the spread of the beat-to-beat changes; reads like RMSSD",
    "pnn50_pct": "the share of beats more than 50 ms apart from the one before; like RMSSD",
    "pnn20_pct": "the same with 20 ms, so it also counts smaller swings",
    "mean_hr_bpm": "the average heart rate (60000 / mean time between beats)",
    "min_hr_bpm": "the lowest heart rate, smoothed over five beats",
    "max_hr_bpm": "the highest heart rate, smoothed over five beats",
    # frequency domain
    "vlf_ms2": "very slow swings (under 0.04 Hz); hard to read in a session under an hour",
    "lf_ms2": "slower swings (0.04-0.15 Hz): blood-pressure control, and slow breathing",
    "hf_ms2": "swings with your breathing (0.15-0.4 Hz); usually larger at rest",
    "total_ms2": "all the variability the spectrum holds",
    "lf_hf": "slow swings against breathing swings; slow breathing raises it too, read with care",
    "lf_nu": "the slower swings' share of the two bands, in %",
    "hf_nu": "the breathing swings' share of the two bands, in % (the rest of LF n.u.)",
    # nonlinear
    "sd1_ms": "short-term variability: the width of the Poincaré cloud; follows RMSSD",
    "sd2_ms": "longer-term variability: the length of the Poincaré cloud",
    "dfa_alpha1": "how the rhythm's ups and downs hang together over 4-16 beats; about 1 at rest",
    "sampen": "how unpredictable the rhythm is; lower means more regular",
    # indices
    "baevsky_si": "higher when the rhythm is rigid, as under strain",
    "pns_index": "rest-and-digest activity against published norms; 0 is typical",
    "sns_index": "fight-or-flight activity against published norms; 0 is typical",
}
"""One plain line per marker of :data:`companion.review.rows.HRV_SECTIONS`, by field."""

SIGNAL_MEANINGS: Final[Mapping[str, str]] = {
    "Beats analysed (count)": "how many beats the numbers above rest on",
    "Duration analysed (min)": "how long the stretch of beats is",
    "Artifacts corrected (%)": "beats the strap got wrong and that were corrected first",
    "Breathing rate (breaths/min)": "read from the rhythm's swings with your breathing",
}
"""One plain line for each row of the report's Signal group, by its label."""

_LABEL_FIELD: Final[Mapping[str, str]] = {
    label: field for _title, _key, fields in HRV_SECTIONS for field, label, _fmt in fields
}


def hrv_report_explained(
    hrv: Mapping[str, Any] | None,
) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The HRV report as titled groups of (label with unit, value, one-line meaning)."""
    groups = []
    for title, rows in hrv_report_rows(hrv):
        explained = []
        for label, value in rows:
            field = _LABEL_FIELD.get(label)
            meaning = MARKER_MEANINGS[field] if field else SIGNAL_MEANINGS.get(label, "")
            explained.append((label, value, meaning))
        groups.append((title, explained))
    return groups


def _change(value: float | None, unit: str, what: str) -> str | None:
    if value is None:
        return None
    amount = f"{abs(value):.0f}"
    if float(amount) == 0.0:
        return f"{what} was about the same as your baseline"
    return f"{what} was {amount}{unit} {'higher' if value > 0 else 'lower'} than your baseline"


def _and(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _too_short(row: SessionRow, so_far: bool = False) -> bool:
    """Shorter than a minute, or (once its day is summarised) no minute's middle inside it."""
    if row.duration_s is not None and row.duration_s < 60.0:
        return True
    return row.n_minutes == 0 and not so_far


def _not_scored(row: SessionRow, so_far: bool) -> str:
    """Why no minute of the session was scored, as a sentence's start."""
    if _too_short(row, so_far):
        return "This session was too short to compare with your baseline minute by minute"
    if so_far:  # stored when it ended: its last minutes may not have been scored yet
        return (
            "No minute of this session had been scored when it ended (a minute is scored "
            "once it is over)"
        )
    if row.n_minutes == 1:
        return "No stress score for this session: its one minute had no clear enough signal"
    if row.n_minutes:
        return (
            f"No stress score for this session: none of its {row.n_minutes} minutes had "
            "a clear enough signal"
        )
    return "No stress score for this session: no minute of it had a clear enough signal"


def _over_beats(row: SessionRow, baseline: BaselineNote) -> str | None:
    """The whole-session numbers from its beats, beside the baseline's (None without any)."""
    parts = []
    if row.mean_hr_bpm is not None:
        parts.append(
            (f"your heart rate averaged {row.mean_hr_bpm:.0f} bpm", f"{baseline.hr_bpm:.0f} bpm")
        )
    if row.rmssd_ms is not None:
        parts.append((f"RMSSD was {row.rmssd_ms:.0f} ms", f"{baseline.rmssd_ms:.0f} ms"))
    if not parts:
        return None
    return (
        f"over its beats {_and([p for p, _ in parts])}, against "
        f"{_and([b for _, b in parts])} in the baseline"
    )


def _what_moved(row: SessionRow, baseline: BaselineNote, so_far: bool) -> str:
    parts = [
        _change(row.hr_change_bpm, " bpm", "your heart rate"),
        _change(row.rmssd_change_pct, "%", "your beat-to-beat variability (RMSSD)"),
    ]
    if row.stress_mean is not None:
        stress = f"stress averaged {row.stress_mean:.0f} of 100"
        if row.stress_peak is not None:
            stress += f" (its highest minute {row.stress_peak:.0f})"
        if row.minutes_high:
            stress += f", {row.minutes_high} min of it in the high band"
        parts.append(stress)
    said = [p for p in parts if p]
    if said:
        return f"In this session {_and(said)}."
    beats = _over_beats(row, baseline)
    if beats is None:
        return f"{_not_scored(row, so_far)}, and too few beats were stored to measure it."
    return f"{_not_scored(row, so_far)}; {beats}."


def against_baseline_lines(
    row: SessionRow, baseline: BaselineNote, *, so_far: bool = False
) -> list[tuple[str, str]]:
    """Heart rate and RMSSD against the baseline, as (label, words).

    The per-minute change when the session has one (means over its good minutes
    against the baseline); else the session's own value over its beats beside the
    baseline's, saying why there is no change; "not measured" only when neither exists.
    """
    why = "too short" if _too_short(row, so_far) else "no scored minute"
    why += " to compare minute by minute"
    hr = change_text(row.hr_change_bpm, " bpm", digits=1)
    if row.hr_change_bpm is None and row.mean_hr_bpm is not None:
        hr = (
            f"{row.mean_hr_bpm:.1f} bpm over its beats, against {baseline.hr_bpm:.0f} bpm "
            f"in the baseline ({why})"
        )
    rmssd = change_text(row.rmssd_change_pct, "%")
    if row.rmssd_change_pct is None and row.rmssd_ms is not None:
        rmssd = (
            f"{row.rmssd_ms:.1f} ms over its beats, against {baseline.rmssd_ms:.0f} ms "
            f"in the baseline ({why})"
        )
    return [("Heart rate", hr), ("RMSSD", rmssd)]


def load_words(row: SessionRow, *, so_far: bool = False) -> str:
    """The session's load for the report: "24" (whole, as in every view), or why there is none."""
    if row.load is not None:
        return f"{row.load:.0f}"
    if row.end_s is None:
        return "when it ends"
    if _too_short(row, so_far):
        return "too short to measure"
    return "not scored yet" if so_far else "not measured"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _against_the_day(
    row: SessionRow, others: Sequence[SessionRow], so_far: bool = False
) -> str | None:
    if row.load is None:
        return None
    loads = [o.load for o in others if o.load is not None]
    day = "the day so far" if so_far else "the day"
    if not loads:
        return f"It was the only measured session of {day}, so there is nothing to compare."
    n = len(loads) + 1
    sessions = f"the {n} measured sessions of {day}"  # not "the day so far's"
    if row.load >= max(loads):
        rank = f"the highest of {sessions}"
    elif row.load <= min(loads):
        rank = f"the lowest of {sessions}"
    else:
        rank = f"the {_ordinal(1 + sum(x > row.load for x in loads))} highest of {sessions}"
    text = (
        f"Against the rest of {day}: its load of {row.load:.0f} (0-100) was {rank}; "
        f"the other sessions averaged {_mean(loads):.0f}"
    )
    stresses = [o.stress_mean for o in others if o.stress_mean is not None]
    if row.stress_mean is not None and stresses:
        text += (
            f", and their stress averaged {_mean(stresses):.0f} against {row.stress_mean:.0f} here"
        )
    return text + "."


def _recovery(row: SessionRow, others: Sequence[SessionRow], so_far: bool = False) -> str | None:
    if row.end_s is None or row.load is None:
        return None
    if row.recovery_min is None and so_far:
        return "How soon you were back near your baseline is worked out when the recording ends."
    if row.recovery_min is None:
        end_s = row.end_s
        later = any(o.start_s >= end_s for o in others)
        until = "the next session began" if later else "the recording ended"
        return f"You were not back near your baseline before {until}."
    if row.recovery_min < 0.5:
        return "You were near your baseline as soon as it ended."
    return f"You were back near your baseline {row.recovery_min:.0f} min after it ended."


def session_summary(
    row: SessionRow,
    day_rows: Sequence[SessionRow],
    baseline: BaselineNote,
    *,
    so_far: bool = False,
) -> tuple[str, ...]:
    """The plain summary that opens a session's report, one sentence a line.

    What moved (heart rate, RMSSD and stress against the baseline), which baseline
    that is, how the session compares with the day's other finished sessions
    (``day_rows`` may include ``row`` itself), recovery, and whether it counts as heavy.
    A session without a scored minute says so and gives its whole-session numbers
    beside the baseline's, with no load, ranking or recovery. ``so_far``: the day is
    still being recorded, so the comparison is with the day so far and recovery is
    not known yet.
    """
    others = [r for r in day_rows if r.session_id != row.session_id and r.end_s is not None]
    lines = [
        _what_moved(row, baseline, so_far),
        baseline.text,
        _against_the_day(row, others, so_far),
        _recovery(row, others, so_far),
    ]
    if row.heaviness.heavy:
        lines.append(f"It counts as {row.heaviness.text}; {HEAVY_DEFINITION}.")
    return tuple(line for line in lines if line)
