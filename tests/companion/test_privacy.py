"""Privacy checks: the data folder is private, nothing connects to a network, and the
logs hold no session label."""

from __future__ import annotations

import logging
import socket
import stat
from pathlib import Path
from typing import Any

import pytest

from companion.cli.main import main
from tests.support.paths import FIXTURES

LABELS = ("C-33", "C-36", "C-52", "C-16", "C-50", "C-21", "C-18", "C-49", "LUNCH", "SUP")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record (and refuse) every attempt to open a network connection or resolve a name."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network use in a privacy test")

    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        if self.family == socket.AF_UNIX:  # the live socket is a local file
            real_connect(self, address)
            return
        refuse(address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "gethostbyname", refuse)
    return attempts


def test_a_day_through_the_pipeline_is_private(
    tmp_path: Path, no_network: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data = tmp_path / "data"
    heavy = FIXTURES / "heavy-day.hsrec"
    assert main(["--data-dir", str(data), "replay", str(heavy), "--headless", "--fast"]) == 0
    assert main(["--data-dir", str(data), "sessions", "all", "--json"]) == 0
    assert no_network == []  # no channel configured: no connection, no name lookup
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in data.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path}: {oct(mode)}"
    log_text = caplog.text
    assert "session client started" in log_text  # the logs were captured at all
    assert not [label for label in LABELS if label in log_text]
