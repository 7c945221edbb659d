"""kill -9 in the middle of a replay leaves a store that opens, missing at most the last 10 s."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np

from companion.store import Store
from sensors.events import Measurement
from sensors.replay import ReplaySource
from tests.conftest import FIXTURES, ROOT

HEAVY = FIXTURES / "heavy-day.hsrec"
STORED = re.compile(r"stored (\d+) beats \((\d+) in all\) up to t=([0-9.e+]+)")


async def _all_beats() -> list[tuple[float, float]]:
    return [
        (b.time_s, b.rr_ms)
        async for e in ReplaySource(HEAVY, speed=None).events()
        if isinstance(e, Measurement)
        for b in e.beats
    ]


def test_kill_9_mid_replay_leaves_a_readable_store(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
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
    acknowledged = 0
    flushes = 0
    try:
        for line in proc.stderr:  # wait on the child's own reports, not on time
            match = STORED.search(line)
            if match:
                flushes += 1
                acknowledged = int(match.group(2))
                if flushes == 120:
                    break
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert flushes == 120, "the replay ended before it could be killed"

    expected = asyncio.run(_all_beats())
    with Store(data_dir) as store:  # opens as the writer: lock released by the kernel
        days = store.days()
        assert days == [date(2026, 11, 23)]
        stored = store.beats(days[0])
        sessions = store.sessions()
    n = len(stored)
    # Nothing acknowledged is lost, and what is there is exactly the start of the day.
    assert n >= acknowledged
    assert n < len(expected)
    np.testing.assert_array_equal(stored.time_s, [t for t, _ in expected[:n]])
    np.testing.assert_array_equal(stored.rr_ms, [rr for _, rr in expected[:n]])
    assert [(s.kind, s.end_s) for s in sessions] == [("client", None)]  # open at the kill
