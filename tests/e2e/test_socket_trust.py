"""Who may be on the other end of the live socket, and how much one line may say.

Another local user can create ``<tmp>/holdspace-<uid>`` before the recorder does and
listen in it; a reader must then refuse before it sends or reads anything, and the recorder
must refuse a reader of another user. These tests need a second uid: they run as root (as
here and in CI) and make the folder, the listener or the reader belong to ``nobody``
(uid 65534), the listener and the reader in a child process that drops to that uid. Not as
root, they are skipped with the reason (:func:`tests.support.paths.skip_or_fail`: under
``CI=true`` they fail instead, since CI runs as root). The folder checks that need no second
uid (a folder open to others, a symbolic link) run everywhere.

Framing: a line over the limit ends its connection, so the bytes after it are never read as
a command. Acts: a ``record_act`` result is stored only as :mod:`companion.prompts.acts` defines it.
Every wait ends on an event (a line, an end of file, a child's exit); timeouts are only a
safety net.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import pytest

from companion.live.publisher import QuietListener
from companion.live.session import LiveSession
from companion.livesocket.commands import COMMAND_LIMIT_BYTES
from companion.livesocket.paths import LiveSocketError, default_socket_path, open_connection
from companion.livesocket.reader import attach
from companion.livesocket.server import LiveServer
from companion.livesocket.wire import LINE_LIMIT_BYTES, decode_line, encode_line
from companion.prompts.acts import ACT_KINDS, ActError, check_act
from companion.store.store import Store
from tests.support.paths import skip_or_fail

T = TypeVar("T")

NOBODY_UID = 65534
"""The second user: ``nobody`` on Linux (any uid other than ours would do)."""
TIMEOUT_S = 30.0
"""Safety net only: every wait below ends on an event, never on this timeout."""
HELLO: dict[str, Any] = {"type": "hello", "version": 2, "session": {"label": "C-7"}}
SNOOZE: dict[str, Any] = {"type": "act", "op": "snooze", "minutes": 5, "id": 1}


async def within(awaitable: Awaitable[T]) -> T:
    return await asyncio.wait_for(awaitable, timeout=TIMEOUT_S)


def needs_root() -> None:
    if os.geteuid() != 0:
        skip_or_fail(
            "needs root to make a folder, a listener or a reader of another uid (uid "
            f"{NOBODY_UID}); runs as uid {os.geteuid()}"
        )


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A private temporary folder with a path short enough for AF_UNIX sockets."""
    base = Path(tempfile.mkdtemp(prefix="hs", dir="/tmp"))
    try:
        yield base
    finally:
        subprocess.run(["rm", "-rf", os.fspath(base)], check=False)


def listener_at(path: Path) -> socket.socket:
    """A plain listener at ``path``, non-blocking: ``accept`` tells whether anyone came."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(os.fspath(path))
    sock.listen()
    sock.setblocking(False)
    return sock


def nobody_connected(listener: socket.socket) -> bool:
    try:
        conn, _ = listener.accept()
    except BlockingIOError:
        return True
    conn.close()
    return False


async def refused(path: Path) -> str:
    """The sentence with which ``attach`` (the headless reader) refuses ``path``."""
    feed = attach(path)
    try:
        with pytest.raises(LiveSocketError) as caught:
            await within(anext(feed))
    finally:
        await feed.aclose()
    return str(caught.value)


async def screen_refused(path: Path) -> str:
    """The sentence with which a screen (``LiveSession.attach``) refuses ``path``."""
    screen = LiveSession(None, QuietListener())
    with pytest.raises(LiveSocketError) as caught:
        await within(screen.attach(path))
    return str(caught.value)


# --- item 4: the reader checks the folder -------------------------------------------------


async def test_a_folder_of_another_user_is_refused_before_connecting(
    short_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reproduced attack: XDG_RUNTIME_DIR unset, ``nobody`` made ``holdspace-<uid>``."""
    needs_root()
    monkeypatch.setattr(tempfile, "tempdir", os.fspath(short_tmp))
    path = default_socket_path({})
    folder = path.parent
    assert folder == short_tmp / f"holdspace-{os.getuid()}"
    folder.mkdir(mode=0o700)
    os.chown(folder, NOBODY_UID, NOBODY_UID)
    listener = listener_at(path)  # the other user's "recorder" (made by root, for the test)
    try:
        expected = (
            f"The recorder's folder {folder} is owned by uid {NOBODY_UID}, not you: "
            "not connecting. Remove it, or set XDG_RUNTIME_DIR."
        )
        assert await refused(path) == expected
        assert await screen_refused(path) == expected
        with pytest.raises(LiveSocketError, match="is owned by uid"):
            await open_connection(path, LINE_LIMIT_BYTES)
        assert nobody_connected(listener)
    finally:
        listener.close()


