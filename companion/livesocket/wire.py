"""The live socket's wire format: lines, messages and the helper's commands.

Pure functions, no I/O: :mod:`companion.livesocket.server` moves the lines,
:mod:`companion.live.publisher` (the recorder) and :mod:`companion.live.remote_recorder` (a
screen) build and read the messages with these.

Lines. One JSON object per line (JSON Lines, UTF-8, ``\\n``-terminated, strict JSON, so no
``NaN``: a missing value is ``null``), at most :data:`LINE_LIMIT_BYTES` per line.

Recorder to reader (``type``):
    ``hello`` (first, to each reader: protocol ``version``, ``source``, link ``state``,
    ``detail``, ``retry_in_s``, and, to catch up: ``baseline``, ``session`` (open or null),
    ``last_session``, ``battery``, ``now_s``, ``minutes`` (the last half hour));
    ``beats`` (``beats``: ``[time_s, rr_ms, gap_before]`` triples); ``heart`` (``at_s``,
    ``hr_bpm`` the strap reports); ``contact`` (``contact``: skin contact, on change);
    ``battery`` (``at_s``, ``percent``); ``state`` (``state``, ``detail``, ``retry_in_s``);
    ``minute`` (``epoch``, ``score`` in full, ``resp_per_min`` when known, ``daily_load``,
    and the flat ``start_s``, ``hr_bpm``, ``rmssd_ms``, ``stress``, ``band``, ``quality``);
    ``prompt`` (``prompt``: id, kind, reason, times); ``session`` (``open``, ``session``:
    kind, label, start_s, end_s, heavy, session_id; and the flat ``kind``, ``start_s``,
    ``end_s``); ``end`` (``at_s``: the stream ended); ``ack`` (a reply, below).

Reader to recorder: commands, the helper's acts, each answered on that connection only::

    {"type": "act", "op": "start_session", "kind": "supervision", "label": "T-1", "id": 7}
    {"type": "ack", "id": 7, "ok": true}
    {"type": "ack", "id": 8, "ok": false, "error": "unknown session kind 'x'; use one of: ..."}

``op`` is one of :data:`OPS` (fields in :data:`OP_FIELDS`; a ``record_act`` ``result``
holds only the fields :mod:`companion.prompts.acts` defines for its kind); ``id`` is the
reader's own integer, echoed (``null`` when the line had none or could not be read). The recorder
stamps every act with its own stream time and stores it; a reader only ever reads the store.
A line over the limit ends its connection (:mod:`companion.livesocket.server`): its rest is never
read as a message or a command.
"""

from __future__ import annotations

import dataclasses
import json
import math
import numbers
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Final, NoReturn

from companion.errors import HoldspaceError
from companion.pipeline.results import MinuteResult
from companion.prompts.records import Prompt
from companion.sessions import Session
from sensors.beats import Beat
from signals.epochs.types import Epoch
from signals.scores.stress import StressScore

if TYPE_CHECKING:
    from companion.pipeline.results import MinuteResult
    from companion.prompts.records import Prompt
    from sensors.beats import Beat

__all__ = [
    "LINE_LIMIT_BYTES",
    "OPS",
    "OP_FIELDS",
    "PROTOCOL_VERSION",
    "CommandError",
    "ack",
    "beats_from_json",
    "check_command",
    "command",
    "decode_line",
    "encode_line",
    "minute_from_json",
    "minute_json",
    "plain",
    "prompt_from_json",
    "prompt_json",
    "refusal",
    "request_id",
    "session_from_json",
    "session_json",
]

PROTOCOL_VERSION: Final = 2
"""1: the feed only; 2: full minutes, prompts, sessions, and the helper's commands."""
LINE_LIMIT_BYTES: Final = 1024 * 1024
"""Longest message either side accepts, in bytes of UTF-8 without the newline (1 MiB)."""
COMMAND_TYPE: Final = "act"
OP_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "start_session": ("kind", "label"),
    "end_session": ("heavy",),
    "check_in": ("answers", "session_id"),
    "respond": ("prompt_id", "response"),
    "record_act": ("kind", "result", "prompt_id"),
    "snooze": ("minutes",),
}
"""The fields each command carries (``heavy``, ``session_id`` and ``prompt_id`` may be null)."""
OPS: Final = tuple(OP_FIELDS)


class CommandError(HoldspaceError):
    """A command the recorder will not carry out; the message says why, in a sentence."""


def encode_line(message: Mapping[str, Any]) -> bytes:
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


# -- commands and replies -------------------------------------------------------------------


def command(op: str, request_id: int, **fields: Any) -> dict[str, Any]:
    """A command line's message; ``fields`` are those :data:`OP_FIELDS` names for ``op``."""
    if op not in OP_FIELDS:
        raise ValueError(f"unknown command {op!r}")
    return {"type": COMMAND_TYPE, "op": op, "id": request_id, **fields}


