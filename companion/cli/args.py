"""What every ``holdspace`` command module shares: a date argument, the data folder, JSON out.

The data folder has one rule (:func:`data_dir`): ``--data-dir``, else
``$HOLDSPACE_DATA_DIR``, else the platform's; and with ``--demo`` (on the commands that
read the store) the demo's store inside it, ``DATA_DIR/demo``, which ``holdspace demo``
writes, away from the helper's own days.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

from companion.store.paths import resolve_data_dir
from companion.store.store import MAIN_FILE

__all__ = [
    "DEMO_DIR",
    "add_demo_switch",
    "data_dir",
    "date_arg",
    "demo_hint",
    "has_demo_store",
    "main_data_dir",
    "print_json",
]

DEMO_DIR: Final = "demo"
"""The demo's store: this folder inside the data folder (``holdspace demo`` writes it)."""


DAY_WORDS: Final = {"today": 0, "yesterday": 1}
"""The words every command takes for a day, as days before ``today``."""


def date_arg(text: str, today: date | None = None) -> date:
    """An argparse type, the one date parser of every command: a day like 2026-11-25,
    ``today`` or ``yesterday`` (local days; ``today`` defaults to the system's)."""
    word = text.strip().lower()
    if word in DAY_WORDS:
        return (today if today is not None else date.today()) - timedelta(days=DAY_WORDS[word])
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date like 2026-11-25, 'today' or 'yesterday'"
        ) from None


def main_data_dir(args: argparse.Namespace) -> Path:
    """The helper's data folder: ``--data-dir``, else ``$HOLDSPACE_DATA_DIR``, else the
    platform's (the helper's settings live here, also for the demo)."""
    return resolve_data_dir(getattr(args, "data_dir", None), os.environ)


def data_dir(args: argparse.Namespace) -> Path:
    """The store a command works on: :func:`main_data_dir`, or its ``demo/`` with ``--demo``."""
    main = main_data_dir(args)
    return main / DEMO_DIR if getattr(args, "demo", False) else main


def add_demo_switch(parser: argparse.ArgumentParser) -> None:
    """Give a command that reads the store the ``--demo`` switch (see :func:`data_dir`)."""
    parser.add_argument(
        "--demo",
        action="store_true",
        help="read the demo's store (DATA_DIR/demo, written by `holdspace demo`) instead of yours",
    )


def has_demo_store(args: argparse.Namespace) -> bool:
    """Whether ``holdspace demo`` has stored anything under the data folder."""
    return (main_data_dir(args) / DEMO_DIR / MAIN_FILE).is_file()


def demo_hint(args: argparse.Namespace, store: Any, example: str = "") -> str:
    """The clause a "nothing stored" message adds when only the demo has a day:
    "the demo's day is kept apart: add --demo (`holdspace review --demo`)".

    Empty with ``--demo``, when no demo store exists, or when ``store`` (the helper's
    own, or None when there is none) holds days or sessions. ``example`` is the command
    to suggest (default ``holdspace COMMAND --demo``).
    """
    if getattr(args, "demo", False) or not has_demo_store(args):
        return ""
    if store is not None and (store.days() or store.sessions()):
        return ""
    example = example or f"holdspace {args.command} --demo"
    return f"the demo's day is kept apart: add --demo (`{example}`)"


def print_json(obj: Any) -> None:
    """Print ``obj`` as indented JSON on standard output."""
    print(json.dumps(obj, indent=2, ensure_ascii=False))  # noqa: T201
