"""Issue 3 benchmarks: P1 the whole pipeline on a 22.6-h Holter day, P2 live per-beat cost.

P1 runs the Holter day, with eight scripted 50-min client sessions, through
import parsing, live artifact detection, rolling markers, minutes, stress,
load, prompts, session reports and the store, and compares it with what a
NeuroKit2 loop (``hrv_time`` + ``hrv_frequency`` on 5-min windows every 30 s)
would take, measured on a sample of windows in the same run and extrapolated.
P2 times each beat's update through the signal stage on the heavy fixture.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from bisect import bisect_left
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import numpy as np

from companion.pipeline.runs import RunOutcome, run_source
from companion.pipeline.stage import SignalStage
from companion.store.store import Store
from sensors.beats import beat_columns
from sensors.events import BeatsImported, Measurement, SessionEnded, SessionStarted, SourceEvent
from sensors.replay import ReplaySource
from sensors.rrfiles.importer import RRFileSource
from signals.hrv.frequency import frequency_domain
from signals.markers.window_markers import batch_markers
from signals.scores.baseline import NORMS

ROOT: Final = Path(__file__).resolve().parents[1]
HOLTER: Final = ROOT.parent / "shared" / "data" / "holter-24h" / "nsr001_rr_secs.txt"
HEAVY: Final = ROOT / "fixtures" / "heavy-day.hsrec"
START: Final = datetime(2026, 11, 3, 7, 0, tzinfo=UTC)
NK_SAMPLE_WINDOWS: Final = 40
REPEATS: Final = 3
"""Warm runs of our pipeline, and passes of the NeuroKit2 loop; the best of each counts."""


class ScheduledSource:
    """An imported file with eight 50-min client sessions from 09:00, 10 min apart."""

    def __init__(self, inner: RRFileSource) -> None:
        self.inner = inner
        self.source_id = inner.source_id + ":scheduled"
        self.description = inner.description
        day = START.replace(hour=9, minute=0)
        self.sessions = [
            (day + timedelta(hours=k), day + timedelta(hours=k, minutes=50)) for k in range(8)
        ]

    @property
    def progress(self) -> float | None:
        return self.inner.progress

    async def events(self) -> AsyncIterator[SourceEvent]:
        marks: list[tuple[float, SourceEvent]] = []
        for k, (a, b) in enumerate(self.sessions):
            marks.append((a.timestamp(), SessionStarted(a.timestamp(), "client", f"C-{k + 1:02d}")))
            marks.append((b.timestamp(), SessionEnded(b.timestamp())))
        async for event in self.inner.events():
            assert isinstance(event, BeatsImported)
            beats = event.beats
            times = beat_columns(beats).time_s
            start = 0
            while marks and marks[0][0] <= times[-1]:
                # The beats before the mark, then the mark (a session starts or ends).
                cut = bisect_left(times, marks[0][0], lo=start)
                if cut > start:
                    reasons = (
                        {0: event.gap_reasons[0]} if start == 0 and 0 in event.gap_reasons else {}
                    )
                    yield BeatsImported(beats[start:cut], reasons)
                    start = cut
                yield marks.pop(0)[1]
            if start < len(beats):
                yield BeatsImported(
                    beats[start:],
                    {0: event.gap_reasons[0]} if start == 0 and 0 in event.gap_reasons else {},
                )
        for _, event in marks:
            yield event


def bench_p1(work: Path) -> None:
    if not HOLTER.exists():
        print(f"[skip] P1: {HOLTER} not available")
        return
    print("P1  Holter day + 8 sessions through the whole pipeline")
    imported = RRFileSource(HOLTER, "rr-s", start=START, first_is_time=True).imported
    t, rr = imported.time_s, imported.rr_ms
    gaps = np.asarray(imported.beats.gap_before, dtype=np.bool_)
    ends = np.arange(t[0] + 300.0, t[-1], 30.0)
    pick = ends[np.linspace(0, ends.size - 1, NK_SAMPLE_WINDOWS).astype(int)]

    def ours() -> tuple[float, RunOutcome]:
        t0 = time.perf_counter()
        source = ScheduledSource(RRFileSource(HOLTER, "rr-s", start=START, first_is_time=True))
        with Store(work / f"p1-{time.perf_counter_ns()}") as store:
            outcome = asyncio.run(run_source(source, store, baseline=NORMS, offload="process"))
        return time.perf_counter() - t0, outcome

    # Both sides warm: the first run loads what the pipeline imports lazily
    # (SciPy's filters and spectra, the signal stage), a first NeuroKit2 pass
    # over a few windows loads NeuroKit2 and pandas. Then the two alternate,
    # so a slow spell of this shared machine hits both, and the best of each
    # counts (as timeit does: the least disturbed run).
    cold_s, outcome = ours()
    _neurokit_windows(t, rr, gaps, pick[:5])
    ours_runs: list[float] = []
    nk_runs: list[tuple[float, dict[str, float]]] = []
    for _ in range(REPEATS):
        ours_s, outcome = ours()
        ours_runs.append(ours_s)
        nk_runs.append(_neurokit_windows(t, rr, gaps, pick))
    ours_s = min(ours_runs)
    n = outcome.summary.beats
    assert outcome.stage is not None
    print(
        f"    ours: {ours_s:.2f} s for {n:,} beats ({n / ours_s:,.0f} beats/s), "
        f"{len(outcome.stage.minutes)} minutes, {len(outcome.stage.sessions)} session reports, "
        f"{len(outcome.stage.prompts)} prompts raised   [target <= 3 s]"
    )
    print(f"    warm runs: {', '.join(f'{x:.2f}' for x in ours_runs)} s (best counts)")
    print(f"    first run in this process, loading SciPy and the signal stage: {cold_s:.2f} s")
    nk_s, diffs = min(nk_runs, key=lambda run: run[0])
    per_window = [run[0] / pick.size for run in nk_runs]
    nk_total_s = nk_s / pick.size * ends.size
    print(
        f"    NeuroKit2 loop: {nk_s / pick.size * 1000:.0f} ms per window x {ends.size:,} windows "
        f"= {nk_total_s:.0f} s (best of {REPEATS} passes over {pick.size} windows, extrapolated;"
        f" passes {', '.join(f'{x * 1000:.0f}' for x in per_window)} ms per window)"
    )
    pairs = [w * ends.size / o for w, o in zip(per_window, ours_runs, strict=True)]
    print(
        f"    ratio NeuroKit2 / ours: {nk_total_s / ours_s:,.0f}x   [target >= 50x]"
        f" (run by run: {', '.join(f'{x:.0f}x' for x in pairs)})"
    )
    print(
        f"    same numbers: RMSSD max rel diff {diffs['rmssd']:.1e}, SDNN {diffs['sdnn']:.1e}, "
        f"mean NN {diffs['mean']:.1e}; LF/HF median rel diff {diffs['lfhf']:.1%} "
        "(NeuroKit2's own Welch defaults)"
    )


def _neurokit_windows(
    t: np.ndarray, rr: np.ndarray, gaps: np.ndarray, ends: np.ndarray
) -> tuple[float, dict[str, float]]:
    import neurokit2 as nk

    no_art = np.zeros(rr.size, dtype=bool)
    worst = {"rmssd": 0.0, "sdnn": 0.0, "mean": 0.0}
    lfhf: list[float] = []
    elapsed = 0.0
    for end in ends:
        sel = (t >= end - 300.0) & (t <= end)
        if gaps[sel][1:].any():
            continue
        rri = {"RRI": rr[sel], "RRI_Time": t[sel] - t[sel][0]}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            td = nk.hrv_time(rri)
            fd = nk.hrv_frequency(rri)
            elapsed += time.perf_counter() - start
        ours = batch_markers(t, rr, gaps, no_art, float(end), 300.0)
        for key, col, value in (
            ("rmssd", "HRV_RMSSD", ours.rmssd_ms),
            ("sdnn", "HRV_SDNN", ours.sdnn_ms),
            ("mean", "HRV_MeanNN", ours.mean_rr_ms),
        ):
            ref = float(td[col].iloc[0])
            worst[key] = max(worst[key], abs((value or 0.0) - ref) / ref)
        ours_f = frequency_domain(t[sel], rr[sel])
        ref_lfhf = float(fd["HRV_LFHF"].iloc[0])
        if ours_f.lf_hf and np.isfinite(ref_lfhf):
            lfhf.append(abs(ours_f.lf_hf - ref_lfhf) / ref_lfhf)
    worst["lfhf"] = float(np.median(lfhf)) if lfhf else float("nan")
    return elapsed, worst


def bench_p2() -> None:
    print("P2  live per-beat update through the signal stage (heavy fixture)")
    if not HEAVY.exists():
        print(f"[skip] P2: {HEAVY} missing")
        return

    async def events() -> list[SourceEvent]:
        return [e async for e in ReplaySource(HEAVY, speed=None).events()]

    stream = asyncio.run(events())
    stage = SignalStage(NORMS, offload="thread")
    costs: list[int] = []
    clock = time.perf_counter_ns
    for event in stream:
        stage.on_event(event)
        if isinstance(event, Measurement):
            for beat in event.beats:
                start = clock()
                stage.on_beats((beat,), {})
                costs.append(clock() - start)
    stage.on_stream_end(None)
    stage.finish()
    us = np.asarray(costs) / 1000.0
    print(
        f"    {us.size:,} beats: p50 {np.percentile(us, 50):.1f} us, "
        f"p99 {np.percentile(us, 99):.1f} us, max {us.max() / 1000:.1f} ms   [target p99 <= 1 ms]"
    )
