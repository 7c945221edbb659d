"""Issue 17: a whole day in seconds, as a user runs it (process start included).

On the 22.6-h PhysioNet Holter day (``nsr001_rr_secs.txt``, 106k beats, first value
an offset), each command runs as its own process, in one run:

1. ``holdspace analyze DAY --format rr-s --first-is-time --epochs 30 --json`` against
   a NeuroKit2 loop script (``nk.hrv_time`` + ``nk.hrv_frequency`` on the 5-min window
   ending at each 30-s epoch's end, the window our ``rmssd_5min`` uses), run once
   (about 100 s on a 2-core machine). Goal: NeuroKit2 / ours >= 50x.
2. ``holdspace import DAY --format rr-s --first-is-time --date D --json`` into a fresh
   data folder, against the 3-s goal and against a baseline process that does the least
   any store must: load the file with NumPy and write its beats as one JSON file.
3. The same windows' time-domain numbers: mean NN (and so mean HR = 60000 / mean NN),
   SDNN, RMSSD and pNN50 (NeuroKit2's: NN50 / number of intervals) from our epoch
   markers (:func:`signals.markers.window_markers.batch_markers`) and
   :func:`signals.hrv.time_domain.time_domain` against NeuroKit2's, max abs difference
   (goal <= 1e-6), on the windows without a gap (NeuroKit2 cannot be told of one).

Ours: best of :data:`REPEATS` runs, with our packages' bytecode compiled first: any
installed copy has its ``.pyc`` files (pip compiles them; an editable install writes them
on its first run), but a shell with ``PYTHONDONTWRITEBYTECODE`` set (as this sandbox's
is) would otherwise make every process compile ~200 modules again (~0.13 s). How much of
analyze is the breathing rate per epoch is measured in this process (warm) and printed,
with analyze minus it.
Skipped, with the reason, when ../shared/data is absent.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import numpy as np

ROOT: Final = Path(__file__).resolve().parents[1]
HOLTER: Final = ROOT.parent / "shared" / "data" / "holter-24h" / "nsr001_rr_secs.txt"
HOLDSPACE: Final = [str(Path(sys.executable).with_name("holdspace"))]
"""The installed console script, as a user runs it."""
EPOCH_S: Final = 30.0
WINDOW_S: Final = 300.0
REPEATS: Final = 3
ANALYZE_GOAL_RATIO: Final = 50.0
IMPORT_GOAL_S: Final = 3.0
TIME_DOMAIN_GOAL: Final = 1e-6

NEUROKIT_LOOP: Final = '''
"""What a NeuroKit2 user writes: hrv_time + hrv_frequency on each 5-min window, every 30 s."""
import json, sys, warnings
import numpy as np
import neurokit2 as nk

values = np.loadtxt(sys.argv[1])
rr_ms = values[1:] * 1000.0  # the first value is the time of the first beat
t_s = values[0] + np.cumsum(values[1:])
origin = t_s[0] - rr_ms[0] / 1000.0
rows = []
for k in range(int(np.ceil((t_s[-1] - origin) / 30.0))):
    end = (origin + k * 30.0) + 30.0  # the end of epoch k, as holdspace computes it
    lo = int(np.searchsorted(t_s, end - 300.0, side="left"))
    hi = int(np.searchsorted(t_s, end, side="right"))
    if end - 300.0 < origin or hi - lo < 3:
        continue
    rri = {"RRI": rr_ms[lo:hi], "RRI_Time": t_s[lo:hi] - t_s[lo]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        td = nk.hrv_time(rri).iloc[0]
        fd = nk.hrv_frequency(rri).iloc[0]
    rows.append([k, lo, hi, float(td["HRV_MeanNN"]), float(td["HRV_SDNN"]),
                 float(td["HRV_RMSSD"]), float(td["HRV_pNN50"]), float(fd["HRV_LFHF"])])
with open(sys.argv[2], "w") as fh:
    json.dump(rows, fh)
'''

IMPORTS_ONLY: Final = (
    "import json, companion.cli.main, companion.cli.data, companion.cli.analyze, "
    "companion.store.store, sensors.replay, sensors.rrfiles.importer"
)
"""What ``holdspace analyze`` imports before it reads a beat."""

STORE_BASELINE: Final = """
import json, sys
import numpy as np
values = np.loadtxt(sys.argv[1])
t_s = values[0] + np.cumsum(values[1:])
with open(sys.argv[2], "w") as fh:
    json.dump({"t": t_s.tolist(), "rr": (values[1:] * 1000.0).tolist()}, fh)
