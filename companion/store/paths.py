"""Where Holdspace keeps its data, and how its folders and files are made private.

Folders Holdspace creates are mode 0700 and its files 0600 whatever the umask: ``mkdir``
and ``open`` only ever remove bits of the mode they are given (and ``mkdir(parents=True)``
gives the parents none), so each folder is made one level at a time and chmod-ed, and
each file is opened 0600 and fchmod-ed. A folder that already exists is left as it is:
:func:`readable_by_others` says when the data folder itself lets others in.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from platformdirs import user_data_path

__all__ = [
    "DATA_DIR_ENV",
    "DIR_MODE",
    "FILE_MODE",
    "default_data_dir",
    "make_private_dir",
    "open_private",
    "readable_by_others",
    "resolve_data_dir",
]

DATA_DIR_ENV: Final = "HOLDSPACE_DATA_DIR"
DIR_MODE: Final = 0o700
"""Folders Holdspace creates: only you can list or enter them."""
FILE_MODE: Final = 0o600
"""Files Holdspace creates: only you can read or write them."""


def default_data_dir() -> Path:
    """The platform's per-user data directory (``~/.local/share/holdspace`` on Linux)."""
    return user_data_path("holdspace", appauthor=False)


def resolve_data_dir(option: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path:
    """``--data-dir`` wins over ``$HOLDSPACE_DATA_DIR``, which wins over the platform default."""
    if option:
        return Path(option).expanduser()
    from_env = env.get(DATA_DIR_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    return default_data_dir()


def make_private_dir(path: Path) -> list[Path]:
    """Create ``path`` and its missing parents, each mode 0700 whatever the umask.

    Returns the folders created, outermost first; folders that exist keep their mode.
    Raises :class:`OSError` when a level cannot be made (a file in the way, no permission).
    """
    missing: list[Path] = []
    level = Path(path)
    while not level.is_dir() and level.parent != level:
        missing.append(level)
        level = level.parent
    created: list[Path] = []
    for level in reversed(missing):
        try:
            level.mkdir(mode=DIR_MODE)
        except FileExistsError:
            if level.is_dir():  # made meanwhile by another of our processes
                continue
            raise
        level.chmod(DIR_MODE)
        created.append(level)
    return created


def open_private(path: Path, flags: int) -> int:
    """``os.open(path, flags | O_CREAT)`` with mode 0600 whatever the umask (an existing
    file of ours is made 0600 too); returns the descriptor."""
    fd = os.open(path, flags | os.O_CREAT, FILE_MODE)
    with contextlib.suppress(AttributeError, OSError):  # Windows has no fchmod
        os.fchmod(fd, FILE_MODE)
    return fd


def readable_by_others(directory: Path) -> str | None:
    """One sentence when ``directory`` (an existing data folder) lets other users in, else None.

    Holdspace does not change the mode of a folder it did not create (it may be shared
    on purpose); the files it writes there are 0600 all the same.
    """
    if os.name == "nt":
        return None
    try:
        mode = stat.S_IMODE(directory.stat().st_mode)
    except OSError:
        return None
    if not mode & 0o077:
        return None
    return (
        f"The data folder {directory} can be opened by other users (mode {mode:04o}) and "
        f"Holdspace leaves the mode of an existing folder alone; run `chmod 700 {directory}` "
        "to keep it to yourself."
    )
