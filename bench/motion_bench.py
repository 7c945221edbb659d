"""P2-PMD: the live per-beat cost with a chest strap's ECG and accelerometer flowing (issue 19).

The first :data:`HOURS` of the heavy fixture go through the signal stage as live does
(``offload="thread"``), paced at :data:`SPEED` times real time, twice in one run:

- **baseline**: the beats alone (P2 of :mod:`bench.signals_bench`, paced);
- **PMD on**: the same beats with ECG (130 Hz, 73 samples a frame) and accelerometer
  (50 Hz, 36 samples a frame, a ten-minute walk each half hour) frames between them, as
  an H10 sends them. Each minute's activity is worked out on the beat path, its ECG
  (NeuroKit2) and chest breathing in the chest stage's worker process.

Printed: the per-beat cost (``SignalStage.on_beats``) p50/p99/max of both and their
ratio, the cost of taking a PMD frame (``on_event``), and whether the worker kept up:
how long after the stream's end its last minute was done. The frames are built here
(vectorised, seeded): a bench does not read test helpers.

Run: ``.venv/bin/python -m bench.motion_bench``.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from typing import Final

import numpy as np

from bench.signals_bench import HEAVY
from companion.pipeline.stage import SignalStage
from sensors.events import AccSamples, EcgSamples, Measurement, SourceEvent
from sensors.replay import ReplaySource
from signals.scores.baseline import NORMS

HOURS: Final = 1.0
"""Stream hours benchmarked (each pass takes HOURS * 3600 / SPEED s of wall time)."""
SPEED: Final = 100.0
"""Times real time the stream is fed at."""
ECG_HZ: Final = 130.0
ACC_HZ: Final = 50.0


def _stream_time(event: SourceEvent) -> float | None:
    return getattr(event, "arrival_s", None) or getattr(event, "at_s", None)


def _ecg_frames(beat_s: np.ndarray, start_s: float, end_s: float) -> list[EcgSamples]:
    """R waves (1 mV, breathing-modulated) at the beats, a T wave, noise; 73-sample frames."""
    rng = np.random.default_rng(19)
    t = start_s + np.arange(int((end_s - start_s) * ECG_HZ)) / ECG_HZ
    x = rng.normal(0.0, 15.0, t.size)
    idx = np.searchsorted(t, beat_s)
    for shift in range(-3, 40):
        k = idx + shift
        ok = (k >= 0) & (k < t.size)
        dt = t[k[ok]] - beat_s[ok]
        amp = 1000.0 * (1.0 + 0.1 * np.sin(2 * math.pi * 0.25 * beat_s[ok]))
        x[k[ok]] += amp * np.exp(-0.5 * (dt / 0.012) ** 2)
        x[k[ok]] += 150.0 * np.exp(-0.5 * ((dt - 0.25) / 0.04) ** 2)
    ints = x.round().astype(int).tolist()
    return [
        EcgSamples(
            float(t[min(k + 72, t.size - 1)]) + 0.03, float(t[k]), ECG_HZ, tuple(ints[k : k + 73])
        )
        for k in range(0, t.size, 73)
    ]


def _acc_frames(start_s: float, end_s: float) -> list[AccSamples]:
    """Gravity, breathing at 15/min and, ten minutes each half hour, steps at 1.8 Hz."""
    rng = np.random.default_rng(20)
    t = start_s + np.arange(int((end_s - start_s) * ACC_HZ)) / ACC_HZ
    walk = ((t - start_s) % 1800.0) >= 1200.0
    breath = 6.0 * np.sin(2 * math.pi * 0.25 * t)
    x = 30.0 + walk * 120.0 * np.sin(2 * math.pi * 0.9 * t)
    y = 80.0 + walk * 40.0 * np.sin(2 * math.pi * 1.8 * t + 1.0)
    z = 990.0 + breath + walk * 280.0 * np.sin(2 * math.pi * 1.8 * t)
    rows = (np.stack([x, y, z], axis=1) + rng.normal(0.0, 3.0, (t.size, 3))).round().astype(int)
    samples = [tuple(r) for r in rows.tolist()]
    return [
        AccSamples(
            float(t[min(k + 35, t.size - 1)]) + 0.03,
            float(t[k]),
            ACC_HZ,
            tuple(samples[k : k + 36]),
        )
        for k in range(0, t.size, 36)
    ]


def _paced(
    stream: Sequence[SourceEvent], speed: float
) -> tuple[list[int], list[int], float, SignalStage]:
    """Feed ``stream`` at ``speed`` times real time: per-beat and per-frame costs (ns), how
    long the worker took after the stream's end (s), and the stage."""
    stage = SignalStage(NORMS, offload="thread")
    beats: list[int] = []
    frames: list[int] = []
    clock = time.perf_counter_ns
    t0 = next(t for e in stream if (t := _stream_time(e)) is not None)
    wall0 = time.perf_counter()
    for event in stream:
        at = _stream_time(event)
        if at is not None:
            wait = wall0 + (at - t0) / speed - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
        if isinstance(event, EcgSamples | AccSamples):
            start = clock()
            stage.on_event(event)
            frames.append(clock() - start)
            continue
        stage.on_event(event)
        if isinstance(event, Measurement):
            for beat in event.beats:
                start = clock()
                stage.on_beats((beat,), {})
                beats.append(clock() - start)
    stage.on_stream_end(None)
    end = time.perf_counter()
    for minute in stage.minutes:
        minute.resp_per_min  # noqa: B018 (wait for the worker's minutes)
    drained = time.perf_counter() - end
    stage.finish()
    return beats, frames, drained, stage


