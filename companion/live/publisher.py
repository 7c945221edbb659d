"""The recorder's side of the live socket: what it publishes, and the acts it takes in.

A :class:`RecorderFeed` listens to the recorder's :class:`~companion.live.session.LiveSession`
like a screen would (it is one more :class:`~companion.live.listener.LiveListener`) and publishes
everything on the socket; a screen attached to the socket (:mod:`companion.live.remote_recorder`)
rebuilds the same news from it. The commands such a screen sends are checked here and
carried out by that same live session: a session started, a check-in, an answer to a
prompt, an act done, a snooze, all stamped with the recorder's stream time and stored by
the recorder, the store's one writer.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from companion.errors import HoldspaceError
from companion.live.listener import LinkInfo, LiveListener
from companion.live.session import CHECK_IN_KEYS, LiveSession
from companion.livesocket.server import LiveServer
from companion.livesocket.wire import (
    PROTOCOL_VERSION,
    CommandError,
    check_command,
    minute_json,
    plain,
    prompt_json,
    session_json,
)
from companion.prompts.acts import check_act
from companion.prompts.records import RESPONSES
from companion.sessions import Session, validate_kind, validate_label

if TYPE_CHECKING:
    from companion.pipeline.results import MinuteResult
    from companion.prompts.records import Prompt
    from sensors.beats import Beat
    from sensors.events import AccSamples

__all__ = ["Listeners", "QuietListener", "RecorderFeed", "start_feed"]

log = logging.getLogger("holdspace.livefeed")

CATCH_UP_MINUTES: Final = 30
"""Minutes a screen attaching late receives in the hello (the live screen plots 30)."""
ANSWER_MAX_CHARS: Final = 500
"""Longest check-in answer taken over the socket (a short note)."""
SNOOZE_MAX_MIN: Final = 24 * 60.0


class QuietListener:
    """A listener that hears nothing: the headless recorder's own live session."""

    def live_chest(self, samples: AccSamples) -> None:
        pass

    def live_beats(self, beats: Sequence[Beat]) -> None:
        pass

    def live_minute(self, minute: MinuteResult) -> None:
        pass

    def live_prompt(self, prompt: Prompt) -> None:
        pass

    def live_session(self, session: Session, is_open: bool) -> None:
        pass

    def live_link(self, link: LinkInfo) -> None:
        pass

    def live_battery(self, percent: int) -> None:
        pass

    def live_contact(self, contact: bool) -> None:
        pass

    def live_heart_rate(self, hr_bpm: int) -> None:
        pass

    def live_ended(self) -> None:
        pass


class Listeners:
    """Several listeners heard as one, in order (the screen's, then the socket's)."""

    def __init__(self, *listeners: LiveListener) -> None:
        self.listeners = listeners

    def live_chest(self, samples: AccSamples) -> None:
        for listener in self.listeners:
            listener.live_chest(samples)

    def live_beats(self, beats: Sequence[Beat]) -> None:
        for listener in self.listeners:
            listener.live_beats(beats)

    def live_minute(self, minute: MinuteResult) -> None:
        for listener in self.listeners:
            listener.live_minute(minute)

    def live_prompt(self, prompt: Prompt) -> None:
        for listener in self.listeners:
            listener.live_prompt(prompt)

    def live_session(self, session: Session, is_open: bool) -> None:
        for listener in self.listeners:
            listener.live_session(session, is_open)

    def live_link(self, link: LinkInfo) -> None:
        for listener in self.listeners:
            listener.live_link(link)

    def live_battery(self, percent: int) -> None:
        for listener in self.listeners:
            listener.live_battery(percent)

    def live_contact(self, contact: bool) -> None:
        for listener in self.listeners:
            listener.live_contact(contact)

    def live_heart_rate(self, hr_bpm: int) -> None:
        for listener in self.listeners:
            listener.live_heart_rate(hr_bpm)

    def live_ended(self) -> None:
        for listener in self.listeners:
            listener.live_ended()


