"""What every ``holdspace`` command module shares: a date argument, the data folder, JSON out."""

from __future__ import annotations

import argparse
import json
import os
from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["data_dir", "date_arg", "print_json"]


def date_arg(text: str) -> date:
    """An argparse type: a day like 2026-11-25."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-25") from None


def data_dir(args: argparse.Namespace) -> Path:
    """The data folder: ``--data-dir``, else ``$HOLDSPACE_DATA_DIR``, else the platform's."""
    from companion.paths import resolve_data_dir

    return resolve_data_dir(args.data_dir, os.environ)


def print_json(obj: Any) -> None:
    """Print ``obj`` as indented JSON on standard output."""
    print(json.dumps(obj, indent=2, ensure_ascii=False))  # noqa: T201
