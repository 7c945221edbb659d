"""TUI benchmarks: how fast the screens appear and whether the live screen keeps up.

T1 times cold start to first frame of ``holdspace replay`` (the live screen) and
``holdspace review`` (its first frame, "Loading the day…", and the day's table)
in a real terminal (tmux), against a minimal Textual app started the same way.
T2 runs the live screen in-process on a 100x replay of the heavy fixture and
samples how far its stream time trails the wall clock. T3 times opening the
review of the 22-h Holter day, against pushing an empty screen.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Final

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Static

from companion.pipeline.runs import run_source
from companion.store.store import Store
from sensors.rrfiles.importer import RRFileSource
from signals.scores.baseline import NORMS

ROOT: Final = Path(__file__).resolve().parents[1]
HEAVY: Final = ROOT / "fixtures" / "heavy-day.hsrec"
HOLTER: Final = ROOT.parent / "shared" / "data" / "holter-24h" / "nsr001_rr_secs.txt"
RUNS: Final = 3
POLL_S: Final = 0.02
FRAME_TIMEOUT_S: Final = 30.0
T2_WALL_S: Final = 20.0
T2_SPEED: Final = 100.0
TMUX_SOCKET: Final = "holdspace-bench"

MINIMAL_APP: Final = """
from textual.app import App
from textual.widgets import Static

class Minimal(App[None]):
    def compose(self):
        yield Static("ready")