class RecorderFeed:
    """Publish a live session on a socket, and carry out the commands its readers send.

    Parameters
    ----------
    path : the socket path (:func:`~companion.livesocket.server.default_socket_path`).
    live : the recorder's live session: what it hears is published, commands act on it.
    describe : more of the hello (the strap supervisor's state and device).
    max_queue : messages a reader may fall behind
        (:class:`~companion.livesocket.server.LiveServer`).
    """

    def __init__(
        self,
        path: Path,
        live: LiveSession,
        describe: Callable[[], Mapping[str, Any]] | None = None,
        *,
        max_queue: int = 1000,
    ) -> None:
        self.live = live
        self.describe = describe
        self.server = LiveServer(path, hello=self.hello, commands=self.command, max_queue=max_queue)
        self.link = LinkInfo("connecting")
        self.battery_pct: int | None = None
        self.contact: bool | None = None

    # -- publishing (the LiveListener protocol) ---------------------------------------------

    def _publish(self, message: dict[str, Any]) -> None:
        try:
            self.server.publish(message)
        except (TypeError, ValueError):  # never let the socket stop the recording
            log.exception("could not publish a %s message", message.get("type"))

    def live_chest(self, samples: AccSamples) -> None:
        """Not published: a screen attached over the socket shows no chest wave (yet)."""

    def live_beats(self, beats: Sequence[Beat]) -> None:
        rows = [[b.time_s, b.rr_ms, b.gap_before] for b in beats]
        self._publish({"type": "beats", "beats": plain(rows)})

    def live_heart_rate(self, hr_bpm: int) -> None:
        self._publish({"type": "heart", "at_s": self.live.now_s, "hr_bpm": hr_bpm})

    def live_contact(self, contact: bool) -> None:
        if contact != self.contact:  # every notification carries it; publish changes only
            self.contact = contact
            self._publish({"type": "contact", "at_s": self.live.now_s, "contact": contact})

    def live_battery(self, percent: int) -> None:
        self.battery_pct = percent
        self._publish({"type": "battery", "at_s": self.live.now_s, "percent": percent})

    def live_link(self, link: LinkInfo) -> None:
        self.link = link
        self._publish(
            {
                "type": "state",
                "state": link.state,
                "detail": link.detail,
                "retry_in_s": link.retry_in_s,
            }
        )

    def live_minute(self, minute: MinuteResult) -> None:
        self._publish(minute_json(minute))

    def live_prompt(self, prompt: Prompt) -> None:
        self._publish({"type": "prompt", "prompt": prompt_json(prompt)})

    def live_session(self, session: Session, is_open: bool) -> None:
        self._publish(
            {
                "type": "session",
                "open": is_open,
                "kind": session.kind,
                "start_s": session.start_s,
                "end_s": session.end_s,
                "session": session_json(session),
            }
        )

    def live_ended(self) -> None:
        self._publish({"type": "end", "at_s": self.live.now_s})

    def hello(self) -> dict[str, Any]:
        """What a reader needs first: the link, the open session, the last half hour."""
        live, stage = self.live, self.live.stage
        out: dict[str, Any] = {
            "type": "hello",
            "version": PROTOCOL_VERSION,
            "source": live.source_id,
            "state": self.link.state,
            "detail": self.link.detail,
            "retry_in_s": self.link.retry_in_s,
        }
        if self.describe is not None:
            out.update(self.describe())
        out["commands"] = True
        out["now_s"] = live.now_s
        out["battery"] = self.battery_pct
        out["contact"] = self.contact
        out["session"] = session_json(live.session)
        out["last_session"] = session_json(live.last_session)
        out["baseline"] = None
        out["minutes"] = []
        if stage is not None:
            out["baseline"] = plain(dataclasses.asdict(stage.baseline))
            out["minutes"] = [minute_json(m) for m in stage.minutes[-CATCH_UP_MINUTES:]]
        return out

    # -- commands -----------------------------------------------------------------------------

    def command(self, message: dict[str, Any]) -> dict[str, Any]:
        """Carry out one command; the fields of its ack, or CommandError with the reason."""
        op, fields = check_command(message)
        try:
            return _OPS[op](self.live, fields)
        except CommandError:
            raise
        except (HoldspaceError, ValueError, KeyError) as exc:
            raise CommandError(_sentence(exc)) from None

    async def start(self) -> None:
        await self.server.start()

    async def close(self) -> None:
        await self.server.close()


async def start_feed(
    path: Path,
    live: LiveSession,
    describe: Callable[[], Mapping[str, Any]] | None = None,
    *,
    max_queue: int = 1000,
) -> RecorderFeed:
    """Serve ``live`` on the socket ``path``: it is heard by the feed too, from now on."""
    feed = RecorderFeed(path, live, describe, max_queue=max_queue)
    await feed.start()
    live.listener = Listeners(live.listener, feed)
    return feed


def _sentence(exc: BaseException) -> str:
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return text or type(exc).__name__


