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

from companion.cli.demo import DEMO_SPEED, demo_options
from companion.errors import HoldspaceError
from companion.live.recorder import RecordOptions, record_live
from companion.livesocket.paths import default_socket_path, recorder_running
from companion.logfile import screen_logging
from companion.settings import STRAP_SETTING, apply_retention_setting, load_settings
from companion.store.store import Store

__all__ = ["attach_runner", "has_terminal", "replay_runner", "run_screen", "strap_runner"]

DEMO_ASKED = "demo"
"""What the app returns when the helper pressed the key for the demo."""


def has_terminal() -> bool:
    """True when a screen can open: both stdin and stdout are a terminal."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def run_screen(
    runner: Any,
    data_dir: Path,
    *,
    demo: bool = False,
    review_day: date | None = None,
    setup_runner: Any = None,
    settings_dir: Path | None = None,
    read_only: bool = False,
) -> int:
    """Open the app on ``runner`` (None: review) with the store in ``data_dir``.

    ``d`` (offered when no strap can be reached) leaves for the demo on its own store.
    With ``setup_runner`` (no strap chosen) the strap the recorder remembers is used,
    else the app first finds one and runs ``setup_runner(address)``. The helper's
    settings are read from ``settings_dir`` (default ``data_dir``; the demo's store
    lies inside the main one and shares its settings).

    An error nothing in the screen handled ends in a :class:`HoldspaceError` once the
    screen has closed (the command's one sentence and exit status 1), its traceback in
    ``DATA/holdspace.log``.
    """
    from tui.app import HoldspaceApp  # Textual loads only for the commands that show a screen

    settings_dir = settings_dir if settings_dir is not None else data_dir
    settings = load_settings(settings_dir)
    # read_only: another process writes the store (a recorder the screen attaches to).
    store = _open_store(data_dir, read_only=read_only or (runner is None and setup_runner is None))
    try:
        if setup_runner is not None and (remembered := _remembered_strap(store)) is not None:
            runner, setup_runner = setup_runner(remembered), None
        app = HoldspaceApp(
            runner,
            store=store,
            review_day=review_day,
            demo_key=not demo,
            settings=settings,
            settings_dir=settings_dir,
            setup_runner=setup_runner,
        )
        # Nothing but Textual writes to the terminal: the log goes to DATA/holdspace.log.
        with screen_logging(settings_dir) as log_path:
            result = app.run()
    finally:
        store.close()
    if app.return_code:  # an error nothing handled: its traceback is in the log
        raise HoldspaceError(
            f"the screen stopped on an unexpected error (a fault in Holdspace, not in your "
            f"data); what happened is in {log_path}"
        )
    if result == DEMO_ASKED:
        return run_screen(
            strap_runner(demo_options(DEMO_SPEED, None)),
            data_dir / "demo",
            demo=True,
            settings_dir=settings_dir,
        )
    return 0


def _remembered_strap(store: Any) -> str | None:
    """The strap ``holdspace record`` used last (kept in the store), if any."""
    address = store.setting(STRAP_SETTING)
    return address if isinstance(address, str) and address else None


def _open_store(data_dir: Path, *, read_only: bool) -> Any:
    if read_only and not data_dir.exists():
        raise HoldspaceError(
            f"nothing is stored in {data_dir} yet; run `holdspace demo` to see how a day looks"
        )
    store = Store(data_dir, read_only=read_only)
    if not read_only:
        try:
            apply_retention_setting(store, date.today())
        except BaseException:
            store.close()
            raise
    return store


def strap_runner(options: Any) -> Any:
    """Record with ``options`` (a strap, or the emulated one) under the screen."""

    return lambda live: record_live(live, options)


def replay_runner(path: str, speed: float | None) -> Any:
    return lambda live: live.replay(path, speed)


def attach_runner(socket_path: Path) -> Any:
    """Follow the recorder serving ``socket_path``; the helper's acts are sent to it."""
    return lambda live: live.attach(socket_path)


def cmd_live(args: argparse.Namespace, data_dir: Path) -> int:
    socket_path = default_socket_path()
    attached = recorder_running(socket_path)
    if not has_terminal():
        raise HoldspaceError(
            "the live screen needs a terminal; a recorder is running: follow it headless "
            "with `holdspace attach`"
            if attached
            else "the live screen needs a terminal; run `holdspace record` to record headless"
        )
    if attached:  # the recorder holds the strap and the store: the screen follows it
        return run_screen(attach_runner(socket_path), data_dir, read_only=True)
    settings = load_settings(data_dir)
    device = getattr(args, "device", None) or settings.strap_address

    def strap(address: str) -> Any:
        def run(live: Any) -> Any:
            options = RecordOptions(
                device=address,
                socket_path=socket_path,
                policy_config=settings.policy_config(),
                pmd=settings.ecg_motion,
            )
            return record_live(live, options)

        return run

    if device is None:  # first run: the screen finds the strap, then records from it
        return run_screen(None, data_dir, setup_runner=strap)
    return run_screen(strap(device), data_dir)
