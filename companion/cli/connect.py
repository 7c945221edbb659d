"""The connection commands of ``holdspace``: colleagues, contact, calendar.

Channel URLs hold secrets: every command prints them masked, and nothing here logs them.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from companion.cli.args import data_dir as _data_dir
from companion.cli.args import date_arg as _date
from companion.cli.args import print_json as _print_json
from companion.connect.calendar.ics import p_to_doc, read_calendar
from companion.connect.colleagues import (
    add_colleague,
    last_contact_text,
    load_book,
    parse_rhythm,
    remove_colleague,
)
from companion.connect.contact import (
    TEMPLATES,
    TEST_MESSAGE,
    day_load_line,
    send_to,
    talked_in_person,
    team_status_line,
    with_load_line,
)
from companion.connect.secrets import mask_url
from companion.errors import HoldspaceError
from companion.settings import load_settings
from companion.store.store import Store
from companion.store.types import local_day
from companion.text import clean_text

__all__ = ["add_connect_parsers"]

CALENDAR_DAYS_DEFAULT: Final = 7
CALENDAR_WARNINGS_SHOWN: Final = 20
"""Skipped events told one per line; a calendar with more faults gets a count of the rest."""


def add_connect_parsers(sub: Any) -> None:
    """Add the connection commands to the ``holdspace`` sub-parsers."""
    _add_colleagues(sub)
    _add_contact(sub)
    _add_calendar(sub)


def _add_colleagues(sub: Any) -> None:
    """The ``holdspace colleagues`` command's parser."""
    p = sub.add_parser(
        "colleagues",
        help="the colleagues you check in with, and how to reach them",
        description=(
            "Keep a small list of colleagues with a channel each (an Apprise URL: e-mail, "
            "Matrix, Signal, Slack, ntfy, a JSON webhook, ...) and a check-in rhythm. "
            "Channel URLs hold secrets: they are stored mode 0600 and always shown masked."
        ),
    )
    csub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = csub.add_parser("add", help="add a colleague (or change one)")
    q.add_argument("name", metavar="NAME", help="as you want it shown")
    q.add_argument(
        "--channel",
        action="append",
        required=True,
        metavar="URL",
        help="an Apprise URL, e.g. mailtos://user:pass@mail.example.org?to=sam@example.org, "
        "or - to read it from standard input (hidden when typed), which keeps its password "
        "out of the process list and the shell's history (repeat for a fallback)",
    )
    q.add_argument("--role", default="peer", choices=["peer", "supervisor", "team"])
    q.add_argument("--every", metavar="RHYTHM", help="check-in rhythm: 7d, 2w, weekly, monthly")
    q = csub.add_parser("list", help="list colleagues (channels masked)")
    q.add_argument("--json", action="store_true", help="print JSON")
    q = csub.add_parser("remove", help="remove a colleague and their channels")
    q.add_argument("name", metavar="NAME")
    q = csub.add_parser("test", help="send a harmless test message to a colleague's channels")
    q.add_argument("name", metavar="NAME")
    p.set_defaults(func=cmd_colleagues)


def _add_contact(sub: Any) -> None:
    """The ``holdspace contact`` command's parser."""
    p = sub.add_parser(
        "contact",
        help="send a colleague a message (or note that you talked in person)",
        description=(
            "Send a short message to a colleague through their channel, or record that you "
            "talked in person. Nothing about your physiology is added unless you ask with "
            "--with-load (one line from today's stress bands: no numbers, no labels)."
        ),
    )
    p.add_argument("name", metavar="NAME")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--message", metavar="TEXT", help="the message (default: a kind check-in)")
    what.add_argument("--in-person", action="store_true", help="record that you talked in person")
    what.add_argument(
        "--team-status",
        action="store_true",
        help="send a one-line status from today's stress bands (a team check-in)",
    )
    p.add_argument(
        "--with-load", action="store_true", help="add one line about today's load (bands only)"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_contact)


