"""The ``holdspace export`` command: stored days as CSV or JSON, RR as Kubios text.

The tables, their columns and the files are described in :mod:`companion.export`.
Colleagues and their channel URLs are never exported.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from companion.cli_args import data_dir as _data_dir
from companion.cli_args import date_arg as _date
from companion.errors import HoldspaceError

__all__ = ["EXPORT_COMMANDS", "add_export_parsers"]


def add_export_parsers(sub: Any) -> None:
    """Add the ``export`` command to the ``holdspace`` sub-parsers."""
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


def _default_range(store: Any, first: date | None, last: date | None) -> tuple[date, date]:
    """Fill a missing end of the range from the stored days (beats or sessions)."""
    if first is not None and last is not None:
        return first, last
    known = sorted({*store.days(), *(s.day for s in store.sessions())})
    if not known:
        raise HoldspaceError(
            f"nothing is stored in {store.data_dir} yet; there is nothing to export."
        )
    return first or known[0], last or known[-1]


def cmd_export(args: argparse.Namespace) -> int:
    from companion.export import ExportOptions, write_export
    from companion.store import Store

    data_dir = _data_dir(args)
    if not data_dir.is_dir():
        raise HoldspaceError(f"no Holdspace data in {data_dir}; record, replay or import first.")
    with Store(data_dir, read_only=True) as store:
        first, last = _default_range(store, args.first, args.last)
        options = ExportOptions(
            first=first,
            last=last,
            fmt=args.fmt,
            out_dir=Path(args.out).expanduser(),
            redact_labels=args.redact_labels,
            rr_kubios=args.rr_kubios,
            force=args.force,
        )
        result = write_export(store, options)
    counts = ", ".join(f"{n} {name.replace('_', '-')}" for name, n in result.rows.items())
    redacted = " (labels redacted)" if args.redact_labels else ""
    lines = [f"Exported {first} to {last}{redacted}: {counts}."]
    lines += [f"  {path}" for path in result.files]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


EXPORT_COMMANDS = {"export": cmd_export}
