"""``holdspace record`` in a subprocess, and a screen's live session attached to it."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from companion.live.session import LiveSession
from companion.store.store import Store
from tests.support.attach import Heard, holdspace_env, wait_for_recorder, within
from tests.support.heavy_day import HEAVY
from tests.support.paths import ROOT


async def _session_over_the_socket(socket: Path) -> None:
    """Attach, start and end a session once beats flow, check in, and hang up."""
    heard = Heard()
    screen = LiveSession(None, heard)
    following = asyncio.create_task(screen.attach(socket))
    await heard.until(lambda: len(heard.beats) > 10)
    screen.start_session("supervision", "T-1")
    await heard.until(lambda: screen.session is not None)
    await heard.until(lambda: len(heard.beats) > 100)
    ended = screen.end_session(heavy=False)
    await heard.until(lambda: screen.session is None)
    screen.check_in({"intensity": 3}, ended)
    assert screen.attached is not None
    await within(screen.attached.settled())
    screen.stop()
    await within(following)


def test_a_screen_attached_to_the_recorder_process_starts_a_session_it_stores(
    tmp_path: Path,
) -> None:
    socket = Path(tempfile.mkdtemp(prefix="hs")) / "live" / "recorder.sock"
    data_dir = tmp_path / "data"
    process = subprocess.Popen(
        [sys.executable, "-m", "companion", "record", "--emulated", str(HEAVY), "--speed", "60"],
        cwd=ROOT,
        env=holdspace_env(data_dir, socket),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        asyncio.run(wait_for_recorder(socket, process))
        asyncio.run(_session_over_the_socket(socket))
        assert process.poll() is None  # hanging up left the recorder recording
        process.send_signal(signal.SIGTERM)
        _stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    with Store(data_dir, read_only=True) as store:
        (ours,) = [s for s in store.sessions() if s.label == "T-1"]
        assert ours.kind == "supervision" and ours.end_s is not None and ours.heavy is False
        assert ours.end_s - ours.start_s > 60  # beats of a minute or more at 60x
        (check_in,) = store.check_ins()
        assert check_in["session_id"] == ours.session_id
        assert check_in["answers"] == {"intensity": 3}
