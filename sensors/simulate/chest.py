"""The chest channels of a Polar H10-like strap: ECG and ACC framed as PMD notifications.

``holdspace simulate --pmd`` streams them as the strap of :mod:`sensors.simulate.strap`
would alongside its heart-rate packets:

* the host starts ECG, then ACC half a second later, one to three seconds after each
  connection (``pmd_start`` lines); nothing streams before, and a dropped link stops
  both with the last heart-rate packet before it;
* ECG frames of :data:`ECG_FRAME_SAMPLES` and ACC frames of :data:`ACC_FRAME_SAMPLES`
  (the H10's sizes at its negotiated MTU), each sent when its last sample is taken and
  arriving, like heart-rate packets, tens of milliseconds later;
* each frame's timestamp is that last sample's time on the strap's own clock, in
  nanoseconds since 2000-01-01 (the SDK's epoch), set a few seconds off and running up
  to :data:`SENSOR_CLOCK_PPM` fast or slow (a real crystal's tolerance), so a reader
  must map the sensor clock onto its own (:mod:`sensors.pmd.stream`).

References
----------
Polar. Polar Measurement Data Specification for 3rd Party (polarofficial/polar-ble-sdk,
``technical_documentation``), "Start Stream" and "Frame types".
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

import numpy as np

from sensors.pmd.control import ACC_SETTINGS, ECG_SETTINGS, PmdSettings
from sensors.pmd.frames import encode_acc_frame, encode_ecg_frame
from sensors.recording import RecordedPmdFrame, RecordedPmdStart
from sensors.simulate.noise import FloatArray
from sensors.simulate.scenarios import LinkPlan
from sensors.simulate.strap import IntArray, StrapTrack

__all__ = [
    "ACC_FRAME_SAMPLES",
    "ECG_FRAME_SAMPLES",
    "SENSOR_CLOCK_PPM",
    "FrameTable",
    "PmdTrack",
    "frame_pmd",
]

ECG_FRAME_SAMPLES: Final = 73
"""ECG samples per PMD frame: 10 + 73 * 3 = 229 bytes, what an H10 sends at its MTU of 232."""

ACC_FRAME_SAMPLES: Final = 36
"""ACC samples per PMD frame (16-bit): 10 + 36 * 6 = 226 bytes, as an H10 sends."""

SENSOR_CLOCK_PPM: Final = 20.0
"""The strap's crystal runs up to this many parts per million fast or slow."""

PMD_START_DELAY_S: Final = (1.0, 3.0)
"""After (re)connecting, the host starts ECG this long later (ACC half a second after it)."""

POLAR_EPOCH_S: Final = 946684800
"""2000-01-01T00:00:00Z in Unix seconds: the epoch of the H10's PMD timestamps."""


@dataclass(frozen=True, slots=True, eq=False)
class FrameTable:
    """The PMD frames of one measurement: frame ``k`` carries samples ``lo[k]:hi[k]``.

    Attributes
    ----------
    settings : the stream's settings.
    arrival_s : host arrival time of each frame, seconds after the start.
    lo, hi : sample slice of each frame.
    sensor_time_ns : each frame's timestamp (its last sample) on the strap's clock.
    """

    settings: PmdSettings
    arrival_s: FloatArray
    lo: IntArray
    hi: IntArray
    sensor_time_ns: IntArray


@dataclass(frozen=True, slots=True, eq=False)
class PmdTrack:
    """The ECG and ACC a PMD strap streams in one recording, ready to encode.

    Attributes
    ----------
    start_epoch_s : the recording start, seconds since the Unix epoch.
    ecg_uv : ECG samples from the recording start at 130 Hz, in µV.
    acc_mg : ``(n, 3)`` ACC samples from the recording start at 50 Hz, in mg.
    ecg, acc : their frames.
    starts : ``pmd_start`` events (epoch seconds), one per measurement and connection.
    sensor_clock_ppm : how fast the strap's clock runs, parts per million.
    """

    start_epoch_s: float
    ecg_uv: IntArray
    acc_mg: IntArray
    ecg: FrameTable
    acc: FrameTable
    starts: tuple[RecordedPmdStart, ...]
    sensor_clock_ppm: float

    def frames(self) -> Iterator[RecordedPmdFrame]:
        """Yield every frame lazily, in arrival order (epoch seconds, to 1 µs)."""
        start_s = self.start_epoch_s
        ecg, acc, acc_settings = self.ecg_uv, self.acc_mg, self.acc.settings

        def rows(table: FrameTable, kind: int) -> Iterator[tuple[float, int, int, int, int]]:
            yield from zip(
                table.arrival_s.tolist(),
                [kind] * len(table.arrival_s),
                table.lo.tolist(),
                table.hi.tolist(),
                table.sensor_time_ns.tolist(),
                strict=True,
            )

        merged = heapq.merge(rows(self.ecg, 0), rows(self.acc, 1))
        for arrival_s, kind, lo, hi, time_ns in merged:
            if kind == 0:
                payload = encode_ecg_frame(time_ns, ecg[lo:hi])
            else:
                payload = encode_acc_frame(time_ns, acc[lo:hi], acc_settings)
            yield RecordedPmdFrame(at_s=round(start_s + arrival_s, 6), payload=payload)


