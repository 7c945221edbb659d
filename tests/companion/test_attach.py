"""A screen attached to a running recorder: it hears the recorder's day, its acts are stored there.

The recorder side is a :class:`~companion.live.session.LiveSession` on a gated replay of the heavy
fixture, served on a socket by :func:`~companion.live.publisher.start_feed` exactly as
``holdspace record`` serves its strap; the screen side is a second live session (or the
whole app) attached with :meth:`~companion.live.session.LiveSession.attach`. Every wait ends on an
event: the gate has handed the day on, a message has arrived, a reply has come back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from companion.errors import HoldspaceError
from companion.live.listener import LinkInfo
from companion.live.publisher import QuietListener
from companion.live.remote_recorder import STOPPED
from companion.live.session import LiveSession
from companion.livesocket.paths import recorder_running
from companion.livesocket.reader import attach
from companion.livesocket.wire import COMMAND_TYPE, decode_line, encode_line
from tests.support.attach import Heard, Recorder, within
from tests.support.heavy_day import at


@pytest.fixture
async def recorder(data_dir: Path, sock_path: Path) -> AsyncIterator[Recorder]:
    rec = Recorder(data_dir, sock_path)
    await rec.start()
    yield rec
    await rec.close()


async def attached(heard: Heard, recorder: Recorder) -> tuple[LiveSession, asyncio.Task[None]]:
    """A screen's live session attached to ``recorder``, once the recorder has greeted it."""
    screen = LiveSession(None, heard)  # the screen stores nothing itself
    following = asyncio.create_task(screen.attach(recorder.sock))
    await heard.until(lambda: screen.attached is not None and screen.attached.version is not None)
    return screen, following


async def caught_up(screen: LiveSession, heard: Heard, rec: Recorder) -> None:
    """Until the screen has heard everything the recorder has seen so far."""
    await heard.until(lambda: screen.now_s is not None and screen.now_s >= (rec.live.now_s or 0))


async def test_an_attached_screen_hears_the_day_and_its_acts_are_stored_by_the_recorder(
    recorder: Recorder,
) -> None:
    heard = Heard()
    screen, following = await attached(heard, recorder)
    await recorder.until("08:30")
    await caught_up(screen, heard, recorder)

    # The recorder's feed, as a strap would give it.
    assert screen.running and screen.attached is not None and screen.attached.version == 2
    assert screen.source_id == recorder.live.source_id
    assert any(link.state == "playing" for link in heard.links)
    assert len(heard.beats) > 200 and 40 < heard.heart_rates[-1] < 140
    assert [b.time_s for b in heard.beats] == sorted(b.time_s for b in heard.beats)
    assert len(heard.minutes) >= 3
    sent, got = recorder.live.stage.minutes if recorder.live.stage else [], heard.minutes
    assert [m.epoch for m in got] == [m.epoch for m in sent[: len(got)]]
    assert [m.score for m in got] == [m.score for m in sent[: len(got)]]
    assert got[-1].score.explain() == sent[len(got) - 1].score.explain()
    assert got[-1].daily_load == pytest.approx(sent[len(got) - 1].daily_load)
    assert recorder.live.stage is not None
    assert screen.baseline == recorder.live.stage.baseline

    # A session started on the screen is started by the recorder, at the recorder's time.
    screen.start_session("supervision", " T-1 ")
    await heard.until(lambda: any(is_open for _, is_open in heard.sessions))
    opened = screen.session
    assert opened is not None and (opened.kind, opened.label) == ("supervision", "T-1")
    assert opened.session_id is not None
    assert opened.start_s == pytest.approx(at("08:30"), abs=5)

    await recorder.until("08:34")
    await caught_up(screen, heard, recorder)
    ended = screen.end_session()
    assert ended == opened
    await heard.until(lambda: screen.session is None)
    assert screen.last_session is not None and screen.last_session.end_s is not None

    # A heavy check-in: stored by the recorder; its policy asks for a colleague at once.
    screen.check_in({"heavy": True, "intensity": 6, "tension": "shoulders"}, ended)
    await heard.until(lambda: bool(heard.prompts))
    (prompt,) = heard.prompts
    assert prompt.kind == "contact" and prompt.delivered_s is not None
    screen.respond(prompt.prompt_id, "accepted")
    screen.record_act("contact", {"choice": "in-person"}, prompt.prompt_id)
    until = screen.snooze(30.0)
    assert until == pytest.approx((screen.now_s or 0) + 1800.0)
    assert screen.attached is not None
    await within(screen.attached.settled())
    snoozed = screen.attached.send("snooze", minutes=0)
    assert snoozed is not None
    reply = await within(snoozed)
    assert reply["ok"] is True and reply["until_s"] == pytest.approx(recorder.live.now_s)

    store = recorder.store
    (ours,) = [s for s in store.sessions() if s.label == "T-1"]
    assert (ours.kind, ours.session_id, ours.heavy) == ("supervision", opened.session_id, True)
    assert ours.end_s == pytest.approx(at("08:34"), abs=5)
    (check_in,) = store.check_ins()
    assert check_in["session_id"] == opened.session_id
    assert check_in["answers"] == {
        "heavy": True,
        "intensity": 6,
        "tension": "shoulders",
        "feeling": "heavy",
    }
    stored = {p["prompt_id"]: p for p in store.prompts()}
    assert stored[prompt.prompt_id]["response"] == "accepted"
    (act,) = store.acts()
    assert (act["kind"], act["prompt_id"], act["result"]) == (
        "contact",
        prompt.prompt_id,
        {"choice": "in-person"},
    )

    # The recorder stops: the screen says so, and keys that need it say so too.
    await recorder.stop()
    await within(following)
    assert heard.ended == 1
    assert heard.links[-1] == LinkInfo("stopped", STOPPED)
    assert not screen.running
    assert "recorder has stopped" in screen.not_ready
    with pytest.raises(HoldspaceError, match="recorder has stopped"):
        screen.start_session("client", "C-1")
    screen.record_act("pause", {"completed": True, "duration_s": 120.0})  # not kept, no traceback
    assert heard.links[-1].state == "stopped" and "not kept" in heard.links[-1].detail
    assert screen.snooze(30.0) is None


