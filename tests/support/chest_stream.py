"""Hand-built chest-strap streams for the motion tests: beats, accelerometer and ECG frames.

A helper sits still, then walks, then sits again. The accelerometer (50 Hz, as the H10
streams it by default) carries gravity, a few mg of breathing at 15 breaths/min and, while
walking, steps at 1.8 Hz; the heart rate rises *gradually* while walking (a ramp over two
minutes, too slow for the heart-rate-rise movement rule), so without the accelerometer the
walking minutes look like stress. Everything is seeded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from companion.pipeline.stage import SignalStage
from sensors.beats import Beat
from sensors.events import AccSamples, EcgSamples
from signals.scores.baseline import Baseline

__all__ = ["BASE", "T0", "ChestDay", "acc_frames", "chest_day", "ecg_frames", "run_stage"]

BASE: Final = Baseline("resting", 62.0, 4.0, 3.6, 0.3, 5, 1, "test")
"""A resting baseline of 62 bpm and ln RMSSD 3.6 that the stage scores against."""
T0: Final = 1_795_500_000.0
"""A whole minute (epoch seconds), so the stage's minutes start on it."""
ACC_HZ: Final = 50.0
ACC_FRAME: Final = 36
ECG_HZ: Final = 130.0
ECG_FRAME: Final = 73


@dataclass(frozen=True, slots=True)
class ChestDay:
    """A stream: beats, accelerometer frames, ECG frames, and the walking spells (s)."""

    beats: list[Beat]
    acc: list[AccSamples]
    ecg: list[EcgSamples]
    walks: list[tuple[float, float]]


def _walking(t_s: float, walks: Sequence[tuple[float, float]]) -> bool:
    return any(a <= t_s < b for a, b in walks)


def _hr_bpm(t_s: float, walks: Sequence[tuple[float, float]], rest_bpm: float) -> float:
    """Heart rate: rest, rising linearly by 50 bpm over 2 min of walking, easing after."""
    for a, b in walks:
        if a <= t_s < b:
            return rest_bpm + 50.0 * min(1.0, (t_s - a) / 120.0)
        if b <= t_s < b + 120.0:
            top = 50.0 * min(1.0, (b - a) / 120.0)
            return rest_bpm + top * (1.0 - (t_s - b) / 120.0)
    return rest_bpm


def acc_frames(
    start_s: float, end_s: float, walks: Sequence[tuple[float, float]], seed: int = 1
) -> list[AccSamples]:
    """Accelerometer frames of ``[start_s, end_s)``: gravity, breathing, steps while walking."""
    rng = np.random.default_rng(seed)
    t = start_s + np.arange(int((end_s - start_s) * ACC_HZ)) / ACC_HZ
    walk = np.array([_walking(float(s), walks) for s in t])
    breath = 6.0 * np.sin(2 * math.pi * 0.25 * t)
    x = 30.0 + 0.3 * breath + walk * 120.0 * np.sin(2 * math.pi * 0.9 * t)
    y = 80.0 + walk * 40.0 * np.sin(2 * math.pi * 1.8 * t + 1.0)
    z = 990.0 + breath + walk * 280.0 * np.sin(2 * math.pi * 1.8 * t)
    xyz = np.stack([x, y, z], axis=1) + rng.normal(0.0, 3.0, (t.size, 3))
    frames = []
    for k in range(0, t.size, ACC_FRAME):
        rows = xyz[k : k + ACC_FRAME].round().astype(int)
        samples = tuple((int(a), int(b), int(c)) for a, b, c in rows)
        arrival = float(t[min(k + ACC_FRAME, t.size) - 1]) + 0.05
        frames.append(AccSamples(arrival, float(t[k]), ACC_HZ, samples))
    return frames


def ecg_frames(beats: Sequence[Beat], start_s: float, end_s: float) -> list[EcgSamples]:
    """ECG frames: a narrow R wave (1 mV) at each beat, amplitude breathing at 15/min."""
    t = start_s + np.arange(int((end_s - start_s) * ECG_HZ)) / ECG_HZ
    x = np.zeros(t.size)
    for beat in beats:
        lo, hi = np.searchsorted(t, (beat.time_s - 0.1, beat.time_s + 0.45))
        near = t[lo:hi] - beat.time_s
        amp = 1000.0 * (1.0 + 0.1 * math.sin(2 * math.pi * 0.25 * beat.time_s))
        x[lo:hi] += amp * np.exp(-0.5 * (near / 0.012) ** 2)
        x[lo:hi] += 150.0 * np.exp(-0.5 * ((near - 0.25) / 0.04) ** 2)  # the T wave
    frames = []
    for k in range(0, t.size, ECG_FRAME):
        samples = tuple(int(v) for v in x[k : k + ECG_FRAME].round())
        arrival = float(t[min(k + ECG_FRAME, t.size) - 1]) + 0.05
        frames.append(EcgSamples(arrival, float(t[k]), ECG_HZ, samples))
    return frames


def chest_day(
    minutes: int = 30,
    walks: Sequence[tuple[float, float]] = ((600.0, 1080.0),),
    rest_bpm: float = 62.0,
    seed: int = 7,
) -> ChestDay:
    """``minutes`` from :data:`T0`; ``walks`` as offsets in seconds from it."""
    rng = np.random.default_rng(seed)
    spells = [(T0 + a, T0 + b) for a, b in walks]
    beats: list[Beat] = []
    t = T0 - 200.0
    while t < T0 + 60.0 * minutes:
        hr = _hr_bpm(t, spells, rest_bpm)
        rr = 60000.0 / hr * (1.0 + 0.04 * math.sin(2 * math.pi * 0.25 * t))
        rr += float(rng.normal(0.0, 8.0))
        t += rr / 1000.0
        beats.append(Beat(t, rr, not beats))
    end = T0 + 60.0 * minutes
    return ChestDay(beats, acc_frames(T0 - 200.0, end, spells), [], spells)


def run_stage(day: ChestDay, *, pmd: bool) -> SignalStage:
    """The stage over ``day``'s beats (and accelerometer frames when ``pmd``), in time order,
    finished."""
    stage = SignalStage(BASE, offload="inline")
    frames: Sequence[AccSamples] = day.acc if pmd else []
    k = 0
    for beat in day.beats:
        while k < len(frames) and frames[k].arrival_s <= beat.time_s:
            stage.on_event(frames[k])
            k += 1
        stage.on_beats((beat,), {})
    stage.on_stream_end(None)
    stage.finish()
    return stage
