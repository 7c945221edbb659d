"""The ``holdspace forget`` command: remove stored days for real, after asking.

The logic lives in :mod:`companion.store.forget`; this module parses, asks and reports.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from companion.cli.args import data_dir as _data_dir
from companion.cli.args import date_arg as _date
from companion.errors import HoldspaceError
from companion.store.forget import forget_all, forget_days, stored_days
from companion.store.store import Store

__all__ = ["add_forget_parsers"]


def add_forget_parsers(sub: Any) -> None:
    """Add the ``forget`` command to the ``holdspace`` sub-parsers."""
    _add_forget(sub)


def _add_forget(sub: Any) -> None:
    """The ``holdspace forget`` command's parser."""
    p = sub.add_parser(
        "forget",
        help="delete stored days for good (beats, minutes, sessions, prompts, check-ins)",
        description=(
            "Delete stored days for good: their beats, minutes, sessions and analyses, "
            "prompts, check-ins, acts, day summaries and planned sessions are removed from "
            "the files, not hidden. --all keeps only settings.json, colleagues.json and "
            "your non-body settings. Asks first unless --yes."
        ),
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--before", type=_date, metavar="D", help="forget the days before D")
    which.add_argument("--day", type=_date, metavar="D", help="forget the day D")
    which.add_argument("--all", action="store_true", help="forget everything stored")
    p.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    p.set_defaults(func=cmd_forget)


def _say(text: str) -> None:
    """One line for the person at the terminal (this is the CLI, where printing belongs)."""
    print(text)  # noqa: T201  (until pyproject lists cli_forget.py with the other CLIs)


def _span(days: list[date]) -> str:
    if len(days) == 1:
        return days[0].isoformat()
    return f"{days[0].isoformat()} … {days[-1].isoformat()}"


def _confirmed(days: list[date]) -> bool:
    """Ask on the terminal; True only for the answer "yes" (no days: everything else)."""
    if not sys.stdin.isatty():
        raise HoldspaceError(
            "forget asks before deleting and there is no terminal to ask on; add --yes to confirm."
        )
    noun = "day" if len(days) == 1 else "days"
    what = f"{len(days)} {noun} ({_span(days)})" if days else "everything stored"
    question = f"Forget {what}: beats, minutes, sessions, prompts, check-ins? Type yes: "
    try:
        answer = input(question)
    except EOFError:
        return False
    return answer.strip().lower() == "yes"


def cmd_forget(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    if not data_dir.exists():
        _say(f"Nothing is stored in {data_dir}; nothing was forgotten.")
        return 0
    with Store(data_dir) as store:
        known = stored_days(store)
        if args.all:
            days = known
        elif args.day is not None:
            days = [d for d in known if d == args.day]
        else:
            days = [d for d in known if d < args.before]
        if not days and not args.all:
            _say("Nothing is stored for those days; nothing was forgotten.")
            return 0
        if not args.yes and not _confirmed(days):
            _say("Nothing was forgotten.")
            return 1
        result = forget_all(store) if args.all else forget_days(store, days)
    noun = "day" if len(result.days) == 1 else "days"
    span = f" ({_span(list(result.days))})" if result.days else ""
    _say(
        f"Forgot {len(result.days)} {noun}{span}: {result.files_removed} files and "
        f"{result.records_removed} records removed."
    )
    if result.kept:
        _say(f"Kept {' and '.join(result.kept)}: settings and colleagues are not body data.")
    return 0