async def test_a_screen_attaching_late_catches_up(recorder: Recorder) -> None:
    await recorder.until("08:30")
    recorder.live.start_session("peer", "P-2")
    await recorder.until("08:35")  # C-33 starts at 08:36
    heard = Heard()
    screen, following = await attached(heard, recorder)
    assert screen.session is not None and screen.session.label == "P-2"
    assert screen.now_s == recorder.live.now_s
    stage = recorder.live.stage
    assert stage is not None and screen.baseline == stage.baseline
    assert [m.epoch for m in heard.minutes] == [m.epoch for m in stage.minutes[-30:]]
    assert heard.links[-1].state == "playing"
    screen.stop()
    await within(following)
    assert heard.links[-1].state == "playing"  # we hung up: the recorder has not stopped
    assert recorder_running(recorder.sock)


def _line(message: dict[str, Any]) -> bytes:
    return encode_line(message)


async def test_bad_commands_are_answered_in_words_and_the_recorder_keeps_serving(
    recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    feed = recorder.feed
    assert feed is not None
    follower = attach(recorder.sock)
    assert (await within(anext(follower)))["type"] == "hello"
    reader, writer = await within(asyncio.open_unix_connection(os.fspath(recorder.sock)))
    hello = decode_line(await within(reader.readline()))
    assert hello["type"] == "hello" and hello["commands"] is True

    def act(op: str, request: Any = 1, **fields: Any) -> bytes:
        return _line({"type": COMMAND_TYPE, "op": op, "id": request, **fields})

    cases: list[tuple[bytes, Any, str]] = [
        (b"not json\n", None, "one JSON object per line"),
        (b"[1, 2]\n", None, "one JSON object per line"),
        (b'{"op": "start_session", "rmssd": NaN}\n', None, "one JSON object per line"),
        (_line({"type": "hello", "id": 1}), 1, "expected a command"),
        (act("fly", 2), 2, "unknown command 'fly'"),
        (act("snooze", "x", minutes=1), None, "id must be an integer"),
        (act("start_session", 3, kind="nap", label="x"), 3, "unknown session kind 'nap'"),
        (act("start_session", 4, kind="client", label="x" * 40), 4, "keep it to 32"),
        (act("start_session", 5, kind="client"), 5, "start_session needs label"),
        (act("start_session", 6, kind="client", label="C", x=1), 6, "takes no x"),
        (act("start_session", 7, kind="client", label="C"), 7, "nothing has arrived"),
        (act("respond", 8, prompt_id="p", response="maybe"), 8, "unknown response 'maybe'"),
        (act("check_in", 9, answers={"mood": 1}, session_id=None), 9, "unknown check-in"),
        (act("check_in", 10, answers=[], session_id=None), 10, "answers must be an object"),
        (act("record_act", 11, kind="nap", result={}, prompt_id=None), 11, "unknown act"),
        (
            act("record_act", 15, kind="pause", result={"x": "y" * 1000}, prompt_id=None),
            15,
            "a pause result takes no x",
        ),
        (
            act("record_act", 16, kind="contact", result={"choice": 1}, prompt_id=None),
            16,
            "choice must be one of",
        ),
        (act("snooze", 12, minutes=-1), 12, "minutes must be a number"),
        (act("end_session", 13, heavy="very"), 13, "heavy must be"),
        (b"[" * 60_000 + b"\n", None, "one JSON object per line"),
    ]
    with caplog.at_level(logging.WARNING, logger="companion.livesocket.server"):
        for line, request, words in cases:
            writer.write(line)
            reply = decode_line(await within(reader.readline()))
            assert reply["type"] == "ack" and reply["ok"] is False, line[:80]
            assert reply["id"] == request and words in reply["error"], (line[:80], reply)
    assert sum("Live socket" in r.getMessage() for r in caplog.records) >= len(cases) - 1

    # Still serving: this connection, the read-only follower, and a new command.
    await recorder.until("08:27")
    writer.write(act("snooze", 14, minutes=5))
    replies = [decode_line(await within(reader.readline())) for _ in range(3)]
    acks = [r for r in replies if r["type"] == "ack"]
    while not acks:
        reply = decode_line(await within(reader.readline()))
        acks = [reply] if reply["type"] == "ack" else []
    assert acks[0]["id"] == 14 and acks[0]["ok"] is True
    assert (await within(anext(follower)))["type"] in {"state", "beats", "heart", "battery"}
    assert recorder_running(recorder.sock) and feed.server.clients == 2
    writer.close()
    await follower.aclose()


async def test_a_read_only_feed_refuses_commands(sock_path: Path) -> None:
    from companion.livesocket.server import LiveServer

    async with LiveServer(sock_path, hello=lambda: {"type": "hello"}):
        reader, writer = await within(asyncio.open_unix_connection(os.fspath(sock_path)))
        assert decode_line(await within(reader.readline())) == {"type": "hello"}
        writer.write(json.dumps({"type": "act", "op": "snooze", "minutes": 1, "id": 3}).encode())
        writer.write(b"\n")
        reply = decode_line(await within(reader.readline()))
        assert reply == {
            "type": "ack",
            "id": 3,
            "ok": False,
            "error": "this feed takes no commands",
        }
        writer.close()


async def test_holdspace_opens_the_screen_attached_when_a_recorder_runs(
    sock_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import argparse

    from companion.cli import screen as cli_tui
    from companion.livesocket.server import LiveServer

    opened: list[tuple[Any, Path, dict[str, Any]]] = []

    def run_screen(runner: Any, where: Path, **options: Any) -> int:
        opened.append((runner, where, options))
        return 0

    class Screen:
        async def attach(self, path: Path) -> Path:
            return path

    monkeypatch.setenv("HOLDSPACE_SOCKET", str(sock_path))
    monkeypatch.setattr(cli_tui, "run_screen", run_screen)
    async with LiveServer(sock_path):
        monkeypatch.setattr(cli_tui, "has_terminal", lambda: False)
        with pytest.raises(HoldspaceError, match="`holdspace attach`"):
            cli_tui.cmd_live(argparse.Namespace(), data_dir)
        monkeypatch.setattr(cli_tui, "has_terminal", lambda: True)
        assert cli_tui.cmd_live(argparse.Namespace(), data_dir) == 0
    ((runner, where, options),) = opened
    assert where == data_dir and options == {"read_only": True}  # the recorder writes
    assert await runner(Screen()) == sock_path


def test_a_reply_nobody_waits_for_is_logged_without_its_contents(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """A stray reply can hold a session with its label: the log names its fields only."""
    from companion.live.remote_recorder import AttachedRecorder

    client = AttachedRecorder(LiveSession(None, QuietListener()), tmp_path / "sock")
    stray = {"id": 7, "ok": True, "session": {"label": "C-secret-17", "kind": "client"}}
    with caplog.at_level(logging.DEBUG):
        client._ack(stray)
    assert "C-secret-17" not in caplog.text
    assert "fields id, ok, session" in caplog.text
