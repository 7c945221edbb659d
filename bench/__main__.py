"""``make bench``: speed and size of the core, printed, never asserted.

1. Import and store the 22.6-h PhysioNet Holter day (``nsr001_rr_secs.txt``,
   first value is an offset) the way ``holdspace import`` does: seconds and beats/s.
2. Store size per day.
3. Write cost per beat as the day grows, with live-like batching (a flush per
   10 s of beats), hour by hour, against a baseline measured in the same run: the
   same batches into one TinyDB file per day with TinyDB's stock JSONStorage.
4. Replay of the committed heavy-day recording through the live decoder path.
5. A day as a user runs it: ``holdspace analyze --epochs 30`` and ``holdspace import``
   of the Holter day as whole processes against a NeuroKit2 loop (:mod:`bench.day_bench`).
6. Breathing rate against reference breaths, cross-validated (:mod:`bench.breathing_bench`).
7. Prompts on 20 generated heavy and 20 calm days (:mod:`bench.prompts_bench`).
8. Polar H10 ECG and chest accelerometer: strap against ECG, ECG-derived breathing
   against a belt, processing speed (:mod:`bench.ecg_bench`); decoding their frames
   (:mod:`bench.pmd_bench`).

Real data is read from ../shared/data; parts that need it are skipped when absent.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from tinydb import TinyDB
from tinydb.storages import JSONStorage

from companion.pipeline.runs import run_source
from companion.store.store import Store
from sensors.beats import Beat
from sensors.replay import ReplaySource
from sensors.rrfiles.importer import RRFileSource

ROOT: Final = Path(__file__).resolve().parents[1]
HOLTER: Final = ROOT.parent / "shared" / "data" / "holter-24h" / "nsr001_rr_secs.txt"
HEAVY: Final = ROOT / "fixtures" / "heavy-day.hsrec"
BASELINE_HOURS: Final = 4
START: Final = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)


def _batches(beats: Sequence[Beat], span_s: float = 10.0) -> list[list[Beat]]:
    out: list[list[Beat]] = []
    current: list[Beat] = []
    for beat in beats:
        current.append(beat)
        if beat.time_s - (current[0].time_s - current[0].rr_ms / 1000.0) >= span_s:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def bench_holter(work: Path) -> None:
    if not HOLTER.exists():
        print(f"[skip] Holter benchmark: {HOLTER} not available")
        return
    print(f"Holter day: {HOLTER.name}")
    t0 = time.perf_counter()
    source = RRFileSource(HOLTER, "rr-s", start=START, first_is_time=True)
    parsed_s = time.perf_counter() - t0
    n = len(source.imported.beats)
    hours = source.imported.duration_s / 3600.0
    data_dir = work / "import"
    with Store(data_dir) as store:
        t1 = time.perf_counter()
        summary = asyncio.run(run_source(source, store)).summary
        stored_s = time.perf_counter() - t1
        sizes = {day: store.file_sizes(day) for day in store.days()}
    total_s = parsed_s + stored_s
    print(f"  import: {n:,} beats over {hours:.1f} h")
    print(
        f"  parse {parsed_s:.2f} s + store {stored_s:.2f} s = {total_s:.2f} s, "
        f"{n / total_s:,.0f} beats/s"
    )
    print(f"  artifacts flagged: {summary.artifacts_fraction:.2%}")
    for day, size in sizes.items():
        print(f"  store size {day}: {size / 1e6:.2f} MB of beat files")
    print(f"  store size per beat: {sum(sizes.values()) / n:.1f} bytes")

    batches = _batches(source.imported.beats)
    print(f"  live-like writes: {len(batches):,} flushes of 10 s of beats")
    ours = _timed_batches(batches, work / "live")
    base = _timed_baseline(batches, work / "baseline")
    print("  cost per stored beat by hour of the day (µs/beat); baseline = one TinyDB file per day")
    print("   hour    ours   baseline   baseline/ours")
    for hour in sorted(ours):
        b = base.get(hour)
        ratio = f"{b / ours[hour]:8.1f}x" if b is not None else "       -"
        b_text = f"{b:9.1f}" if b is not None else "        -"
        print(f"   {hour:4d} {ours[hour]:7.1f} {b_text}   {ratio}")
    first, last = ours[min(ours)], ours[max(ours)]
    print(f"  ours, last hour / first hour: {last / first:.2f} (flat is ~1)")
    if base:
        print(
            f"  baseline, hour {max(base)} / hour {min(base)}: "
            f"{base[max(base)] / base[min(base)]:.2f} (grows with the day)"
        )


def _hour_of(batch: list[Beat]) -> int:
    return int((batch[0].time_s - START.timestamp()) // 3600)


def _timed_batches(batches: list[list[Beat]], data_dir: Path) -> dict[int, float]:
    per_hour: dict[int, list[float]] = {}
    with Store(data_dir) as store:
        for batch in batches:
            t = time.perf_counter()
            store.append_beats(batch, "bench")
            dt = time.perf_counter() - t
            per_hour.setdefault(_hour_of(batch), []).append(dt / len(batch))
    return {h: 1e6 * sum(v) / len(v) for h, v in per_hour.items()}


def _timed_baseline(batches: list[list[Beat]], data_dir: Path) -> dict[int, float]:
    data_dir.mkdir(parents=True)
    per_hour: dict[int, list[float]] = {}
    db = TinyDB(data_dir / "day.json", storage=JSONStorage)
    table = db.table("chunks")
    for batch in batches:
        hour = _hour_of(batch)
        if hour >= BASELINE_HOURS:
            break
        t = time.perf_counter()
        table.insert(
            {
                "t": [b.time_s for b in batch],
                "rr": [b.rr_ms for b in batch],
                "gap": [i for i, b in enumerate(batch) if b.gap_before],
            }
        )
        dt = time.perf_counter() - t
        per_hour.setdefault(hour, []).append(dt / len(batch))
    db.close()
    return {h: 1e6 * sum(v) / len(v) for h, v in per_hour.items()}


def bench_replay(work: Path) -> None:
    if not HEAVY.exists():
        print(f"[skip] replay benchmark: {HEAVY} missing (run `make fixtures`)")
        return
    print(f"Replay of {HEAVY.name} through the live decoder path, --fast")
    for label, store_dir in (("no store", None), ("into the store", work / "replay")):
        source = ReplaySource(HEAVY, speed=None)
        store = Store(store_dir) if store_dir is not None else None
        t = time.perf_counter()
        summary = asyncio.run(run_source(source, store)).summary
        dt = time.perf_counter() - t
        if store is not None:
            store.close()
        span_h = (summary.end_s or 0.0) - (summary.start_s or 0.0)
        print(
            f"  {label:15s} {summary.beats:,} beats in {dt:.2f} s: "
            f"{summary.beats / dt:,.0f} beats/s, {span_h / dt:,.0f}x real time"
        )


def main() -> None:
    from bench.breathing_bench import bench_breathing
    from bench.calendar_bench import bench_calendar
    from bench.crash_bench import bench_crash
    from bench.day_bench import bench_day
    from bench.ecg_bench import bench_ecg
    from bench.fuzz_bench import bench_fuzz
    from bench.motion_bench import bench_p2_pmd
    from bench.pmd_bench import bench_pmd
    from bench.prompts_bench import bench_prompts
    from bench.signals_bench import bench_p1, bench_p2
    from bench.soak_bench import bench_soak
    from bench.strap_bench import bench_strap
    from bench.tui_bench import bench_tui

    work = Path(tempfile.mkdtemp(prefix="holdspace-bench-"))
    try:
        bench_holter(work)
        bench_replay(work)
        bench_p1(work)
        bench_p2()
        bench_p2_pmd()
        bench_day(work)
        bench_breathing()
        bench_ecg()
        bench_pmd()
        bench_prompts(work)
        bench_strap()
        bench_tui(work)
        bench_fuzz()
        bench_calendar()
        bench_crash()
        bench_soak()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
