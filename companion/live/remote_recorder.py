"""A screen on a running recorder: its feed heard as a live session's, its acts sent to it.

When ``holdspace record`` (or the service) already holds the strap, the screen does not
compete for it: :meth:`LiveSession.attach <companion.live.session.LiveSession.attach>` runs an
:class:`AttachedRecorder`, which reads the recorder's socket and tells the session's
listener the same news a strap would (beats, heart rate, minutes, prompts, sessions, the
link and the battery), and sends the helper's acts back as commands
(:mod:`companion.livesocket.wire`). The recorder stamps them with its stream time and stores
them; the screen never writes to the store.

When the recorder goes away, the link line says so and acts are refused in words.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from companion.errors import HoldspaceError
from companion.live.listener import LinkInfo
from companion.livesocket.paths import open_connection
from companion.livesocket.wire import (
    LINE_LIMIT_BYTES,
    beats_from_json,
    command,
    decode_line,
    encode_line,
    minute_from_json,
    plain,
    prompt_from_json,
    session_from_json,
)
from companion.pipeline.baselines import baseline_from_json

if TYPE_CHECKING:
    from companion.live.session import LiveSession
    from signals.scores.baseline import Baseline

__all__ = ["NOT_SENT", "STOPPED", "AttachedRecorder"]

log = logging.getLogger("holdspace.attached")

STOPPED: Final = "the recorder has stopped"
"""The link line's words once the recorder has gone away."""
NOT_SENT: Final = (
    "The recorder has stopped, so this was not kept; start it again "
    "(`holdspace record` or the service) and reopen holdspace."
)
"""Why an act was not kept, once the recorder has gone away."""


