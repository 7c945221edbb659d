"""Where the recorder's live socket lives, and how it is kept private and single.

The socket lives in a directory of mode 0700 owned by the user
(``$XDG_RUNTIME_DIR/holdspace`` or ``<tmp>/holdspace-<uid>``), and the socket file has mode
0600. The directory is what really protects the feed: some systems ignore a socket file's
mode. A lock file next to the socket (``recorder.sock.lock``, held with ``flock`` while a
server runs) keeps two recorders from both deciding that an old socket file is stale.
:func:`open_connection` is how a reader reaches the recorder, with errors a person can act on.

Trust goes both ways. Another local user could create ``<tmp>/holdspace-<uid>`` first and
listen in it; so before a reader sends or reads anything, :func:`open_connection` checks the
directory (:func:`check_reader_directory`: not a symbolic link, owned by us, no access for
group or others) and the uid of the process that answers (:func:`peer_uid`); the recorder
checks each reader's uid the same way. The peer's uid comes from the kernel:
``SO_PEERCRED`` on Linux, ``LOCAL_PEERCRED`` on macOS and FreeBSD (what ``getpeereid``
reads). On a system with neither, only the directory is checked.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import socket
import stat
import struct
import sys
import tempfile
from asyncio.trsock import TransportSocket
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from companion.errors import HoldspaceError

__all__ = [
    "SOCKET_ENV",
    "LiveSocketError",
    "acquire_lock",
    "already_running",
    "check_reader_directory",
    "default_socket_path",
    "open_connection",
    "os_reason",
    "peer_uid",
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
PRIVATE_BITS: Final = 0o077
"""Permission bits of group and others: a reader's socket directory must have none of them."""
_XUCRED: Final = struct.Struct("IIh16I")
"""``struct xucred`` (``sys/ucred.h``): version, uid, group count, groups; the uid is second."""
_XUCRED_HEAD: Final = struct.Struct("II")
"""Its first two fields: ``cr_version`` and ``cr_uid``."""
_LOCAL_PEERCRED: Final = 0x001
"""``LOCAL_PEERCRED`` at level ``SOL_LOCAL`` (0) on macOS and FreeBSD."""


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


def peer_uid(sock: socket.socket | TransportSocket) -> int | None:
    """The user id of the process at the other end of the Unix socket ``sock``.

    ``sock`` is a connected ``AF_UNIX`` socket, or the transport socket asyncio hands out
    (``writer.get_extra_info("socket")``). For a connecting reader, the answer is the uid
    that called ``listen`` on the recorder's socket; for the recorder, the uid that
    connected. The kernel records it, so it cannot be forged by the peer.

    Returns
    -------
    int | None
        The uid, or None on a system that cannot tell (neither ``SO_PEERCRED`` nor
        ``LOCAL_PEERCRED``).

    Raises
    ------
    OSError
        The socket cannot be asked (it is closed, say).
    """
    so_peercred = getattr(socket, "SO_PEERCRED", None)
    if so_peercred is not None:  # Linux: struct ucred {pid, uid, gid}
        creds = sock.getsockopt(socket.SOL_SOCKET, so_peercred, struct.calcsize("3i"))
        _pid, uid, _gid = struct.unpack("3i", creds)
        return int(uid)
    if sys.platform == "darwin" or sys.platform.startswith("freebsd"):
        creds = sock.getsockopt(0, _LOCAL_PEERCRED, _XUCRED.size)
        return int(_XUCRED_HEAD.unpack_from(creds)[1])
    return None


def check_reader_directory(path: Path) -> None:
    """Refuse a socket whose directory another user could have made or can enter.

    The directory of ``path`` must not be a symbolic link, must be owned by us, and must
    give group and others no access (the recorder makes it 0700). A missing directory is
    the same as a missing socket: no recorder runs.

    Raises
    ------
    LiveSocketError
        The directory is missing, a link, another user's, or open to others.
    """
    directory = path.parent
    try:
        info = directory.lstat()
    except FileNotFoundError:
        raise LiveSocketError(_no_recorder(f"no socket at {path}")) from None
    except OSError as exc:
        raise LiveSocketError(
            f"Cannot check the recorder's folder {directory} ({os_reason(exc)})."
        ) from exc
    advice = "Remove it, or set XDG_RUNTIME_DIR."
    if stat.S_ISLNK(info.st_mode):
        raise LiveSocketError(
            f"The recorder's folder {directory} is a symbolic link: not connecting. {advice}"
        )
    if info.st_uid != os.geteuid():
        raise LiveSocketError(
            f"The recorder's folder {directory} is owned by uid {info.st_uid}, not you: "
            f"not connecting. {advice}"
        )
    if stat.S_IMODE(info.st_mode) & PRIVATE_BITS:
        raise LiveSocketError(
            f"The recorder's folder {directory} is open to other users "
            f"(mode {stat.S_IMODE(info.st_mode):o}): not connecting. "
            f"Make it private (`chmod 700 {directory}`), or remove it."
        )


def _no_recorder(why: str) -> str:
    return f"No Holdspace recorder is running ({why}); start one with `holdspace record`."


async def open_connection(
    path: Path, limit: int
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Connect to the recorder listening on ``path`` (lines up to ``limit`` bytes).

    Nothing is sent or read before the directory (:func:`check_reader_directory`) and the
    uid of the process that answers (:func:`peer_uid`) have been checked.

    Raises
    ------
    LiveSocketError
        No recorder is running at ``path``, its socket cannot be opened, or the socket's
        directory or the process answering on it is not ours.
    """
    check_reader_directory(path)
    try:
        reader, writer = await asyncio.open_unix_connection(os.fspath(path), limit=limit)
    except FileNotFoundError:
        raise LiveSocketError(_no_recorder(f"no socket at {path}")) from None
    except ConnectionRefusedError:
        raise LiveSocketError(_no_recorder(f"nothing answers at {path}")) from None
    except PermissionError:
        raise LiveSocketError(
            f"Cannot open the recorder socket {path}: permission denied "
            "(is the recorder running as another user?)."
        ) from None
    except OSError as exc:
        raise LiveSocketError(
            f"Cannot connect to the Holdspace recorder at {path} ({os_reason(exc)})."
        ) from exc
    try:
        uid = peer_uid(writer.get_extra_info("socket"))
    except OSError as exc:
        writer.transport.abort()
        raise LiveSocketError(
            f"Cannot tell who answers at {path} ({os_reason(exc)}); not connecting."
        ) from exc
    if uid is not None and uid != os.geteuid():
        writer.transport.abort()
        raise LiveSocketError(
            f"The process answering at {path} runs as uid {uid}, not you: not connecting. "
            "Remove the socket's folder, or set XDG_RUNTIME_DIR."
        )
    return reader, writer
