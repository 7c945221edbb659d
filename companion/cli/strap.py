"""The strap commands of ``holdspace``: scan, record, demo, attach, service."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from companion.cli import screen
from companion.cli.args import DEMO_DIR, main_data_dir
from companion.cli.args import data_dir as _data_dir  # one rule for --data-dir (and --demo)
from companion.cli.demo import DEMO_SPEED, demo_options
from companion.errors import HoldspaceError
from companion.live.recorder import Emulation, RecordOptions, record
from companion.livesocket.paths import default_socket_path
from companion.livesocket.reader import attach
from companion.review.file_report import format_run_summary
from companion.service.install import service_command
from companion.settings import apply_retention_setting, load_settings
from companion.store.store import Store
from sensors.ble.errors import StrapError, explain_ble_error
from sensors.ble.scan import scan_straps
from sensors.recording import RecordedPmdFrame, RecordingReader

__all__ = ["add_strap_parsers"]


def add_strap_parsers(sub: Any, speed_type: Any) -> None:
    """Add the strap commands to the ``holdspace`` sub-parsers."""
    _add_scan(sub, speed_type)
    _add_record(sub, speed_type)
    _add_demo(sub, speed_type)
    _add_attach(sub)
    _add_service(sub)


def _add_scan(sub: Any, speed_type: Any) -> None:
    """The ``holdspace scan`` command's parser."""
    p = sub.add_parser(
        "scan",
        help="list heart-rate straps nearby",
        description=(
            "Scan for Bluetooth LE heart-rate straps (those advertising the Heart Rate "
            "service); --all lists every device, for straps and watches that do not advertise it."
        ),
    )
    p.add_argument("--all", action="store_true", dest="all_devices", help="every device nearby")
    p.add_argument("--timeout", type=speed_type, default=5.0, metavar="S", help="scan for S s")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_scan)


def _add_record(sub: Any, speed_type: Any) -> None:
    """The ``holdspace record`` command's parser."""

    p = sub.add_parser(
        "record",
        help="record from the strap into the store, headless, all day",
        description=(
            "Connect to the strap (--device, else the one used last, else the only one nearby), "
            "keep the link up all day and store every beat; optionally also write a recording. "
            "Ctrl-C or SIGTERM ends cleanly with nothing lost. A screen started meanwhile "
            "attaches to this recorder instead of competing for the strap."
        ),
    )
    p.add_argument("--device", metavar="ADDR", help="the strap's Bluetooth address")
    p.add_argument("--out", metavar="FILE", help="also write a recording (*.hsrec)")
    p.add_argument("--pair", action="store_true", help="pair first (straps that need bonding)")
    p.add_argument(
        "--emulated",
        metavar="FILE",
        help="record from an emulated strap playing this recording (no Bluetooth needed)",
    )
    p.add_argument(
        "--speed",
        type=speed_type,
        default=DEMO_SPEED,
        metavar="N",
        help=f"with --emulated, N times real time (default: {DEMO_SPEED:.0f})",
    )
    p.add_argument("--duration", type=speed_type, metavar="S", help="stop after S seconds")
    p.add_argument(
        "--ecg-motion",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="with a Polar H10, also stream its ECG and chest motion (default: the "
        "ecg_motion setting, on)",
    )
    p.add_argument("--no-socket", action="store_true", help="do not publish the live state")
    p.set_defaults(func=cmd_record)


def _add_demo(sub: Any, speed_type: Any) -> None:
    """The ``holdspace demo`` command's parser."""

    p = sub.add_parser(
        "demo",
        help="the live screen on an emulated strap, no hardware needed",
        description=(
            "Generate a heavy workday and play it from an emulated strap over a virtual "
            "Bluetooth link, through Bleak, the same code a real strap goes through, into a "
            "separate demo store (DATA_DIR/demo), with the live screen. Headless (or without "
            "a terminal) it prints a status line, then the day's summary."
        ),
    )
    p.add_argument(
        "--speed",
        type=speed_type,
        default=DEMO_SPEED,
        metavar="N",
        help=f"N times real time (default: {DEMO_SPEED:.0f})",
    )
    p.add_argument("--duration", type=speed_type, metavar="S", help="stop after S seconds")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument(
        "--headless",
        action="store_true",
        help="no screen: a status line, then the summary (also without a terminal)",
    )
    p.set_defaults(func=cmd_demo)


def _add_attach(sub: Any) -> None:
    """The ``holdspace attach`` command's parser."""
    p = sub.add_parser(
        "attach",
        help="follow a running recorder's live state",
        description="Print the live state a running `holdspace record` publishes, as JSON lines.",
    )
    p.add_argument("--count", type=int, metavar="N", help="stop after N messages")
    p.set_defaults(func=cmd_attach)


