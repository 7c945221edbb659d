"""Where the recorder's live socket lives, and how it is kept private and single.

The socket lives in a directory of mode 0700 owned by the user
(``$XDG_RUNTIME_DIR/holdspace`` or ``<tmp>/holdspace-<uid>``), and the socket file has mode
0600. The directory is what really protects the feed: some systems ignore a socket file's
mode. A lock file next to the socket (``recorder.sock.lock``, held with ``flock`` while a
server runs) keeps two recorders from both deciding that an old socket file is stale.
:func:`open_connection` is how a reader reaches the recorder, with errors a person can act on.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import socket
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from companion.errors import HoldspaceError

__all__ = [
    "SOCKET_ENV",
    "LiveSocketError",
    "acquire_lock",
    "already_running",
    "default_socket_path",
    "open_connection",
    "os_reason",
    "recorder_running",
    "secure_directory",
]

SOCKET_ENV: Final = "HOLDSPACE_SOCKET"
"""Environment variable naming the socket path; it overrides the default location."""
SOCKET_NAME: Final = "recorder.sock"
LOCK_SUFFIX: Final = ".lock"
DIR_MODE: Final = 0o700
SOCKET_MODE: Final = 0o600
LOCK_MODE: Final = 0o600


class LiveSocketError(HoldspaceError):
    """The live socket cannot be served or reached; the message says what to do."""


def default_socket_path(env: Mapping[str, str] = os.environ) -> Path:
    """Where the recorder listens.

    Parameters
    ----------
    env : Mapping[str, str]
        Environment to read, ``os.environ`` by default.

    Returns
    -------
    Path
        ``$HOLDSPACE_SOCKET`` when set; else ``$XDG_RUNTIME_DIR/holdspace/recorder.sock`` when
        ``XDG_RUNTIME_DIR`` names an existing directory (absolute, as the XDG Base Directory
        Specification requires); else ``<tempfile.gettempdir()>/holdspace-<uid>/recorder.sock``.
    """
    override = env.get(SOCKET_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    runtime_dir = Path(env.get("XDG_RUNTIME_DIR", "").strip())
    if runtime_dir.is_absolute() and runtime_dir.is_dir():
        return runtime_dir / "holdspace" / SOCKET_NAME
    return Path(tempfile.gettempdir()) / f"holdspace-{os.getuid()}" / SOCKET_NAME


def recorder_running(path: Path) -> bool:
    """Whether something listens on the socket ``path``; never blocks.

    A listener whose connection backlog is full counts as running.
    """
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.setblocking(False)
        probe.connect(os.fspath(path))
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        probe.close()
    return True


def already_running(path: Path) -> str:
    return f"Another Holdspace recorder is already running (socket {path})."


def os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def secure_directory(directory: Path) -> None:
    """Create ``directory`` with mode 0700, or check that it is ours and make it 0700.

    The directory is opened without following a symbolic link and checked and chmod-ed
    through that descriptor, so it cannot be swapped between the check and the chmod.
    """
    advice = f"Set {SOCKET_ENV} to a path in a directory only you can write to."
    try:
        directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        reason = "it is a symbolic link" if directory.is_symlink() else os_reason(exc)
        raise LiveSocketError(
            f"Cannot use {directory} for the recorder socket ({reason}). {advice}"
        ) from exc
    try:
        info = os.fstat(fd)
        if info.st_uid != os.geteuid():
            raise LiveSocketError(
                f"The socket directory {directory} belongs to another user; "
                f"refusing to use it. {advice}"
            )
        if stat.S_IMODE(info.st_mode) != DIR_MODE:
            os.fchmod(fd, DIR_MODE)
            info = os.fstat(fd)
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise LiveSocketError(
                f"The socket directory {directory} is writable by other users and cannot be "
                f"made private; refusing to use it. {advice}"
            )
    except OSError as exc:
        raise LiveSocketError(
            f"Cannot make {directory} private for the recorder socket ({os_reason(exc)}). {advice}"
        ) from exc
    finally:
        os.close(fd)


def acquire_lock(socket_path: Path) -> int:
    """Hold the lock file of ``socket_path``; the kernel releases it if the process dies."""
    lock_path = socket_path.with_name(socket_path.name + LOCK_SUFFIX)
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, LOCK_MODE)
    except OSError as exc:
        raise LiveSocketError(
            f"Cannot open the recorder lock file {lock_path} ({os_reason(exc)})."
        ) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise LiveSocketError(already_running(socket_path)) from None
    except OSError as exc:
        os.close(fd)
        raise LiveSocketError(
            f"Cannot lock the recorder lock file {lock_path} ({os_reason(exc)})."
        ) from exc
    return fd


async def open_connection(
    path: Path, limit: int
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Connect to the recorder listening on ``path`` (lines up to ``limit`` bytes).

    Raises
    ------
    LiveSocketError
        No recorder is running at ``path``, or its socket cannot be opened.
    """
    try:
        return await asyncio.open_unix_connection(os.fspath(path), limit=limit)
    except FileNotFoundError:
        raise LiveSocketError(
            f"No Holdspace recorder is running (no socket at {path}); "
            "start one with `holdspace record`."
        ) from None
    except ConnectionRefusedError:
        raise LiveSocketError(
            f"No Holdspace recorder is running (nothing answers at {path}); "
            "start one with `holdspace record`."
        ) from None
    except PermissionError:
        raise LiveSocketError(
            f"Cannot open the recorder socket {path}: permission denied "
            "(is the recorder running as another user?)."
        ) from None
    except OSError as exc:
        raise LiveSocketError(
            f"Cannot connect to the Holdspace recorder at {path} ({os_reason(exc)})."
        ) from exc
