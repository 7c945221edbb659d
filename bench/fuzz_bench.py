"""Issue 7 benchmark F1: the long fuzzing run (the short one is in ``make test``).

Random and mutated inputs for the 0x2A37 decoder (10⁶ payloads: half random bytes,
half real vectors from BLE_NOTES with bytes flipped, cut or appended), every RR import
format, the recording reader and the calendar importer. Only the documented error
types may come out: anything else counts as a crash, and an input that takes longer
than a second as a hang. Seeded, so a run can be repeated.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Final

from companion.calendar_ics import CalendarError, parse_calendar
from sensors.hrm import HeartRateParseError, parse_heart_rate_measurement
from sensors.names import IMPORT_FORMATS
from sensors.recording import RecordingError, RecordingReader
from sensors.rrformats import RRImportError, parse_rr_bytes

ROOT: Final = Path(__file__).resolve().parents[1]
SEED: Final = 20261126
DECODER_CASES: Final = 1_000_000
FILE_CASES: Final = 4_000
HANG_S: Final = 1.0
REAL_PAYLOADS: Final = [
    bytes.fromhex(h)
    for h in ("10 43 72 03 8a 03", "10 44 92 03", "00 40", "16 4d 16 03", "16 42 18 04 70 01")
]


def _mutate(rng: random.Random, data: bytes, edits: int) -> bytes:
    out = bytearray(data)
    for _ in range(edits):
        at = rng.randrange(len(out) + 1)
        match rng.randrange(3):
            case 0 if out:
                out[min(at, len(out) - 1)] = rng.randrange(256)
            case 1:
                del out[at : at + rng.randint(1, 8)]
            case _:
                out[at:at] = rng.randbytes(rng.randint(1, 8))
    return bytes(out)


class Tally:
    """Cases run, crashes (an undocumented exception) and hangs, per target."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, int, int, int, float]] = []

    def run(
        self,
        name: str,
        cases: int,
        make: Callable[[int], bytes],
        target: Callable[[bytes], object],
        allowed: tuple[type[Exception], ...],
    ) -> None:
        crashes = hangs = 0
        t0 = time.perf_counter()
        for i in range(cases):
            data = make(i)
            start = time.perf_counter()
            try:
                target(data)
            except allowed:
                pass
            except Exception as exc:  # a crash: report the first few
                crashes += 1
                if crashes <= 3:
                    print(f"    CRASH {name}: {type(exc).__name__}: {exc} on {data[:60]!r}")
            if time.perf_counter() - start > HANG_S:
                hangs += 1
        self.rows.append((name, cases, crashes, hangs, time.perf_counter() - t0))


def bench_fuzz() -> None:
    print("F1  fuzzing: only documented errors, never a crash or a hang")
    rng = random.Random(SEED)
    tally = Tally()

    def decoder_case(i: int) -> bytes:
        if i % 2:
            return rng.randbytes(rng.randint(0, 24))
        return _mutate(rng, rng.choice(REAL_PAYLOADS), rng.randint(1, 3))

    tally.run(
        "0x2A37 decoder",
        DECODER_CASES,
        decoder_case,
        parse_heart_rate_measurement,
        (HeartRateParseError,),
    )
    rr_seed = b"812\n790.5\n# note\n1024\n655\n"
    kubios = b"# Kubios HRV RR interval data\n# unit: ms\n812\n790\n803\n"
    polar = b"Phone timestamp;RR-interval [ms]\n2026-11-20T08:30:00.123;812\n"
    beats_csv = b"time_s,rr_ms,gap_before,gap_reason\n1.5,812.0,1,start\n2.3,790.5,0,\n"
    seeds = {
        "rr-ms": rr_seed,
        "rr-s": b"0.812\n0.79\n",
        "kubios": kubios,
        "polar": polar,
        "holdspace-csv": beats_csv,
    }
    for fmt in IMPORT_FORMATS:

        def rr_case(i: int, fmt: str = fmt) -> bytes:
            return _mutate(rng, seeds[fmt], rng.randint(1, 6))

        def rr_parse(data: bytes, fmt: str = fmt) -> object:
            return parse_rr_bytes(data, Path(f"fuzz.{fmt}"), fmt)

        tally.run(f"RR import {fmt}", FILE_CASES, rr_case, rr_parse, (RRImportError,))
    heavy = (ROOT / "fixtures" / "heavy-day.hsrec").read_bytes()
    head = b"".join(heavy.splitlines(keepends=True)[:80])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.hsrec"

        def read_recording(data: bytes) -> object:
            path.write_bytes(data)
            return list(RecordingReader(path))

        tally.run(
            "recording reader",
            FILE_CASES,
            lambda i: _mutate(rng, head, rng.randint(1, 6)),
            read_recording,
            (RecordingError,),
        )
    ics = (ROOT / "fixtures" / "calendars" / "week.ics").read_bytes()
    tally.run(
        "calendar import",
        FILE_CASES // 4,
        lambda i: _mutate(rng, ics, rng.randint(1, 6)),
        lambda data: parse_calendar(data, Path("fuzz.ics"), date(2025, 10, 6), date(2025, 11, 9)),
        (CalendarError,),
    )
    total = sum(r[1] for r in tally.rows)
    for name, cases, crashes, hangs, took in tally.rows:
        print(f"    {name:<20} {cases:>9,} cases  {crashes} crashes  {hangs} hangs  {took:6.1f} s")
    crashes = sum(r[2] for r in tally.rows)
    hangs = sum(r[3] for r in tally.rows)
    print(f"    fuzz cases run {total:,} / crashes {crashes} / hangs {hangs}   [target: 0 crashes]")