def _stream_frames(
    settings: PmdSettings,
    frame_samples: int,
    windows: list[tuple[float, float]],
    n_samples: int,
    sensor_ns: Callable[[FloatArray], IntArray],
    rng: np.random.Generator,
) -> FrameTable:
    """Frames of a stream sampled from time 0, live in each ``(start_s, stop_s)`` window."""
    rate_hz = float(settings.sample_rate_hz)
    lo_parts: list[IntArray] = []
    for start_s, stop_s in windows:
        first = math.ceil(start_s * rate_hz)
        last = min(n_samples, math.floor(stop_s * rate_hz) + 1)  # exclusive
        count = max(0, (last - first) // frame_samples)
        lo_parts.append(first + frame_samples * np.arange(count, dtype=np.int64))
    lo = np.concatenate(lo_parts) if lo_parts else np.zeros(0, dtype=np.int64)
    hi = lo + frame_samples
    taken_s = (hi - 1) / rate_hz
    latency_s = np.minimum(0.015 + rng.gamma(2.0, 0.012, size=len(lo)), 0.2)
    return FrameTable(settings, taken_s + latency_s, lo, hi, sensor_ns(taken_s))


def frame_pmd(
    ecg_uv: FloatArray,
    acc_mg: FloatArray,
    track: StrapTrack,
    link: LinkPlan,
    rng: np.random.Generator,
) -> PmdTrack:
    """Frame the ECG and ACC (sampled from the recording start) as a PMD strap streams them.

    Parameters
    ----------
    ecg_uv : ECG at :data:`~sensors.pmd.control.ECG_SETTINGS`'s rate, in µV (rounded here).
    acc_mg : ``(n, 3)`` ACC at :data:`~sensors.pmd.control.ACC_SETTINGS`'s rate, in mg (rounded).
    track : the heart-rate notifications: streaming stops with the last one before
        each disconnect, and restarts after each reconnection.
    link : the scripted disconnects.
    rng : the only source of randomness.
    """
    start_epoch_s = track.start_epoch_s
    ppm = float(rng.uniform(-SENSOR_CLOCK_PPM, SENSOR_CLOCK_PPM))
    base_ns = round((start_epoch_s - POLAR_EPOCH_S + rng.uniform(-5.0, 5.0)) * 1e9)

    def sensor_ns(t_s: FloatArray) -> IntArray:
        out: IntArray = base_ns + np.rint(t_s * (1.0 + ppm * 1e-6) * 1e9).astype(np.int64)
        return out

    connects = [0.0, *(float(end_s) for _, end_s in sorted(link.disconnects))]
    stops = [
        float(track.arrival_s[np.searchsorted(track.arrival_s, start_s) - 1])
        for start_s, _ in sorted(link.disconnects)
    ]
    duration_s = max(
        len(ecg_uv) / ECG_SETTINGS.sample_rate_hz, len(acc_mg) / ACC_SETTINGS.sample_rate_hz
    )
    stops.append(duration_s)
    ecg_windows: list[tuple[float, float]] = []
    acc_windows: list[tuple[float, float]] = []
    starts: list[RecordedPmdStart] = []
    for connect_s, stop_s in zip(connects, stops, strict=True):
        ecg_s = connect_s + float(rng.uniform(*PMD_START_DELAY_S))
        acc_s = ecg_s + 0.5
        starts.append(RecordedPmdStart(round(start_epoch_s + ecg_s, 6), ECG_SETTINGS))
        starts.append(RecordedPmdStart(round(start_epoch_s + acc_s, 6), ACC_SETTINGS))
        ecg_windows.append((ecg_s, stop_s))
        acc_windows.append((acc_s, stop_s))
    ecg_int = np.clip(np.rint(ecg_uv), -(2**23), 2**23 - 1).astype(np.int64)
    acc_int = np.clip(np.rint(acc_mg), -(2**15), 2**15 - 1).astype(np.int64)
    return PmdTrack(
        start_epoch_s=start_epoch_s,
        ecg_uv=ecg_int,
        acc_mg=acc_int,
        ecg=_stream_frames(
            ECG_SETTINGS, ECG_FRAME_SAMPLES, ecg_windows, len(ecg_int), sensor_ns, rng
        ),
        acc=_stream_frames(
            ACC_SETTINGS, ACC_FRAME_SAMPLES, acc_windows, len(acc_int), sensor_ns, rng
        ),
        starts=tuple(starts),
        sensor_clock_ppm=ppm,
    )
