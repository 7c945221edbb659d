"""Breathing rate from RR against reference breaths: MARSH and BIDMC, leave-one-subject-out CV.

Run alone with ``python -m bench.breathing_bench`` (``python -m bench`` calls it too).

Per dataset (``../shared/data/marsh-resp``, ``../shared/data/bidmc-icu-resp``;
beat times = ``first_rpeak_s`` + cumulative RR, raw RR as stored), each
reference 60-s window ``[start, start + 60)`` of ``windows_60s.csv`` is scored:

(a) the shipped estimator, :func:`signals.breathing.respiration.breathing_in_windows`,
    with its parameters chosen by leave-one-subject-out cross-validation: for
    each held-out recording, the set of :data:`GRID` with the least cost on the
    other recordings (cost per window: the absolute error when a rate is given,
    :data:`REFUSAL_COST_PER_MIN` when refused) scores the held-out one; the pooled
    held-out figures are reported, then the choice on all recordings;
(b) the plainest estimator: the highest point of the RR spectrum
    (:func:`signals.hrv.frequency.rr_spectrum` over the window) in 0.1–0.5 Hz;
(c) the former estimator (HF-band maximum with a slow-band test, one 120-s
    Welch window centred on the window), kept here as a baseline.

Figures: MAE over the windows with a rate, share of them within 2 breaths/min,
MAE and count per reference band (< 10, 10–18, > 18/min), coverage (share of
windows with a rate).
"""

from __future__ import annotations

import csv
import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from signals.breathing.respiration import (
    BREATHING_PARAMS,
    BreathingParams,
    breathing_in_window,
    breathing_in_windows,
)
from signals.hrv.frequency import rr_spectrum

FloatArray = npt.NDArray[np.float64]

DATA: Final = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DATASETS: Final = ("marsh-resp", "bidmc-icu-resp")
HOLTER: Final = DATA / "holter-24h" / "nsr001_rr_secs.txt"
REF_WINDOW_S: Final = 60.0
REFUSAL_COST_PER_MIN: Final = 2.0
"""Cost of a refused window in the CV objective, in breaths/min (the 'within 2' tolerance)."""
GRID: Final = tuple(
    BreathingParams(low, thr, tol)
    for low, thr, tol in itertools.product((0.08, 0.1), (0.15, 0.2, 0.3), (2.5, 3.0, 4.0))
)
"""The parameter sets searched by cross-validation."""
BANDS: Final = ((0.0, 10.0), (10.0, 18.0), (18.0, np.inf))
PLAIN_BAND_HZ: Final = (0.1, 0.5)


@dataclass(frozen=True, slots=True)
class Recording:
    """One recording: beats and its reference windows."""

    name: str
    time_s: FloatArray
    rr_ms: FloatArray
    start_s: FloatArray
    ref_per_min: FloatArray


@dataclass(frozen=True, slots=True)
class Scores:
    """Agreement of window rates with the reference (module docstring)."""

    mae_per_min: float
    within_2_share: float
    band_mae_per_min: tuple[float, ...]
    band_n: tuple[int, ...]
    coverage: float
    n_windows: int


def load_dataset(folder: Path) -> tuple[Recording, ...]:
    """The recordings of a breathing-rate set (``../shared/data/README.md``)."""
    with (folder / "recordings.csv").open() as f:
        first = {r["record"]: float(r["first_rpeak_s"]) for r in csv.DictReader(f)}
    with (folder / "windows_60s.csv").open() as f:
        rows = list(csv.DictReader(f))
    out = []
    for name, offset in first.items():
        rr = np.loadtxt(folder / f"{name}_rr_ms.txt", dtype=np.float64, ndmin=1)
        mine = [r for r in rows if r["record"] == name]
        out.append(
            Recording(
                name,
                offset + np.cumsum(rr) / 1000.0,
                rr,
                np.array([float(r["start_s"]) for r in mine]),
                np.array([float(r["ref_rate_bpm"]) for r in mine]),
            )
        )
    return tuple(out)


def shipped_rates(rec: Recording, params: BreathingParams = BREATHING_PARAMS) -> FloatArray:
    """Rates of the shipped estimator per reference window (NaN where refused)."""
    centres = rec.start_s + REF_WINDOW_S / 2.0
    found = breathing_in_windows(
        rec.time_s, rec.rr_ms, None, centres, window_s=REF_WINDOW_S, params=params
    )
    return np.array([np.nan if e.rate_per_min is None else e.rate_per_min for e in found])


