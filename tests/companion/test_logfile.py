"""The log file: private, rotated, scrubbed of channel secrets; the terminal left to Textual.

The screen's own test (a failing channel, ``capfd`` finding nothing) is in
``tests/tui/test_failed_send_tui.py``; here the pieces: the file's mode whatever the umask,
rotation, the secret filter, the handlers taken off and put back, warnings, and the
``holdspace`` command writing its log beside the data (and ``forget`` with it there).
"""

from __future__ import annotations

import logging
import os
import stat
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from companion.cli.main import main
from companion.connect.secrets import parse_channel
from companion.logfile import (
    LOG_BACKUPS,
    LOG_FILE,
    LOG_MAX_BYTES,
    PrivateLogHandler,
    command_logging,
    screen_logging,
)
from tests.support.loopback import LOOPBACK, SECRET, closed_port

pytestmark = [
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated"),
    pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning"),
]

log = logging.getLogger("holdspace.test")


@pytest.fixture(autouse=True)
def _only_loopback(loopback_only: list[Any]) -> list[Any]:
    return loopback_only


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that lets everyone read new files (the log must not care)."""
    old = os.umask(0o000)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_file_and_its_folder_are_private_whatever_the_umask(
    tmp_path: Path, open_umask: None
) -> None:
    data = tmp_path / "data"
    handler = PrivateLogHandler(data / LOG_FILE)
    assert not data.exists()  # opened at the first line, not before
    record = logging.LogRecord("holdspace.x", logging.WARNING, __file__, 1, "a line", (), None)
    handler.handle(record)
    handler.close()
    assert _mode(data) == 0o700 and _mode(data / LOG_FILE) == 0o600
    assert "WARNING holdspace.x: a line" in (data / LOG_FILE).read_text()


def test_an_old_readable_log_becomes_private(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / LOG_FILE
    path.write_text("older line\n")
    path.chmod(0o644)
    handler = PrivateLogHandler(path)
    handler.handle(logging.LogRecord("x", logging.ERROR, __file__, 1, "new", (), None))
    handler.close()
    assert _mode(path) == 0o600
    assert path.read_text().startswith("older line\n")


def test_the_log_is_rotated_and_every_file_stays_private(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / LOG_FILE
    handler = PrivateLogHandler(path)
    line = "x" * 1000
    for _ in range(LOG_MAX_BYTES * (LOG_BACKUPS + 2) // 1000):
        handler.handle(logging.LogRecord("x", logging.WARNING, __file__, 1, line, (), None))
    handler.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [LOG_FILE] + [f"{LOG_FILE}.{n}" for n in range(1, LOG_BACKUPS + 1)]
    for name in files:
        assert _mode(tmp_path / name) == 0o600
        assert (tmp_path / name).stat().st_size <= LOG_MAX_BYTES + 2000


def test_channel_secrets_never_reach_the_file(tmp_path: Path) -> None:
    url = f"json://sam:{SECRET}@{LOOPBACK}:{closed_port()}/hook"
    parse_channel(url)  # read as any send reads it: its secrets are known from then on
    with command_logging("debug", tmp_path), screen_logging(tmp_path) as path:
        logging.getLogger("urllib3.connectionpool.x").debug("connecting with %s", url)
        log.warning("inline %s", SECRET)
    text = path.read_text()
    assert SECRET not in text and text.count("***") == 2


def test_a_headless_command_logs_to_stderr_and_makes_no_folder_to_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere"
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    with command_logging("info", missing):
        log.info("told")
        log.debug("not told")
    assert capsys.readouterr().err == "holdspace: INFO: told\n"
    assert not missing.exists()
    assert root.handlers == handlers and root.level == level  # put back for the next command
    with command_logging("warning", tmp_path):
        log.warning("kept")
    assert capsys.readouterr().err == "holdspace: WARNING: kept\n"
    assert "WARNING holdspace.test: kept" in (tmp_path / LOG_FILE).read_text()


def test_the_screen_takes_every_terminal_handler_off_and_puts_it_back(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    bleak = logging.getLogger("bleak")  # as with BLEAK_LOGGING=1
    bleak_stderr = logging.StreamHandler(sys.stderr)
    bleak.addHandler(bleak_stderr)
    stdout = logging.StreamHandler(sys.stdout)
    logging.getLogger("bumble").addHandler(stdout)
    try:
        with command_logging("warning", tmp_path):
            root_stderr = logging.getLogger().handlers[-2]
            capfd.readouterr()
            with screen_logging(tmp_path) as path:
                bleak.warning("adapter went away")
                logging.getLogger("bumble").error("a radio error")
                warnings.warn("an old API", DeprecationWarning, stacklevel=1)
                logging.getLogger("nowhere").propagate = False
                logging.getLogger("nowhere").warning("no handler here")  # logging's last resort
                assert root_stderr not in logging.getLogger().handlers
            assert capfd.readouterr() == ("", "")
            text = path.read_text()
            for line in ("adapter went away", "a radio error", "an old API", "no handler here"):
                assert line in text
            assert root_stderr in logging.getLogger().handlers
            assert logging.lastResort is not None
            assert not isinstance(logging.lastResort, PrivateLogHandler)
        assert bleak_stderr in bleak.handlers and stdout in logging.getLogger("bumble").handlers
    finally:
        bleak.removeHandler(bleak_stderr)
        logging.getLogger("bumble").removeHandler(stdout)
        logging.getLogger("nowhere").propagate = True


def test_the_command_writes_its_log_beside_the_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    port = closed_port()
    url = f"json://sam:{SECRET}@{LOOPBACK}:{port}/hook"
    assert main(["--data-dir", str(data), "colleagues", "add", "Sam", "--channel", url]) == 0
    assert main(["--data-dir", str(data), "--log-level", "info", "colleagues", "test", "Sam"]) == 1
    err = capsys.readouterr().err
    logged = (data / LOG_FILE).read_text()
    for text in (err, logged):
        assert f"Could not reach {LOOPBACK}:{port} (connection refused)" in text
        assert SECRET not in text
    assert "Connection error occurred sending JSON notification" in logged
    assert _mode(data / LOG_FILE) == 0o600


def test_forget_finds_the_log_there_and_no_label_in_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from companion.store.store import Store
    from tests.support.stores import EARLY, MIDDLE, add_small_day

    data = tmp_path / "data"
    with Store(data) as store:
        add_small_day(store, EARLY, "E-1")
        add_small_day(store, MIDDLE, "M-2")
    with command_logging("warning", data):
        log.warning("a line from an earlier run")
    forget = ["--data-dir", str(data), "--log-level", "debug", "forget"]
    assert main([*forget, "--day", MIDDLE.isoformat(), "--yes"]) == 0
    text = (data / LOG_FILE).read_bytes()
    assert b"a line from an earlier run" in text
    assert b"M-2" not in text and b"E-1" not in text
    assert main([*forget, "--all", "--yes"]) == 0
    assert "Forgot" in capsys.readouterr().out
    for path in data.rglob("*"):
        if path.is_file():
            assert b"M-2" not in path.read_bytes() and b"E-1" not in path.read_bytes(), path
