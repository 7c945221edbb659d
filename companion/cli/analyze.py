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
from companion.pipeline.offload import report_beside
from companion.pipeline.pipeline import Pipeline
from companion.pipeline.summary import RunCollector
from companion.sessions import Session
from companion.store.store import Store
from companion.store.types import local_day
from sensors.source import BeatSource
from signals.artifacts.batch import screen_artifacts
from signals.breathing.respiration import MINUTE_WINDOW_S, breathing_in_windows
from signals.epochs.windows import window_epochs
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
) -> list[dict[str, Any]]:
    """Per-epoch markers, breathing and stress from the first beat's interval on.

    ``art`` flags the artifact beats (default: :func:`screen_artifacts` of the beats).
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
    keep = ~art
    gap_before = gaps.copy()
    gap_before[1:] |= art[:-1]
    window_s = max(MINUTE_WINDOW_S, epoch_s)
    estimates = breathing_in_windows(
        t[keep], rr[keep], gap_before[keep], middles_s, window_s=window_s
    )
    return [estimate.rate_per_min for estimate in estimates]


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
    screen = screen_artifacts(rr, gaps)  # once, for the report, the baseline and the epochs
    report = report_beside(t, rr, gaps, correct, screen)  # on the second core for a long file
    baseline = _baseline(store, t, rr, gaps, collector.sessions, screen.flagged)
    epochs = None
    if epoch_s is not None:
        epochs = epoch_table(t, rr, gaps, epoch_s, baseline, screen.flagged)
    out: dict[str, Any] = dict(report().to_json())
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
