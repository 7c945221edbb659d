"""``holdspace analyze``: the HRV report of a whole file, with optional epochs.

Reads a recording or an RR file through the same sources as replay and
import (nothing is stored), computes the report of :mod:`signals.hrv.report`,
and, with ``epoch_s``, markers, breathing and stress per epoch. Stress is
measured against the stored personal baseline when there is one, else the
file's own calm periods, and ``baseline.source`` says which.

A recording holding a chest strap's ECG and accelerometer (Polar PMD) adds, per epoch,
``activity`` and ``respiration`` (the rate from each source, which one was used) and
withholds the stress of moving epochs by the live rule
(:class:`~companion.pipeline.chest.minutes.MovementHold`); the file's ``respiration`` gains
``sources`` (the median per-minute rate of each source) and ``used``. Without them the
output is exactly what it was.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from companion.pipeline.baselines import file_calm_baseline, stored_baseline
from companion.pipeline.chest.minutes import (
    MovementHold,
    activity_json,
    respiration_json,
    withheld_epoch,
)
from companion.pipeline.chest.recording import ChestRecording, PmdCollector
from companion.pipeline.chest.work import chest_respiration, ecg_beats_or_none
from companion.pipeline.offload import report_beside
from companion.pipeline.pipeline import Pipeline
from companion.pipeline.summary import RunCollector
from companion.sessions import Session
from companion.store.store import Store
from companion.store.types import local_day
from sensors.source import BeatSource
from signals.artifacts.batch import screen_artifacts
from signals.breathing.fusion import PREFERENCE, FusedBreathing
from signals.breathing.respiration import (
    MINUTE_WINDOW_S,
    BreathingEstimate,
    breathing_in_windows,
)
from signals.epochs.types import Epoch
from signals.epochs.windows import window_epochs
from signals.motion.activity import activity_in_window
from signals.scores.baseline import Baseline
from signals.scores.stress import StressScorer

__all__ = ["analyze_source", "epoch_table"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def epoch_table(
    t: FloatArray,
    rr: FloatArray,
    gaps: BoolArray,
    epoch_s: float,
    baseline: Baseline,
    art: BoolArray | None = None,
    chest: ChestRecording | None = None,
) -> list[dict[str, Any]]:
    """Per-epoch markers, breathing and stress from the first beat's interval on.

    ``art`` flags the artifact beats (default: :func:`screen_artifacts` of the beats).
    ``chest``: the file's ECG and accelerometer samples, if any (:func:`chest_rows`).
    """
    if t.size == 0:
        return []
    if art is None:
        art = screen_artifacts(rr, gaps).flagged
    origin = float(t[0] - rr[0] / 1000.0)
    count = math.ceil((float(t[-1]) - origin) / epoch_s)
    starts = origin + np.arange(count, dtype=np.float64) * epoch_s
    epochs = window_epochs(t, rr, gaps, art, starts, epoch_s)
    good = [k for k, epoch in enumerate(epochs) if epoch.is_good]
    if chest is not None:
        return chest_rows(t, rr, gaps, art, epochs, epoch_s, origin, baseline, chest)
    rates = epoch_breathing(t, rr, gaps, art, starts[good] + epoch_s / 2.0, epoch_s)
    resp: list[float | None] = [None] * len(epochs)
    for k, rate in zip(good, rates, strict=True):
        resp[k] = rate
    scorer = StressScorer(baseline)
    return [
        {
            "start_s": round(epoch.start_s - origin, 3),
            "hr_bpm": _round(epoch.hr_bpm, 2),
            "rmssd_ms": _round(epoch.rmssd_ms, 2),
            "resp_per_min": _round(resp[k], 2),
            "stress": scorer.score(epoch).score,
            "quality": epoch.quality,
        }
        for k, epoch in enumerate(epochs)
    ]


def chest_rows(
    t: FloatArray,
    rr: FloatArray,
    gaps: BoolArray,
    art: BoolArray,
    epochs: Sequence[Epoch],
    epoch_s: float,
    origin: float,
    baseline: Baseline,
    chest: ChestRecording,
) -> list[dict[str, Any]]:
    """:func:`epoch_table`'s rows with a chest strap's ECG and accelerometer.

    Each epoch's activity decides whether movement withholds its stress
    (:class:`~companion.pipeline.chest.minutes.MovementHold`, the live rule); its breathing is
    fused from the heart rhythm, the ECG and the chest over the window
    :func:`epoch_breathing` reads (``resp_per_min`` is the fused rate).
    """
    window_s = max(MINUTE_WINDOW_S, epoch_s)
    good = [k for k, epoch in enumerate(epochs) if epoch.is_good]
    middles = np.asarray([epochs[k].start_s + epoch_s / 2.0 for k in good])
    rsa: list[BreathingEstimate | None] = [None] * len(epochs)
    for k, estimate in zip(good, _estimates(t, rr, gaps, art, middles, epoch_s), strict=True):
        rsa[k] = estimate
    scorer, hold = StressScorer(baseline), MovementHold()
    rows: list[dict[str, Any]] = []
    for k, epoch in enumerate(epochs):
        start_s, end_s = epoch.start_s, epoch.start_s + epoch_s
        acc_t, acc_xyz = chest.acc_window(start_s, end_s)
        activity = activity_in_window(acc_t, acc_xyz, start_s, end_s) if acc_t.size else None
        withheld = hold.update(activity, epoch.is_good)
        score = scorer.score(withheld_epoch(epoch, withheld) if withheld else epoch)
        fused = _fused(chest, rsa[k], start_s + epoch_s / 2.0, window_s)
        rows.append(
            {
                "start_s": round(epoch.start_s - origin, 3),
                "hr_bpm": _round(epoch.hr_bpm, 2),
                "rmssd_ms": _round(epoch.rmssd_ms, 2),
                "resp_per_min": _round(fused.rate_per_min, 2),
                "stress": score.score,
                "quality": epoch.quality,
                "activity": activity_json(activity),
                "respiration": respiration_json(fused),
            }
        )
    return rows


def _fused(
    chest: ChestRecording, rsa: BreathingEstimate | None, middle_s: float, window_s: float
) -> FusedBreathing:
    """The breathing of the window centred on ``middle_s``, from its three sources."""
    start_s, end_s = middle_s - window_s / 2.0, middle_s + window_s / 2.0
    acc_t, acc_xyz = chest.acc_window(start_s, end_s)
    ecg_t0, ecg_rate, ecg_uv = chest.ecg_run(start_s, end_s)
    beats = ecg_beats_or_none(ecg_uv, ecg_rate, ecg_t0)
    return chest_respiration(rsa, acc_t, acc_xyz, beats, start_s, end_s)


def respiration_sources(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The file's ``respiration.sources`` and ``used`` from its per-minute ``rows``
    (:func:`chest_rows`): each source's median rate and quality over the minutes it had a
    rate (null where it never had one), and the source used most often."""
    sources: dict[str, Any] = {}
    for name in ("rsa", "ecg", "chest"):
        seen = [
            row["respiration"]["sources"][name]
            for row in rows
            if row["respiration"]["sources"][name] is not None
            and row["respiration"]["sources"][name]["rate_per_min"] is not None
        ]
        sources[name] = (
            {
                "rate_per_min": _round(float(np.median([s["rate_per_min"] for s in seen])), 2),
                "quality": _round(float(np.median([s["quality"] for s in seen])), 3),
                "minutes": len(seen),
            }
            if seen
            else None
        )
    used = [row["respiration"]["used"] for row in rows if row["respiration"]["used"]]
    most = max(PREFERENCE, key=used.count) if used else None  # ties: the fusion's order
    return {"sources": sources, "used": most}


