"""``holdspace diagnose``: a diagnostic bundle to attach to a bug report about a strap.

The command gathers what the bundle needs from the helper's data folder without putting
any of it in the bundle: the strap to diagnose (``--strap``, else the remembered one),
the log's path, and the colleagues' names and channel URLs only as words to mask in the
log (:func:`~companion.diagnose.logtail.private_words`). :mod:`companion.diagnose` does the
rest. A bundle is always written; when a part could not be made, one sentence on stderr
says which and why, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import time
from pathlib import Path
from typing import Any, Final

from companion import __version__
from companion.cli.args import main_data_dir
from companion.connect.colleagues import load_book
from companion.diagnose.access import SYSTEM_BLUETOOTH, emulated_access
from companion.diagnose.bundle import (
    DiagnoseRequest,
    Diagnosis,
    bundle_files,
    diagnose,
    write_bundle,
)
from companion.diagnose.logtail import private_words
from companion.errors import HoldspaceError
from companion.logfile import LOG_FILE
from companion.settings import STRAP_SETTING, load_settings
from companion.store.store import MAIN_FILE, Store

__all__ = ["add_diagnose_parsers", "colleague_words", "remembered_strap", "summary_lines"]

DEFAULT_SECONDS: Final = 60.0
"""Length of the raw recording by default, in seconds: a minute of packets (about 60)."""
EMULATED_SPEED: Final = 60.0
"""How fast an emulated strap plays by default (as for ``holdspace record --emulated``)."""


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def add_diagnose_parsers(sub: Any) -> None:
    """Add ``holdspace diagnose`` to the ``holdspace`` sub-parsers."""
    p = sub.add_parser(
        "diagnose",
        help="write a diagnostic bundle to attach to a bug report about a strap",
        description=(
            "Write a .zip for a bug report: versions, the Bluetooth adapter's state, the "
            "strap's GATT table, a short raw recording of its packets and the end of "
            "holdspace.log with secrets masked; never labels, notes, check-ins, colleagues "
            "or channels. Without a strap or Bluetooth the bundle is still written and one "
            "sentence says what is missing (exit status 1). See docs/hardware-checklist.md."
        ),
    )
    p.add_argument(
        "--seconds",
        type=_positive,
        default=DEFAULT_SECONDS,
        metavar="N",
        help=f"record the strap's packets for N seconds (default: {DEFAULT_SECONDS:.0f})",
    )
    p.add_argument(
        "--out", metavar="FILE", help="the bundle (default: holdspace-diagnose-TIME.zip here)"
    )
    p.add_argument(
        "--strap",
        metavar="ADDRESS",
        help="the strap's Bluetooth address (default: the remembered one, else the only one)",
    )
    p.add_argument(
        "--pair", action="store_true", help="pair first (Windows, for a Polar H10's ECG/motion)"
    )
    p.add_argument(
        "--emulated",
        metavar="FILE",
        help="diagnose an emulated strap playing this recording (no Bluetooth needed)",
    )
    p.add_argument(
        "--speed",
        type=_positive,
        default=EMULATED_SPEED,
        metavar="N",
        help=f"with --emulated, N times real time (default: {EMULATED_SPEED:.0f})",
    )
    p.set_defaults(func=cmd_diagnose)


def cmd_diagnose(args: argparse.Namespace) -> int:
    data = main_data_dir(args)
    out = (
        Path(args.out)
        if args.out
        else Path(f"holdspace-diagnose-{time.strftime('%Y%m%d-%H%M%S')}.zip")
    )
    if out.exists() or out.is_symlink():
        raise HoldspaceError(f"{out} already exists; give another --out")
    if not out.parent.is_dir():
        raise HoldspaceError(f"the folder {out.parent} does not exist; give another --out")
    request = DiagnoseRequest(
        __version__,
        seconds_s=args.seconds,
        strap=args.strap or remembered_strap(data),
        pair=args.pair,
        log_path=data / LOG_FILE,
        private_words=colleague_words(data),
    )
    diagnosis = asyncio.run(_diagnose(request, args.emulated, args.speed))
    size = write_bundle(out, bundle_files(diagnosis), diagnosis.created_at)
    print("\n".join(summary_lines(diagnosis, out, size)))  # noqa: T201
    missing = diagnosis.missing_sentence()
    if missing is None:
        return 0
    print(f"holdspace: {missing}", file=sys.stderr)  # noqa: T201
    return 1


async def _diagnose(request: DiagnoseRequest, emulated: str | None, speed: float) -> Diagnosis:
    if emulated is None:
        return await diagnose(request, SYSTEM_BLUETOOTH)
    async with emulated_access(Path(emulated), speed) as access:
        request = dataclasses.replace(request, strap=access.emulated_strap)
        return await diagnose(request, access)


def remembered_strap(data: Path) -> str | None:
    """The strap in the settings, else the one the recorder last used; None when unknown
    (or unreadable: a broken settings file or store must not stop a diagnosis)."""
    try:
        address = load_settings(data).strap_address
        if address:
            return address
        if not (data / MAIN_FILE).is_file():
            return None
        with Store(data, read_only=True) as store:
            remembered = store.setting(STRAP_SETTING)
    except (HoldspaceError, OSError, ValueError):
        return None
    return remembered if isinstance(remembered, str) and remembered else None


def colleague_words(data: Path) -> tuple[str, ...]:
    """The colleagues' names and channels as words to mask in the log (none when unreadable)."""
    try:
        book = load_book(data)
    except (HoldspaceError, OSError, ValueError):
        return ()
    return private_words(
        (c.name for c in book.colleagues), (url for c in book.colleagues for url in c.channels)
    )


