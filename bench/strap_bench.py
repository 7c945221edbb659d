"""Issue 4 benchmarks: the emulated BLE path, notification to stored beat.

S1 runs the heavy fixture's first hours from the emulated strap, over the
virtual radio and Bleak, through the supervisor, pipeline, signal stage and
store, and times each notification from the moment the strap sends it to
(a) its beats reaching the pipeline's observers and (b) its beats being in
the store (which batches ten seconds of beats per write, by design). S2 plays
the same stretch at rising speeds and reports the highest the path sustains
without falling behind (the strap's send lag stays under a second of strap
time at the 99th percentile).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np

from companion.pipeline.listener import RunListener
from companion.pipeline.runs import run_source
from companion.store.store import Store
from sensors.beats import Beat, GapReason
from sensors.ble.link import ReconnectPolicy
from sensors.ble.supervisor import StrapSupervisor
from sensors.emulated.radio import VirtualRadio
from sensors.emulated.script import StrapScript
from sensors.emulated.strap import EmulatedStrap
from sensors.events import Measurement, SourceEvent
from sensors.recording import RecordedPacket
from signals.scores.baseline import NORMS

ROOT: Final = Path(__file__).resolve().parents[1]
HEAVY: Final = ROOT / "fixtures" / "heavy-day.hsrec"
S1_SPEED: Final = 60.0
S1_PACKETS: Final = 2400
S2_PACKETS: Final = 1800
S2_SPEEDS: Final = (60.0, 240.0, 960.0, 3840.0, 15360.0)
BEHIND_S: Final = 1.0


class _Timing(RunListener):
    """Send times of packets, and when their beats reached observers and the store."""

    def __init__(self) -> None:
        self.sent: deque[float] = deque()
        self.observed: list[float] = []
        self.pending_store: deque[tuple[float, int]] = deque()
        self.stored: list[float] = []
        self.lag_s: list[float] = []

    # observer protocol
    def on_event(self, event: SourceEvent) -> None:
        if isinstance(event, Measurement) and self.sent:
            sent = self.sent.popleft()
            now = time.perf_counter()
            self.observed.append(now - sent)
            if event.beats:
                self.pending_store.append((sent, len(event.beats)))

    def on_beats(self, beats: Sequence[Beat], gap_reasons: Mapping[int, GapReason]) -> None:
        pass

    def on_session_opened(self, session: Any) -> None:
        pass

    def on_session_closed(self, session: Any) -> None:
        pass

    def on_stream_end(self, at_s: float | None) -> None:
        pass

    def stored_beats(self, count: int) -> None:
        now = time.perf_counter()
        while count > 0 and self.pending_store:
            sent, n = self.pending_store.popleft()
            self.stored.append(now - sent)
            count -= n


async def _run(speed: float, packets: int, work: Path) -> _Timing:
    script = StrapScript.from_recording(HEAVY)
    script = StrapScript(script.packets[:packets])
    radio = VirtualRadio()
    strap = EmulatedStrap(radio, script, speed=speed)
    timing = _Timing()
    send = strap._send

    async def timed_send(packet: RecordedPacket) -> None:
        timing.lag_s.append(strap.now_s() - packet.at_s)
        before = strap.sent
        timing.sent.append(time.perf_counter())
        await send(packet)
        if strap.sent == before:
            timing.sent.pop()

    strap._send = timed_send  # type: ignore[method-assign]
    await strap.start()
    supervisor = StrapSupervisor(
        strap.address,
        scanner_backend=radio.scanner_backend,
        client_backend=radio.client_backend,
        wall=strap.now_s,
        policy=ReconnectPolicy(scan_s=5.0),
    )

    async def stop_when_played() -> None:
        await strap.finished()
        supervisor.stop()

    stopper = asyncio.create_task(stop_when_played())
    with Store(work) as store:
        append = store.append_beats

        def counted(beats: Sequence[Beat], source_id: str, gap_reasons: Any = None) -> None:
            append(beats, source_id, gap_reasons)
            timing.stored_beats(len(beats))

        store.append_beats = counted  # type: ignore[method-assign]
        await run_source(supervisor, store, listeners=[timing], baseline=NORMS)
    await stopper
    await strap.stop()
    return timing


def _ms(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000.0, q)) if values else float("nan")


def bench_strap() -> None:
    if not HEAVY.exists():
        print(f"[skip] strap: {HEAVY} missing")
        return
    print(f"S1  notification -> beat, emulated strap over Bleak, {S1_SPEED:.0f}x, heavy fixture")
    with tempfile.TemporaryDirectory() as tmp:
        timing = asyncio.run(_run(S1_SPEED, S1_PACKETS, Path(tmp) / "s1"))
    print(
        f"    to the pipeline: p50 {_ms(timing.observed, 50):.2f} ms, "
        f"p99 {_ms(timing.observed, 99):.2f} ms over {len(timing.observed):,} notifications"
    )
    print(
        f"    to the store:    p50 {_ms(timing.stored, 50):.0f} ms, "
        f"p99 {_ms(timing.stored, 99):.0f} ms (beats are written in 10-s batches of strap "
        f"time, {10.0 / S1_SPEED * 1000:.0f} ms of wall time at {S1_SPEED:.0f}x)"
    )
    print(f"S2  highest replay speed the emulated path sustains ({S2_PACKETS:,} packets)")
    best = None
    for speed in S2_SPEEDS:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            timing = asyncio.run(_run(speed, S2_PACKETS, Path(tmp) / "s2"))
            wall = time.perf_counter() - start
        lag = float(np.percentile(timing.lag_s, 99)) if timing.lag_s else float("nan")
        kept_up = lag < BEHIND_S
        print(
            f"    {speed:>7.0f}x: {wall:5.1f} s wall, send lag p99 {lag:7.2f} s of strap time "
            f"{'(keeps up)' if kept_up else '(falls behind)'}"
        )
        if not kept_up:
            break
        best = speed
    if best is not None:
        print(f"    sustained: {best:.0f}x real time (a 10-h day in {36000 / best:.0f} s)")
