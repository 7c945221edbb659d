"""Taking data away: ``holdspace export`` (CSV or JSON, RR as Kubios text) and
``holdspace report DATE --html OUT`` (a day as one self-contained HTML page).

The tables, their columns and the files are described in :mod:`companion.review.export`,
the page in :mod:`companion.review.html`. Colleagues and their channel URLs are
never exported.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from companion.cli.args import add_demo_switch, demo_hint
from companion.cli.args import data_dir as _data_dir
from companion.cli.args import date_arg as _date
from companion.errors import HoldspaceError
from companion.review.export import ExportOptions, write_export
from companion.review.html import write_day_report
from companion.store.store import Store

__all__ = ["add_export_parsers"]

REPORT_EXAMPLE = "holdspace report 2026-11-24 --html ~/day-2026-11-24.html"


def add_export_parsers(sub: Any) -> None:
    """Add the ``export`` command to the ``holdspace`` sub-parsers."""
    _add_export(sub)
    _add_report(sub)


def _add_export(sub: Any) -> None:
    """The ``holdspace export`` command's parser."""
    p = sub.add_parser(
        "export",
        help="write stored days to CSV or JSON files (and RR as Kubios text)",
        description=(
            "Export the beats, sessions, minutes, prompts, check-ins, acts and planned "
            "sessions of some local days into a directory (mode 0700, files 0600). "
            "Colleagues and their channels are never exported. --redact-labels replaces "
            "session labels with client-1, client-2, ... and drops check-in notes and "
            "calendar titles."
        ),
    )
    p.add_argument(
        "--from", dest="first", type=_date, metavar="D", help="first day (default: the oldest)"
    )
    p.add_argument("--to", dest="last", type=_date, metavar="D", help="last day (default: newest)")
    p.add_argument(
        "--format", dest="fmt", choices=["csv", "json"], default="csv", help="default: csv"
    )
    p.add_argument("--out", required=True, metavar="DIR", help="directory to write into")
    p.add_argument(
        "--redact-labels",
        action="store_true",
        help="neutral session labels; no check-in notes, calendar titles or act text",
    )
    p.add_argument(
        "--rr-kubios",
        action="store_true",
        help="also write each day's and each session's RR as Kubios text (rr-*.txt)",
    )
    p.add_argument("--force", action="store_true", help="replace export files already there")
    add_demo_switch(p)
    p.set_defaults(func=cmd_export)


def _add_report(sub: Any) -> None:
    """The ``holdspace report`` command's parser."""
    p = sub.add_parser(
        "report",
        help="write a day as one HTML page with charts, to bring to supervision",
        description=(
            "Write the day's heart rate, stress and load with its sessions, each session's "
            "load and recovery, and the prompts, as one self-contained HTML file (no "
            "scripts, nothing loaded from the internet; mode 0600). Session labels are "
            "replaced with client-1, client-2, ... unless --keep-labels is given."
        ),
        epilog=f"example:\n  {REPORT_EXAMPLE}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "day", type=_date, metavar="DATE", help="the local day: YYYY-MM-DD, today or yesterday"
    )
    p.add_argument("--html", required=True, metavar="OUT", help="the HTML file to write")
    p.add_argument(
        "--keep-labels",
        action="store_true",
        help="show your own session codes, colleague names and check-in notes",
    )
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    add_demo_switch(p)
    p.set_defaults(func=cmd_report)


def _default_range(
    store: Any, first: date | None, last: date | None, hint: str
) -> tuple[date, date]:
    """Fill a missing end of the range from the stored days (beats or sessions)."""
    if first is not None and last is not None:
        return first, last
    known = sorted({*store.days(), *(s.day for s in store.sessions())})
    if not known:
        raise HoldspaceError(
            f"nothing is stored in {store.data_dir} yet; " + (hint or "there is nothing to export")
        )
    return first or known[0], last or known[-1]


def _with_hint(error: HoldspaceError, hint: str) -> HoldspaceError:
    """``error`` with the way to the demo's store added (when ``hint`` has one)."""
    return HoldspaceError(f"{str(error).rstrip('.')}; {hint}") if hint else error


def cmd_export(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    if not data_dir.is_dir():
        raise HoldspaceError(f"no Holdspace data in {data_dir}; record, replay or import first.")
    with Store(data_dir, read_only=True) as store:
        hint = demo_hint(args, store, f"holdspace export --demo --out {args.out}")
        first, last = _default_range(store, args.first, args.last, hint)
        options = ExportOptions(
            first=first,
            last=last,
            fmt=args.fmt,
            out_dir=Path(args.out).expanduser(),
            redact_labels=args.redact_labels,
            rr_kubios=args.rr_kubios,
            force=args.force,
        )
        try:
            result = write_export(store, options)
        except HoldspaceError as exc:
            raise _with_hint(exc, hint) from None
    counts = ", ".join(f"{n} {name.replace('_', '-')}" for name, n in result.rows.items())
    redacted = " (labels redacted)" if args.redact_labels else ""
    lines = [f"Exported {first} to {last}{redacted}: {counts}."]
    lines += [f"  {path}" for path in result.files]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    if not data_dir.is_dir():
        raise HoldspaceError(f"no Holdspace data in {data_dir}; record, replay or import first.")
    with Store(data_dir, read_only=True) as store:
        hint = demo_hint(args, store, f"holdspace report {args.day} --demo --html {args.html}")
        try:
            out = write_day_report(
                store, args.day, Path(args.html), keep_labels=args.keep_labels, force=args.force
            )
        except HoldspaceError as exc:
            raise _with_hint(exc, hint) from None
    labels = "with your own labels" if args.keep_labels else "labels replaced with neutral names"
    sys.stdout.write(f"Wrote the report of {args.day} ({labels}): {out}\n")
    return 0
