"""The data commands of ``holdspace``: simulate, replay, import, analyze, sessions.

They make, replay, import and read recordings and RR files without a strap. Replay
opens the live screen only when asked and a terminal is there; the rest are headless.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from companion.cli import screen
from companion.cli.analyze import analyze_source, is_recording
from companion.cli.args import add_demo_switch, demo_hint
from companion.cli.args import data_dir as _data_dir
from companion.cli.args import date_arg as _date
from companion.cli.args import print_json as _print_json
from companion.cli.progress import ProgressBar
from companion.errors import HoldspaceError
from companion.pipeline.runs import choose_baseline, run_source
from companion.pipeline.summary import iso_local
from companion.review.file_report import format_analysis, format_run_summary, format_sessions
from companion.review.heavy import heaviness
from companion.store.store import Store
from sensors.names import IMPORT_FORMATS, SCENARIOS
from sensors.recording import RecordingReader, write_recording
from sensors.replay import ReplaySource
from sensors.rrfiles.importer import RRFileSource
from sensors.simulate import simulate_recording
from sensors.simulate.week import carry_over, simulate_morning
from sensors.source import BeatSource

__all__ = ["add_data_parsers"]

log = logging.getLogger("holdspace")


def _datetime(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date and time like 2026-11-25T08:30"
        ) from None
    return value if value.tzinfo is not None else value.astimezone()


def _first_is_time(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--first-is-time",
        action="store_true",
        help="the first value is the time of the first beat in seconds, not an RR interval",
    )


def add_data_parsers(sub: Any, speed_type: Any) -> None:
    """Add the data commands to the ``holdspace`` sub-parsers.

    ``speed_type`` is the argparse type of a positive number (shared with the strap commands).
    """
    _add_simulate(sub)
    _add_replay(sub, speed_type)
    _add_import(sub)
    _add_analyze(sub, speed_type)
    _add_sessions(sub)


def _add_simulate(sub: Any) -> None:
    """The ``holdspace simulate`` command's parser."""
    p = sub.add_parser(
        "simulate",
        help="write a generated recording of a helper's day",
        description="Write a deterministic, generated recording (*.hsrec) of a day or a rest.",
    )
    p.add_argument("scenario", choices=SCENARIOS, help="what to generate")
    p.add_argument("--out", metavar="FILE", help="recording to write (*.hsrec)")
    p.add_argument(
        "--days",
        type=int,
        metavar="N",
        help=(
            "generate N consecutive days from --date into --out-dir, each with a morning "
            "stretch (DATE-morning.hsrec) carrying the load of the days before"
        ),
    )
    p.add_argument(
        "--lead",
        action="append",
        default=[],
        metavar="SCENARIO:N",
        help="with --days: N days of SCENARIO first (repeatable), e.g. --lead calm:10",
    )
    p.add_argument("--out-dir", metavar="DIR", help="with --days: the folder to write into")
    p.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    p.add_argument(
        "--date", type=_date, metavar="D", help="day of the recording, YYYY-MM-DD (default: today)"
    )
    p.add_argument(
        "--pmd",
        action="store_true",
        help=(
            "a Polar H10 that also streams ECG (130 Hz) and its chest accelerometer (50 Hz): "
            "adds PMD frames; the heart-rate packets stay the same"
        ),
    )
    p.set_defaults(func=cmd_simulate)


def _add_replay(sub: Any, speed_type: Any) -> None:
    """The ``holdspace replay`` command's parser."""
    p = sub.add_parser(
        "replay",
        help="replay a recording through the live pipeline into the store",
        description=(
            "Replay a recording through the same decoder and beat clock a live strap uses, "
            "store it (replacing an earlier replay of the same recording) and summarise it."
        ),
    )
    p.add_argument("file", metavar="FILE", help="a recording (*.hsrec)")
    p.add_argument(
        "--headless",
        action="store_true",
        help="no screen: print a summary (also without a terminal)",
    )
    pace = p.add_mutually_exclusive_group()
    pace.add_argument(
        "--speed", type=speed_type, default=1.0, metavar="N", help="N times real time (default: 1)"
    )
    pace.add_argument("--fast", action="store_true", help="as fast as possible")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--no-store", action="store_true", help="summarise without storing anything")
    p.set_defaults(func=cmd_replay)


def _add_import(sub: Any) -> None:
    """The ``holdspace import`` command's parser."""
    p = sub.add_parser(
        "import",
        help="store beats from an RR file of another tool",
        description=(
            "Import RR intervals from another tool and store them as a day. The unit is "
            "declared by the format (rr-ms, rr-s) or read from the file's header, never guessed. "
            "The whole file is checked before anything is stored."
        ),
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", required=True, choices=IMPORT_FORMATS, dest="fmt")
    when = p.add_mutually_exclusive_group()
    when.add_argument(
        "--start",
        type=_datetime,
        metavar="T",
        help="time of the recording's start, e.g. 2026-11-25T08:30 (files without clock times)",
    )
    when.add_argument(
        "--date", type=_date, metavar="D", help="day of the recording; it starts at 00:00"
    )
    _first_is_time(p)
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_import)


