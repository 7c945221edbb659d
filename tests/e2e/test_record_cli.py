"""``holdspace scan``, ``record`` and ``attach`` run as a user would, in subprocesses."""

from __future__ import annotations

import asyncio
import json
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from companion.livesocket.reader import attach
from companion.store.store import Store
from companion.store.types import local_day
from sensors.beats import Beat
from sensors.events import Measurement
from sensors.replay import ReplaySource
from tests.support.attach import holdspace_env, wait_for_recorder
from tests.support.heavy_day import HEAVY
from tests.support.paths import ROOT

SYSTEM_BUS = Path("/var/run/dbus/system_bus_socket")


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "companion", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(SYSTEM_BUS.exists(), reason="this machine has a D-Bus system bus")
@pytest.mark.parametrize(
    "command",
    [
        ["scan"],
        ["scan", "--all", "--json"],
        ["record"],
        ["record", "--device", "F0:C0:FF:EE:00:01"],
    ],
)
def test_without_dbus_scan_and_record_say_one_plain_sentence(
    command: list[str], tmp_path: Path
) -> None:
    result = _run(
        *command,
        "--no-socket" if command[0] == "record" else "--timeout",
        *([] if command[0] == "record" else ["1"]),
        env=holdspace_env(tmp_path),
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("holdspace: error:") and "holdspace demo" in lines[0]
    assert lines[0].endswith(".")


async def _beats_until(socket: Path, span_s: float) -> float:
    """Follow the recorder until its beats span ``span_s`` of strap time; that span."""
    first: float | None = None
    async for message in attach(socket):
        if message["type"] != "beats" or not message["beats"]:
            continue
        if first is None:
            first = message["beats"][0][0]
        last = message["beats"][-1][0]
        if last - first >= span_s:
            return last - first
    raise AssertionError("the recorder ended early")


SPEED = 180
"""The emulated strap plays an hour of the day in 20 s."""


def test_record_on_the_emulated_strap_attach_detach_and_sigterm(tmp_path: Path) -> None:
    socket_dir = Path(tempfile.mkdtemp(prefix="hs"))
    socket = socket_dir / "live" / "recorder.sock"
    data_dir = tmp_path / "data"
    out = tmp_path / "strap.hsrec"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "companion",
            "record",
            "--emulated",
            str(HEAVY),
            "--speed",
            str(SPEED),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=holdspace_env(data_dir, socket),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        started = time.monotonic()
        asyncio.run(wait_for_recorder(socket, process))
        assert stat.S_IMODE(socket.stat().st_mode) == 0o600
        assert stat.S_IMODE(socket.parent.stat().st_mode) == 0o700
        # A second process attaches, receives live beats and detaches.
        follower = _run("attach", "--count", "6", env=holdspace_env(data_dir, socket))
        assert follower.returncode == 0, follower.stderr
        messages = [json.loads(line) for line in follower.stdout.splitlines()]
        assert messages[0]["type"] == "hello" and messages[0]["state"]
        assert any(m["type"] == "beats" and m["beats"] for m in messages)
        # The recorder keeps recording: an hour of the day (20 s at 180x) goes by.
        assert process.poll() is None
        span = asyncio.run(_beats_until(socket, 3600.0))
        assert span >= 3600.0 and time.monotonic() - started >= 3600.0 / SPEED
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "Recording" in stdout
    assert not socket.exists()
    # The store and the recording hold the same beats.
    replayed = asyncio.run(_replay(out))
    assert len(replayed) > 3000
    day = local_day(replayed[0].time_s)
    with Store(data_dir, read_only=True) as store:
        stored = store.beats(day)
    np.testing.assert_array_equal(stored.time_s, [b.time_s for b in replayed])
    np.testing.assert_array_equal(stored.rr_ms, [b.rr_ms for b in replayed])
    np.testing.assert_array_equal(stored.gap_before, [b.gap_before for b in replayed])


async def _replay(path: Path) -> list[Beat]:
    source = ReplaySource(path, speed=None)
    return [b async for e in source.events() if isinstance(e, Measurement) for b in e.beats]
