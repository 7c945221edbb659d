"""The ``holdspace`` command line: the composition root.

Headless commands never import Textual; the terminal UI is imported lazily
by the commands that open it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from companion import __version__
from companion.cli_args import data_dir as _data_dir
from companion.cli_args import date_arg as _date
from companion.cli_args import print_json as _print_json
from companion.errors import HoldspaceError

__all__ = ["build_parser", "main"]

log = logging.getLogger("holdspace")

EXAMPLES = """\
examples:
  holdspace
  holdspace demo
  holdspace replay heavy.hsrec --speed 60
  holdspace review 2026-11-24
  holdspace simulate heavy --out heavy.hsrec --seed 7 --date 2026-11-24
  holdspace replay heavy.hsrec --headless --fast
  holdspace replay heavy.hsrec --headless --speed 60 --json
  holdspace import rr.txt --format rr-ms --date 2026-11-20
  holdspace analyze heavy.hsrec --epochs 60 --json
  holdspace analyze rr.txt --format rr-ms --no-correct
  holdspace sessions 2026-11-24
  holdspace demo --headless --speed 240 --duration 60
  holdspace scan --all
  holdspace record --device F0:C0:FF:EE:00:01 --out today.hsrec
  holdspace record --emulated heavy.hsrec --speed 60
  holdspace attach
  holdspace service install --device F0:C0:FF:EE:00:01
  holdspace colleagues add Sam --channel 'mailtos://me:PASS@example.org?to=sam@example.org'
  holdspace colleagues list
  holdspace contact Sam --message 'How are you holding up?'
  holdspace calendar import work.ics --date 2026-11-30 --days 5
  holdspace export --from 2026-11-01 --to 2026-11-30 --format csv --out ~/export
  holdspace report 2026-11-24 --html ~/day-2026-11-24.html
  holdspace forget --before 2026-01-01