def _add_service(sub: Any) -> None:
    """The ``holdspace service`` command's parser."""
    p = sub.add_parser(
        "service",
        help="record from login as a background service",
        description=(
            "Install, remove or check a per-user background service that runs "
            "`holdspace record` from login (systemd user unit on Linux, launchd agent on macOS)."
        ),
    )
    p.add_argument("action", choices=["install", "uninstall", "status"])
    p.add_argument("--device", metavar="ADDR", help="the strap's Bluetooth address")
    p.set_defaults(func=cmd_service)


def _demo_dir(args: argparse.Namespace) -> Path:
    """The demo's store, inside the helper's data folder (``--demo`` reads it back)."""
    return main_data_dir(args) / DEMO_DIR


def _socket(args: argparse.Namespace) -> Path | None:
    return None if getattr(args, "no_socket", False) else default_socket_path()


def _plain(exc: BaseException) -> HoldspaceError | None:
    """A Bluetooth failure as one plain sentence (None when it is not one we know)."""

    explained = explain_ble_error(exc)
    return None if explained is None else HoldspaceError(explained.message)


def cmd_scan(args: argparse.Namespace) -> int:
    try:
        found = asyncio.run(scan_straps(args.timeout, all_devices=args.all_devices))
    except Exception as exc:
        plain = _plain(exc)
        if plain is None:
            raise
        raise plain from None
    if args.json:
        print(json.dumps([s.to_json() for s in found], indent=2))
        return 0
    if not found:
        what = "devices" if args.all_devices else "heart-rate straps"
        print(
            f"No {what} found; wet the strap's electrodes so it wakes up, close any phone app "
            "holding it, or try --all.",
            file=sys.stderr,
        )
        return 1
    for s in found:
        mark = "" if s.advertises_hr else "  (no Heart Rate service advertised)"
        print(f"{s.address}  {s.rssi_dbm:4d} dBm  {s.name or '(unnamed)'}{mark}")
    return 0


def _record(args: argparse.Namespace, options: Any, data_dir: Path) -> Any:
    with Store(data_dir) as store:
        apply_retention_setting(store, date.today())
        try:
            return asyncio.run(record(store, options))
        except StrapError as exc:
            raise HoldspaceError(exc.message) from None
        except Exception as exc:
            plain = _plain(exc)
            if plain is None:
                raise
            raise plain from None


def cmd_record(args: argparse.Namespace) -> int:
    emulation = None
    if args.emulated:
        events = [line for _, line in RecordingReader(args.emulated)]
        h10 = any(isinstance(line, RecordedPmdFrame) for line in events)
        emulation = Emulation(events, speed=args.speed, play_helper=True, pmd=h10)
    settings = load_settings(_data_dir(args))
    options = RecordOptions(
        device=args.device or settings.strap_address,
        out=Path(args.out) if args.out else None,
        pair=args.pair,
        socket_path=_socket(args),
        duration_s=args.duration,
        emulation=emulation,
        policy_config=settings.policy_config(),
        pmd=settings.ecg_motion if args.ecg_motion is None else args.ecg_motion,
    )
    outcome = _record(args, options, _data_dir(args))
    print(format_run_summary(outcome, "Recording"))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    data_dir = _demo_dir(args)
    # The demo keeps its own store but honours the helper's settings.
    settings = load_settings(_data_dir(args))
    options = dataclasses.replace(
        demo_options(args.speed, args.duration), policy_config=settings.policy_config()
    )
    if not (args.headless or args.json) and screen.has_terminal():
        return screen.run_screen(
            screen.strap_runner(options), data_dir, demo=True, settings_dir=_data_dir(args)
        )
    print(
        f"Demo: an emulated strap plays a generated heavy workday at {args.speed:g}x real time "
        f"over a virtual Bluetooth link, through Bleak, into {data_dir}. Ctrl-C ends it.",
        file=sys.stderr,
    )
    outcome = _record(args, options, data_dir)
    if args.json:
        print(json.dumps(outcome.to_json(), indent=2, ensure_ascii=False))
    else:
        print(format_run_summary(outcome, "Demo: a heavy workday from the emulated strap"))
    print(
        f"The demo's day is kept apart from yours, in {data_dir}: add --demo to see it again "
        "(`holdspace review --demo`, `holdspace sessions --demo`, "
        "`holdspace report DATE --demo --html OUT`).",
        file=sys.stderr,
    )
    return 0


def cmd_attach(args: argparse.Namespace) -> int:
    async def follow() -> None:
        seen = 0
        async for message in attach(default_socket_path()):
            print(json.dumps(message), flush=True)
            seen += 1
            if args.count is not None and seen >= args.count:
                return

    asyncio.run(follow())
    return 0


def cmd_service(args: argparse.Namespace) -> int:
    code, text = service_command(args.action, device=args.device, data_dir=_data_dir(args))
    print(text)
    return code