async def test_a_folder_open_to_others_is_refused(short_tmp: Path) -> None:
    folder = short_tmp / "run"
    folder.mkdir()
    folder.chmod(0o755)
    listener = listener_at(folder / "recorder.sock")
    try:
        words = await refused(folder / "recorder.sock")
        assert words.startswith(f"The recorder's folder {folder} is open to other users")
        assert "mode 755" in words and "not connecting" in words
        assert nobody_connected(listener)
    finally:
        listener.close()


async def test_a_symlinked_folder_is_refused(short_tmp: Path) -> None:
    real = short_tmp / "real"
    real.mkdir(mode=0o700)
    (short_tmp / "run").symlink_to(real, target_is_directory=True)
    listener = listener_at(real / "recorder.sock")
    try:
        words = await refused(short_tmp / "run" / "recorder.sock")
        assert "is a symbolic link: not connecting" in words
        assert nobody_connected(listener)
    finally:
        listener.close()


async def test_a_missing_folder_means_no_recorder(short_tmp: Path) -> None:
    words = await refused(short_tmp / "none" / "recorder.sock")
    assert words.startswith("No Holdspace recorder is running")


# --- item 4: each side checks the other's uid ---------------------------------------------

_FAKE_RECORDER = """
import os, socket, sys
path, uid, hello = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.bind(path)              # as root, in the caller's private folder
os.setgid(uid)
os.setuid(uid)               # the listener's uid is taken when it listens
sock.listen()
print("listening", flush=True)
conn, _ = sock.accept()
try:
    conn.sendall(hello)
except OSError:
    pass
got = b""
try:
    while chunk := conn.recv(65536):
        got += chunk
except OSError:
    pass
print(len(got), flush=True)
"""


async def test_a_reader_refuses_a_recorder_of_another_user(short_tmp: Path) -> None:
    """The folder is ours, but the process answering in it runs as ``nobody``."""
    needs_root()
    folder = short_tmp / "run"
    folder.mkdir(mode=0o700)
    path = folder / "recorder.sock"
    for connect in (refused, screen_refused):
        path.unlink(missing_ok=True)
        fake = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _FAKE_RECORDER,
            os.fspath(path),
            str(NOBODY_UID),
            encode_line(HELLO).decode(),
            stdout=asyncio.subprocess.PIPE,
        )
        assert fake.stdout is not None
        try:
            assert await within(fake.stdout.readline()) == b"listening\n"
            words = await connect(path)
            assert words == (
                f"The process answering at {path} runs as uid {NOBODY_UID}, not you: "
                "not connecting. Remove the socket's folder, or set XDG_RUNTIME_DIR."
            )
            out, _ = await within(fake.communicate())
        finally:
            if fake.returncode is None:
                fake.kill()
                await fake.wait()
        assert out == b"0\n"  # the reader sent nothing at all


_OTHER_READER = """
import os, socket, sys
path, uid, line = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
os.setgid(uid)
os.setuid(uid)
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect(path)
try:
    sock.sendall(line)
except OSError:
    pass
got = b""
try:
    while chunk := sock.recv(65536):
        got += chunk
except OSError:
    pass
print(len(got), flush=True)
"""


def open_to_all(path: Path) -> None:
    """As if the folders' and the socket file's modes did not protect the socket."""
    path.parent.parent.chmod(0o711)
    path.parent.chmod(0o711)
    path.chmod(0o666)