def epoch_breathing(
    t: FloatArray,
    rr: FloatArray,
    gaps: BoolArray,
    art: BoolArray,
    middles_s: npt.ArrayLike,
    epoch_s: float,
) -> list[float | None]:
    """Breathing rate around each epoch's middle, in breaths per minute (None when unknown).

    One window of ``max(60 s, epoch_s)`` centred on each middle, all at once
    (:func:`~signals.breathing.respiration.breathing_in_windows`). Artifact beats are
    left out, and the beat after each carries a gap: nothing is interpolated across
    a beat that was dropped.
    """
    return [estimate.rate_per_min for estimate in _estimates(t, rr, gaps, art, middles_s, epoch_s)]


def _estimates(
    t: FloatArray,
    rr: FloatArray,
    gaps: BoolArray,
    art: BoolArray,
    middles_s: npt.ArrayLike,
    epoch_s: float,
) -> list[BreathingEstimate]:
    """:func:`epoch_breathing`'s estimates, with their quality."""
    keep = ~art
    gap_before = gaps.copy()
    gap_before[1:] |= art[:-1]
    window_s = max(MINUTE_WINDOW_S, epoch_s)
    return list(
        breathing_in_windows(t[keep], rr[keep], gap_before[keep], middles_s, window_s=window_s)
    )


async def analyze_source(
    source: BeatSource,
    *,
    correct: bool = True,
    epoch_s: float | None = None,
    store: Store | None = None,
) -> dict[str, Any]:
    """The report of a whole source as a JSON-ready dict (keys as documented in the README)."""
    collector, pmd = RunCollector(), PmdCollector()
    await Pipeline(source_id=source.source_id, observers=[collector, pmd]).run(source)
    t, rr, gaps = collector.arrays()
    chest = pmd.recording()
    screen = screen_artifacts(rr, gaps)  # once, for the report, the baseline and the epochs
    report = report_beside(t, rr, gaps, correct, screen)  # on the second core for a long file
    baseline = _baseline(store, t, rr, gaps, collector.sessions, screen.flagged)
    epochs = None
    if epoch_s is not None:
        epochs = epoch_table(t, rr, gaps, epoch_s, baseline, screen.flagged, chest)
    out: dict[str, Any] = dict(report().to_json())
    if chest is not None:
        minutes = (
            epochs
            if epochs is not None and epoch_s == MINUTE_WINDOW_S
            else epoch_table(t, rr, gaps, MINUTE_WINDOW_S, baseline, screen.flagged, chest)
        )
        out["respiration"] = {**out.get("respiration", {}), **respiration_sources(minutes)}
    out["baseline"] = {
        "source": baseline.source,
        "hr_bpm": _round(baseline.hr_bpm, 2),
        "ln_rmssd": _round(baseline.ln_rmssd, 4),
    }
    if epochs is not None:
        out["epochs"] = epochs
    return out


def _baseline(
    store: Store | None,
    t: FloatArray,
    rr: FloatArray,
    gaps: BoolArray,
    sessions: Sequence[Session],
    art: BoolArray,
) -> Baseline:
    if store is not None and t.size:
        days = {local_day(float(t[0])), local_day(float(t[-1]))}
        stored = stored_baseline(store, max(days))
        if stored.is_personal:
            return stored
    return file_calm_baseline(t, rr, gaps, sessions, art)


def is_recording(path: Path) -> bool:
    """True when the file starts like a Holdspace recording."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
    except OSError:
        return False
    return b'"holdspace-recording"' in head or path.suffix == ".hsrec"