def _add_calendar(sub: Any) -> None:
    """The ``holdspace calendar`` command's parser."""
    p = sub.add_parser(
        "calendar",
        help="turn calendar events into planned sessions",
        description=(
            "Import a calendar file (.ics): the events of the chosen days become planned "
            "sessions, their kind from keywords and categories. Titles are not stored unless "
            "--keep-titles (they can name clients). Importing again replaces those days' plan."
        ),
    )
    csub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = csub.add_parser("import", help="import the events of some days from an .ics file")
    q.add_argument("file", metavar="FILE.ics")
    q.add_argument("--date", type=_date, metavar="D", help="first day (default: today)")
    q.add_argument(
        "--days",
        type=int,
        default=CALENDAR_DAYS_DEFAULT,
        metavar="N",
        help=f"number of days from the first (default: {CALENDAR_DAYS_DEFAULT})",
    )
    q.add_argument(
        "--rule",
        action="append",
        default=[],
        metavar="PATTERN=KIND",
        help="an event whose title or category holds PATTERN is a KIND session "
        "(repeatable; before your settings' calendar_rules and the built-in ones)",
    )
    q.add_argument("--keep-titles", action="store_true", help="store event titles too")
    q.add_argument("--json", action="store_true", help="print the planned sessions as JSON")
    p.set_defaults(func=cmd_calendar)


def _describe(colleague: Any, now_s: float) -> str:
    rhythm = f", check in every {colleague.every_days} d" if colleague.every_days else ""
    last = last_contact_text(colleague, now_s)  # "today", "yesterday", "3 days ago", as on screen
    channels = "; ".join(colleague.masked_channels())
    return f"{colleague.name} ({colleague.role}{rhythm}, {last}): {channels}"


def _channels(given: list[str], name: str) -> list[str]:
    """The ``--channel`` values: ``-`` is read from standard input (hidden when it is a
    terminal); a URL given on the command line that holds a secret gets a warning."""

    channels: list[str] = []
    for value in given:
        if value.strip() == "-":
            channels.append(_read_channel(name))
            continue
        if mask_url(value) != value.strip():
            print(
                f"Warning: the channel address {mask_url(value)} holds a password or token, "
                "which other users of this machine can read while the command runs and your "
                "shell keeps in its history; next time give `--channel -` and paste the "
                "address when asked.",
                file=sys.stderr,
            )
        channels.append(value)
    return channels


def _read_channel(name: str) -> str:
    """One channel address from standard input: typed unseen at a terminal, else a line."""
    if sys.stdin is not None and sys.stdin.isatty():
        line = getpass.getpass(f"Channel address for {name} (Apprise URL, not shown): ")
    else:
        line = sys.stdin.readline() if sys.stdin is not None else ""
    if not line.strip():
        raise HoldspaceError(
            "`--channel -` reads the channel address from standard input, and none came; "
            "paste it when asked, or pipe it in."
        )
    return line.strip()


