"""`holdspace demo` in a real terminal: tmux runs it, sends keys and captures the screen.

The screen is polled until the expected text appears (a deadline, not a fixed
sleep): a real terminal and a real clock are what this test is about. The heart
rate is read off the screen as a number (Textual's ``Digits``: box-drawing digits
three rows high), and after the app quits its store is opened read-only to find
the beats and the session the test started. Without tmux the test skips with the
reason, except under ``CI=true``, where it fails with it (``make test`` installs
tmux as root on Debian, as it installs Chromium).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import ROOT, skip_or_fail

DEADLINE_S = 90.0
RUN_S = 6.0
"""How long the demo runs after the session starts, its screen captured all along."""
HR_RANGE = (30, 220)
"""A plausible heart rate, bpm (the emulated strap's day stays well inside it)."""
EXIT_MARK = "__holdspace_exit_status="
"""Printed by the shell after the app exits, with its exit status."""
FOREIGN_OUTPUT = re.compile(
    r"holdspace:|WARNING|ERROR|Traceback|Exception ignored|Task was destroyed|Warning:"
    r"|\b[A-Z]\w*(Error|Exception): "
)
"""Text that only a log line, a warning or a traceback (not the app's screen) puts there."""
SIZE_VARIABLES = ("COLUMNS", "LINES")
"""They override the terminal's size (``shutil.get_terminal_size``, which Textual asks)."""


def clean_environment() -> dict[str, str]:
    """This process's environment without a terminal size, nor an enclosing tmux.

    Passed explicitly (``env=``): a subprocess started without ``env`` gets the C-level
    environment, and pytest imports ``readline`` at start-up, whose initialisation puts
    ``COLUMNS=80`` and ``LINES=24`` there (without a terminal) but not in ``os.environ``.
    tmux's server copies its client's environment into every pane, so the app in a
    120x40 pane would draw 80x24.
    """
    drop = {*SIZE_VARIABLES, "TMUX", "TMUX_PANE"}
    return {key: value for key, value in os.environ.items() if key not in drop}


class Terminal:
    """A tmux server of its own (no other tmux user, nor a tmux.conf, can resize or
    restyle it) running one session; every screen captured is kept for later checks."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.screens: list[str] = []
        self.env = clean_environment()
        tmpdir = self.env.get("TMUX_TMPDIR") or "/tmp"
        self.socket = Path(tmpdir) / f"tmux-{os.getuid()}" / name
        """Where ``-L name`` puts the server's socket (asked of tmux once it runs)."""

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.name, "-f", os.devnull, *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
            env=self.env,
        ).stdout

    def start(self, width: int, height: int, command: str) -> None:
        """Start the server and its session at ``width`` x ``height``; no client ever
        attaches, and ``window-size manual`` keeps anything else from resizing it."""
        size = f"{width}x{height}"
        self.tmux(
            *("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height)),
            *(command, ";", "set-option", "-g", "window-size", "manual"),
            *(";", "set-option", "-g", "default-size", size),
        )
        made = self.tmux("display-message", "-p", "-t", self.name, "#{pane_width}x#{pane_height}")
        assert made.strip() == size, f"tmux made a {made.strip()} pane, not {size}"
        self.socket = Path(self.tmux("display-message", "-p", "#{socket_path}").strip())
        leaked = self.size_variables()
        assert not leaked, f"the pane's environment sets the terminal size: {leaked}"

    def size_variables(self) -> list[str]:
        """``COLUMNS``/``LINES`` in the environment tmux gives the pane's shell, if any."""
        listed = self.tmux("show-environment", "-g").splitlines()
        return [line for line in listed if line.split("=", 1)[0] in SIZE_VARIABLES]

    def assert_app_fills_pane(self, screen: str) -> None:
        """The app drew the whole pane: as wide, and its last row (the footer) on the last row."""
        size = self.tmux("display-message", "-p", "-t", self.name, "#{pane_width}x#{pane_height}")
        width, height = (int(n) for n in size.strip().split("x"))
        lines = screen.splitlines()
        drawn_width = max((len(line) for line in lines), default=0)
        drawn_height = max((row + 1 for row, line in enumerate(lines) if line.strip()), default=0)
        assert (drawn_width, drawn_height) == (width, height), (
            f"the app drew {drawn_width}x{drawn_height} in a {width}x{height} pane (a size from "
            f"COLUMNS/LINES or a failed size query? the pane's environment: "
            f"{self.size_variables() or 'no COLUMNS/LINES'}):\n{screen}"
        )

    def capture(self, *, history: bool = False) -> str:
        screen = self.tmux("capture-pane", "-p", "-t", self.name, *(("-S", "-") if history else ()))
        self.screens.append(screen)
        return screen

    def keys(self, *keys: str) -> None:
        for key in keys:  # one at a time, as a person types
            self.tmux("send-keys", "-t", self.name, key)
            time.sleep(0.3)

    def wait_for(self, *texts: str) -> str:
        end = time.monotonic() + DEADLINE_S
        screen = ""
        while time.monotonic() < end:
            screen = self.capture()
            if all(t in screen for t in texts):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{texts} never appeared; the screen was:\n{screen}")

    def wait_for_heart_rate(self) -> tuple[int, str]:
        end = time.monotonic() + DEADLINE_S
        screen = ""
        while time.monotonic() < end:
            screen = self.capture()
            bpm = heart_rate_on(screen)
            if bpm is not None:
                return bpm, screen
            time.sleep(0.2)
        raise AssertionError(f"no heart-rate number was ever drawn; the screen was:\n{screen}")


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    if shutil.which("tmux") is None:
        skip_or_fail("tmux is not installed; `make tmux` (or `make test`) installs it as root")
    term = Terminal(f"holdspace-test-{uuid.uuid4().hex[:8]}")
    try:
        yield term
    finally:
        subprocess.run(
            ["tmux", "-L", term.name, "kill-server"], capture_output=True, timeout=30, check=False
        )
        term.socket.unlink(missing_ok=True)  # tmux leaves its socket file behind


# --- the heart rate, read off the screen --------------------------------------------------------


def _digit_glyphs() -> dict[tuple[str, str, str], str]:
    """Each digit's three rows of three cells, in Textual's plain and bold 3x3 fonts."""
    from textual.renderables.digits import DIGITS, DIGITS3X3, DIGITS3X3_BOLD

    glyphs: dict[tuple[str, str, str], str] = {}
    for font in (DIGITS3X3, DIGITS3X3_BOLD):
        for digit in "0123456789":
            at = DIGITS.index(digit) * 3
            rows = (font[at].ljust(3), font[at + 1].ljust(3), font[at + 2].ljust(3))
            glyphs[rows] = digit
    return glyphs


GLYPHS = _digit_glyphs()


def big_numbers(screen: str) -> list[tuple[int, int, int, str]]:
    """Every run of 3x3 box-drawing digits: (top row, first column, end column, digits)."""
    lines = screen.splitlines()
    width = max((len(line) for line in lines), default=0)
    lines = [line.ljust(width) for line in lines]
    found: list[tuple[int, int, int, str]] = []
    for row in range(len(lines) - 2):
        top, mid, bottom = lines[row : row + 3]
        col = 0
        while col <= width - 3:
            end, digits = col, ""
            while end <= width - 3:
                digit = GLYPHS.get((top[end : end + 3], mid[end : end + 3], bottom[end : end + 3]))
                if digit is None:
                    break
                digits += digit
                end += 3
            if digits:
                found.append((row, col, end, digits))
                col = end
            else:
                col += 1
    return found


def heart_rate_on(screen: str) -> int | None:
    """The big number drawn just left of the ``bpm`` label, or None (e.g. ``--``)."""
    lines = screen.splitlines()
    for row, _col, end, digits in big_numbers(screen):
        beside = [lines[r][end : end + 6] for r in range(row, row + 3) if r < len(lines)]
        if any(text.strip().startswith("bpm") for text in beside):
            return int(digits)
    return None


def test_the_digit_reader_reads_textual_digits() -> None:
    """The reader above is itself checked on Textual's own rendering of a number."""
    from rich.console import Console
    from rich.style import Style
    from textual.renderables.digits import Digits

    for bold in (False, True):
        console = Console(width=40, color_system=None)
        with console.capture() as captured:
            console.print(Digits("172", style=Style(bold=bold)), end="")
        drawn = [f"│ {line} bpm" for line in captured.get().splitlines()]
        screen = "\n".join(["╭──╮", *drawn, "╰──╯"])
        assert heart_rate_on(screen) == 172, screen
    assert heart_rate_on("│ bpm\n│ --\n│") is None


# --- the demo in tmux ---------------------------------------------------------------------------


def _key_listed(key: str, screen: str) -> bool:
    """``key`` opens a line of a key list ("  s  Start a session"), not the footer's "s Start"."""
    return re.search(rf"(^|\s){re.escape(key)}\s\s+\w", screen, re.MULTILINE) is not None


def _every_key_reachable(term: Terminal, screen: str) -> None:
    """``?`` is in sight and lists every key (scrolled through); without ``?``, the footer
    holds every key it is meant to show."""
    from textual.binding import Binding

    from tui.app import HoldspaceApp
    from tui.screens.live import LiveScreen

    every = [*LiveScreen.BINDINGS, *HoldspaceApp.BINDINGS]  # the live screen's keys, the app's
    bindings = [b for b in every if isinstance(b, Binding) and not b.system]
    footer = screen.splitlines()[-1] if screen.splitlines() else ""
    keys = {b.key_display or b.key.split(",")[0] for b in bindings}
    if "?" not in keys:
        cut = [b.description for b in bindings if b.show and b.description not in footer]
        assert not cut, f"the footer cuts {cut} and there is no `?`:\n{screen}"
        return
    assert re.search(r"(^|\s)\?\s", footer), f"the footer hides `?` (every key):\n{screen}"
    term.keys("?")
    missing = set(keys)
    end = time.monotonic() + DEADLINE_S
    while missing and time.monotonic() < end:
        listed = term.capture()
        missing -= {key for key in missing if _key_listed(key, listed)}
        if len(missing) < len(keys):  # the list is open: scroll on through it
            term.keys("Down")
        else:
            time.sleep(0.2)
    assert not missing, f"`?` never listed the keys {sorted(missing)}:\n{term.screens[-1]}"
    term.keys("Escape")
    term.wait_for("In session: supervision T-1")


@pytest.mark.parametrize(("width", "height"), [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_demo_in_a_real_terminal_shows_heart_rate_and_stores_a_session(
    terminal: Terminal, tmp_path: Path, width: int, height: int
) -> None:
    data = tmp_path / "data"
    holdspace = Path(sys.executable).parent / "holdspace"
    env_prefix = f"TZ=UTC HOLDSPACE_DATA_DIR={data} TERM=xterm-256color"
    # At 10x the scripted day's first session starts a minute in: ours starts before it.
    # The size is the terminal's: COLUMNS and LINES would pin the app to them (the tmux
    # server gets a clean environment; ``env -u`` makes sure once more).
    unset = " ".join(f"-u {name}" for name in SIZE_VARIABLES)
    command = (
        f"cd {ROOT} && env {unset} {env_prefix} {holdspace} demo --speed 10; "
        f"echo {EXIT_MARK}$?; sleep 60"
    )
    terminal.start(width, height, command)

    screen = terminal.wait_for("bpm", "Connected")
    terminal.assert_app_fills_pane(screen)
    bpm, screen = terminal.wait_for_heart_rate()
    assert HR_RANGE[0] <= bpm <= HR_RANGE[1], f"heart rate {bpm} drawn:\n{screen}"
    assert "No session running" in screen, screen

    # The scripted day opens sessions of its own; ours starts by key: a supervision
    # (kind 2) with the helper's own code.
    terminal.keys("s")
    terminal.wait_for("Start a session", "never a client's name")
    terminal.keys("2", "Tab", "T-1", "Enter")
    screen = terminal.wait_for("In session: supervision T-1")
    terminal.assert_app_fills_pane(screen)
    _every_key_reachable(terminal, screen)  # 80x24: the smallest terminal it is made for

    # It keeps drawing a heart rate while the session runs; every screen is kept.
    end = time.monotonic() + RUN_S
    while time.monotonic() < end:
        terminal.capture()
        time.sleep(0.5)
    bpm, screen = terminal.wait_for_heart_rate()
    assert HR_RANGE[0] <= bpm <= HR_RANGE[1], f"heart rate {bpm} drawn:\n{screen}"
    assert "In session: supervision T-1" in screen, screen

    terminal.keys("q")
    terminal.wait_for(EXIT_MARK)
    after = terminal.capture(history=True)
    assert f"{EXIT_MARK}0" in after, f"the demo exited with an error:\n{after}"

    # Nothing but the app wrote to the terminal: no log line, warning or traceback was ever
    # drawn over the screen while it ran, nor left behind when it quit.
    for seen in terminal.screens:
        stray = [line for line in seen.splitlines() if FOREIGN_OUTPUT.search(line)]
        assert not stray, f"something else wrote to the terminal: {stray}\n{seen}"

    # What the demo stored: beats of today and the session started above.
    from companion.store.store import Store

    assert (data / "demo").is_dir()
    with Store(data / "demo", read_only=True) as store:
        days = store.days()
        assert days, "the demo stored no beats"
        beats = [store.beats(day) for day in days]
        count = sum(len(b) for b in beats)
        assert count >= 30, f"only {count} beats were stored"
        rr_ms = sorted(float(rr) for b in beats for rr in b.rr_ms)
        median_bpm = 60_000.0 / rr_ms[len(rr_ms) // 2]
        assert HR_RANGE[0] <= median_bpm <= HR_RANGE[1], f"stored beats at {median_bpm:.0f} bpm"
        ours = [s for s in store.sessions() if s.label == "T-1"]
        assert len(ours) == 1, store.sessions()
        assert ours[0].kind == "supervision"
        last_beat_s = float(max(b.time_s[-1] for b in beats if len(b)))
        assert ours[0].start_s <= last_beat_s
        assert ours[0].end_s is not None, "the session was left open when the app quit"
