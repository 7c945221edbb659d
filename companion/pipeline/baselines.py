"""Which baseline stress is measured against, and where it comes from.

Order of preference: the rolling 14-day baseline from stored calm minutes;
else the latest guided resting measurement; else published norms, flagged as
such. When analysing a single file with no personal baseline, the file's own
calm periods can stand in (``file-calm``), and the output says so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from datetime import date, timedelta
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from companion.sessions import Session
from companion.store.store import Store
from signals.artifacts.batch import screen_artifacts
from signals.epochs.batch import epochs_from_beats
from signals.epochs.types import EPOCH_S, Epoch
from signals.scores.baseline import (
    NORMS,
    ROLLING_DAYS,
    Baseline,
    CalmMinute,
    baseline_from_file_calm,
    rolling_baseline,
)

__all__ = [
    "RESTING_SETTING",
    "baseline_json",
    "client_minutes",
    "file_calm_baseline",
    "save_resting",
    "stored_baseline",
]

RESTING_SETTING: Final = "resting_baseline"


def baseline_json(baseline: Baseline) -> dict[str, Any]:
    return {
        "source": baseline.source,
        "hr_bpm": round(baseline.hr_bpm, 2),
        "ln_rmssd": round(baseline.ln_rmssd, 4),
        "hr_spread_bpm": round(baseline.hr_spread_bpm, 2),
        "ln_rmssd_spread": round(baseline.ln_rmssd_spread, 4),
        "n_minutes": baseline.n_minutes,
        "n_days": baseline.n_days,
        "note": baseline.note,
    }


def baseline_from_json(doc: Any) -> Baseline | None:
    """The baseline :func:`baseline_json` wrote, or None when ``doc`` is not one."""
    if not isinstance(doc, dict):
        return None
    try:
        return Baseline(
            source=doc["source"],
            hr_bpm=float(doc["hr_bpm"]),
            hr_spread_bpm=float(doc["hr_spread_bpm"]),
            ln_rmssd=float(doc["ln_rmssd"]),
            ln_rmssd_spread=float(doc["ln_rmssd_spread"]),
            n_minutes=int(doc["n_minutes"]),
            n_days=int(doc["n_days"]),
            note=str(doc.get("note", "")),
        )
    except (KeyError, TypeError, ValueError):
        return None


def stored_baseline(store: Store, today: date, exclude_days: Collection[date] = ()) -> Baseline:
    """The helper's own baseline from the store (see module), or published norms.

    ``exclude_days`` leaves out days being replaced (a replay must not be
    measured against its own earlier run).
    """
    minutes: list[CalmMinute] = []
    for back in range(ROLLING_DAYS):
        day = today - timedelta(days=back)
        if day in exclude_days:
            continue
        summary = store.day_summary(day)
        for hr, ln in (summary or {}).get("calm_minutes", []):
            minutes.append(CalmMinute(day, float(hr), float(ln)))
    resting = store.setting(RESTING_SETTING)
    fallback = NORMS
    if isinstance(resting, dict):
        fields = {f.name for f in dataclasses.fields(Baseline)}
        fallback = Baseline(**{k: v for k, v in resting.items() if k in fields})
    return rolling_baseline(minutes, today, fallback=fallback)


def save_resting(store: Store, baseline: Baseline) -> None:
    """Keep the result of a guided resting measurement
    (``signals.scores.baseline.RestingMeasurement``).

    It serves as the baseline until 14 days of calm minutes take over.
    """
    if baseline.source != "resting":
        raise ValueError(f"not a resting measurement: {baseline.source!r}")
    store.put_setting(RESTING_SETTING, dataclasses.asdict(baseline))


def client_minutes(epochs: Sequence[Epoch], sessions: Sequence[Session]) -> list[bool]:
    """Which minutes lie (by their middle) inside a client session."""
    spans = [
        (s.start_s, s.end_s if s.end_s is not None else float("inf"))
        for s in sessions
        if s.kind == "client"
    ]
    out = []
    for epoch in epochs:
        middle = epoch.start_s + EPOCH_S / 2.0
        out.append(any(a <= middle < b for a, b in spans))
    return out


def file_calm_baseline(
    time_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike,
    sessions: Sequence[Session],
    artifact: npt.ArrayLike | None = None,
) -> Baseline:
    """A baseline from the calm minutes of one recording, outside client sessions.

    ``artifact`` flags the beats to exclude (default: :func:`screen_artifacts` of them).
    """
    t = np.asarray(time_s, dtype=np.float64)
    rr = np.asarray(rr_ms, dtype=np.float64)
    gaps = np.asarray(gap_before, dtype=np.bool_)
    if rr.size == 0:
        return NORMS
    if artifact is None:
        flagged = screen_artifacts(rr, gaps).flagged
    else:
        flagged = np.asarray(artifact, dtype=np.bool_)
    epochs = epochs_from_beats(t, rr, gaps, flagged)
    return baseline_from_file_calm(epochs, client_minutes(epochs, sessions))
