"""All-day soak: a generated 24-h recording replayed through the live path, TUI included.

1. A 24-h recording is made in a temp dir from our own workday generator
   (:mod:`sensors.simulate`), no real data: seeded heavy, calm and heavy days
   chained end to end (a one-minute link loss between them), cut at 24 h, an open
   session ended at the cut. About 120k beats, one packet a second, ~30 sessions.
2. It is replayed as fast as possible (``speed=None``) through the live path the
   screen uses: :class:`~tui.app.HoldspaceApp` headless under the Pilot
   (``run_test``), its ``feed`` worker running ``LiveSession.replay`` (decoder,
   pipeline, signal stage, store, and the feed messages the live screen draws),
   with a :class:`~sensors.clock.ManualClock` so store flushes are paced by beat
   time only (every 10 s of beats), the same in every run. Prompt dialogs that pop
   up stay open; they do not hold the feed.
3. Measured while it runs:

   * RSS of the process (current, ``/proc/self/statm``; peak RSS from
     ``getrusage`` where /proc is missing), sampled at each source hour;
   * per-beat latency: the wall time of ``Pipeline.handle`` for each strap packet
     that carries beats (every observer: signal stage, TUI bridge, and the store
     write when a flush falls due), divided by its beats. Decoding the packet and
     drawing the screen are not in it (the decoder runs in the source before
     ``handle``; the screen draws from queued messages).

Printed: beats, source hours, wall time and speed, RSS after the first source hour
and at the end with the growth, and the per-beat p99 of the first and the last
source hour with their ratio. Numbers only, never asserted.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import resource
import sys
import tempfile
import time
from array import array
from collections.abc import Iterator
from datetime import UTC, date
from pathlib import Path
from typing import Any, Final

import numpy as np

from companion.pipeline.pipeline import Pipeline
from companion.store.store import Store
from sensors.clock import ManualClock
from sensors.events import Disconnected, Measurement, SessionEnded, SessionStarted, SourceEvent
from sensors.recording import RecordingHeader, RecordLine, write_recording
from sensors.simulate import GENERATOR_NAME, GENERATOR_VERSION, simulate_recording

SOAK_HOURS: Final = 24.0
SOAK_SEED: Final = 24
SOAK_DAY: Final = date(2026, 11, 23)
SEGMENTS: Final = ("heavy", "calm", "heavy")
SEGMENT_GAP_S: Final = 60.0
RSS_TARGET_MB: Final = 50.0
SIZE: Final = (110, 40)
MB: Final = 1024.0 * 1024.0


def _shifted(event: RecordLine, offset_s: float) -> RecordLine:
    return dataclasses.replace(event, at_s=round(event.at_s + offset_s, 6))


def soak_recording(path: Path, hours: float = SOAK_HOURS, seed: int = SOAK_SEED) -> int:
    """Write a seeded ``hours``-long recording to ``path``; return its number of events.

    Whole simulated days are chained: each next day starts :data:`SEGMENT_GAP_S`
    after the last event of the one before, after a link loss.
    """
    first: RecordingHeader | None = None
    start_s = 0.0
    events: list[RecordLine] = []
    for k, scenario in enumerate(SEGMENTS):
        header, day = simulate_recording(scenario, seed=seed + k, day=SOAK_DAY, tz=UTC)
        if first is None:
            first, start_s, offset_s = header, day[0].at_s, 0.0
        else:
            last_s = events[-1].at_s
            events.append(Disconnected(round(last_s + 1.0, 6), reason="soak: next day"))
            offset_s = last_s + SEGMENT_GAP_S - day[0].at_s
        events.extend(_shifted(event, offset_s) for event in day)
    assert first is not None
    end_s = start_s + hours * 3600.0
    kept = [event for event in events if event.at_s <= end_s]
    opened = [e for e in kept if isinstance(e, SessionStarted | SessionEnded)]
    if opened and isinstance(opened[-1], SessionStarted):
        kept.append(SessionEnded(kept[-1].at_s, heavy=None))
    header = dataclasses.replace(
        first,
        recording_id=f"soak-{hours:g}h-seed{seed}",
        generator={
            "name": GENERATOR_NAME,
            "version": GENERATOR_VERSION,
            "scenario": "+".join(SEGMENTS),
            "seed": seed,
            "hours": hours,
        },
        truth={},
    )
    return write_recording(path, header, kept)


def _rss_bytes() -> int:
    """Current resident set size; the peak where /proc is missing."""
    try:
        with Path("/proc/self/statm").open(encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


class _Probe:
    """Times ``Pipeline.handle`` per beat-carrying packet; samples RSS each source hour."""

    def __init__(self) -> None:
        # Packed doubles: the probe's own bookkeeping should weigh little in the RSS it reports.
        self.at_s = array("d")
        self.per_beat_s = array("d")
        self.beats = 0
        self.rss: list[tuple[float, int]] = []  # (source hours since start, bytes)
        self.start_s: float | None = None
        self.started_wall = 0.0
        self.rss_at_start = 0
        self.ended_wall = 0.0
        self.rss_at_end = 0
        self._next_hour = 1

    @contextlib.contextmanager
    def timing(self) -> Iterator[None]:
        original = Pipeline.handle
        probe = self

        def handle(pipeline: Pipeline, event: SourceEvent) -> None:
            if pipeline.store is None or not isinstance(event, Measurement) or not event.beats:
                original(pipeline, event)  # the baseline's read-ahead stores nothing: not timed
                return
            t0 = time.perf_counter()
            original(pipeline, event)
            elapsed = time.perf_counter() - t0
            probe.note(event.arrival_s, elapsed, len(event.beats))

        setattr(Pipeline, "handle", handle)  # noqa: B010 - the live path, measured in place
        try:
            yield
        finally:
            setattr(Pipeline, "handle", original)  # noqa: B010

    def note(self, at_s: float, elapsed_s: float, beats: int) -> None:
        if self.start_s is None:
            self.start_s = at_s
            self.started_wall = time.perf_counter()
            self.rss_at_start = _rss_bytes()
        self.at_s.append(at_s)
        self.per_beat_s.append(elapsed_s / beats)
        self.beats += beats
        hours = (at_s - self.start_s) / 3600.0
        if hours >= self._next_hour:
            self.rss.append((hours, _rss_bytes()))
            self._next_hour = int(hours) + 1


async def _replay(path: Path, data_dir: Path, probe: _Probe) -> None:
    from tui.app import HoldspaceApp

    store = Store(data_dir)
    try:
        app = HoldspaceApp(
            lambda live: live.replay(path, speed=None), store=store, clock=ManualClock(1000.0)
        )
        async with app.run_test(size=SIZE) as pilot:
            feed: list[Any] = []
            while not feed:  # the run starts after the first frame
                await pilot.pause()
                feed = [w for w in app.workers if w.name == "feed"]
            await feed[0].wait()
            await pilot.pause()  # the screen takes in what the feed queued
            probe.ended_wall = time.perf_counter()
            probe.rss_at_end = _rss_bytes()
            await app.action_quit()
    finally:
        store.close()


def _p99_us(values: list[float]) -> float:
    return float(np.percentile(np.asarray(values), 99)) * 1e6 if values else float("nan")


def bench_soak() -> None:
    print(f"Soak: a generated {SOAK_HOURS:g}-h recording replayed through the live path (TUI)")
    with tempfile.TemporaryDirectory(prefix="holdspace-soak-") as tmp:
        work = Path(tmp)
        path = work / "soak.hsrec"
        t0 = time.perf_counter()
        events = soak_recording(path)
        print(
            f"    recording: {events} events, {path.stat().st_size / MB:.1f} MB, "
            f"made in {time.perf_counter() - t0:.1f} s"
        )
        probe = _Probe()
        rss_before = _rss_bytes()
        t0 = time.perf_counter()
        with probe.timing():
            asyncio.run(_replay(path, work / "store", probe))
        total_s = time.perf_counter() - t0
        rss_after = _rss_bytes()
    if probe.start_s is None or not probe.at_s:
        print("    no beats went through the pipeline")
        return
    span_h = (probe.at_s[-1] - probe.start_s) / 3600.0
    wall_s = probe.ended_wall - probe.started_wall
    print(
        f"    {probe.beats} beats, {span_h:.1f} source hours in {wall_s:.1f} s wall "
        f"({span_h * 3600.0 / wall_s:.0f}x real time); {total_s:.1f} s with app start, "
        f"the baseline's read-ahead of the file and quitting"
    )
    rss_start = probe.rss[0][1] if probe.rss else probe.rss_at_start
    growth = (probe.rss_at_end - rss_start) / MB
    print(
        f"    RSS: {rss_before / MB:.0f} MB before the app, {probe.rss_at_start / MB:.0f} MB at "
        f"the first live beat, {rss_start / MB:.0f} MB after the first source hour, "
        f"{probe.rss_at_end / MB:.0f} MB at the end of the feed, "
        f"{rss_after / MB:.0f} MB after quitting"
    )
    hourly = ", ".join(f"{rss / MB:.0f}" for _, rss in probe.rss)
    print(f"    RSS per source hour (MB): {hourly}")
    print(f"    soak RSS growth over 24 h: {growth:+.1f} MB   [target <= {RSS_TARGET_MB:.0f} MB]")
    at = np.asarray(probe.at_s)
    per_beat = np.asarray(probe.per_beat_s)
    first = per_beat[at < probe.start_s + 3600.0].tolist()
    last = per_beat[at >= probe.at_s[-1] - 3600.0].tolist()
    p_first, p_last = _p99_us(first), _p99_us(last)
    print(
        f"    per-beat p99 (Pipeline.handle / beats): first source hour {p_first:.0f} us, "
        f"last source hour {p_last:.0f} us, ratio {p_last / p_first:.2f}"
    )
    print(f"    per-beat median over the day: {float(np.median(per_beat)) * 1e6:.0f} us")
