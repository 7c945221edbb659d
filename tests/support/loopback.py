"""Real servers on loopback for the channel tests, and a guard against any other address.

Loaded as a pytest plugin (``tests/conftest.py``): ``loopback_only`` refuses, and fails
the test for, a connection anywhere but 127.0.0.1; ``smtp`` is an aiosmtpd server on a
free loopback port that accepts the login sam / :data:`SECRET`.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

SECRET = "S3cr3t-Token-9f2"
LOOPBACK = "127.0.0.1"
SMTP_QUERY = "smtp=127.0.0.1&mode=insecure&from=holdspace@example.org&to=sam@example.org"


class OffLoopbackError(ConnectionRefusedError):
    """A connection to somewhere other than 127.0.0.1 (refused before it is made)."""


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Refuse, and fail the test for, any connection to an address other than 127.0.0.1.

    Apprise catches connection errors, so refusing is not enough: the attempts are
    recorded and the test fails at teardown if there was any.
    """
    attempts: list[Any] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_create = socket.create_connection

    def allowed(address: Any) -> bool:
        return isinstance(address, tuple) and address[0] == LOOPBACK

    def check(address: Any) -> None:
        if not allowed(address):
            attempts.append(address)
            raise OffLoopbackError(f"test tried to connect to {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        check(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(address)
        return real_connect_ex(self, address)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        check(address)
        return real_create(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", LOOPBACK)
    # smtplib names this machine with getfqdn(), a reverse DNS lookup: not in these tests.
    monkeypatch.setattr(socket, "getfqdn", lambda name="": "holdspace.test")
    yield attempts
    assert not attempts, f"connections off loopback were attempted: {attempts}"


def listening_socket() -> socket.socket:
    """A TCP socket listening on a free loopback port."""
    sock = socket.socket()
    sock.bind((LOOPBACK, 0))
    sock.listen(8)
    return sock


@dataclass
class Mailbox:
    """What the SMTP server received, and whom it refuses."""

    envelopes: list[Any] = field(default_factory=list)
    refuse_rcpt: bool = False

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.refuse_rcpt:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def sam_only(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    """Accept the login sam / SECRET, and answer 535 to anything else."""
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        b"sam",
        SECRET.encode(),
    )
    return AuthResult(success=ok, handled=False)


class LoopbackController(Controller):
    """aiosmtpd's threaded server on an already bound socket (so on a free port)."""

    def __init__(self, handler: Any, sock: socket.socket, **kwargs: Any) -> None:
        self._sock = sock
        super().__init__(handler, hostname=LOOPBACK, port=sock.getsockname()[1], **kwargs)

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock)


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on loopback, plain (no TLS), with AUTH for sam / SECRET."""
    mailbox = Mailbox()
    sock = listening_socket()
    controller = LoopbackController(mailbox, sock, authenticator=sam_only, auth_require_tls=False)
    controller.start()
    yield mailbox, controller.port
    controller.stop()


def mail_url(port: int, password: str = SECRET) -> str:
    return f"mailto://sam:{password}@{LOOPBACK}:{port}?{SMTP_QUERY}"


def closed_port() -> int:
    """A loopback port nothing listens on (it was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never says a word."""
    sock = listening_socket()
    yield int(sock.getsockname()[1])
    sock.close()


def serve_each(reply: Callable[[socket.socket, threading.Event], None]) -> Iterator[int]:
    """A loopback server calling ``reply`` for each connection, until the test ends."""
    sock = listening_socket()
    sock.settimeout(0.05)
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            with conn:
                reply(conn, stop)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield int(sock.getsockname()[1])
    stop.set()
    thread.join()
    sock.close()


@pytest.fixture
def http_greeter() -> Iterator[int]:
    """A server that greets every connection with an HTTP error (not SMTP) and hangs up."""

    def reply(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    yield from serve_each(reply)
