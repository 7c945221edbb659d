"""The progress bar: only on a terminal, only after a second."""

from __future__ import annotations

import io

from companion.cli.progress import ProgressBar


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_nothing_before_a_second_then_a_bar_then_cleared() -> None:
    now = [0.0]
    stream = FakeTTY()
    done = [0.25]
    bar = ProgressBar("Replaying", lambda: done[0], stream=stream, monotonic=lambda: now[0])
    bar.tick()
    now[0] = 0.9
    bar.tick()
    assert stream.getvalue() == ""
    now[0] = 1.1
    bar.tick()
    assert "Replaying [" in stream.getvalue() and "25%" in stream.getvalue()
    done[0] = 0.5
    now[0] = 1.15  # redraws are throttled to every 0.1 s
    bar.tick()
    assert "50%" not in stream.getvalue()
    now[0] = 1.3
    bar.tick()
    assert "50%" in stream.getvalue()
    bar.close()
    assert stream.getvalue().endswith("\r")


def test_off_when_not_a_terminal() -> None:
    now = [0.0]
    stream = io.StringIO()
    bar = ProgressBar("Importing", lambda: 0.5, stream=stream, monotonic=lambda: now[0])
    now[0] = 5.0
    bar.tick()
    bar.close()
    assert stream.getvalue() == ""
