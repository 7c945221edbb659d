"""A session's report in plain words: a summary first, then each marker with its meaning.

:func:`session_summary` says what moved in one session, against which baseline, and
how it compares with the rest of the day (the day's other finished sessions);
:func:`hrv_report_explained` is :func:`companion.review_rows.hrv_report_rows` with a
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

from companion.heavy import HEAVY_DEFINITION
from companion.review_rows import HRV_SECTIONS, BaselineNote, SessionRow, hrv_report_rows

__all__ = ["MARKER_MEANINGS", "hrv_report_explained", "session_summary"]

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
"""One plain line per marker of :data:`companion.review_rows.HRV_SECTIONS`, by field."""

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


def _what_moved(row: SessionRow) -> str:
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
    if not said:
        return "Nothing was measured in this session: no minute had a clear enough signal."
    return f"In this session {_and(said)}."


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _against_the_day(row: SessionRow, others: Sequence[SessionRow]) -> str | None:
    if row.load is None:
        return None
    loads = [o.load for o in others if o.load is not None]
    if not loads:
        return "It was the only measured session of the day, so there is nothing to compare."
    n = len(loads) + 1
    if row.load >= max(loads):
        rank = f"the highest of the day's {n} measured sessions"
    elif row.load <= min(loads):
        rank = f"the lowest of the day's {n} measured sessions"
    else:
        rank = f"the {_ordinal(1 + sum(x > row.load for x in loads))} highest of the day's {n}"
    text = (
        f"Against the rest of the day: its load of {row.load:.0f} (0-100) was {rank}; "
        f"the other sessions averaged {_mean(loads):.0f}"
    )
    stresses = [o.stress_mean for o in others if o.stress_mean is not None]
    if row.stress_mean is not None and stresses:
        text += (
            f", and their stress averaged {_mean(stresses):.0f} against {row.stress_mean:.0f} here"
        )
    return text + "."


def _recovery(row: SessionRow, others: Sequence[SessionRow]) -> str | None:
    if row.end_s is None or row.load is None:
        return None
    if row.recovery_min is None:
        end_s = row.end_s
        later = any(o.start_s >= end_s for o in others)
        until = "the next session began" if later else "the recording ended"
        return f"You were not back near your baseline before {until}."
    if row.recovery_min < 0.5:
        return "You were near your baseline as soon as it ended."
    return f"You were back near your baseline {row.recovery_min:.0f} min after it ended."


def session_summary(
    row: SessionRow, day_rows: Sequence[SessionRow], baseline: BaselineNote
) -> tuple[str, ...]:
    """The plain summary that opens a session's report, one sentence a line.

    What moved (heart rate, RMSSD and stress against the baseline), which baseline
    that is, how the session compares with the day's other finished sessions
    (``day_rows`` may include ``row`` itself), recovery, and whether it counts as heavy.
    """
    others = [r for r in day_rows if r.session_id != row.session_id and r.end_s is not None]
    lines = [_what_moved(row), baseline.text, _against_the_day(row, others), _recovery(row, others)]
    if row.heaviness.heavy:
        lines.append(f"It counts as {row.heaviness.text}; {HEAVY_DEFINITION}.")
    return tuple(line for line in lines if line)