async def test_the_recorder_refuses_a_reader_of_another_user(
    short_tmp: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Where a socket file's mode is ignored, the uid check still keeps the feed ours."""
    needs_root()
    sock_path = short_tmp / "run" / "recorder.sock"
    commands: list[dict[str, Any]] = []

    def carry_out(message: dict[str, Any]) -> dict[str, Any]:
        commands.append(message)
        return {}

    async with LiveServer(sock_path, hello=lambda: HELLO, commands=carry_out) as server:
        open_to_all(sock_path)
        reader = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _OTHER_READER,
            os.fspath(sock_path),
            str(NOBODY_UID),
            encode_line(SNOOZE).decode(),
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await within(reader.communicate())
        assert reader.returncode == 0
        assert out == b"0\n"  # no hello, no reply
        assert commands == []
        assert server.clients == 0
        # Our own user is still served (once the folder is private again: readers check it).
        sock_path.parent.chmod(0o700)
        feed = attach(sock_path)
        assert await within(anext(feed)) == HELLO
        await feed.aclose()
    assert f"another user (uid {NOBODY_UID})" in caplog.text


# --- item 5: framing ------------------------------------------------------------------------


async def read_all(sock: socket.socket) -> bytes:
    """Everything the peer sends until it hangs up (a reset after the data counts as that)."""
    loop = asyncio.get_running_loop()
    got = b""
    try:
        while chunk := await within(loop.sock_recv(sock, 65536)):
            got += chunk
    except ConnectionResetError:
        pass
    return got


async def test_a_command_line_over_the_limit_ends_the_connection(sock_path: Path) -> None:
    """Spaces past the limit, then a valid command: it must never run."""
    commands: list[dict[str, Any]] = []

    def carry_out(message: dict[str, Any]) -> dict[str, Any]:
        commands.append(message)
        return {"until_s": 300.0}

    loop = asyncio.get_running_loop()
    async with LiveServer(sock_path, hello=lambda: HELLO, commands=carry_out) as server:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            await within(loop.sock_connect(sock, os.fspath(sock_path)))
            payload = b" " * (4 * COMMAND_LIMIT_BYTES) + b"\n" + encode_line(SNOOZE)
            # The recorder may hang up before it all went: as it should.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                await within(loop.sock_sendall(sock, payload))
            got = await read_all(sock)
        finally:
            sock.close()
        lines = [decode_line(line) for line in got.splitlines()]
        assert lines == [
            HELLO,
            {
                "type": "ack",
                "id": None,
                "ok": False,
                "error": f"a command line is at most {COMMAND_LIMIT_BYTES} bytes",
            },
        ]
        assert commands == []
        await within(server.wait_for_clients(0))
        # The recorder carries on: a new connection is served and its commands run.
        reader, writer = await within(asyncio.open_unix_connection(os.fspath(sock_path)))
        assert decode_line(await within(reader.readline())) == HELLO
        writer.write(encode_line(SNOOZE))
        assert decode_line(await within(reader.readline()))["ok"] is True
        assert commands == [SNOOZE]
        writer.close()


async def test_a_feed_line_over_the_limit_ends_the_feed(sock_path: Path) -> None:
    """The reader's side: what follows an oversize line is never taken as a message."""

    async def serve(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(encode_line({"type": "battery", "percent": 80}))
        writer.write(b"x" * (LINE_LIMIT_BYTES + 10) + b"\n")
        writer.write(encode_line({"type": "battery", "percent": 1}))
        with contextlib.suppress(ConnectionResetError):  # the reader hung up first
            await writer.drain()
        writer.close()

    sock_path.parent.mkdir(mode=0o700)
    server = await asyncio.start_unix_server(serve, path=os.fspath(sock_path))
    try:
        received = [message async for message in attach(sock_path)]
    finally:
        server.close()
        await server.wait_closed()
    assert received == [{"type": "battery", "percent": 80}]


# --- item 6: only a socket is removed -------------------------------------------------------


NOTES = "the helper's notes\n"


def leave_at(path: Path, kind: str) -> None:
    path.parent.mkdir(mode=0o700)
    if kind == "file":
        path.write_text(NOTES)
    else:
        path.mkdir()


def still_there(path: Path, kind: str) -> bool:
    return path.read_text() == NOTES if kind == "file" else path.is_dir()


@pytest.mark.parametrize("kind", ["file", "folder"])
async def test_something_else_at_the_socket_path_is_left_alone(sock_path: Path, kind: str) -> None:
    leave_at(sock_path, kind)
    with pytest.raises(LiveSocketError) as caught:
        await LiveServer(sock_path).start()
    assert str(caught.value) == (
        f"{sock_path} is not a socket, so the recorder leaves it alone and cannot start; "
        "move it away, or set HOLDSPACE_SOCKET to another path."
    )
    assert still_there(sock_path, kind)


# --- item 5: what an act's result may hold ---------------------------------------------------


def test_the_screens_own_results_pass_as_they_are() -> None:
    from tui.modals.prompt import PauseResult
    from tui.screens.breathe import BreathResult

    pause = PauseResult(True, 120.04, 82, None).to_json()
    assert check_act("pause", pause) == {**pause, "duration_s": 120.0}
    breath = asdict(BreathResult(False, "extended exhale", 5.5, 61.2, 5, 78.0, 74.5, 6.1, None))
    assert check_act("breathe", breath) == breath
    assert check_act("contact", {"choice": "not-now"}) == {"choice": "not-now"}
    assert check_act("contact", {"choice": "in-person", "to": "Sam"}) == {
        "choice": "in-person",
        "to": "Sam",
    }
    assert ACT_KINDS == ("pause", "breathe", "contact")


def test_numbers_are_stored_as_plain_json() -> None:
    import numpy as np

    checked = check_act(
        "pause",
        {"completed": True, "duration_s": np.float64(90.0), "hr_start_bpm": float("nan")},
    )
    assert checked == {"completed": True, "duration_s": 90.0, "hr_start_bpm": None}
    assert type(checked["duration_s"]) is float


@pytest.mark.parametrize(
    ("kind", "result", "words"),
    [
        ("nap", {}, "unknown act 'nap'; use one of: pause, breathe, contact"),
        ("pause", [], "result must be an object"),
        (
            "pause",
            {"completed": True, "duration_s": 1, "notes": "x" * 100_000},
            "a pause result takes no notes; its fields are: completed, duration_s, "
            "hr_start_bpm, hr_end_bpm",
        ),
        ("pause", {"completed": True}, "a pause result needs duration_s"),
        ("pause", {"completed": "yes", "duration_s": 1}, "completed must be true or false"),
        ("pause", {"completed": True, "duration_s": -1}, "duration_s must be a number from 0"),
        ("pause", {"completed": True, "duration_s": True}, "duration_s must be a number"),
        (
            "pause",
            {"completed": True, "duration_s": 1, "hr_end_bpm": "80"},
            "hr_end_bpm must be a number from 0 to 300 or null",
        ),
        (
            "breathe",
            {
                "completed": True,
                "pattern": "p" * 41,
                "rate_per_min": 6,
                "duration_s": 60,
                "breaths": 6,
            },
            "pattern must be a text of at most 40 characters",
        ),
        (
            "breathe",
            {
                "completed": True,
                "pattern": "paced",
                "rate_per_min": 6,
                "duration_s": 60,
                "breaths": 6.5,
            },
            "breaths must be a whole number from 0 to 100000",
        ),
        ("contact", {"choice": "shout"}, "choice must be one of: message, in-person, not-now"),
        ("contact", {"choice": "message", "to": "S" * 41}, "to must be a text of at most 40"),
        ("contact", {"choice": "message", "to": {"a": 1}}, "to must be a text"),
    ],
)
def test_results_outside_the_schema_are_refused_in_a_sentence(
    kind: str, result: Any, words: str
) -> None:
    with pytest.raises(ActError) as caught:
        check_act(kind, result)
    assert str(caught.value).startswith(words)


async def test_a_result_outside_the_schema_is_never_stored(store: Store) -> None:
    live = LiveSession(store, QuietListener())
    live.now_s = 1_800_000_000.0
    with pytest.raises(ActError, match="takes no blob"):
        live.record_act("pause", {"completed": True, "duration_s": 1.0, "blob": "x" * 70_000})
    live.record_act("pause", {"completed": True, "duration_s": 120.0})
    (act,) = store.acts()
    assert act["result"] == {"completed": True, "duration_s": 120.0}
