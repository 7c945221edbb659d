"""How the recorder answers what a reader sends: one reply line for each line read.

Each command (:mod:`companion.livesocket.wire`) is handed to a :data:`CommandHandler`; a line
that is not a command, or a command that fails, is answered with an error and logged,
and never stops the server (a line over :data:`COMMAND_LIMIT_BYTES` ends its connection).
:class:`~companion.livesocket.server.LiveServer` reads the lines and sends each reply on that
reader's connection only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, Final

from companion.livesocket.wire import CommandError, decode_line, encode_line, refusal, request_id

__all__ = ["COMMAND_LIMIT_BYTES", "CommandHandler", "answer", "over_limit_reply", "reply_line"]

# The live feed logs under one name, the server's (log settings and tests filter on it).
logger = logging.getLogger("companion.livesocket.server")

COMMAND_LIMIT_BYTES: Final = 64 * 1024
"""Longest command line a reader may send, in bytes (acts are small)."""

CommandHandler = Callable[[dict[str, Any]], Mapping[str, Any]]
"""Carries out one command message; returns the fields of its ``ack`` or raises
:class:`~companion.livesocket.wire.CommandError` (any other exception is logged as a fault)."""


def over_limit_reply() -> bytes:
    """The reply to a line over :data:`COMMAND_LIMIT_BYTES`; the connection then ends."""
    logger.warning("Live socket: a command line over %d bytes", COMMAND_LIMIT_BYTES)
    reply = refusal(None, f"a command line is at most {COMMAND_LIMIT_BYTES} bytes")
    return encode_line(reply)


def reply_line(line: bytes, commands: CommandHandler | None) -> bytes:
    """The encoded reply to one line a reader sent (``commands`` None: every command is refused)."""
    reply = answer(line, commands)
    try:
        return encode_line(reply)
    except (TypeError, ValueError):
        logger.exception("Live socket: the reply to %r is not JSON", reply.get("id"))
        return encode_line(refusal(reply.get("id"), "the reply could not be sent"))


def answer(line: bytes, commands: CommandHandler | None) -> dict[str, Any]:
    """The reply to one line a reader sent."""
    try:
        message = decode_line(line)
    except (ValueError, RecursionError) as exc:  # nested too deep: RecursionError
        logger.warning("Live socket: a line that is not a JSON object: %s", exc)
        return refusal(None, f"a command is one JSON object per line ({exc})")
    request = request_id(message)
    if commands is None:
        return refusal(request, "this feed takes no commands")
    try:
        fields = commands(message)
        return {"type": "ack", "id": request, "ok": True, **fields}
    except CommandError as exc:
        logger.warning("Live socket: refused %s: %s", message.get("op"), exc)
        return refusal(request, str(exc))
    except Exception:
        logger.exception("Live socket: the command %r failed", message.get("op"))
        return refusal(request, "the recorder could not do that (see its log)")
