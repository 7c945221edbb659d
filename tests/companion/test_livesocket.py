"""The recorder's live socket: attach, detach, privacy, slow readers, one recorder per socket."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import stat
import tempfile
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from companion.errors import HoldspaceError
from companion.livesocket.paths import LiveSocketError, default_socket_path, recorder_running
from companion.livesocket.reader import attach
from companion.livesocket.server import LiveServer
from companion.livesocket.wire import LINE_LIMIT_BYTES, decode_line, encode_line

T = TypeVar("T")

TIMEOUT_S = 5.0
"""Safety net only: every wait below ends on an event, never on this timeout."""
"""Unix socket paths must stay under 104 bytes (macOS) / 108 bytes (Linux)."""

HELLO: dict[str, Any] = {"type": "hello", "version": 1, "source": "emulated", "state": "streaming"}


async def within(awaitable: Awaitable[T]) -> T:
    return await asyncio.wait_for(awaitable, timeout=TIMEOUT_S)


async def next_message(feed: AsyncIterator[dict[str, Any]]) -> dict[str, Any]:
    return await within(anext(feed))


async def assert_feed_ends(feed: AsyncIterator[dict[str, Any]]) -> None:
    with pytest.raises(StopAsyncIteration):
        await next_message(feed)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def is_socket(path: Path) -> bool:
    return stat.S_ISSOCK(path.lstat().st_mode)


def exists(path: Path) -> bool:
    return path.exists()


def beats(t_s: float) -> dict[str, Any]:
    return {"type": "beats", "beats": [[t_s, 812.5, False], [t_s + 0.8, 799.8, False]]}


# --- attach and detach --------------------------------------------------------------------


async def test_two_readers_get_hello_then_messages_in_order_and_one_detaches(
    sock_path: Path,
) -> None:
    messages = [
        beats(0.0),
        {"type": "state", "state": "streaming", "detail": "Polar H10", "retry_in_s": None},
        {"type": "battery", "percent": 80},
    ]
    async with LiveServer(sock_path, hello=lambda: HELLO) as server:
        first, second = attach(sock_path), attach(sock_path)
        # The hello is queued as the server registers a reader, so receiving it means it counts.
        assert await next_message(first) == HELLO
        assert await next_message(second) == HELLO
        assert server.clients == 2

        for message in messages:
            server.publish(message)
        assert [await next_message(first) for _ in messages] == messages
        assert [await next_message(second) for _ in messages] == messages

        await first.aclose()
        await within(server.wait_for_clients(1))
        assert server.clients == 1

        server.publish(beats(1.6))
        assert await next_message(second) == beats(1.6)

        third = attach(sock_path)
        assert await next_message(third) == HELLO
        assert server.clients == 2
        server.publish({"type": "battery", "percent": 79})
        assert await next_message(second) == {"type": "battery", "percent": 79}
        assert await next_message(third) == {"type": "battery", "percent": 79}
        assert server.dropped == 0

        # Closing delivers what is queued, then ends every feed.
        server.publish(beats(3.2))
    assert await next_message(second) == beats(3.2)
    assert await next_message(third) == beats(3.2)
    await assert_feed_ends(second)
    await assert_feed_ends(third)
    assert not exists(sock_path)


async def test_without_hello_readers_get_only_published_messages(sock_path: Path) -> None:
    async with LiveServer(sock_path) as server:
        feed = attach(sock_path)
        receiving = asyncio.ensure_future(next_message(feed))
        await within(server.wait_for_clients(1))
        server.publish(beats(0.0))
        assert await within(receiving) == beats(0.0)
        await feed.aclose()
        await within(server.wait_for_clients(0))


async def test_publish_without_readers_is_a_no_op_but_still_checks_the_message(
    sock_path: Path,
) -> None:
    async with LiveServer(sock_path) as server:
        server.publish(beats(0.0))
        with pytest.raises(ValueError, match="not JSON compliant"):
            server.publish({"type": "minute", "rmssd_ms": float("nan")})
        with pytest.raises(TypeError):
            server.publish({"type": "minute", "when": object()})
        assert server.clients == 0


# --- privacy ------------------------------------------------------------------------------


async def test_socket_is_0600_in_a_0700_directory(sock_path: Path) -> None:
    async with LiveServer(sock_path):
        assert is_socket(sock_path)
        assert mode_of(sock_path) == 0o600
        assert mode_of(sock_path.parent) == 0o700


@pytest.mark.parametrize("loose_mode", [0o755, 0o777, 0o770])
async def test_an_existing_directory_of_ours_is_made_private(
    sock_path: Path, loose_mode: int
) -> None:
    sock_path.parent.mkdir()
    sock_path.parent.chmod(loose_mode)
    async with LiveServer(sock_path):
        assert mode_of(sock_path.parent) == 0o700
        assert mode_of(sock_path) == 0o600


async def test_a_directory_of_another_user_is_refused(
    sock_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sock_path.parent.mkdir(mode=0o755)
    owner = sock_path.parent.stat().st_uid
    monkeypatch.setattr(os, "geteuid", lambda: owner + 1)
    with pytest.raises(LiveSocketError, match="belongs to another user") as caught:
        await LiveServer(sock_path).start()
    assert "HOLDSPACE_SOCKET" in str(caught.value)
    assert isinstance(caught.value, HoldspaceError)
    assert mode_of(sock_path.parent) == 0o755
    assert not exists(sock_path)


async def test_a_symlinked_directory_is_refused(sock_path: Path) -> None:
    real = sock_path.parent.with_name("real")
    real.mkdir(mode=0o700)
    sock_path.parent.symlink_to(real, target_is_directory=True)
    with pytest.raises(LiveSocketError, match="symbolic link"):
        await LiveServer(sock_path).start()


# --- slow readers -------------------------------------------------------------------------


async def test_a_reader_that_never_reads_is_dropped_without_stalling_the_others(
    sock_path: Path,
) -> None:
    payload = "x" * 16_384  # a few of these fill the kernel's socket buffer
    async with LiveServer(sock_path, hello=lambda: HELLO, max_queue=4) as server:
        stalled_reader, stalled_writer = await within(
            asyncio.open_unix_connection(os.fspath(sock_path))
        )
        assert decode_line(await within(stalled_reader.readline())) == HELLO
        feed = attach(sock_path)
        assert await next_message(feed) == HELLO
        assert server.clients == 2

        sent = 0
        while server.dropped == 0:
            assert sent < 10_000, "the stalled reader was never dropped"
            server.publish({"type": "beats", "n": sent, "pad": payload})
            # The healthy reader keeps up, message by message, while the other stalls.
            assert (await next_message(feed))["n"] == sent
            sent += 1

        assert server.dropped == 1
        assert server.clients == 1
        server.publish(beats(0.0))
        assert await next_message(feed) == beats(0.0)

        # The server hung up on the stalled reader: what it still has to read ends in EOF.
        await within(stalled_reader.read())
        assert stalled_reader.at_eof()
        stalled_writer.close()
        await feed.aclose()


async def test_a_full_queue_drops_the_reader_at_once(sock_path: Path) -> None:
    async with LiveServer(sock_path, hello=lambda: HELLO, max_queue=2) as server:
        feed = attach(sock_path)
        assert await next_message(feed) == HELLO
        for n in range(3):  # no await in between: the queue cannot drain
            server.publish({"type": "battery", "percent": 80 - n})
        assert server.dropped == 1
        assert server.clients == 0
        await feed.aclose()


# --- one recorder per socket --------------------------------------------------------------


async def test_a_second_server_on_the_same_path_is_refused(sock_path: Path) -> None:
    async with LiveServer(sock_path, hello=lambda: HELLO):
        with pytest.raises(LiveSocketError, match="already running") as caught:
            await LiveServer(sock_path).start()
        assert str(sock_path) in str(caught.value)
        # The refused server left the running one alone.
        assert recorder_running(sock_path)
        feed = attach(sock_path)
        assert await next_message(feed) == HELLO
        await feed.aclose()

    async with LiveServer(sock_path, hello=lambda: HELLO):
        feed = attach(sock_path)
        assert await next_message(feed) == HELLO
        await feed.aclose()


async def test_a_socket_that_answers_is_never_removed(sock_path: Path) -> None:
    """A listener that holds no lock (an older recorder, say) still counts as running."""
    sock_path.parent.mkdir(mode=0o700)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(os.fspath(sock_path))
        listener.listen()
        with pytest.raises(LiveSocketError, match="already running"):
            await LiveServer(sock_path).start()
        assert is_socket(sock_path)
    finally:
        listener.close()


def _leave_dead_socket(path: Path) -> None:
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(os.fspath(path))
    dead.close()


async def test_a_stale_socket_file_is_replaced(sock_path: Path) -> None:
    """Only a socket is removed: anything else there is left alone (test_socket_trust)."""
    sock_path.parent.mkdir(mode=0o700)
    _leave_dead_socket(sock_path)
    assert not recorder_running(sock_path)
    with pytest.raises(LiveSocketError, match="holdspace record"):
        await next_message(attach(sock_path))

    async with LiveServer(sock_path, hello=lambda: HELLO):
        assert is_socket(sock_path)
        feed = attach(sock_path)
        assert await next_message(feed) == HELLO
        await feed.aclose()


async def test_recorder_running_follows_the_server(sock_path: Path) -> None:
    assert not recorder_running(sock_path)
    server = LiveServer(sock_path)
    await server.start()
    assert recorder_running(sock_path)
    await server.close()
    assert not recorder_running(sock_path)
    assert not exists(sock_path)
    await server.close()  # closing twice is harmless


# --- attach -------------------------------------------------------------------------------


async def test_attach_without_a_recorder_says_how_to_start_one(sock_path: Path) -> None:
    with pytest.raises(LiveSocketError) as caught:
        async for _ in attach(sock_path):
            pytest.fail("no message expected")
    assert "No Holdspace recorder is running" in str(caught.value)
    assert "`holdspace record`" in str(caught.value)
    assert str(sock_path) in str(caught.value)


async def test_attach_skips_lines_that_are_not_json_objects(
    sock_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lines = [
        b"not json\n",
        b"[1, 2]\n",
        b"\n",
        b'{"type":"state","state":"streaming","detail":"ok","retry_in_s":null}\n',
        b'{"rmssd_ms": NaN}\n',
        b"\xff\xfe\n",
        b'{"type":"battery","percent":80}',  # last line without its newline
    ]

    async def serve(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.writelines(lines)
        await writer.drain()
        writer.close()

    sock_path.parent.mkdir(mode=0o700)
    server = await asyncio.start_unix_server(serve, path=os.fspath(sock_path))
    try:
        with caplog.at_level(logging.WARNING, logger="companion.livesocket.server"):
            received = [message async for message in attach(sock_path)]
    finally:
        server.close()
        await server.wait_closed()
    assert received == [
        {"type": "state", "state": "streaming", "detail": "ok", "retry_in_s": None},
        {"type": "battery", "percent": 80},
    ]
    assert sum("Skipping a live-feed line" in r.getMessage() for r in caplog.records) == 4


# --- pure parts ---------------------------------------------------------------------------


def test_lines_round_trip_as_one_compact_utf8_line() -> None:
    message = {"type": "state", "state": "streaming", "detail": "strap\n“H10”", "retry_in_s": None}
    line = encode_line(message)
    assert line.endswith(b"\n")
    assert line.count(b"\n") == 1
    assert "“H10”".encode() in line
    assert decode_line(line) == message


def test_a_line_over_the_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="line limit"):
        encode_line({"pad": "x" * LINE_LIMIT_BYTES})


def test_default_socket_path(tmp_path: Path) -> None:
    uid = os.getuid()
    fallback = Path(tempfile.gettempdir()) / f"holdspace-{uid}" / "recorder.sock"
    assert default_socket_path({}) == fallback
    assert default_socket_path({"XDG_RUNTIME_DIR": str(tmp_path)}) == (
        tmp_path / "holdspace" / "recorder.sock"
    )
    missing = tmp_path / "missing"
    assert default_socket_path({"XDG_RUNTIME_DIR": str(missing)}) == fallback
    assert default_socket_path({"XDG_RUNTIME_DIR": "relative/dir"}) == fallback
    assert default_socket_path({"XDG_RUNTIME_DIR": ""}) == fallback
    chosen = tmp_path / "mine.sock"
    assert (
        default_socket_path({"XDG_RUNTIME_DIR": str(tmp_path), "HOLDSPACE_SOCKET": str(chosen)})
        == chosen
    )


# --- the recorder's messages and the helper's commands (companion.livesocket.wire) ---------------


def test_a_minute_survives_the_wire_whole() -> None:
    import dataclasses
    from concurrent.futures import Future

    import numpy as np

    from companion.livesocket.wire import minute_from_json, minute_json
    from companion.pipeline.results import MinuteResult
    from signals.epochs.types import Epoch
    from signals.scores.stress import StressScore

    epoch = Epoch(
        start_s=1_795_420_000.0,
        n_beats=np.int64(71),  # type: ignore[arg-type]  # numpy numbers come out of the stage
        coverage=0.98,
        artifact_fraction=0.014,
        hr_bpm=71.3,
        rmssd_ms=28.25,
        ln_rmssd=3.341,
        rmssd_5min_ms=None,
        ln_rmssd_5min=None,
        hr_rise_bpm_30s=float("nan"),  # not JSON: sent as null
        n_diffs=70,
        quality="good",
        quality_reason="",
    )
    score = StressScore(epoch.start_s, 64, "medium", 9.5, -0.4, 1.2, 0.8)
    breathing: Future[float | None] = Future()
    message = decode_line(encode_line(minute_json(MinuteResult(epoch, score, breathing, 42.5))))
    assert (message["type"], message["stress"], message["hr_bpm"]) == ("minute", 64, 71.3)
    assert message["resp_per_min"] is None  # not estimated yet: never waited for
    again = minute_from_json(message)
    assert again.epoch == dataclasses.replace(epoch, n_beats=71, hr_rise_bpm_30s=None)
    assert again.score == score and again.score.explain() == score.explain()
    assert again.daily_load == 42.5 and again.resp_per_min is None
    with pytest.raises(ValueError, match="lacks"):
        minute_from_json({**message, "score": {"score": 64}})


def test_sessions_and_prompts_survive_the_wire() -> None:
    from companion.livesocket.wire import (
        prompt_from_json,
        prompt_json,
        session_from_json,
        session_json,
    )
    from companion.prompts.records import Prompt
    from companion.sessions import Session

    session = Session("supervision", "T-1", 10.0, 70.0, heavy=True, session_id=3)
    assert session_from_json(decode_line(encode_line({"s": session_json(session)}))["s"]) == (
        session
    )
    assert session_from_json(None) is None and session_json(None) is None
    prompt = Prompt("p-1", "pause", 100.0, "Stress high for 10 min", False, delivered_s=160.0)
    assert prompt_from_json(prompt_json(prompt)) == prompt
    with pytest.raises(ValueError, match="lacks"):
        prompt_from_json({"prompt_id": "p-1"})


def test_commands_are_checked_for_shape() -> None:
    from companion.livesocket.wire import CommandError, check_command, command

    line = command("start_session", 7, kind="supervision", label="T-1")
    assert line == {
        "type": "act",
        "op": "start_session",
        "id": 7,
        "kind": "supervision",
        "label": "T-1",
    }
    assert check_command(line) == ("start_session", {"kind": "supervision", "label": "T-1"})
    assert check_command({"type": "act", "op": "end_session", "heavy": None}) == (
        "end_session",
        {"heavy": None},
    )
    for bad, words in [
        ({"op": "snooze", "minutes": 1}, "expected a command"),
        ({"type": "act", "op": "sleep"}, "unknown command 'sleep'"),
        ({"type": "act", "op": "snooze", "minutes": 1, "id": True}, "id must be an integer"),
        ({"type": "act", "op": "snooze"}, "snooze needs minutes"),
        ({"type": "act", "op": "snooze", "minutes": 1, "kind": "x"}, "takes no kind"),
    ]:
        with pytest.raises(CommandError, match=words):
            check_command(bad)
    with pytest.raises(ValueError, match="unknown command"):
        command("sleep", 1)


async def test_commands_are_answered_on_their_own_connection_only(sock_path: Path) -> None:
    from companion.livesocket.wire import CommandError

    def carry_out(message: dict[str, Any]) -> dict[str, Any]:
        if message.get("op") == "snooze":
            return {"until_s": 1800.0}
        if message.get("op") == "boom":
            raise RuntimeError("a fault in the recorder")
        raise CommandError("not today")

    async with LiveServer(sock_path, hello=lambda: HELLO, commands=carry_out) as server:
        follower = attach(sock_path)
        assert await next_message(follower) == HELLO
        reader, writer = await within(asyncio.open_unix_connection(os.fspath(sock_path)))
        assert decode_line(await within(reader.readline())) == HELLO
        for line in (
            {"type": "act", "op": "snooze", "minutes": 30, "id": 1},
            {"type": "act", "op": "respond", "id": 2},
            {"type": "act", "op": "boom", "id": 3},
        ):
            writer.write(encode_line(line))
        replies = [decode_line(await within(reader.readline())) for _ in range(3)]
        assert replies == [
            {"type": "ack", "id": 1, "ok": True, "until_s": 1800.0},
            {"type": "ack", "id": 2, "ok": False, "error": "not today"},
            {
                "type": "ack",
                "id": 3,
                "ok": False,
                "error": "the recorder could not do that (see its log)",
            },
        ]
        server.publish(beats(0.0))
        assert decode_line(await within(reader.readline())) == beats(0.0)
        assert await next_message(follower) == beats(0.0)  # no replies meant for others
        writer.close()
        await follower.aclose()
