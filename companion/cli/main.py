"""The ``holdspace`` command line: the composition root.

Headless commands never import Textual; the terminal UI is imported lazily
by the commands that open it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from companion import __version__
from companion.cli import screen
from companion.cli.args import add_demo_switch, demo_hint, has_demo_store, main_data_dir
from companion.cli.args import data_dir as _data_dir
from companion.cli.args import date_arg as _date
from companion.cli.connect import add_connect_parsers
from companion.cli.data import add_data_parsers
from companion.cli.diagnose import add_diagnose_parsers
from companion.cli.effects import add_effects_parsers
from companion.cli.export import add_export_parsers
from companion.cli.forget import add_forget_parsers
from companion.cli.readiness import add_readiness_parsers
from companion.cli.strap import add_strap_parsers
from companion.errors import HoldspaceError
from companion.logfile import command_logging
from companion.store.store import Store
from companion.text import clean_text
from sensors.recording import RecordingError
from sensors.rrfiles.common import RRImportError

__all__ = ["build_parser", "main"]

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
  holdspace diagnose --seconds 60 --out strap-bundle.zip
"""


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"speed must be a positive number, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
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
        help="how much to log, on stderr and in DATA/holdspace.log (default: warning)",
    )
    parser.set_defaults(func=cmd_live)  # `holdspace` alone opens the live screen
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
    p.set_defaults(func=cmd_live)

    p = sub.add_parser(
        "review",
        help="look back at a day: sessions, load, prompts",
        description="Open the review of a day (the latest with data when no DATE is given).",
    )
    p.add_argument(
        "day", nargs="?", type=_date, metavar="DATE", help="YYYY-MM-DD, today or yesterday"
    )
    add_demo_switch(p)
    p.set_defaults(func=cmd_review)

    add_data_parsers(sub, _speed)
    add_strap_parsers(sub, _speed)
    add_connect_parsers(sub)
    add_export_parsers(sub)
    add_forget_parsers(sub)
    add_readiness_parsers(sub)
    add_diagnose_parsers(sub)
    add_effects_parsers(sub)
    return parser


def cmd_live(args: argparse.Namespace) -> int:
    return screen.cmd_live(args, _data_dir(args))


def cmd_review(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    _refuse_empty_review(args, data_dir)
    if not screen.has_terminal():
        raise HoldspaceError(
            "the review screen needs a terminal; `holdspace sessions DATE --json` prints a day"
        )
    # The demo's store shares the helper's settings (see `holdspace demo`).
    return screen.run_screen(None, data_dir, review_day=args.day, settings_dir=main_data_dir(args))


def _refuse_empty_review(args: argparse.Namespace, data_dir: Path) -> None:
    """Say so when there is no day to review here, naming the demo's store when it has one."""
    if not data_dir.is_dir():
        if args.demo:
            raise HoldspaceError(f"nothing is stored in {data_dir} yet; run `holdspace demo` first")
        return  # the screen's store says so, with the way to the demo
    if args.demo or not has_demo_store(args):
        return  # nothing to point to: no second read of the store before the screen's
    with Store(data_dir, read_only=True) as store:
        hint = demo_hint(args, store)
    if hint:
        raise HoldspaceError(f"no days recorded in {data_dir} yet; {hint}")


USER_ERRORS: Final = (HoldspaceError, RecordingError, RRImportError)
"""The errors that are the user's to fix (a bad file, a bad option): one sentence each."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``holdspace`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    # Warnings on stderr and in DATA/holdspace.log; a screen logs to the file only.
    with command_logging(args.log_level, main_data_dir(args)):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("holdspace: interrupted; what was read so far is stored.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if not isinstance(exc, USER_ERRORS):
            raise
        message = clean_text(str(exc)).rstrip(".")
        print(f"holdspace: error: {message}.", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