"""


def _timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    """Wall-clock seconds of one process, from its start to its exit."""
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def _env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "HOLDSPACE_DATA_DIR": str(data_dir)}


def bench_day(work: Path) -> None:
    """Print the issue-17 figures (see the module docstring)."""
    if not HOLTER.exists():
        print(f"[skip] day benchmark (issue 17): {HOLTER} not available")
        return
    print(f"Day in seconds (issue 17): {HOLTER.name}, each command a process, start included")
    day = str(HOLTER)
    python = sys.executable
    packages = [str(ROOT / name) for name in ("companion", "sensors", "signals", "tui")]
    subprocess.run([python, "-m", "compileall", "-q", *packages], check=True)
    print("  (our packages' bytecode compiled first, as on any installed copy)")
    start_s = min(_timed([python, "-c", "pass"]) for _ in range(REPEATS))
    analyze = [*HOLDSPACE, "analyze", day, "--format", "rr-s", "--first-is-time"]
    analyze += ["--epochs", f"{EPOCH_S:g}", "--json"]
    ours = [_timed(analyze, _env(work / "day-empty")) for _ in range(REPEATS)]
    imports_s = min(_timed([python, "-c", IMPORTS_ONLY]) for _ in range(REPEATS))
    imports, baselines = [], []
    for k in range(REPEATS):
        cmd = [*HOLDSPACE, "import", day, "--format", "rr-s", "--first-is-time", "--date"]
        imports.append(_timed([*cmd, "2026-11-20", "--json"], _env(work / f"day-{k}")))
        out = work / f"day-baseline-{k}.json"
        baselines.append(_timed([python, "-c", STORE_BASELINE, day, str(out)]))
    script = work / "neurokit_loop.py"
    script.write_text(NEUROKIT_LOOP, encoding="utf-8")
    nk_out = work / "neurokit_loop.json"
    nk_s = _timed([python, str(script), day, str(nk_out)])
    rows = json.loads(nk_out.read_text(encoding="utf-8"))
    breathing_s = _breathing_seconds()
    best = min(ours)
    print(f"  python -c pass: {start_s:.2f} s")
    print(
        f"  holdspace analyze --epochs 30 --json: {best:.2f} s "
        f"(runs {', '.join(f'{x:.2f}' for x in ours)} s, best counts)"
    )
    print(f"  NeuroKit2 loop ({len(rows):,} windows, one run): {nk_s:.1f} s")
    print(
        f"  ratio NeuroKit2 / ours: {nk_s / best:.0f}x   [goal >= {ANALYZE_GOAL_RATIO:.0f}x, "
        f"i.e. <= {nk_s / ANALYZE_GOAL_RATIO:.2f} s in this run]"
    )
    print(
        f"  of which Python start + imports (a process importing what analyze does): "
        f"{imports_s:.2f} s"
    )
    rest = best - breathing_s
    print(
        f"  of which breathing per epoch (in-process, warm): {breathing_s:.2f} s; without it "
        f"{rest:.2f} s, ratio {nk_s / rest:.0f}x"
    )
    imp = min(imports)
    base = min(baselines)
    print(
        f"  holdspace import: {imp:.2f} s (runs {', '.join(f'{x:.2f}' for x in imports)} s)"
        f"   [goal <= {IMPORT_GOAL_S:.0f} s]"
    )
    print(
        f"  baseline (np.loadtxt + json.dump of the beats, a process): {base:.2f} s; "
        f"import / baseline {imp / base:.1f}x"
    )
    _print_time_domain(rows)


def _breathing_seconds() -> float:
    """Seconds :func:`companion.cli.analyze.epoch_breathing` takes on the day, warm."""
    from companion.cli.analyze import epoch_breathing
    from sensors.rrfiles.importer import RRFileSource
    from signals.artifacts.batch import screen_artifacts
    from signals.epochs.windows import window_epochs

    start = datetime(2026, 11, 20, tzinfo=UTC)
    beats = RRFileSource(HOLTER, "rr-s", start=start, first_is_time=True).imported.beats
    t = np.asarray(beats.time_s, dtype=np.float64)
    rr = np.asarray(beats.rr_ms, dtype=np.float64)
    gaps = np.asarray(beats.gap_before, dtype=np.bool_)
    art = screen_artifacts(rr, gaps).flagged
    origin = float(t[0] - rr[0] / 1000.0)
    starts = origin + np.arange(np.ceil((t[-1] - origin) / EPOCH_S)) * EPOCH_S
    good = [k for k, e in enumerate(window_epochs(t, rr, gaps, art, starts, EPOCH_S)) if e.is_good]
    middles = starts[good] + EPOCH_S / 2.0
    epoch_breathing(t[:2000], rr[:2000], gaps[:2000], art[:2000], middles[:5], EPOCH_S)  # warm
    begin = time.perf_counter()
    epoch_breathing(t, rr, gaps, art, middles, EPOCH_S)
    return time.perf_counter() - begin


def _print_time_domain(rows: list[list[float]]) -> None:
    """Max abs difference of our time-domain numbers from NeuroKit2's on its windows."""
    from sensors.rrfiles.importer import RRFileSource
    from signals.hrv.time_domain import time_domain
    from signals.markers.window_markers import batch_markers

    start = datetime(2026, 11, 20, tzinfo=UTC)
    beats = RRFileSource(HOLTER, "rr-s", start=start, first_is_time=True).imported.beats
    t = np.asarray(beats.time_s, dtype=np.float64)
    rr = np.asarray(beats.rr_ms, dtype=np.float64)
    gaps = np.asarray(beats.gap_before, dtype=np.bool_)
    no_art = np.zeros(rr.size, dtype=np.bool_)
    origin = float(t[0] - rr[0] / 1000.0)
    worst = dict.fromkeys(("mean NN", "SDNN", "RMSSD", "pNN50"), 0.0)
    compared = other_beats = 0
    for k, lo, hi, mean_nn, sdnn, rmssd, pnn50, _ in rows:
        end = (origin + int(k) * EPOCH_S) + EPOCH_S  # as epoch_table computes it
        window = slice(int(np.searchsorted(t, end - WINDOW_S, side="left")),
                       int(np.searchsorted(t, end, side="right")))  # fmt: skip
        if (window.start, window.stop) != (lo, hi):
            other_beats += 1  # the two parsers' beat times put a beat on each side
            continue
        if gaps[lo + 1 : hi].any():
            continue
        ours = batch_markers(t, rr, gaps, no_art, end, WINDOW_S)
        td = time_domain(rr[window])
        assert td.pnn50_pct is not None
        ours_pnn50 = td.pnn50_pct * (hi - lo - 1) / (hi - lo)  # NN50 / intervals
        for key, value, ref in (
            ("mean NN", ours.mean_rr_ms, mean_nn),
            ("SDNN", ours.sdnn_ms, sdnn),
            ("RMSSD", ours.rmssd_ms, rmssd),
            ("pNN50", ours_pnn50, pnn50),
        ):
            worst[key] = max(worst[key], abs((value if value is not None else np.nan) - ref))
        compared += 1
    text = ", ".join(f"{key} {value:.1e}" for key, value in worst.items())
    verdict = "equal" if max(worst.values()) <= TIME_DOMAIN_GOAL else "NOT equal"
    print(
        f"  time domain vs NeuroKit2 on {compared:,} gap-free 5-min windows, max abs diff: "
        f"{text} (ms, ms, ms, %)   [goal <= {TIME_DOMAIN_GOAL:.0e}: {verdict}]"
    )
    if other_beats:
        print(f"  windows whose beats differ between the two parsers (left out): {other_beats}")


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="holdspace-day-bench-"))
    try:
        bench_day(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
