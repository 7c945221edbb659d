"""The rows and words of a day's review: sessions, prompts, check-ins and the HRV report.

Plain values for the screen, built from stored documents (dicts) by
:mod:`companion.review.day`. Wording is descriptive, never diagnostic: a value is
"8 bpm higher than your baseline", not "stressed". Session labels are the
helper's own codes, shown as stored. This module imports neither numpy nor the
store, so a screen can format with it before the day is loaded.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Protocol

from companion.text import clean_text

if TYPE_CHECKING:
    from companion.review.heavy import Heaviness

__all__ = [
    "HRV_SECTIONS",
    "BaselineNote",
    "CheckInRow",
    "PromptRow",
    "SessionRow",
    "change_text",
    "check_in_row",
    "clock",
    "hrv_report_rows",
    "measured_load",
    "neutral_labels",
    "number",
    "prompt_rows",
    "prompt_when",
]

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
"""Groups of :meth:`signals.hrv.report.HRVReport.to_json`: title, key, (field, label, format)."""


def clock(time_s: float) -> str:
    """Epoch seconds as local HH:MM."""
    return datetime.fromtimestamp(time_s).astimezone().strftime("%H:%M")


def prompt_when(raised_s: float, delivered_s: float | None) -> str:
    """When a prompt happened, by the one rule every view uses: its raised time, and its
    shown time where that differs ("raised 11:38, shown 12:27", held to a session's end)."""
    raised = clock(raised_s)
    if delivered_s is None or clock(delivered_s) == raised:
        return raised
    return f"raised {raised}, shown {clock(delivered_s)}"


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
            parts.append(f"“{clean_text(str(value))}”")
        elif isinstance(value, bool):
            parts.append(f"{name}: {'yes' if value else 'no'}")
        elif isinstance(value, list | tuple):
            parts.append(f"{name}: {', '.join(str(v) for v in value) or 'none'}")
        elif key == "intensity" and isinstance(value, int | float):
            parts.append(f"intensity {value}/10")
        elif value is not None and value != "":
            parts.append(f"{name}: {value}")
    return " · ".join(parts)


def check_in_row(doc: Mapping[str, Any]) -> CheckInRow:
    """A stored check-in document as a row."""
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
    "held": "held back by chance to learn what helps (learning on): noted, not shown",
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

    @property
    def when_text(self) -> str:
        """Its time by :func:`prompt_when` ("11:38", or "raised 11:38, shown 12:27")."""
        return prompt_when(self.raised_s, self.delivered_s)


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


def _reached(acts: Sequence[Mapping[str, Any]]) -> bool:
    """Whether these contact acts reached someone: a talk, or a message not known to have
    failed (older records carry no ``sent``)."""
    for act in acts:
        result = act.get("result") or {}
        if result.get("choice") == "in-person":
            return True
        if result.get("choice") == "message" and result.get("sent") is not False:
            return True
    return False


def _prompt(
    doc: Mapping[str, Any],
    merged_into: Mapping[str, str],
    acts: Sequence[Mapping[str, Any]] = (),
) -> PromptRow:
    fate = str(doc.get("fate", ""))
    delivered = doc.get("delivered_s")
    fate_text = _FATE_TEXT.get(fate, fate.replace("_", " "))
    if fate == "delivered" and delivered is not None:
        fate_text = "shown"  # when: PromptRow.when_text
    elif fate == "merged" and doc.get("merged_into"):
        fate_text = f"folded into {merged_into.get(str(doc['merged_into']), 'another prompt')}"
    response = doc.get("response")
    responded = doc.get("responded_s")
    if response is None:
        response_text = "no response recorded" if fate == "delivered" else ""
    else:
        at = f" at {clock(float(responded))}" if responded is not None else ""
        response_text = f"{response}{at}"
    before_after = _before_after(doc.get("before_after"))
    contacts = [a for a in acts if a.get("kind") == "contact"]
    if response == "accepted" and doc.get("kind") == "contact" and not _reached(contacts):
        # The dialog closed without contact (or the message failed): nothing to credit.
        failed = any((a.get("result") or {}).get("sent") is False for a in contacts)
        response_text += " · no one was contacted" + (" (not sent)" if failed else "")
        before_after = ""
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
        before_after_text=before_after,
    )