def request_id(message: Mapping[str, Any]) -> int | None:
    """The ``id`` a reply echoes: the command's integer id, else None."""
    value = message.get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def check_command(message: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The op and fields of a command, checked for shape (the recorder checks values).

    Raises
    ------
    CommandError
        Not a command, an unknown op, a missing field or one not expected.
    """
    if message.get("type") != COMMAND_TYPE:
        raise CommandError(
            f"expected a command ({{'type': {COMMAND_TYPE!r}, 'op': ...}}), "
            f"got type {message.get('type')!r}"
        )
    op = message.get("op")
    if not isinstance(op, str) or op not in OP_FIELDS:
        raise CommandError(f"unknown command {op!r}; use one of: {', '.join(OPS)}")
    if "id" in message and request_id(message) is None:
        raise CommandError("a command's id must be an integer")
    wanted = OP_FIELDS[op]
    extra = set(message) - {"type", "op", "id", *wanted}
    if extra:
        raise CommandError(f"{op} takes no {', '.join(sorted(extra))}")
    missing = [name for name in wanted if name not in message]
    if missing:
        raise CommandError(f"{op} needs {', '.join(missing)}")
    return op, {name: message[name] for name in wanted}


def ack(request: int | None, **fields: Any) -> dict[str, Any]:
    """The reply to a command carried out (``fields``: what the reader may want to know)."""
    return {"type": "ack", "id": request, "ok": True, **fields}


def refusal(request: int | None, error: str) -> dict[str, Any]:
    """The reply to a command refused, with the reason as a sentence."""
    return {"type": "ack", "id": request, "ok": False, "error": error}


# -- what the recorder publishes ------------------------------------------------------------


def plain(value: Any) -> Any:
    """A value as strict JSON wants it: numpy numbers as ints and floats, NaN as None."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _fields(cls: Any, doc: Any) -> dict[str, Any]:
    """The constructor arguments of dataclass ``cls`` from ``doc`` (ValueError if short)."""
    if not isinstance(doc, Mapping):
        raise ValueError(f"expected an object for {cls.__name__}, got {type(doc).__name__}")
    names = [f.name for f in dataclasses.fields(cls)]
    required = [
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    missing = [name for name in required if name not in doc]
    if missing:
        raise ValueError(f"{cls.__name__} lacks {', '.join(missing)}")
    return {name: doc[name] for name in names if name in doc}


def session_json(session: Session | None) -> dict[str, Any] | None:
    return None if session is None else plain(dataclasses.asdict(session))


def session_from_json(doc: Any) -> Session | None:
    """The session :func:`session_json` wrote (None for null); ValueError when malformed."""
    return None if doc is None else Session(**_fields(Session, doc))


def prompt_json(prompt: Prompt) -> dict[str, Any]:
    return dict(plain(dataclasses.asdict(prompt)))


def prompt_from_json(doc: Any) -> Prompt:
    return Prompt(**_fields(Prompt, doc))


def minute_json(minute: MinuteResult) -> dict[str, Any]:
    """A scored minute, in full: the screen rebuilds it with :func:`minute_from_json`.

    The breathing rate is sent when already estimated (it is never waited for).
    """
    e, s = minute.epoch, minute.score
    breathing = minute.breathing
    resp = breathing.result() if breathing.done() and breathing.exception() is None else None
    return {
        "type": "minute",
        "start_s": e.start_s,
        "hr_bpm": plain(e.hr_bpm),
        "rmssd_ms": plain(e.rmssd_ms),
        "stress": s.score,
        "band": s.band,
        "quality": e.quality,
        "daily_load": plain(minute.daily_load),
        "resp_per_min": plain(resp),
        "epoch": plain(dataclasses.asdict(e)),
        "score": plain(dataclasses.asdict(s)),
    }


def minute_from_json(message: Mapping[str, Any]) -> MinuteResult:
    """The minute of a ``minute`` message; ValueError when it lacks what a minute needs."""
    load = message.get("daily_load")
    if not isinstance(load, int | float):
        raise ValueError("a minute needs its daily_load")
    breathing: Future[float | None] = Future()
    resp = message.get("resp_per_min")
    breathing.set_result(float(resp) if isinstance(resp, int | float) else None)
    return MinuteResult(
        epoch=Epoch(**_fields(Epoch, message.get("epoch"))),
        score=StressScore(**_fields(StressScore, message.get("score"))),
        breathing=breathing,
        daily_load=float(load),
    )


def beats_from_json(rows: Any) -> list[Beat]:
    """The beats of a ``beats`` message; rows that are not ``[time, rr, gap]`` are skipped."""
    out: list[Beat] = []
    for row in rows if isinstance(rows, Sequence) else ():
        if (
            isinstance(row, Sequence)
            and len(row) == 3
            and isinstance(row[0], int | float)
            and isinstance(row[1], int | float)
        ):
            out.append(Beat(float(row[0]), float(row[1]), bool(row[2])))
    return out
