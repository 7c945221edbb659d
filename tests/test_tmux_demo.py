"""`holdspace demo` in a real terminal: tmux runs it, sends keys and captures the screen.

The screen is polled until the expected text appears (a deadline, not a fixed
sleep): a real terminal and a real clock are what this test is about.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

DEADLINE_S = 90.0


def _tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", *args], check=True, capture_output=True, text=True, timeout=30
    ).stdout


def _wait_for(session: str, *texts: str) -> str:
    end = time.monotonic() + DEADLINE_S
    screen = ""
    while time.monotonic() < end:
        screen = _tmux("capture-pane", "-p", "-t", session)
        if all(t in screen for t in texts):
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{texts} never appeared; the screen was:\n{screen}")


def test_demo_in_a_real_terminal_shows_heart_rate_and_a_session(tmp_path: Path) -> None:
    holdspace = Path(sys.executable).parent / "holdspace"
    session = f"holdspace-test-{uuid.uuid4().hex[:8]}"
    env_prefix = f"TZ=UTC HOLDSPACE_DATA_DIR={tmp_path / 'data'} TERM=xterm-256color"
    # At 10x the scripted day's first session starts a minute in: ours starts before it.
    command = f"cd {ROOT} && {env_prefix} {holdspace} demo --speed 10; sleep 30"
    _tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", command)
    try:
        screen = _wait_for(session, "bpm", "Connected")
        assert "Start session" in screen  # the footer's key bindings
        # The scripted day opens sessions of its own; ours starts by key: a supervision
        # (kind 2) with the helper's own code.
        _tmux("send-keys", "-t", session, "s")
        _wait_for(session, "Start a session", "never a client's name")
        for keys in ("2", "Tab", "T-1", "Enter"):  # one at a time, as a person types
            _tmux("send-keys", "-t", session, keys)
            time.sleep(0.3)
        screen = _wait_for(session, "In session: supervision T-1")
        assert "bpm" in screen
        _tmux("send-keys", "-t", session, "q")
        end = time.monotonic() + DEADLINE_S
        while time.monotonic() < end and "Start session" in _tmux(
            "capture-pane", "-p", "-t", session
        ):
            time.sleep(0.2)
        assert "Traceback" not in _tmux("capture-pane", "-p", "-t", session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, timeout=30)
    assert (tmp_path / "data" / "demo").is_dir()