def _text(fields: Mapping[str, Any], name: str) -> str:
    value = fields[name]
    if not isinstance(value, str):
        raise CommandError(f"{name} must be a string")
    return value


def _optional_id(fields: Mapping[str, Any], name: str) -> Any:
    value = fields[name]
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | str)):
        raise CommandError(f"{name} must be an id or null")
    return value


def _ready(live: LiveSession) -> float:
    if live.now_s is None:
        raise CommandError("nothing has arrived from the strap yet; try again in a moment")
    return live.now_s


def _start_session(live: LiveSession, fields: Mapping[str, Any]) -> dict[str, Any]:
    kind = validate_kind(_text(fields, "kind"))
    label = validate_label(_text(fields, "label"))
    at_s = _ready(live)
    live.start_session(kind, label)
    return {"at_s": at_s}


def _end_session(live: LiveSession, fields: Mapping[str, Any]) -> dict[str, Any]:
    heavy = fields["heavy"]
    if heavy is not None and not isinstance(heavy, bool):
        raise CommandError("heavy must be true, false or null")
    _ready(live)
    ended = live.end_session(heavy)
    if ended is None:
        raise CommandError("no session is running")
    return {"session": session_json(ended)}


def _session(live: LiveSession, session_id: Any) -> Session | None:
    if session_id is None:
        return None
    for known in (live.session, live.last_session):
        if known is not None and known.session_id == session_id:
            return known
    stored = [s for s in live.store.sessions() if s.session_id == session_id] if live.store else []
    if not stored:
        raise CommandError(f"no session {session_id} is stored")
    s = stored[0]
    return Session(s.kind, s.label, s.start_s, s.end_s, s.heavy, s.session_id)


def _check_in(live: LiveSession, fields: Mapping[str, Any]) -> dict[str, Any]:
    answers = fields["answers"]
    if not isinstance(answers, dict):
        raise CommandError("answers must be an object")
    unknown = set(answers) - set(CHECK_IN_KEYS)
    if unknown:
        raise CommandError(
            f"unknown check-in answers: {', '.join(sorted(map(str, unknown)))}; "
            f"use: {', '.join(CHECK_IN_KEYS)}"
        )
    for key, value in answers.items():
        if not isinstance(value, str | int | float) or (
            isinstance(value, str) and len(value) > ANSWER_MAX_CHARS
        ):
            raise CommandError(
                f"the answer {key!r} must be a number, true/false or a text of at most "
                f"{ANSWER_MAX_CHARS} characters"
            )
    session = _session(live, _optional_id(fields, "session_id"))
    _ready(live)
    live.check_in(answers, session)
    return {}


def _respond(live: LiveSession, fields: Mapping[str, Any]) -> dict[str, Any]:
    prompt_id = _text(fields, "prompt_id")
    response = fields["response"]
    if response not in RESPONSES:
        raise CommandError(f"unknown response {response!r}; use one of: {', '.join(RESPONSES)}")
    if live.stage is None:
        raise CommandError(f"no prompt {prompt_id!r} was raised")
    _ready(live)
    live.respond(prompt_id, response)
    return {}


def _record_act(live: LiveSession, fields: Mapping[str, Any]) -> dict[str, Any]:
    kind = fields["kind"]
    result = check_act(kind, fields["result"])  # its fields and sizes: companion.prompts.acts
    prompt_id = _optional_id(fields, "prompt_id")
    if live.store is None:
        raise CommandError("this recorder stores nothing")
    _ready(live)
    live.record_act(kind, result, prompt_id)
    return {}


def _snooze(live: LiveSession, fields: Mapping[str, Any]) -> dict[str, Any]:
    minutes = fields["minutes"]
    if (
        isinstance(minutes, bool)
        or not isinstance(minutes, int | float)
        or not 0 <= minutes <= SNOOZE_MAX_MIN
    ):
        raise CommandError(f"minutes must be a number from 0 to {SNOOZE_MAX_MIN:.0f}")
    _ready(live)
    until = live.snooze(float(minutes))
    if until is None:
        raise CommandError("prompts are not running yet; try again in a moment")
    return {"until_s": until}


_OPS: Final[Mapping[str, Callable[[LiveSession, Mapping[str, Any]], dict[str, Any]]]] = {
    "start_session": _start_session,
    "end_session": _end_session,
    "check_in": _check_in,
    "respond": _respond,
    "record_act": _record_act,
    "snooze": _snooze,
}
