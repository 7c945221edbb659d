"""The recorder's live feed: JSON Lines over a Unix socket that only the user can open.

A headless recorder (``holdspace record``) owns the strap all day and publishes what it sees
through a :class:`LiveServer`. A UI or ``holdspace attach`` started later reads the same feed
with :func:`attach` instead of competing for the strap; closing a reader never stops the
recorder.

Wire format: one JSON object per line (JSON Lines, UTF-8, ``\\n``-terminated, strict JSON, so
no ``NaN``: send ``null`` for a missing value), at most :data:`LINE_LIMIT_BYTES` per line. A
reader first receives the server's ``hello`` message, if it has one, then every message
published after it connected, in order.

Privacy. The socket lives in a directory of mode 0700 owned by the user
(``$XDG_RUNTIME_DIR/holdspace`` or ``<tmp>/holdspace-<uid>``), and the socket file has mode
0600. The directory is what really protects the feed: some systems ignore a socket file's
mode, and a file is briefly created with the umask's mode before it can be chmod-ed. That
window is closed too: the socket is bound, chmod-ed, and only then listens, so a connection
attempted in between is refused. The process-wide umask is never changed.

One recorder per socket. A lock file next to the socket (``recorder.sock.lock``, held with
``flock`` while the server runs) keeps two recorders from both deciding that an old socket
file is stale; a socket file is removed only when nothing answers on it.

Back-pressure. Publishing never waits. Each reader has a bounded queue; a reader that falls
``max_queue`` messages behind is disconnected and counted in :attr:`LiveServer.dropped`, so a
stalled UI can never stall the recorder.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import json
import logging
import os
import socket
import stat
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final, NoReturn, Self

from companion.errors import HoldspaceError

__all__ = [
    "LINE_LIMIT_BYTES",
    "SOCKET_ENV",
    "LiveServer",
    "LiveSocketError",
    "attach",
    "decode_line",
    "default_socket_path",
    "encode_line",
    "recorder_running",
]

logger = logging.getLogger(__name__)

SOCKET_ENV: Final = "HOLDSPACE_SOCKET"
"""Environment variable naming the socket path; it overrides the default location."""
SOCKET_NAME: Final = "recorder.sock"
LOCK_SUFFIX: Final = ".lock"
LINE_LIMIT_BYTES: Final = 1024 * 1024
"""Longest message either side accepts, in bytes of UTF-8 without the newline (1 MiB)."""
DIR_MODE: Final = 0o700
SOCKET_MODE: Final = 0o600
LOCK_MODE: Final = 0o600
CLOSE_GRACE_S: Final = 1.0
"""Seconds :meth:`LiveServer.close` lets readers take their last messages before cutting them."""
_READ_CHUNK_BYTES: Final = 4096


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


def encode_line(message: dict[str, Any]) -> bytes:
    """One message as a line of the feed: compact UTF-8 JSON and a newline.

    Raises
    ------
    TypeError
        A value is not JSON-able.
    ValueError
        A float is NaN or infinite (not JSON), or the line exceeds :data:`LINE_LIMIT_BYTES`.
    """
    text = json.dumps(message, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    line = text.encode("utf-8")
    if len(line) > LINE_LIMIT_BYTES:
        raise ValueError(
            f"live message of {len(line)} bytes exceeds the {LINE_LIMIT_BYTES}-byte line limit"
        )
    return line + b"\n"


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def decode_line(line: bytes) -> dict[str, Any]:
    """One line of the feed as a message.

    Raises
    ------
    ValueError
        The line is not UTF-8, not strict JSON, or not a JSON object.
    """
    value = json.loads(line.decode("utf-8"), parse_constant=_reject_constant)
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object, got {type(value).__name__}")
    return value


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


def _already_running(path: Path) -> str:
    return f"Another Holdspace recorder is already running (socket {path})."


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _secure_directory(directory: Path) -> None:
    """Create ``directory`` with mode 0700, or check that it is ours and make it 0700.

    The directory is opened without following a symbolic link and checked and chmod-ed
    through that descriptor, so it cannot be swapped between the check and the chmod.
    """
    advice = f"Set {SOCKET_ENV} to a path in a directory only you can write to."
    try:
        directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        reason = "it is a symbolic link" if directory.is_symlink() else _reason(exc)
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
            f"Cannot make {directory} private for the recorder socket ({_reason(exc)}). {advice}"
        ) from exc
    finally:
        os.close(fd)


def _acquire_lock(socket_path: Path) -> int:
    """Hold the lock file of ``socket_path``; the kernel releases it if the process dies."""
    lock_path = socket_path.with_name(socket_path.name + LOCK_SUFFIX)
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, LOCK_MODE)
    except OSError as exc:
        raise LiveSocketError(
            f"Cannot open the recorder lock file {lock_path} ({_reason(exc)})."
        ) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise LiveSocketError(_already_running(socket_path)) from None
    except OSError as exc:
        os.close(fd)
        raise LiveSocketError(
            f"Cannot lock the recorder lock file {lock_path} ({_reason(exc)})."
        ) from exc
    return fd


async def _until_eof(reader: asyncio.StreamReader) -> None:
    """Discard whatever a reader sends until it hangs up."""
    with contextlib.suppress(OSError):
        while await reader.read(_READ_CHUNK_BYTES):
            continue


@dataclass(frozen=True, slots=True, eq=False)
class _Client:
    """One connected reader: its stream and the lines waiting for it (``None`` ends it)."""

    writer: asyncio.StreamWriter
    queue: asyncio.Queue[bytes | None]

    def cut_off(self) -> None:
        """Drop the connection now, discarding unsent data."""
        self.writer.transport.abort()


class LiveServer:
    """Publish the recorder's live state to any number of local readers.

    Parameters
    ----------
    path : Path
        Socket path, usually :func:`default_socket_path`. Its directory is created with mode
        0700 (or checked and made 0700); the socket file gets mode 0600.
    hello : Callable[[], dict[str, Any]] | None
        Called for each new reader; its message is the first the reader receives, so it can
        catch up (source, state, version) before the live messages.
    max_queue : int
        Messages a reader may fall behind before it is disconnected.

    Notes
    -----
    Call :meth:`publish` from the event loop's thread. Use as ``async with LiveServer(...)``
    or call :meth:`start` and :meth:`close`.
    """

    def __init__(
        self,
        path: Path,
        *,
        hello: Callable[[], dict[str, Any]] | None = None,
        max_queue: int = 1000,
    ) -> None:
        if max_queue < 1:
            raise ValueError(f"max_queue must be at least 1, got {max_queue}")
        self._path = path
        self._hello = hello
        self._max_queue = max_queue
        self._server: asyncio.Server | None = None
        self._lock_fd: int | None = None
        self._socket_id: tuple[int, int] | None = None
        self._clients: set[_Client] = set()
        self._handlers: dict[asyncio.Task[Any], asyncio.StreamWriter] = {}
        self._changed = asyncio.Event()
        self._dropped = 0
        self._started = False
        self._closing = False

    @property
    def path(self) -> Path:
        """The socket path."""
        return self._path

    @property
    def clients(self) -> int:
        """Readers connected now."""
        return len(self._clients)

    @property
    def dropped(self) -> int:
        """Readers disconnected so far for falling ``max_queue`` messages behind."""
        return self._dropped

    async def start(self) -> None:
        """Secure the directory, take the socket over from a dead recorder, and listen.

        Raises
        ------
        LiveSocketError
            Another recorder answers on the socket, or the directory is not private to us,
            or the socket cannot be created.
        """
        if self._started:
            raise RuntimeError("a LiveServer can be started only once")
        self._started = True
        _secure_directory(self._path.parent)
        lock_fd = _acquire_lock(self._path)
        try:
            self._remove_stale_socket()
            listener = self._bind()
            try:
                self._server = await asyncio.start_unix_server(self._handle, sock=listener)
            except BaseException:
                listener.close()
                self._unlink_socket()
                raise
        except BaseException:
            os.close(lock_fd)
            raise
        self._lock_fd = lock_fd
        logger.info("Live socket listening on %s", self._path)

    def _remove_stale_socket(self) -> None:
        try:
            self._path.lstat()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise LiveSocketError(f"Cannot inspect {self._path} ({_reason(exc)}).") from exc
        if recorder_running(self._path):
            raise LiveSocketError(_already_running(self._path))
        logger.info("Removing the stale socket %s (nothing answers on it)", self._path)
        try:
            self._path.unlink(missing_ok=True)
        except OSError as exc:
            raise LiveSocketError(
                f"Cannot remove the stale socket {self._path} ({_reason(exc)})."
            ) from exc

    def _bind(self) -> socket.socket:
        """Bind and chmod the socket; it listens only once the server starts serving."""
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(os.fspath(self._path))
        except OSError as exc:
            listener.close()
            if exc.errno == errno.EADDRINUSE:
                raise LiveSocketError(_already_running(self._path)) from None
            raise LiveSocketError(
                f"Cannot create the recorder socket {self._path} ({_reason(exc)})."
            ) from exc
        try:
            self._path.chmod(SOCKET_MODE)
            info = self._path.lstat()
        except OSError as exc:
            listener.close()
            with contextlib.suppress(OSError):
                self._path.unlink()
            raise LiveSocketError(
                f"Cannot make the recorder socket {self._path} private ({_reason(exc)})."
            ) from exc
        self._socket_id = (info.st_dev, info.st_ino)
        return listener

    def publish(self, message: dict[str, Any]) -> None:
        """Queue ``message`` for every connected reader; never waits.

        A reader whose queue is full is disconnected and counted in :attr:`dropped`.

        Raises
        ------
        TypeError, ValueError
            The message is not strict JSON or is too long (see :func:`encode_line`).
        """
        line = encode_line(message)
        for client in tuple(self._clients):
            try:
                client.queue.put_nowait(line)
            except asyncio.QueueFull:
                self._dropped += 1
                logger.warning(
                    "Live socket: a reader fell %d messages behind and was disconnected",
                    self._max_queue,
                )
                self._forget(client)
                client.cut_off()

    async def wait_for_clients(self, count: int) -> None:
        """Return once exactly ``count`` readers are connected."""
        while len(self._clients) != count:
            await self._changed.wait()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _forget(self, client: _Client) -> None:
        if client in self._clients:
            self._clients.discard(client)
            self._notify()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers[task] = writer
        try:
            await self._serve(reader, writer)
        finally:
            if task is not None:
                self._handlers.pop(task, None)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        client = _Client(writer, asyncio.Queue(self._max_queue))
        if self._closing:
            client.cut_off()
            return
        if self._hello is not None:
            try:
                client.queue.put_nowait(encode_line(self._hello()))
            except Exception:
                logger.exception("Live socket: hello() failed; closing the new connection")
                client.cut_off()
                return
        # Registered in the same step as the hello is queued: nothing published can precede it.
        self._clients.add(client)
        self._notify()
        pump = asyncio.create_task(self._pump(client))
        hangup = asyncio.create_task(_until_eof(reader))
        graceful = False
        try:
            await asyncio.wait({pump, hangup}, return_when=asyncio.FIRST_COMPLETED)
            graceful = pump.done() and not pump.cancelled() and pump.result()
        finally:
            self._forget(client)
            pump.cancel()
            hangup.cancel()
            await asyncio.gather(pump, hangup, return_exceptions=True)
            if not graceful:
                client.cut_off()
        # The server is closing: let the reader take what is buffered, then hang up.
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()

    @staticmethod
    async def _pump(client: _Client) -> bool:
        """Write queued lines until ``None`` (True) or until the reader is gone (False)."""
        try:
            while (line := await client.queue.get()) is not None:
                client.writer.write(line)
                await client.writer.drain()
        except OSError:
            return False
        return True

    async def close(self) -> None:
        """Stop listening, let readers take their queued messages, hang up, remove the socket.

        Readers that do not finish within :data:`CLOSE_GRACE_S` are cut off.
        """
        if self._closing:
            return
        self._closing = True
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for client in tuple(self._clients):
            try:
                client.queue.put_nowait(None)
            except asyncio.QueueFull:
                self._forget(client)
                client.cut_off()
        handlers = dict(self._handlers)
        if handlers:
            _, pending = await asyncio.wait(handlers, timeout=CLOSE_GRACE_S)
            for task in pending:
                handlers[task].transport.abort()
            await asyncio.gather(*pending, return_exceptions=True)
        if server is not None:
            await server.wait_closed()
        self._unlink_socket()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
        logger.info("Live socket on %s closed", self._path)

    def _unlink_socket(self) -> None:
        """Remove our socket file, unless another recorder has replaced it since."""
        socket_id, self._socket_id = self._socket_id, None
        if socket_id is None:
            return
        try:
            info = self._path.lstat()
            if (info.st_dev, info.st_ino) == socket_id:
                self._path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            logger.warning("Could not remove the socket %s: %s", self._path, _reason(exc))

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


async def attach(path: Path) -> AsyncIterator[dict[str, Any]]:
    """Read a running recorder's live feed, one message at a time, until it closes.

    Lines that are not JSON objects are skipped with a warning. Leaving the loop (or
    ``aclose()``) hangs up; the recorder keeps recording.

    Parameters
    ----------
    path : Path
        The recorder's socket, usually :func:`default_socket_path`.

    Yields
    ------
    dict[str, Any]
        Each message, starting with the recorder's ``hello``.

    Raises
    ------
    LiveSocketError
        No recorder is running at ``path``, or its socket cannot be opened.
    """
    try:
        reader, writer = await asyncio.open_unix_connection(os.fspath(path), limit=LINE_LIMIT_BYTES)
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
            f"Cannot connect to the Holdspace recorder at {path} ({_reason(exc)})."
        ) from exc
    try:
        while True:
            try:
                line = await reader.readline()
            except ValueError:
                logger.warning("Skipping a live-feed line longer than %d bytes", LINE_LIMIT_BYTES)
                continue
            except OSError:
                return
            if not line:
                return
            if not line.strip():
                continue
            try:
                message = decode_line(line)
            except ValueError as exc:
                logger.warning("Skipping a live-feed line that is not a JSON object: %s", exc)
                continue
            yield message
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
