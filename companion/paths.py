"""Where Holdspace keeps its data."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

__all__ = ["DATA_DIR_ENV", "default_data_dir", "resolve_data_dir"]

DATA_DIR_ENV: Final = "HOLDSPACE_DATA_DIR"


def default_data_dir() -> Path:
    """The platform's per-user data directory (``~/.local/share/holdspace`` on Linux)."""
    from platformdirs import user_data_path

    return user_data_path("holdspace", appauthor=False)


def resolve_data_dir(option: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path:
    """``--data-dir`` wins over ``$HOLDSPACE_DATA_DIR``, which wins over the platform default."""
    if option:
        return Path(option).expanduser()
    from_env = env.get(DATA_DIR_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    return default_data_dir()
