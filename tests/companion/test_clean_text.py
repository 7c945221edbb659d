"""Issue 16 item 10: text from people and files never reaches the terminal with its controls."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from companion.live.session import LiveSession
from companion.sessions import validate_label
from tests.support.paths import ROOT

ESCAPES = "\x1b[2J\x1b]0;owned\x07\x07\x9b31m\u202e"


def test_typed_or_read_labels_are_cleaned() -> None:
    assert validate_label(f" C-07{ESCAPES} ") == "C-07"


class _Heard:
    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


class _Merged:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def put(self, event: Any) -> None:
        self.events.append(event)


def test_check_in_notes_are_cleaned_and_keep_their_lines() -> None:
    live = LiveSession(None, _Heard())
    merged = _Merged()
    live._merged = merged  # type: ignore[assignment]  # the source seam, stood in for
    live.now_s = 100.0
    live.check_in({"note": f"long day{ESCAPES}\r\nbetter now\x08"}, None)
    [event] = merged.events
    assert event.answers["note"] == "long day\nbetter now"


def test_cli_errors_quoting_a_file_name_print_no_escape(tmp_path: Path) -> None:
    evil = tmp_path / "rr\x1b[2J\x07.txt"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "companion",
            "--data-dir",
            str(tmp_path / "d"),
            "import",
            "--format",
            "rr-ms",
            str(evil),
        ],
        capture_output=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 1 and b"no such file" in done.stderr
    assert b"\x1b" not in done.stderr and b"\x07" not in done.stderr