def cmd_colleagues(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    now_s = time.time()
    if args.action == "add":
        every = parse_rhythm(args.every) if args.every else None
        channels = _channels(args.channel, args.name)
        colleague = add_colleague(
            data_dir, args.name, channels, role=args.role, every_days=every, now_s=now_s
        )
        print(f"Saved {_describe(colleague, now_s)}")
        return 0
    if args.action == "remove":
        gone = remove_colleague(data_dir, args.name)
        print(f"Removed {gone.name} and their channels.")
        return 0
    book = load_book(data_dir)
    if args.action == "test":
        colleague = book.find(args.name)
        records = send_to(data_dir, colleague, TEST_MESSAGE, now_s=now_s, test=True)
        for record in records:
            print(record.detail)
        return 0 if records and records[-1].ok else 1
    if args.json:
        _print_json([c.to_json(secrets=False) for c in book.colleagues])
    elif not book.colleagues:
        print("No colleagues yet: `holdspace colleagues add NAME --channel URL`.")
    else:
        for colleague in book.colleagues:
            due = "  (check-in due)" if colleague.overdue(now_s) else ""
            print(_describe(colleague, now_s) + due)
    return 0


def _today_minutes(data_dir: Path, now_s: float) -> list[tuple[float, int | None]]:
    """Today's minutes (start, stress) from the store, read-only; none without a store."""
    if not data_dir.exists():
        return []
    with Store(data_dir, read_only=True) as store:
        docs = store.epochs(local_day(now_s))
    return [(float(d["start_s"]), d.get("stress")) for d in docs]


def cmd_contact(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    now_s = time.time()
    colleague = load_book(data_dir).find(args.name)
    if args.in_person:
        record = talked_in_person(data_dir, colleague, now_s=now_s)
        records = [record]
    else:
        if not colleague.channels:
            raise HoldspaceError(f"{colleague.name} has no channel; add one, or use --in-person.")
        if args.team_status:
            message = team_status_line(_today_minutes(data_dir, now_s), now_s)
        else:
            message = args.message if args.message is not None else TEMPLATES[0][1]
        if not message.strip():
            raise HoldspaceError("the message is empty; write a few words, or leave --message out.")
        if args.with_load:
            line = day_load_line(_today_minutes(data_dir, now_s), now_s)
            if line is None:
                print("Too little of today was measured for a line about it; sending without.")
            message = with_load_line(message, line)
        records = send_to(data_dir, colleague, message, now_s=now_s)
    if args.json:
        _print_json([r.to_json() for r in records])
    else:
        for record in records:
            print(record.detail, file=sys.stdout if record.ok else sys.stderr)
    return 0 if records[-1].ok else 1


def cmd_calendar(args: argparse.Namespace) -> int:
    if not 1 <= args.days <= 366:
        raise HoldspaceError(f"--days must be from 1 to 366, not {args.days}.")
    first: date = args.date or date.today()
    last = first + timedelta(days=args.days - 1)
    path = Path(args.file).expanduser()
    settings = load_settings(_data_dir(args))
    extra = []
    for text in args.rule:
        pattern, _, kind = text.rpartition("=")
        if not pattern.strip() or not kind.strip():
            raise HoldspaceError(f"--rule {text!r} is not PATTERN=KIND, e.g. --rule intake=client.")
        extra.append((pattern.strip(), kind.strip()))
    try:
        rules = settings.kind_rules(extra)
    except ValueError as exc:
        raise HoldspaceError(f"--rule: {exc}") from None
    keep = args.keep_titles or settings.calendar_titles
    read = read_calendar(path, first, last, rules=rules, keep_titles=keep)
    planned = read.sessions
    name = clean_text(path.name)
    with Store(_data_dir(args)) as store:
        store.put_planned([p_to_doc(p) for p in planned], first, last, source=name)
    for skipped in read.skipped[:CALENDAR_WARNINGS_SHOWN]:
        print(f"Warning: {clean_text(skipped.text(path))}", file=sys.stderr)
    if len(read.skipped) > CALENDAR_WARNINGS_SHOWN:
        more = len(read.skipped) - CALENDAR_WARNINGS_SHOWN
        print(f"Warning: {more} more problems in {name} not shown.", file=sys.stderr)
    if args.json:
        _print_json([p_to_doc(p) for p in planned])
        return 0
    sessions = [p for p in planned if not p.all_day]
    print(
        f"Planned {len(sessions)} sessions from {name} for {first.isoformat()} to "
        f"{last.isoformat()} (titles {'kept' if keep else 'not stored'})."
    )
    for p in planned:
        start = datetime.fromtimestamp(p.start_s).strftime("%a %d %b %H:%M")
        end = datetime.fromtimestamp(p.end_s).strftime("%H:%M")
        what = "all day" if p.all_day else f"{start}-{end}"
        title = f"  {clean_text(p.title)}" if p.title else ""
        print(f"  {what:<24} {p.kind:<11} {p.label}{title}")
    return 0