def _add_analyze(sub: Any, speed_type: Any) -> None:
    """The ``holdspace analyze`` command's parser."""
    p = sub.add_parser(
        "analyze",
        help="print the HRV report of a whole file",
        description=(
            "Print the HRV report of a recording (*.hsrec) or an RR file (with --format): "
            "time and frequency domain, nonlinear, stress indices, breathing rate, and with "
            "--epochs markers and stress per epoch. Nothing is stored."
        ),
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--format", choices=IMPORT_FORMATS, dest="fmt", help="RR file format (not for recordings)"
    )
    p.add_argument(
        "--no-correct", action="store_true", help="analyse the RR as they are, without correction"
    )
    p.add_argument(
        "--epochs", type=speed_type, metavar="SECONDS", help="also report epochs of this length"
    )
    p.add_argument("--start", type=_datetime, metavar="T", help="start time of an RR file")
    _first_is_time(p)
    p.add_argument("--json", action="store_true", help="print JSON (the default is text)")
    add_demo_switch(p)  # the baseline comes from the store
    p.set_defaults(func=cmd_analyze)


def _add_sessions(sub: Any) -> None:
    """The ``holdspace sessions`` command's parser."""
    p = sub.add_parser(
        "sessions",
        help="list the tagged sessions of a day",
        description="List the sessions stored for a day (default: today), or all with 'all'.",
    )
    p.add_argument(
        "day", nargs="?", metavar="DATE", help="YYYY-MM-DD, 'today', 'yesterday' or 'all'"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    add_demo_switch(p)
    p.set_defaults(func=cmd_sessions)


def cmd_simulate(args: argparse.Namespace) -> int:
    day: date = args.date or date.today()
    tz = datetime.combine(day, time(12, 0)).astimezone().tzinfo
    assert tz is not None
    if args.days is not None:
        return _simulate_days(args, day)
    if args.out is None:
        raise HoldspaceError("simulate needs --out FILE (or --days N with --out-dir DIR).")
    header, events = simulate_recording(args.scenario, seed=args.seed, day=day, tz=tz, pmd=args.pmd)
    out = Path(args.out).expanduser()
    if out.is_dir():
        raise HoldspaceError(f"{out} is a directory; give a file name such as {out}/day.hsrec.")
    try:
        count = write_recording(out, header, events)
    except OSError as exc:
        raise HoldspaceError(f"cannot write {out} ({exc.strerror}).") from None
    minutes = (events[-1].at_s - events[0].at_s) / 60.0 if events else 0.0
    with_pmd = " with ECG and acceleration" if args.pmd else ""
    print(
        f"Wrote the {args.scenario!r} scenario{with_pmd} for {day.isoformat()} "
        f"(seed {args.seed}) to {out}: {count:,} events over {minutes / 60.0:.1f} h."
    )
    return 0


def _week_plan(args: argparse.Namespace) -> list[str]:
    """The scenario of each day of ``simulate --days``: the ``--lead`` days, then SCENARIO."""
    plan: list[str] = []
    for lead in args.lead:
        name, _, count = str(lead).rpartition(":")
        if name not in SCENARIOS or not count.isdigit():
            raise HoldspaceError(f"--lead {lead!r} is not SCENARIO:N (e.g. calm:10).")
        plan += [name] * int(count)
    if args.days < 1:
        raise HoldspaceError("--days must be at least 1.")
    return plan + [args.scenario] * args.days


def _simulate_days(args: argparse.Namespace, first: date) -> int:
    """``simulate --days``: each day's morning stretch and the day itself, into --out-dir."""
    if args.out_dir is None:
        raise HoldspaceError("simulate --days writes several files: give --out-dir DIR.")
    out_dir = Path(args.out_dir).expanduser()
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    mornings = carry_over(_week_plan(args), seed=args.seed, first=first)
    for state in mornings:
        tz = datetime.combine(state.day, time(12, 0)).astimezone().tzinfo
        assert tz is not None
        morning = simulate_morning(state, seed=args.seed, tz=tz)
        header, events = simulate_recording(
            state.scenario, seed=args.seed, day=state.day, tz=tz, pmd=args.pmd
        )
        try:
            write_recording(
                out_dir / f"{state.day}-morning.hsrec", morning.header, morning.events()
            )
            write_recording(out_dir / f"{state.day}-{state.scenario}.hsrec", header, events)
        except OSError as exc:
            raise HoldspaceError(f"cannot write into {out_dir} ({exc.strerror}).") from None
    print(
        f"Wrote {len(mornings)} days from {first.isoformat()} (seed {args.seed}) to {out_dir}: "
        "each day's morning stretch and the day."
    )
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    if not (args.headless or args.json or args.no_store):
        if screen.has_terminal():
            # A missing or unreadable file, or one that is no recording, fails here in
            # one sentence (exit 1) rather than in a live screen waiting for a strap.

            RecordingReader(args.file)
            return screen.run_screen(
                screen.replay_runner(args.file, None if args.fast else args.speed), _data_dir(args)
            )
        print("No terminal for the live screen; replaying headless.", file=sys.stderr)

    source = ReplaySource(args.file, speed=None if args.fast else args.speed)
    progress = ProgressBar(f"Replaying {source.path.name}", lambda: source.progress)
    extra = {"source": str(source.path), "recording_id": source.header.recording_id}
    store = None if args.no_store else Store(_data_dir(args))
    try:
        baseline = asyncio.run(choose_baseline(store, lambda: ReplaySource(args.file, speed=None)))
        outcome = asyncio.run(
            run_source(
                source,
                store,
                listeners=[progress],
                extra=extra,
                baseline=baseline,
                offload="process" if args.fast else "thread",
            )
        )
    finally:
        progress.close()
        if store is not None:
            store.close()
    if source.truncated_tail:
        log.warning("%s ends in a partial line, which was skipped.", source.path)
    if args.json:
        _print_json({**outcome.to_json(), "truncated_tail": source.truncated_tail})
    else:
        stored = "" if args.no_store else f" (stored in {_data_dir(args)})"
        print(format_run_summary(outcome, f"Replay of {source.path.name}{stored}"))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    start: datetime
    if args.start is not None:
        start = args.start
    else:
        day: date = args.date or date.today()
        start = datetime.combine(day, time(0, 0)).astimezone()

    def make_source() -> RRFileSource:
        return RRFileSource(args.file, args.fmt, start=start, first_is_time=args.first_is_time)

    source = make_source()
    progress = ProgressBar(f"Importing {Path(args.file).name}", lambda: source.progress)
    extra = {"source": str(args.file), "format": args.fmt}
    with Store(_data_dir(args)) as store:
        try:
            baseline = asyncio.run(choose_baseline(store, make_source))
            outcome = asyncio.run(
                run_source(
                    source,
                    store,
                    listeners=[progress],
                    extra=extra,
                    baseline=baseline,
                    offload="process",
                )
            )
        finally:
            progress.close()
    if args.json:
        _print_json(outcome.to_json())
    else:
        print(format_run_summary(outcome, f"Imported {Path(args.file).name} ({args.fmt})"))
    return 0


def cmd_sessions(args: argparse.Namespace) -> int:
    text = (args.day or "today").strip().lower()
    day: date | None
    if text == "all":
        day = None
    else:
        try:
            day = _date(text)
        except argparse.ArgumentTypeError as exc:
            raise HoldspaceError(f"{exc}, or 'all'.") from None
    with Store(_data_dir(args), read_only=True) as store:
        sessions = store.sessions(day)
        analyses = {s.session_id: store.session_analysis(s.session_id) for s in sessions}
        hint = "" if sessions else demo_hint(args, store)
    if args.json:
        _print_json(
            [
                {
                    "kind": s.kind,
                    "label": s.label,
                    "start": iso_local(s.start_s),
                    "end": None if s.end_s is None else iso_local(s.end_s),
                    "heavy": heaviness(s.heavy, analyses[s.session_id], kind=s.kind).heavy,
                    "marked_heavy": s.heavy,
                }
                for s in sessions
            ]
        )
    else:
        title = "All sessions" if day is None else f"Sessions on {day.isoformat()}"
        print(format_sessions(sessions, title, analyses, with_dates=day is None))
        if hint:
            print(f"  {hint[0].upper()}{hint[1:]}.")
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    path = Path(args.file).expanduser()
    source: BeatSource
    if args.fmt is None:
        if not is_recording(path):
            raise HoldspaceError(
                f"{path} is not a Holdspace recording; give its RR format with --format "
                "(rr-ms, rr-s, kubios or polar)."
            )
        source = ReplaySource(path, speed=None)
    else:
        start = args.start or datetime.combine(date.today(), time(0, 0)).astimezone()
        source = RRFileSource(path, args.fmt, start=start, first_is_time=args.first_is_time)
    data_dir = _data_dir(args)
    store = Store(data_dir, read_only=True) if data_dir.exists() else None
    try:
        report = asyncio.run(
            analyze_source(source, correct=not args.no_correct, epoch_s=args.epochs, store=store)
        )
    finally:
        if store is not None:
            store.close()
    if args.json:
        _print_json(report)
    else:
        print(format_analysis(report, path.name))
    return 0