class AttachedRecorder:
    """The connection of one :class:`~companion.live.session.LiveSession` to a running recorder.

    Parameters
    ----------
    live : the session it feeds: its listener hears the news; its ``now_s``, ``session``,
        ``last_session`` and ``source_id`` follow the recorder's.
    path : the recorder's socket.
    """

    def __init__(self, live: LiveSession, path: Path) -> None:
        self.live = live
        self.path = path
        self.baseline: Baseline | None = None
        self.connected = False
        self.stopped = False
        self.version: int | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._closing = False

    async def run(self) -> None:
        """Follow the recorder until it stops (or :meth:`close`); never raises for that.

        Raises
        ------
        LiveSocketError
            No recorder answers at the socket when it starts, or its folder or the process
            answering is not ours (nothing is sent then).
        """
        listener = self.live.listener
        listener.live_link(LinkInfo("connecting", f"to the recorder at {self.path}"))
        reader, self._writer = await open_connection(self.path, LINE_LIMIT_BYTES)
        self.connected = True
        try:
            while True:
                try:
                    line = await reader.readline()
                except ValueError:  # the framing is lost: what follows cannot be trusted
                    log.warning("a recorder line is over %d bytes; hanging up", LINE_LIMIT_BYTES)
                    break
                except OSError:
                    break
                if not line:
                    break
                if not line.strip():
                    continue
                try:
                    self._dispatch(decode_line(line))
                except (ValueError, TypeError, KeyError) as exc:
                    log.warning("skipping a recorder message that cannot be read: %s", exc)
        finally:
            self._gone()
            writer, self._writer = self._writer, None
            if writer is not None:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()

    def close(self) -> None:
        """Hang up; the recorder keeps recording."""
        self._closing = True
        if self._writer is not None:
            self._writer.close()

    # -- the helper's acts ----------------------------------------------------------------------

    def send(
        self, op: str, *, required: bool = False, **fields: Any
    ) -> asyncio.Future[dict[str, Any]] | None:
        """Send one command; the future gets the recorder's ack (None: it could not be sent).

        A refusal is logged. ``required``: raise HoldspaceError instead of returning None
        (the screen shows it); otherwise the link line says the recorder has stopped.
        """
        writer = self._writer
        if not self.connected or writer is None or writer.is_closing():
            if required:
                raise HoldspaceError(NOT_SENT)
            self.live.listener.live_link(LinkInfo("stopped", f"{STOPPED}; {op} was not kept"))
            return None
        self._next_id += 1
        request = self._next_id
        try:
            line = encode_line(command(op, request, **plain(fields)))  # NaN goes as null
        except (TypeError, ValueError):
            log.exception("the %s command cannot be sent", op)
            if required:
                raise HoldspaceError(f"{op} could not be sent to the recorder.") from None
            return None
        reply: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        reply.add_done_callback(lambda f: self._answered(op, f))
        self._pending[request] = reply
        writer.write(line)
        return reply

    async def settled(self) -> None:
        """Return once every command sent so far has been answered (or the link is gone)."""
        pending = list(self._pending.values())
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    @staticmethod
    def _answered(op: str, reply: asyncio.Future[dict[str, Any]]) -> None:
        if reply.cancelled():
            return
        error = reply.exception()
        if error is not None:
            log.warning("%s: %s", op, error)
        elif not reply.result().get("ok"):
            log.warning("the recorder refused %s: %s", op, reply.result().get("error"))

    # -- the recorder's news ----------------------------------------------------------------------

    def _dispatch(self, message: Mapping[str, Any]) -> None:
        live, listener = self.live, self.live.listener
        match message.get("type"):
            case "beats":
                beats = beats_from_json(message.get("beats"))
                if beats:
                    live.now_s = max(live.now_s or 0.0, beats[-1].time_s)
                    listener.live_beats(beats)
            case "heart":
                self._clock(message.get("at_s"))
                hr_bpm = message.get("hr_bpm")
                if isinstance(hr_bpm, int):
                    listener.live_heart_rate(hr_bpm)
            case "contact":
                self._clock(message.get("at_s"))
                if isinstance(message.get("contact"), bool):
                    listener.live_contact(message["contact"])
            case "battery":
                self._clock(message.get("at_s"))
                if isinstance(message.get("percent"), int):
                    listener.live_battery(message["percent"])
            case "state":
                listener.live_link(_link(message))
            case "minute":
                listener.live_minute(minute_from_json(message))
            case "prompt":
                listener.live_prompt(prompt_from_json(message.get("prompt")))
            case "session":
                self._session(session_from_json(message.get("session")), message.get("open"))
            case "end":
                listener.live_ended()
            case "ack":
                self._ack(message)
            case "hello":
                self._hello(message)
            case _:
                pass  # a newer recorder's news this screen does not know

    def _hello(self, message: Mapping[str, Any]) -> None:
        live, listener = self.live, self.live.listener
        version = message.get("version")
        self.version = version if isinstance(version, int) else None
        live.source_id = str(message.get("source") or "")
        self.baseline = baseline_from_json(message.get("baseline"))
        self._clock(message.get("now_s"))
        listener.live_link(_link(message))
        if isinstance(message.get("battery"), int):
            listener.live_battery(message["battery"])
        if isinstance(message.get("contact"), bool):
            listener.live_contact(message["contact"])
        live.last_session = session_from_json(message.get("last_session"))
        minutes = message.get("minutes")
        for doc in minutes if isinstance(minutes, list) else ():
            try:
                listener.live_minute(minute_from_json(doc))
            except (ValueError, TypeError) as exc:
                log.warning("skipping a caught-up minute that cannot be read: %s", exc)
        session = session_from_json(message.get("session"))
        if session is not None:
            self._session(session, True)

    def _session(self, session: Any, is_open: Any) -> None:
        if session is None or not isinstance(is_open, bool):
            raise ValueError("a session message needs its session and open")
        live = self.live
        if is_open:
            live.session = session
        else:
            live.session = None
            live.last_session = session
        live.listener.live_session(session, is_open)

    def _clock(self, at_s: Any) -> None:
        if isinstance(at_s, int | float) and not isinstance(at_s, bool):
            self.live.now_s = max(self.live.now_s or 0.0, float(at_s))

    def _ack(self, message: Mapping[str, Any]) -> None:
        request = message.get("id")
        reply = self._pending.pop(request, None) if isinstance(request, int) else None
        if reply is None:
            # Only the reply's field names: a reply can carry a session with its label.
            what = message.get("error") or f"a reply with fields {', '.join(sorted(message))}"
            log.warning("the recorder answered a request nobody waits for: %s", what)
        elif not reply.done():
            reply.set_result(dict(message))

    def _gone(self) -> None:
        """The recorder has hung up (or we did): say so and fail what waits for it."""
        self.connected = False
        self.stopped = True
        for reply in self._pending.values():
            if not reply.done():
                reply.set_exception(HoldspaceError(NOT_SENT))
        self._pending.clear()
        if not self._closing:
            self.live.listener.live_link(LinkInfo("stopped", STOPPED))


def _link(message: Mapping[str, Any]) -> LinkInfo:
    retry = message.get("retry_in_s")
    return LinkInfo(
        str(message.get("state") or "stopped"),
        str(message.get("detail") or ""),
        float(retry) if isinstance(retry, int | float) and not isinstance(retry, bool) else None,
    )