Minimal().run()
"""


def _holdspace() -> str:
    return str(Path(sys.executable).with_name("holdspace"))


def _first_frame(name: str, command: str, *expect: str) -> list[float] | None:
    """Seconds from starting ``command`` in tmux until each of ``expect`` is on screen.

    The texts are expected in order; one missed by the poll (shown and replaced
    between two captures) counts as seen with the next.

    Each run has a tmux server of its own: a server whose last session was just
    killed may still be exiting when the next run would connect to it.
    """
    tmux = ["tmux", "-L", f"{TMUX_SOCKET}-{name}"]
    start = time.perf_counter()
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", name, "-x", "120", "-y", "40", f"{command}; sleep 5"],
        check=True,
    )
    seen: dict[str, float] = {}
    try:
        while time.perf_counter() - start < FRAME_TIMEOUT_S:
            pane = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", name],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            for text in expect:
                if text not in seen and text in pane:
                    seen[text] = time.perf_counter() - start
            if expect[-1] in seen:
                return [min(seen.get(text, seen[expect[-1]]), seen[expect[-1]]) for text in expect]
            time.sleep(POLL_S)
        return None
    finally:
        subprocess.run([*tmux, "kill-session", "-t", name], capture_output=True, check=False)


def _median_frame(label: str, command: str, *expect: str) -> list[float] | None:
    """Per text of ``expect``, the median of :data:`RUNS` runs."""
    runs: list[list[float]] = []
    for k in range(RUNS):
        t = _first_frame(f"hsbench-{label}-{k}", command, *expect)
        if t is None:
            print(f"    {label}: {expect!r} not seen within {FRAME_TIMEOUT_S:.0f} s")
            return None
        runs.append(t)
    return [statistics.median(run[i] for run in runs) for i in range(len(expect))]


def bench_t1(work: Path) -> None:
    print("T1  cold start to first frame in a 120x40 terminal (tmux), median of 3")
    if shutil.which("tmux") is None:
        print("[skip] T1: tmux not installed")
        return
    if not HEAVY.exists():
        print(f"[skip] T1: {HEAVY} missing")
        return
    exe = _holdspace()
    live_dir = work / "t1-live"
    review_dir = work / "t1-review"
    subprocess.run(
        [exe, "--data-dir", str(review_dir), "replay", str(HEAVY), "--headless", "--fast"],
        env={**os.environ, "TZ": "UTC"},
        capture_output=True,
        check=True,
    )
    env = f"env TZ=UTC HOLDSPACE_DATA_DIR={shlex.quote(str(live_dir))}"
    minimal = _median_frame(
        "minimal",
        f"{env} {shlex.quote(sys.executable)} -c {shlex.quote(MINIMAL_APP)}",
        "ready",
    )
    live = _median_frame(
        "live", f"{env} {shlex.quote(exe)} replay {shlex.quote(str(HEAVY))} --speed 100", "bpm"
    )
    first_env = (
        f"env TZ=UTC HOLDSPACE_DATA_DIR={shlex.quote(str(work / 't1-first'))} "
        f"HOLDSPACE_SOCKET={shlex.quote(str(work / 't1.sock'))}"
    )
    first_run = _median_frame("first", f"{first_env} {shlex.quote(exe)}", "Find your strap")
    daily_dir = work / "t1-daily"
    daily_dir.mkdir(parents=True, exist_ok=True)
    (daily_dir / "settings.json").write_text('{"strap_address": "F0:C0:FF:EE:00:01"}')
    daily_env = (
        f"env TZ=UTC HOLDSPACE_DATA_DIR={shlex.quote(str(daily_dir))} "
        f"HOLDSPACE_SOCKET={shlex.quote(str(work / 't1.sock'))}"
    )
    daily = _median_frame("daily", f"{daily_env} {shlex.quote(exe)}", "bpm")
    review_env = f"env TZ=UTC HOLDSPACE_DATA_DIR={shlex.quote(str(review_dir))}"
    review = _median_frame(
        "review", f"{review_env} {shlex.quote(exe)} review", "Loading the day", "Kind"
    )
    base = minimal[0] if minimal else None
    if base is not None:
        print(f"    baseline, minimal Textual app: {base:.2f} s")
    rows = [
        ("holdspace, first run (finding the strap)", first_run[0] if first_run else None),
        ("holdspace, the remembered strap (live screen)", daily[0] if daily else None),
        ("replay (live screen)", live[0] if live else None),
    ]
    if review:
        rows += [("review, first frame", review[0]), ("review, day's table (heavy day)", review[1])]
    for label, value in rows:
        if value is None:
            continue
        ratio = f", {value / base:.1f}x baseline" if base else ""
        target = "   [target <= 1.0 s]" if "table" not in label else ""
        print(f"    {label}: {value:.2f} s{ratio}{target}")


async def _t2(work: Path) -> tuple[list[float], int, int]:
    from tui.app import HoldspaceApp

    lags: list[float] = []
    store = Store(work / "t2")
    try:
        app = HoldspaceApp(lambda live: live.replay(HEAVY, T2_SPEED), store=store)
        async with app.run_test(size=(120, 40)) as pilot:
            start = time.perf_counter()
            first: tuple[float, float] | None = None
            while time.perf_counter() - start < T2_WALL_S:
                await asyncio.sleep(0.5)
                now_s = app.live.now_s
                if now_s is None:
                    continue
                wall = time.perf_counter()
                if first is None:
                    first = (wall, now_s)
                    continue
                lags.append((wall - first[0]) - (now_s - first[1]) / T2_SPEED)
            minutes = len(app.live_screen.minutes) if app.live_screen is not None else 0
            rr = len(app.live_screen.recent_rr) if app.live_screen is not None else 0
            await pilot.press("q")
    finally:
        store.close()
    return lags, minutes, rr


def bench_t2(work: Path) -> None:
    print(f"T2  live screen on a {T2_SPEED:.0f}x replay of the heavy fixture, {T2_WALL_S:.0f} s")
    if not HEAVY.exists():
        print(f"[skip] T2: {HEAVY} missing")
        return
    lags, minutes, rr = asyncio.run(_t2(work))
    if not lags:
        print("    no events reached the live screen")
        return
    print(
        f"    lag behind {T2_SPEED:.0f}x real time: p50 {statistics.median(lags):.3f} s, "
        f"max {max(lags):.3f} s of wall time over {len(lags)} samples   "
        "[target keeps up: lag < 1 s]"
    )
    print(f"    minutes shown on the live screen: {minutes} (recent RR held: {rr})")


class _Host(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("host")


class _Empty(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Static("empty", id="empty")


async def _t3(store: Store, day: date) -> tuple[float, float, int]:
    from tui.screens.review import ReviewScreen

    base: list[float] = []
    ours: list[float] = []
    rows = 0
    app = _Host()
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(RUNS):
            start = time.perf_counter()
            empty = _Empty()
            app.push_screen(empty)
            while not (empty.is_mounted and empty.query("#empty")):
                await pilot.pause()
            base.append(time.perf_counter() - start)
            app.pop_screen()
            await pilot.pause()

            start = time.perf_counter()
            screen = ReviewScreen(store, day)
            app.push_screen(screen)
            while True:
                await pilot.pause()
                if screen.is_mounted and screen.review is not None:
                    table = screen.query_one("#sessions", DataTable)
                    if table.columns:
                        rows = table.row_count
                        break
            ours.append(time.perf_counter() - start)
            app.pop_screen()
            await pilot.pause()
    return statistics.median(base), statistics.median(ours), rows


def bench_t3(work: Path) -> None:
    print("T3  review of the 22-h Holter day opens")
    if not HOLTER.exists():
        print(f"[skip] T3: {HOLTER} not available")
        return
    from companion.review.day import load_day

    data_dir = work / "p1"
    if not data_dir.exists():  # bench_p1 leaves its store here; otherwise build one
        from bench.signals_bench import START, ScheduledSource

        data_dir = work / "t3"
        source = ScheduledSource(RRFileSource(HOLTER, "rr-s", start=START, first_is_time=True))
        with Store(data_dir) as store:
            asyncio.run(run_source(source, store, baseline=NORMS, offload="process"))
    with Store(data_dir, read_only=True) as store_ro:
        day = max(store_ro.days(), key=store_ro.file_sizes)
        loads: list[float] = []
        for _ in range(RUNS):
            start = time.perf_counter()
            load_day(store_ro, day)
            loads.append(time.perf_counter() - start)
        load_s = statistics.median(loads)
        base, ours, rows = asyncio.run(_t3(store_ro, day))
    print(f"    load_day alone ({day}): {load_s:.3f} s")
    print(f"    baseline, push an empty screen: {base:.3f} s")
    print(
        f"    push ReviewScreen until its table is filled ({rows} sessions): {ours:.3f} s, "
        f"{ours / base:.0f}x baseline   [target <= 0.5 s]"
    )


def bench_tui(work: Path) -> None:
    bench_t1(work)
    bench_t2(work)
    bench_t3(work)
