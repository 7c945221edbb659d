"""The commands that open the screen: ``holdspace``, ``demo``, ``replay FILE``, ``review``.

This module is where the headless core hands over to :mod:`tui`, lazily: the
Textual app is imported only when a screen opens. Without a terminal (a pipe,
a service, CI) the commands fall back to their headless form.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from companion.errors import HoldspaceError

__all__ = ["has_terminal", "replay_runner", "run_screen", "strap_runner"]

DEMO_ASKED = "demo"
"""What the app returns when the helper pressed the key for the demo."""


def has_terminal() -> bool:
    """True when a screen can open: both stdin and stdout are a terminal."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def run_screen(
    runner: Any, data_dir: Path, *, demo: bool = False, review_day: date | None = None
) -> int:
    """Open the app on ``runner`` (None: review) with the store in ``data_dir``.

    ``d`` (offered when no strap can be reached) leaves for the demo on its own store.
    """
    from companion.cli_strap import DEMO_SPEED, demo_options
    from tui.app import HoldspaceApp

    store = _open_store(data_dir, read_only=runner is None)
    try:
        result = HoldspaceApp(runner, store=store, review_day=review_day, demo_key=not demo).run()
    finally:
        store.close()
    if result == DEMO_ASKED:
        return run_screen(
            strap_runner(demo_options(DEMO_SPEED, None)), data_dir / "demo", demo=True
        )
    return 0


def _open_store(data_dir: Path, *, read_only: bool) -> Any:
    from companion.store import Store

    if read_only and not data_dir.exists():
        raise HoldspaceError(
            f"nothing is stored in {data_dir} yet; run `holdspace demo` to see how a day looks"
        )
    return Store(data_dir, read_only=read_only)


def strap_runner(options: Any) -> Any:
    """Record with ``options`` (a strap, or the emulated one) under the screen."""
    return lambda live: live.strap(options)


def replay_runner(path: str, speed: float | None) -> Any:
    return lambda live: live.replay(path, speed)


def cmd_live(args: argparse.Namespace, data_dir: Path) -> int:
    from companion.livesocket import default_socket_path, recorder_running
    from companion.record import RecordOptions

    socket_path = default_socket_path()
    if recorder_running(socket_path):
        raise HoldspaceError(
            "a recorder is already running (holdspace record or the service); follow it with "
            "`holdspace attach` or look back with `holdspace review`"
        )
    if not has_terminal():
        raise HoldspaceError(
            "the live screen needs a terminal; run `holdspace record` to record headless"
        )
    options = RecordOptions(device=getattr(args, "device", None), socket_path=socket_path)
    return run_screen(strap_runner(options), data_dir)