"""


def _datetime(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date and time like 2026-11-25T08:30"
        ) from None
    return value if value.tzinfo is not None else value.astimezone()


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"speed must be a positive number, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    from sensors.names import IMPORT_FORMATS, SCENARIOS

    parser = argparse.ArgumentParser(
        prog="holdspace",
        description=(
            "Holdspace: a body-awareness companion for helpers. Reads a chest strap's "
            "heart beats, keeps everything on this machine, and helps you notice load."
        ),
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"holdspace {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where data is kept (default: $HOLDSPACE_DATA_DIR, else the platform data dir)",
    )
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=["debug", "info", "warning", "error"],
        help="how much to log on stderr (default: warning)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "live",
        help="the live screen with your strap (what `holdspace` alone opens)",
        description=(
            "The live companion: your strap's heart rate and HRV, sessions, check-ins and "
            "kind prompts. Uses the strap remembered from the last recording, or the only "
            "one nearby."
        ),
    )
    p.add_argument("--device", metavar="ADDR", help="the strap's Bluetooth address")

    p = sub.add_parser(
        "review",
        help="look back at a day: sessions, load, prompts",
        description="Open the review of a day (the latest with data when no DATE is given).",
    )
    p.add_argument("day", nargs="?", type=_date, metavar="DATE", help="YYYY-MM-DD")

    p = sub.add_parser(
        "simulate",
        help="write a generated recording of a helper's day",
        description="Write a deterministic, generated recording (*.hsrec) of a day or a rest.",
    )
    p.add_argument("scenario", choices=SCENARIOS, help="what to generate")
    p.add_argument("--out", required=True, metavar="FILE", help="recording to write (*.hsrec)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    p.add_argument(
        "--date", type=_date, metavar="D", help="day of the recording, YYYY-MM-DD (default: today)"
    )

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
        "--speed", type=_speed, default=1.0, metavar="N", help="N times real time (default: 1)"
    )
    pace.add_argument("--fast", action="store_true", help="as fast as possible")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--no-store", action="store_true", help="summarise without storing anything")

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
    p.add_argument(
        "--first-is-time",
        action="store_true",
        help="the first value is the time of the first beat in seconds, not an RR interval",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

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
        "--epochs", type=_speed, metavar="SECONDS", help="also report epochs of this length"
    )
    p.add_argument("--start", type=_datetime, metavar="T", help="start time of an RR file")
    p.add_argument(
        "--first-is-time",
        action="store_true",
        help="the first value is the time of the first beat in seconds, not an RR interval",
    )
    p.add_argument("--json", action="store_true", help="print JSON (the default is text)")

    p = sub.add_parser(
        "sessions",
        help="list the tagged sessions of a day",
        description="List the sessions stored for a day (default: today), or all with 'all'.",
    )
    p.add_argument("day", nargs="?", metavar="DATE", help="YYYY-MM-DD, 'today' or 'all'")
    p.add_argument("--json", action="store_true", help="print JSON")

    from companion.cli_connect import add_connect_parsers
    from companion.cli_export import add_export_parsers
    from companion.cli_forget import add_forget_parsers
    from companion.cli_strap import add_strap_parsers

    add_strap_parsers(sub, _speed)
    add_connect_parsers(sub)
    add_export_parsers(sub)
    add_forget_parsers(sub)
    return parser


def cmd_simulate(args: argparse.Namespace) -> int:
    from sensors.recording import write_recording
    from sensors.simulate import simulate_recording

    day: date = args.date or date.today()
    tz = datetime.combine(day, time(12, 0)).astimezone().tzinfo
    assert tz is not None
    header, events = simulate_recording(args.scenario, seed=args.seed, day=day, tz=tz)
    out = Path(args.out).expanduser()
    if out.is_dir():
        raise HoldspaceError(f"{out} is a directory; give a file name such as {out}/day.hsrec.")
    try:
        count = write_recording(out, header, events)
    except OSError as exc:
        raise HoldspaceError(f"cannot write {out} ({exc.strerror}).") from None
    minutes = (events[-1].at_s - events[0].at_s) / 60.0 if events else 0.0
    print(
        f"Wrote the {args.scenario!r} scenario for {day.isoformat()} (seed {args.seed}) to {out}: "
        f"{count:,} events over {minutes / 60.0:.1f} h."
    )
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    if not (args.headless or args.json or args.no_store):
        from companion.cli_tui import has_terminal, replay_runner, run_screen

        if has_terminal():  # the screen loads the pipeline itself, after its first frame
            return run_screen(
                replay_runner(args.file, None if args.fast else args.speed), _data_dir(args)
            )
        print("No terminal for the live screen; replaying headless.", file=sys.stderr)
    from companion.progress import ProgressBar
    from companion.report import format_run_summary
    from companion.runs import choose_baseline, run_source
    from companion.store import Store
    from sensors.replay import ReplaySource

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
                observers=[progress],
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
    from companion.progress import ProgressBar
    from companion.report import format_run_summary
    from companion.runs import choose_baseline, run_source
    from companion.store import Store
    from sensors.rrimport import RRFileSource

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
                    observers=[progress],
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
    from companion.report import format_sessions
    from companion.store import Store
    from companion.summary import iso_local

    text = (args.day or "today").strip().lower()
    day: date | None
    if text == "all":
        day = None
    elif text == "today":
        day = date.today()
    else:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise HoldspaceError(
                f"{args.day!r} is not a date like 2026-11-25, 'today' or 'all'."
            ) from None
    with Store(_data_dir(args), read_only=True) as store:
        sessions = store.sessions(day)
    if args.json:
        _print_json(
            [
                {
                    "kind": s.kind,
                    "label": s.label,
                    "start": iso_local(s.start_s),
                    "end": None if s.end_s is None else iso_local(s.end_s),
                    "heavy": s.heavy,
                }
                for s in sessions
            ]
        )
    else:
        title = "All sessions" if day is None else f"Sessions on {day.isoformat()}"
        print(format_sessions(sessions, title))
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from companion.analyze import analyze_source, is_recording
    from companion.paths import resolve_data_dir
    from companion.store import Store
    from sensors.replay import ReplaySource
    from sensors.rrimport import RRFileSource
    from sensors.source import BeatSource

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
    data_dir = resolve_data_dir(args.data_dir, os.environ)
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
        from companion.report import format_analysis

        print(format_analysis(report, path.name))
    return 0


def cmd_live(args: argparse.Namespace) -> int:
    from companion.cli_tui import cmd_live as live

    return live(args, _data_dir(args))


def cmd_review(args: argparse.Namespace) -> int:
    from companion.cli_tui import has_terminal, run_screen

    if not has_terminal():
        raise HoldspaceError(
            "the review screen needs a terminal; `holdspace sessions DATE --json` prints a day"
        )
    return run_screen(None, _data_dir(args), review_day=args.day)


COMMANDS = {
    "live": cmd_live,
    "review": cmd_review,
    "analyze": cmd_analyze,
    "simulate": cmd_simulate,
    "replay": cmd_replay,
    "import": cmd_import,
    "sessions": cmd_sessions,
}


def _command(name: str) -> Any:
    if name in COMMANDS:
        return COMMANDS[name]
    from companion.cli_connect import CONNECT_COMMANDS
    from companion.cli_export import EXPORT_COMMANDS
    from companion.cli_forget import FORGET_COMMANDS

    for commands in (CONNECT_COMMANDS, EXPORT_COMMANDS, FORGET_COMMANDS):
        if name in commands:
            return commands[name]
    from companion.cli_strap import STRAP_COMMANDS

    return STRAP_COMMANDS[name]


def _user_errors() -> tuple[type[Exception], ...]:
    """The errors that are the user's to fix (a bad file, a bad option): one sentence each.

    The file readers' errors count only once their modules are loaded (no command
    imports them just to catch what they cannot have raised).
    """
    errors: list[type[Exception]] = [HoldspaceError]
    for module, name in (
        ("sensors.recording", "RecordingError"),
        ("sensors.rrformats", "RRImportError"),
    ):
        loaded = sys.modules.get(module)
        if loaded is not None:
            errors.append(getattr(loaded, name))
    return tuple(errors)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``holdspace`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=getattr(logging, args.log_level.upper()),
        format="holdspace: %(levelname)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(_command(args.command or "live")(args))
    except KeyboardInterrupt:
        print("holdspace: interrupted; what was read so far is stored.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if not isinstance(exc, _user_errors()):
            raise
        message = str(exc).rstrip(".")
        print(f"holdspace: error: {message}.", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
