"""``holdspace analyze``: the HRV report of a whole file, with optional epochs.

Reads a recording or an RR file through the same sources as replay and
import (nothing is stored), computes the report of :mod:`signals.hrv.report`,
and, with ``epoch_s``, markers, breathing and stress per epoch. Stress is
measured against the stored personal baseline when there is one, else the
file's own calm periods, and ``baseline.source`` says which.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from companion.pipeline.baselines import file_calm_baseline, stored_baseline
from companion.pipeline.pipeline import Pipeline
from companion.pipeline.summary import RunCollector
from companion.sessions import Session
from companion.store.store import Store, local_day
from sensors.source import BeatSource
from signals.artifacts.batch import screen_artifacts
from signals.breathing.respiration import breathing_rate
from signals.epochs.batch import LONG_WINDOW_S, Epoch, judge_quality
from signals.hrv.report import hrv_report
from signals.markers.rolling import batch_markers
from signals.scores.baseline import Baseline
from signals.scores.stress import StressScorer

__all__ = ["analyze_source", "epoch_table"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def _window_epoch(
    t: FloatArray, rr: FloatArray, gaps: BoolArray, art: BoolArray, start_s: float, epoch_s: float
) -> Epoch:
    """Markers and quality of ``[start_s, start_s + epoch_s)`` (the live rules, any length)."""
    end_s = start_s + epoch_s
    inside = (t >= start_s) & (t < end_s)
    n = int(inside.sum())
    begin = np.maximum(t[inside] - rr[inside] / 1000.0, start_s)
    coverage = float(np.clip(np.sum(t[inside] - begin), 0.0, epoch_s) / epoch_s)
    art_fraction = float(art[inside].mean()) if n else 0.0
    short = batch_markers(t, rr, gaps, art, end_s, epoch_s)
    long = batch_markers(t, rr, gaps, art, end_s, max(LONG_WINDOW_S, epoch_s))
    quality, reason = judge_quality(n, coverage, art_fraction, short.n_diffs, epoch_s=epoch_s)
    return Epoch(
        start_s=start_s,
        n_beats=n,
        coverage=coverage,
        artifact_fraction=art_fraction,
        hr_bpm=short.mean_hr_bpm,
        rmssd_ms=short.rmssd_ms,
        ln_rmssd=short.ln_rmssd,
        rmssd_5min_ms=long.rmssd_ms,
        ln_rmssd_5min=long.ln_rmssd,
        hr_rise_bpm_30s=None,
        n_diffs=short.n_diffs,
        quality=quality,
        quality_reason=reason,
    )


def epoch_table(
    t: FloatArray,
    rr: FloatArray,
    gaps: BoolArray,
    epoch_s: float,
    baseline: Baseline,
) -> list[dict[str, Any]]:
    """Per-epoch markers, breathing and stress from the first beat's interval on."""
    if t.size == 0:
        return []
    art = screen_artifacts(rr, gaps).flagged
    origin = float(t[0] - rr[0] / 1000.0)
    scorer = StressScorer(baseline)
    rows = []
    for k in range(math.ceil((float(t[-1]) - origin) / epoch_s)):
        start = origin + k * epoch_s
        epoch = _window_epoch(t, rr, gaps, art, start, epoch_s)
        score = scorer.score(epoch)
        resp = None
        if epoch.is_good:
            middle = start + epoch_s / 2.0
            sel = (t >= middle - max(60.0, epoch_s / 2.0)) & (t < middle + max(60.0, epoch_s / 2.0))
            sel &= ~art
            if sel.sum() >= 40:
                resp = breathing_rate(t[sel], rr[sel], gaps[sel])
        rows.append(
            {
                "start_s": round(start - origin, 3),
                "hr_bpm": _round(epoch.hr_bpm, 2),
                "rmssd_ms": _round(epoch.rmssd_ms, 2),
                "resp_per_min": _round(resp, 2),
                "stress": score.score,
                "quality": epoch.quality,
            }
        )
    return rows


async def analyze_source(
    source: BeatSource,
    *,
    correct: bool = True,
    epoch_s: float | None = None,
    store: Store | None = None,
) -> dict[str, Any]:
    """The report of a whole source as a JSON-ready dict (keys as documented in the README)."""
    collector = RunCollector()
    await Pipeline(source_id=source.source_id, observers=[collector]).run(source)
    t, rr, gaps = collector.arrays()
    report = hrv_report(t, rr, gaps, correct=correct)
    baseline = _baseline(store, t, rr, gaps, collector.sessions)
    out: dict[str, Any] = dict(report.to_json())
    out["baseline"] = {
        "source": baseline.source,
        "hr_bpm": _round(baseline.hr_bpm, 2),
        "ln_rmssd": _round(baseline.ln_rmssd, 4),
    }
    if epoch_s is not None:
        out["epochs"] = epoch_table(t, rr, gaps, epoch_s, baseline)
    return out


def _baseline(
    store: Store | None,
    t: FloatArray,
    rr: FloatArray,
    gaps: BoolArray,
    sessions: Sequence[Session],
) -> Baseline:
    if store is not None and t.size:
        days = {local_day(float(t[0])), local_day(float(t[-1]))}
        stored = stored_baseline(store, max(days))
        if stored.is_personal:
            return stored
    return file_calm_baseline(t.tolist(), rr.tolist(), gaps.tolist(), sessions)


def is_recording(path: Path) -> bool:
    """True when the file starts like a Holdspace recording."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
    except OSError:
        return False
    return b'"holdspace-recording"' in head or path.suffix == ".hsrec"
