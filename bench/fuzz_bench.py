"""Issue 7 benchmark F1: the long fuzzing run (the short one is in ``make test``).

Random and mutated inputs for the 0x2A37 decoder (10⁶ payloads: half random bytes,
half real vectors from BLE_NOTES with bytes flipped, cut or appended), every RR import
format, the recording reader and the calendar importer. Only the documented error
types may come out: anything else counts as a crash, and an input that takes longer
than a second as a hang. Seeded, so a run can be repeated.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, Final

from bench.calendar_bench import bombs, messy_calendar
from companion.connect.calendar.ics import CalendarError, parse_calendar
from sensors.hrm import HeartRateParseError, parse_heart_rate_measurement
from sensors.names import IMPORT_FORMATS
from sensors.recording import RecordingError, RecordingReader
from sensors.rrfiles.common import RRImportError
from sensors.rrfiles.formats import parse_rr_bytes

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
    seeds_ics = [*bombs().values(), messy_calendar(2_000)]
    tally.run(
        "calendar bombs, messy",
        FILE_CASES // 8,
        lambda i: _mutate(rng, seeds_ics[i % len(seeds_ics)], rng.randint(1, 6)),
        lambda data: parse_calendar(data, Path("fuzz.ics"), date(2026, 11, 23), date(2026, 12, 22)),
        (CalendarError,),
    )
    total = sum(r[1] for r in tally.rows)
    for name, cases, crashes, hangs, took in tally.rows:
        print(f"    {name:<20} {cases:>9,} cases  {crashes} crashes  {hangs} hangs  {took:6.1f} s")
    crashes = sum(r[2] for r in tally.rows)
    hangs = sum(r[3] for r in tally.rows)
    print(f"    fuzz cases run {total:,} / crashes {crashes} / hangs {hangs}   [target: 0 crashes]")
    bench_reader_limits()


DEEP_BRACKETS: Final = 200_000
"""Issue 16 item 11: a recording line of this many ``[`` once raised RecursionError."""
LARGE_RR_BYTES: Final = 100 * 1024 * 1024
"""Issue 16 item 11: an RR file of this size once took 3.4 GB to import."""

_LIMITS_CHILD: Final = """
import json, resource, sys, time
limit = int(sys.argv[3])
if limit:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from datetime import UTC, datetime
from pathlib import Path
from sensors.recording import RecordingError, RecordingReader
from sensors.rrfiles.importer import RRImportError, read_rr_file
path, kind = Path(sys.argv[1]), sys.argv[2]
t0 = time.perf_counter()
try:
    if kind == "recording":
        outcome = f"{sum(1 for _ in RecordingReader(path)):,} events"
    else:
        start = datetime(2026, 11, 23, tzinfo=UTC)
        outcome = f"{len(read_rr_file(path, kind, start=start).beats):,} beats"
except (RecordingError, RRImportError) as exc:
    outcome = str(exc)
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"outcome": outcome, "s": time.perf_counter() - t0, "peak_mib": peak_mib}))
"""


def read_in_child(
    path: Path, kind: str, as_limit_bytes: int = 0, timeout_s: float = 120.0
) -> dict[str, Any]:
    """Read a recording (``kind`` "recording") or an RR file (``kind`` its format) in a
    fresh process, under an address-space limit when given: the outcome (a count or the
    one-sentence error), seconds and peak RSS; ``crashed`` when it died otherwise."""
    done = subprocess.run(
        [sys.executable, "-c", _LIMITS_CHILD, str(path), kind, str(as_limit_bytes)],
        capture_output=True,
        timeout=timeout_s,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.decode(errors="replace").strip().splitlines() or ["?"])[-1]
        return {"outcome": f"crashed: {last}", "crashed": True}
    return {**json.loads(done.stdout), "crashed": False}


def deep_recording(path: Path) -> Path:
    """A recording whose second line is :data:`DEEP_BRACKETS` ``[``."""
    header = (ROOT / "fixtures" / "rest-5min.hsrec").read_bytes().split(b"\n", 1)[0]
    path.write_bytes(header + b"\n" + b"[" * DEEP_BRACKETS + b"\n")
    return path


def large_rr_file(path: Path, size_bytes: int = LARGE_RR_BYTES) -> Path:
    """An ``rr-ms`` file of ``size_bytes``: a seeded megabyte of plausible RR, repeated."""
    rng = random.Random(SEED)
    block = "".join(f"{rng.uniform(600.0, 1100.0):.0f}\n" for _ in range(250_000)).encode()
    with path.open("wb") as fh:
        for _ in range(size_bytes // len(block)):
            fh.write(block)
        fh.write(block[: size_bytes % len(block)].rsplit(b"\n", 1)[0] + b"\n")
    return path


def bench_reader_limits() -> None:
    """Issue 16 item 11: the readers' limits, each case in a fresh process."""
    print("F2  reader limits: one sentence, bounded memory")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cases = [
            (f"recording, {DEEP_BRACKETS:,} '['", deep_recording(work / "deep.hsrec"), "recording"),
            (
                f"RR rr-ms, {LARGE_RR_BYTES // 2**20} MB",
                large_rr_file(work / "large.txt"),
                "rr-ms",
            ),
            ("RR rr-ms, 20 MB", large_rr_file(work / "day.txt", 20 * 2**20), "rr-ms"),
        ]
        for name, path, kind in cases:
            got = read_in_child(path, kind, timeout_s=600.0)
            outcome = str(got["outcome"]).replace(str(path.parent) + "/", "")
            if got["crashed"]:
                print(f"    {name:<26} {outcome}")
                continue
            took, peak = got["s"], got["peak_mib"]
            print(f"    {name:<26} {took:5.1f} s  peak RSS {peak:4.0f} MiB  {outcome}")