def plain_rates(rec: Recording) -> FloatArray:
    """Highest point of the window's RR spectrum in 0.1–0.5 Hz, per reference window."""
    out = np.full(rec.start_s.size, np.nan)
    for i, start in enumerate(rec.start_s):
        sel = (rec.time_s >= start) & (rec.time_s < start + REF_WINDOW_S)
        spec = rr_spectrum(
            rec.time_s[sel], rec.rr_ms[sel], window_s=REF_WINDOW_S, min_stretch_s=30.0
        )
        if spec is None:
            continue
        f = spec.frequency_hz
        band = (f >= PLAIN_BAND_HZ[0]) & (f <= PLAIN_BAND_HZ[1])
        out[i] = 60.0 * f[band][np.argmax(spec.psd_ms2_per_hz[band])]
    return out


def _old_from_spectrum(f: FloatArray, p: FloatArray) -> float:
    """The former rule: HF-band maximum unless a dominant slow peak; centroid ±0.05 Hz."""

    def peak(lo: float, hi: float) -> int:
        inside = np.flatnonzero((f >= lo - 1e-9) & (f <= hi + 1e-9))
        inner = inside[(inside > 0) & (inside < p.size - 1)]
        peaks = inner[(p[inner] > p[inner - 1]) & (p[inner] >= p[inner + 1])]
        pool = peaks if peaks.size else inside
        return int(pool[np.argmax(p[pool])])

    def near(k: int, half: float, lo: float, hi: float) -> npt.NDArray[np.bool_]:
        return np.asarray((np.abs(f - f[k]) <= half + 1e-9) & (f >= lo - 1e-9) & (f <= hi + 1e-9))

    k_usual, k_slow = peak(0.15, 0.4), peak(0.08, 0.15)
    total = float(p[(f >= 0.04) & (f <= 0.5)].sum())
    slow_power = float(p[near(k_slow, 0.02, 0.04, 0.5)].sum())
    usual_power = float(p[near(k_usual, 0.02, 0.04, 0.5)].sum())
    slow = total > 0 and slow_power >= 0.6 * total and slow_power >= 2.0 * usual_power
    sel = near(k_slow if slow else k_usual, 0.05, 0.05, 0.5)
    return float(60.0 * np.sum(f[sel] * p[sel]) / max(float(p[sel].sum()), 1e-300))


def old_rates(rec: Recording, window_s: float = 120.0) -> FloatArray:
    """The former per-minute estimator: a 120-s window centred on each reference window."""
    out = np.full(rec.start_s.size, np.nan)
    t = rec.time_s
    latest = max(float(t[0]), float(t[-1]) - window_s)
    for i, start in enumerate(rec.start_s):
        left = min(max(start + (REF_WINDOW_S - window_s) / 2.0, float(t[0])), latest)
        sel = (t > left) & (t <= left + window_s)
        spec = rr_spectrum(t[sel], rec.rr_ms[sel], window_s=window_s, min_stretch_s=60.0)
        if spec is not None:
            out[i] = _old_from_spectrum(spec.frequency_hz, spec.psd_ms2_per_hz)
    return out


def score(rates: FloatArray, ref: FloatArray) -> Scores:
    """Figures of the module docstring for pooled window rates."""
    given = ~np.isnan(rates)
    err = np.abs(rates[given] - ref[given])
    r = ref[given]
    masks = [(r >= lo) & (r < hi) if lo else r < hi for lo, hi in BANDS]
    masks[1] = (r >= 10.0) & (r <= 18.0)
    masks[2] = r > 18.0
    return Scores(
        mae_per_min=float(err.mean()) if err.size else float("nan"),
        within_2_share=float(np.mean(err <= 2.0)) if err.size else float("nan"),
        band_mae_per_min=tuple(float(err[m].mean()) if m.any() else float("nan") for m in masks),
        band_n=tuple(int(m.sum()) for m in masks),
        coverage=float(given.mean()) if given.size else 0.0,
        n_windows=int(ref.size),
    )


def _cost(rates: FloatArray, ref: FloatArray) -> float:
    return float(np.where(np.isnan(rates), REFUSAL_COST_PER_MIN, np.abs(rates - ref)).sum())


@dataclass(frozen=True, slots=True)
class CrossValidation:
    """Leave-one-subject-out result: pooled held-out rates, per-fold and full choices."""

    rates: FloatArray
    fold_choices: tuple[BreathingParams, ...]
    full_choice: BreathingParams


def cross_validate(
    recs: Sequence[Recording], grid: Sequence[BreathingParams] = GRID
) -> CrossValidation:
    """Leave-one-recording-out choice of parameters (module docstring, (a))."""
    table = [[shipped_rates(rec, params) for params in grid] for rec in recs]
    return leave_one_out(table, [rec.ref_per_min for rec in recs], grid)


