"""kill -9 during heavy writes: one round, shared by ``make test`` (a few rounds) and
``make bench`` (fifty).

A replay of the heavy fixture runs in a child process as fast as 2000x real time,
with debug logs that report each flush ("stored N beats (M in all) up to t=T"). The
round kills it with SIGKILL right after a chosen flush is reported, while the next
writes are under way, then opens the store as the writer (the kernel has released the
lock) and checks: it opens, holds one day, nothing the child reported stored is lost,
what is there is exactly the start of the recording, and the beats missing behind the
last stored one (the ones received and not yet written) span at most ten seconds.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

import numpy as np

from companion.pipeline.pipeline import FLUSH_EVERY_S
from companion.store.store import Store
from sensors.events import Measurement
from sensors.replay import ReplaySource

ROOT: Final = Path(__file__).resolve().parents[1]
HEAVY: Final = ROOT / "fixtures" / "heavy-day.hsrec"
STORED: Final = re.compile(r"stored (\d+) beats \((\d+) in all\) up to t=([0-9.e+]+)")


@dataclass(frozen=True, slots=True)
class Round:
    """What one kill left: flushes reported, beats acknowledged and found."""

    flushes: int
    acknowledged: int
    stored: int
    sessions: int


@cache
def recording_beats() -> tuple[tuple[float, float], ...]:
    """Every beat of the heavy fixture, as a replay yields it: (time s, RR ms)."""

    async def read() -> list[tuple[float, float]]:
        return [
            (b.time_s, b.rr_ms)
            async for e in ReplaySource(HEAVY, speed=None).events()
            if isinstance(e, Measurement)
            for b in e.beats
        ]

    return tuple(asyncio.run(read()))


def kill_round(data_dir: Path, after_flushes: int) -> Round:
    """Run, kill -9 after ``after_flushes`` reported flushes, check the store (AssertionError)."""
    env = {**os.environ, "HOLDSPACE_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "companion", "--log-level", "debug"),
            *("replay", str(HEAVY), "--headless", "--speed", "2000", "--json"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    acknowledged = flushes = 0
    last_line = ""
    try:
        for line in proc.stderr:  # the child's own reports, not the clock
            last_line = line.strip() or last_line
            match = STORED.search(line)
            if match:
                flushes += 1
                acknowledged = int(match.group(2))
                if flushes == after_flushes:
                    break
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, (
        f"the replay exited with status {proc.returncode} before it was killed "
        f"(its last line: {last_line!r})"
    )
    assert flushes == after_flushes, "the replay ended before it could be killed"
    expected = recording_beats()
    with Store(data_dir) as store:  # opens as the writer: the lock went with the process
        (day,) = store.days()
        stored = store.beats(day)
        n_sessions = len(store.sessions())
    n = len(stored)
    assert acknowledged <= n < len(expected)  # nothing acknowledged is lost
    np.testing.assert_array_equal(stored.time_s, [t for t, _ in expected[:n]])
    np.testing.assert_array_equal(stored.rr_ms, [rr for _, rr in expected[:n]])
    # What had arrived by the kill is at most a flush interval ahead of what is stored:
    # the beats the child reported stored end within FLUSH_EVERY_S of the last stored one.
    last_acknowledged_s = expected[acknowledged - 1][0]
    assert float(stored.time_s[-1]) - last_acknowledged_s <= FLUSH_EVERY_S + 1.0
    return Round(flushes, acknowledged, n, n_sessions)