def _line(name: str, ns: Sequence[int]) -> str:
    us = np.asarray(ns) / 1000.0
    return (
        f"    {name}: {us.size:,}, p50 {np.percentile(us, 50):.1f} us, "
        f"p99 {np.percentile(us, 99):.1f} us, max {us.max() / 1000:.1f} ms"
    )


def bench_p2_pmd(hours: float = HOURS, speed: float = SPEED) -> None:
    print(f"P2-PMD  live per-beat update with ECG + ACC flowing, {hours:g} h at {speed:g}x")
    if not HEAVY.exists():
        print(f"[skip] P2-PMD: {HEAVY} missing")
        return

    async def events() -> list[SourceEvent]:
        return [e async for e in ReplaySource(HEAVY, speed=None).events()]

    stream = asyncio.run(events())
    first = next(t for e in stream if (t := _stream_time(e)) is not None)
    stream = [e for e in stream if (_stream_time(e) or first) < first + hours * 3600.0]
    beat_s = np.asarray([b.time_s for e in stream if isinstance(e, Measurement) for b in e.beats])
    pmd: list[SourceEvent] = [*_ecg_frames(beat_s, first, first + hours * 3600.0)]
    pmd += _acc_frames(first, first + hours * 3600.0)
    with_pmd = sorted([*stream, *pmd], key=lambda e: _stream_time(e) or first)
    base, _, base_drain, _ = _paced(stream, speed)
    beats, frames, drained, stage = _paced(with_pmd, speed)
    p99_base = np.percentile(np.asarray(base), 99)
    p99_pmd = np.percentile(np.asarray(beats), 99)
    moving = sum(m.moving for m in stage.minutes)
    print(_line("baseline beats", base))
    print(_line("PMD-on   beats", beats) + "   [target p99 <= 1 ms]")
    print(f"    p99 ratio PMD-on / baseline: {p99_pmd / p99_base:.2f}")
    print(_line("PMD frames (on_event)", frames))
    span_min = hours * 60.0
    print(
        f"    worker: {len(stage.minutes)} minutes ({moving} moving); its last minute done "
        f"{drained:.2f} s after the stream's end (baseline {base_drain:.2f} s); "
        f"a minute of stream lasts {60.0 / speed:.2f} s at {speed:g}x "
        f"({span_min:.0f} min in {span_min * 60.0 / speed:.0f} s)"
    )


if __name__ == "__main__":
    bench_p2_pmd()