def leave_one_out(
    table: Sequence[Sequence[FloatArray]],
    refs: Sequence[FloatArray],
    grid: Sequence[BreathingParams],
) -> CrossValidation:
    """Each recording's rates with the parameters the other recordings chose.

    ``table[i][j]`` holds recording ``i``'s per-window rates with ``grid[j]`` (NaN where
    refused), ``refs[i]`` its reference rates; the cost is absolute error, a refused window
    costing :data:`REFUSAL_COST_PER_MIN`.
    """
    costs = np.array([[_cost(r, ref) for r in row] for row, ref in zip(table, refs, strict=True)])
    held_out, choices = [], []
    for i in range(len(table)):
        j = int(np.argmin(costs.sum(axis=0) - costs[i]))
        choices.append(grid[j])
        held_out.append(table[i][j])
    full = grid[int(np.argmin(costs.sum(axis=0)))]
    return CrossValidation(np.concatenate(held_out), tuple(choices), full)


def _row(label: str, s: Scores) -> str:
    bands = "  ".join(
        f"{m:5.2f} ({n:3d})" for m, n in zip(s.band_mae_per_min, s.band_n, strict=True)
    )
    return (
        f"  {label:28s} {s.mae_per_min:5.2f} {100 * s.within_2_share:6.1f} %  {bands}"
        f"  {100 * s.coverage:5.1f} %"
    )


def _pooled(recs: Sequence[Recording], rates: Callable[[Recording], FloatArray]) -> FloatArray:
    return np.concatenate([rates(rec) for rec in recs])


def bench_dataset(name: str) -> None:
    """Print the table of one dataset (skipped when absent)."""
    folder = DATA / name
    if not folder.exists():
        print(f"[skip] breathing benchmark: {folder} not available")
        return
    recs = load_dataset(folder)
    ref = np.concatenate([rec.ref_per_min for rec in recs])
    cv = cross_validate(recs)
    same = sum(c == cv.full_choice for c in cv.fold_choices)
    print(f"Breathing rate from RR, {name}: {len(recs)} recordings, {ref.size} windows of 60 s")
    print(f"  {'estimator':28s}   MAE  within 2  MAE <10 (n)  10-18 (n)    >18 (n)   coverage")
    shipped = _pooled(recs, shipped_rates)
    plain = _pooled(recs, plain_rates)
    print(_row("LOSO-CV on this set", score(cv.rates, ref)))
    print(_row("shipped constants", score(shipped, ref)))
    print(_row("plainest (peak 0.1-0.5 Hz)", score(plain, ref)))
    print(
        _row("plainest, shipped's windows", score(np.where(np.isnan(shipped), np.nan, plain), ref))
    )
    print(_row("former (HF max, 120 s)", score(_pooled(recs, old_rates), ref)))
    print(f"  CV choice on all recordings: {cv.full_choice}; same in {same}/{len(recs)} folds")
    print(f"  shipped: {BREATHING_PARAMS}")


def _holter_day() -> tuple[FloatArray, FloatArray]:
    """The 22.6-h Holter day (first value an offset, then RR in seconds), or a synthetic one."""
    if HOLTER.exists():
        values = np.loadtxt(HOLTER, dtype=np.float64)
        rr = values[1:] * 1000.0
        return values[0] + np.cumsum(rr) / 1000.0, rr
    rng = np.random.default_rng(7)
    beats = np.arange(106_000)
    rr = 800.0 + 40.0 * np.sin(beats * 0.4 * np.pi) + rng.normal(0.0, 8.0, beats.size)
    return np.cumsum(rr) / 1000.0, rr


def bench_speed() -> None:
    """Batched windows (30-s epochs) against the per-window reference on a day of beats."""
    t, rr = _holter_day()
    centres = np.arange(t[0] + 15.0, t[-1], 30.0)
    t0 = time.perf_counter()
    found = breathing_in_windows(t, rr, None, centres)
    batched_s = time.perf_counter() - t0
    sample = centres[:: max(1, centres.size // 50)]
    t1 = time.perf_counter()
    for c in sample:
        breathing_in_window(t, rr, None, float(c))
    plain_s = (time.perf_counter() - t1) * centres.size / sample.size
    rated = sum(e.rate_per_min is not None for e in found) / len(found)
    hours = (t[-1] - t[0]) / 3600.0
    print(f"Breathing in {centres.size:,} windows of 60 s over {rr.size:,} beats ({hours:.1f} h):")
    print(
        f"  batched {batched_s:.3f} s; per-window reference (extrapolated from "
        f"{sample.size}) {plain_s:.1f} s: {plain_s / batched_s:.0f}x; {100 * rated:.0f} % rated"
    )


def bench_breathing() -> None:
    """All breathing tables and the speed line."""
    for name in DATASETS:
        bench_dataset(name)
    bench_speed()


if __name__ == "__main__":
    bench_breathing()