def prompt_rows(
    docs: Sequence[Mapping[str, Any]], acts: Sequence[Mapping[str, Any]] = ()
) -> tuple[PromptRow, ...]:
    """Stored prompt documents as rows, in their order (a merged prompt names its host).

    ``acts`` are the stored acts of the day: an accepted contact prompt whose dialog
    reached no one says so, and is credited with no before and after.
    """
    names = {
        str(d["prompt_id"]): f"the {d.get('kind', '')} prompt of {clock(float(d['raised_s']))}"
        for d in docs
    }
    by_prompt: dict[str, list[Mapping[str, Any]]] = {}
    for act in acts:
        if act.get("prompt_id") is not None:
            by_prompt.setdefault(str(act["prompt_id"]), []).append(act)
    return tuple(_prompt(d, names, by_prompt.get(str(d["prompt_id"]), ())) for d in docs)


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
    load : the session's load, 0-100; None when not measured (no scored minute, see
        :func:`measured_load`). recovery_min : minutes until back near baseline.
    marked_heavy : the helper's own verdict. check_in : the summary of its check-in, or "".
    heaviness : whether it counts as heavy, and why (:mod:`companion.review.heavy`, the one
        definition trends and reports use too).
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
    heaviness: Heaviness
    n_minutes: int | None = None
    """Minutes whose middle lies in the session (None for an analysis without the count)."""
    n_scored: int | None = None
    """Of those, minutes with a stress score: 0 means nothing per minute was measured."""


def number(found: Any) -> float | None:
    """A finite number as float; None for anything else (missing, NaN, a bool, text)."""
    if isinstance(found, int | float) and not isinstance(found, bool) and math.isfinite(found):
        return float(found)
    return None


def measured_load(analysis: Mapping[str, Any] | None) -> float | None:
    """A stored session analysis' ``load`` (0-100), or None when it measured nothing.

    A session without a scored minute (shorter than a minute, or no minute with a clear
    signal) stores a load of 0 that says nothing: that is None here, so no screen, trend
    or report shows or averages it. A stored -0.0 (older analyses) reads as 0.0.
    """
    found = analysis or {}
    load = number(found.get("load"))
    fields = found.get("session_load")
    scored = number(fields.get("n_scored")) if isinstance(fields, Mapping) else None
    if load is None or scored == 0:
        return None
    return load + 0.0  # -0.0 + 0.0 is 0.0


def hrv_report_rows(hrv: Mapping[str, Any] | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The HRV report as titled groups of (label with unit, formatted value); "–" if missing."""
    if not hrv:
        return []
    groups = []
    for title, key, fields in HRV_SECTIONS:
        part = hrv.get(key) or {}
        rows = []
        for field, label, fmt in fields:
            value = number(part.get(field))
            rows.append((label, "–" if value is None else fmt.format(value)))
        groups.append((title, rows))
    artifacts = hrv.get("artifacts") or {}
    breathing = number((hrv.get("respiration") or {}).get("rate_per_min"))
    fraction = number(artifacts.get("fraction"))
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


class _Tagged(Protocol):
    @property
    def session_id(self) -> int: ...

    @property
    def kind(self) -> str: ...


def neutral_labels(sessions: Iterable[_Tagged]) -> dict[int, str]:
    """Labels that name nobody: ``client-1``, ``client-2``, ... per kind, in the given order."""
    seen: Counter[str] = Counter()
    out: dict[int, str] = {}
    for session in sessions:
        seen[session.kind] += 1
        out[session.session_id] = f"{session.kind}-{seen[session.kind]}"
    return out