def summary_lines(diagnosis: Diagnosis, out: Path, size: int) -> list[str]:
    """What the command prints: where the bundle is and what each part holds."""
    v = diagnosis.versions
    stack = ", ".join(
        f"{name} {v[key] or '-'}"
        for name, key in (
            ("holdspace", "holdspace"),
            ("Python", "python"),
            ("bleak", "bleak"),
            ("bumble", "bumble"),
            ("BlueZ", "bluez"),
        )
    )
    gatt, recorded, tail = diagnosis.gatt, diagnosis.capture, diagnosis.log_tail
    lines = [
        f"Diagnostic bundle: {out} ({size / 1024:.1f} kB, readable by you only)",
        f"  versions   {stack}; {v['os']}",
        f"  adapter    {diagnosis.adapter.sentence}",
    ]
    if gatt is not None:
        pmd = "with Polar's PMD service" if gatt.has_pmd else "no PMD service"
        lines.append(
            f"  strap      {gatt.name or 'unnamed'} ({gatt.address}): {len(gatt.services)} "
            f"services, {gatt.characteristics} characteristics, {pmd}"
        )
    if recorded is not None:
        lines.append(f"  recording  {_recording_words(recorded.lines, recorded.seconds_s)}")
    left = f", {tail.left_out} lines about channels left out" if tail.left_out else ""
    log = f"the last {len(tail.lines)} lines, secrets masked{left}" if tail.found else "no log yet"
    lines.append(f"  log        {log}")
    lines.append(
        "It holds no labels, notes, check-ins, colleagues or channels; read it before you "
        "attach it to a bug report."
    )
    return lines


def _recording_words(kinds: dict[str, int], seconds_s: float) -> str:
    drops = kinds.get("dropped", 0)
    pmd = kinds.get("pmd", 0)
    pmd_words = f"{pmd} ECG and motion frames (PMD)" if pmd else "no ECG or motion frames"
    return (
        f"{seconds_s:g} s: {_count(kinds.get('hrm', 0), 'heart-rate packet')}, "
        f"{_count(kinds.get('connected', 0), 'connection')}, "
        f"{_count(drops, 'drop')}, {pmd_words}"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
