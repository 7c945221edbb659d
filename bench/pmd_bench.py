"""Decoding a Polar H10's ECG and accelerometer frames, as multiples of real time (issue 19).

One generated hour of the walking day with PMD (``holdspace simulate walking-day --pmd``:
ECG at 130 Hz in 73-sample frames, acceleration at 50 Hz in 36-sample frames, as an H10 at
MTU 232 sends them) goes through :class:`~sensors.pmd.stream.PmdDecoder` (parse, check,
place on the host clock) the way a live strap and a replay do. Baselines measured in the same
run: the same hour's heart-rate packets through :class:`~sensors.decoder.StrapDecoder`, and
``bytes.fromhex`` of the PMD frames alone (the least a replay must do with each line).

Printed: seconds for the hour, the multiple of real time (goal >= 100x), and microseconds
per frame against the baselines. Run: ``.venv/bin/python -m bench.pmd_bench``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date
from typing import Final

from sensors.decoder import StrapDecoder
from sensors.pmd.stream import PmdDecoder
from sensors.recording import RecordedPacket, RecordedPmdFrame, RecordedPmdStart
from sensors.simulate import simulate_recording

HOUR_S: Final = 3600.0
REPEATS: Final = 3
"""Best of this many passes counts."""


def _best(run: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_pmd() -> None:
    """Print the PMD decoding figures (see the module docstring)."""
    _header, events = simulate_recording(
        "walking-day", seed=1, day=date(2026, 11, 23), tz=UTC, pmd=True
    )
    lines = list(events)
    starts = [line for line in lines if isinstance(line, RecordedPmdStart)]
    frames = [line for line in lines if isinstance(line, RecordedPmdFrame)]
    first_s = frames[0].at_s
    hour = [f for f in frames if f.at_s < first_s + HOUR_S]
    packets = [p for p in lines if isinstance(p, RecordedPacket) and first_s <= p.at_s]
    packets = [p for p in packets if p.at_s < first_s + HOUR_S]
    hexes = [f.payload.hex() for f in hour]

    def decode_pmd() -> None:
        decoder = PmdDecoder()
        for start in starts:
            decoder.started(start.at_s, start.settings)
        for frame in hour:
            decoder.frame(frame.at_s, frame.payload)

    def decode_hr() -> None:
        decoder = StrapDecoder()
        for packet in packets:
            decoder.packet(packet.at_s, packet.payload)

    def from_hex() -> None:
        for text in hexes:
            bytes.fromhex(text)

    pmd_s, hr_s, hex_s = _best(decode_pmd), _best(decode_hr), _best(from_hex)
    n = len(hour)
    print("PMD decoding (issue 19): one generated hour of H10 ECG + ACC frames, best of 3")
    print(
        f"  PmdDecoder: {n:,} frames in {pmd_s * 1000:.0f} ms = {HOUR_S / pmd_s:,.0f}x real "
        f"time   [goal >= 100x]; {pmd_s / n * 1e6:.1f} us per frame"
    )
    print(
        f"  baseline, the hour's {len(packets):,} heart-rate packets through StrapDecoder: "
        f"{hr_s * 1000:.0f} ms ({hr_s / max(len(packets), 1) * 1e6:.1f} us per packet)"
    )
    print(
        f"  baseline, bytes.fromhex of the frames alone: {hex_s * 1000:.0f} ms; "
        f"decoding / fromhex = {pmd_s / hex_s:.1f}x"
    )


if __name__ == "__main__":
    bench_pmd()
