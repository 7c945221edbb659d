"""The recorder's live feed: JSON Lines over a Unix socket that only the user can open.

A headless recorder (``holdspace record``) owns the strap all day and publishes what it sees
through a :class:`LiveServer`. A screen or ``holdspace attach`` started later reads the same
feed with :func:`attach` instead of competing for the strap; closing a reader never stops the
recorder. A reader may also send commands (the helper's acts, :mod:`companion.livesocket.wire`):
each is handed to the server's ``commands`` callable and answered on that connection only.
A line that is not a command is answered with an error and logged; it never stops the server.
A line over :data:`~companion.livesocket.commands.COMMAND_LIMIT_BYTES` is answered with an error and
ends that connection: the rest of it is never read, so none of it can pass for a command.

Wire format: :mod:`companion.livesocket.wire`. A reader first receives the server's ``hello``
message, if it has one, then every message published after it connected, in order.

Privacy (:mod:`companion.livesocket.paths`). The socket lives in a directory of mode 0700 owned by
the user, and the socket file has mode 0600. A file is briefly created with the umask's
mode before it can be chmod-ed; that window is closed too: the socket is bound, chmod-ed,
and only then listens, so a connection attempted in between is refused. The process-wide
umask is never changed. A connection from a process of another user (the kernel says which:
:func:`~companion.livesocket.paths.peer_uid`) is hung up on before anything is sent or read, for the
systems that ignore a socket file's mode.

One recorder per socket. A lock file next to the socket (``recorder.sock.lock``, held with
``flock`` while the server runs) keeps two recorders from both deciding that an old socket
file is stale; a socket file is removed only when it is a socket and nothing answers on it
(anything else at the path is left alone, and the recorder does not start).

Back-pressure. Publishing never waits. Each reader has a bounded queue; a reader that falls
``max_queue`` messages behind is disconnected and counted in :attr:`LiveServer.dropped`, so a
stalled UI can never stall the recorder.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import socket
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

from companion.livesocket.commands import (
    COMMAND_LIMIT_BYTES,
    CommandHandler,
    over_limit_reply,
    reply_line,
)
from companion.livesocket.paths import (
    SOCKET_ENV,
    SOCKET_MODE,
    LiveSocketError,
    acquire_lock,
    already_running,
    os_reason,
    peer_uid,
    recorder_running,
    secure_directory,
)
from companion.livesocket.wire import encode_line

__all__ = ["LiveServer"]

logger = logging.getLogger(__name__)

CLOSE_GRACE_S: Final = 1.0
"""Seconds :meth:`LiveServer.close` lets readers take their last messages before cutting them."""


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
    commands : CommandHandler | None
        Carries out the commands readers send (None: every command is refused).
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
        commands: CommandHandler | None = None,
        max_queue: int = 1000,
    ) -> None:
        if max_queue < 1:
            raise ValueError(f"max_queue must be at least 1, got {max_queue}")
        self._path = path
        self._hello = hello
        self._commands = commands
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
        secure_directory(self._path.parent)
        lock_fd = acquire_lock(self._path)
        try:
            self._remove_stale_socket()
            listener = self._bind()
            try:
                self._server = await asyncio.start_unix_server(
                    self._handle, sock=listener, limit=COMMAND_LIMIT_BYTES
                )
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
            info = self._path.lstat()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise LiveSocketError(f"Cannot inspect {self._path} ({os_reason(exc)}).") from exc
        if not stat.S_ISSOCK(info.st_mode):
            raise LiveSocketError(
                f"{self._path} is not a socket, so the recorder leaves it alone and cannot "
                f"start; move it away, or set {SOCKET_ENV} to another path."
            )
        if recorder_running(self._path):
            raise LiveSocketError(already_running(self._path))
        logger.info("Removing the stale socket %s (nothing answers on it)", self._path)
        try:
            self._path.unlink(missing_ok=True)
        except OSError as exc:
            raise LiveSocketError(
                f"Cannot remove the stale socket {self._path} ({os_reason(exc)})."
            ) from exc

    def _bind(self) -> socket.socket:
        """Bind and chmod the socket; it listens only once the server starts serving."""
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(os.fspath(self._path))
        except OSError as exc:
            listener.close()
            if exc.errno == errno.EADDRINUSE:
                raise LiveSocketError(already_running(self._path)) from None
            raise LiveSocketError(
                f"Cannot create the recorder socket {self._path} ({os_reason(exc)})."
            ) from exc
        try:
            self._path.chmod(SOCKET_MODE)
            info = self._path.lstat()
        except OSError as exc:
            listener.close()
            with contextlib.suppress(OSError):
                self._path.unlink()
            raise LiveSocketError(
                f"Cannot make the recorder socket {self._path} private ({os_reason(exc)})."
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
            self._send(client, line)

    def _send(self, client: _Client, line: bytes) -> None:
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
        if not _same_user(writer):
            writer.transport.abort()
            return
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
        hangup = asyncio.create_task(self._read_commands(client, reader))
        graceful = False
        try:
            await asyncio.wait({pump, hangup}, return_when=asyncio.FIRST_COMPLETED)
            graceful = _returned_true(pump) or _returned_true(hangup)
        finally:
            self._forget(client)
            pump.cancel()
            hangup.cancel()
            await asyncio.gather(pump, hangup, return_exceptions=True)
            if not graceful:
                client.cut_off()
        # The server is closing, or the reader sent a line over the limit: let the reader
        # take what is buffered, then hang up.
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()

    async def _read_commands(self, client: _Client, reader: asyncio.StreamReader) -> bool:
        """Answer each line the reader sends until it hangs up; nothing it sends stops us.

        A line over the limit is refused and ends the connection (True: hang up politely,
        the refusal written): its rest is never read, so none of it passes for a command.
        """
        while True:
            try:
                line = await reader.readline()
            except ValueError:  # longer than the limit: the framing is lost
                self._forget(client)
                client.writer.write(over_limit_reply())
                return True
            except OSError:
                return False
            if not line:
                return False
            if line.strip() and client in self._clients:
                self._send(client, reply_line(line, self._commands))

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
            logger.warning("Could not remove the socket %s: %s", self._path, os_reason(exc))

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


def _returned_true(task: asyncio.Task[bool]) -> bool:
    return task.done() and not task.cancelled() and task.exception() is None and task.result()


def _same_user(writer: asyncio.StreamWriter) -> bool:
    """Whether the process that connected runs as our user (logged when it does not)."""
    try:
        uid = peer_uid(writer.get_extra_info("socket"))
    except OSError as exc:
        logger.warning("Live socket: cannot tell who connected (%s); hung up", os_reason(exc))
        return False
    if uid is not None and uid != os.geteuid():
        logger.warning("Live socket: a process of another user (uid %d) connected; hung up", uid)
        return False
    return True
