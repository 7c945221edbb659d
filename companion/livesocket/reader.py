"""The reader's side of the recorder's live feed: follow it, one message at a time."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from companion.livesocket.paths import open_connection
from companion.livesocket.wire import LINE_LIMIT_BYTES, decode_line

__all__ = ["attach"]

# The live feed logs under one name, the server's (log settings and tests filter on it).
logger = logging.getLogger("companion.livesocket.server")


async def attach(path: Path) -> AsyncGenerator[dict[str, Any], None]:
    """Read a running recorder's live feed, one message at a time, until it closes.

    Lines that are not JSON objects are skipped with a warning; a line over
    :data:`~companion.livesocket.wire.LINE_LIMIT_BYTES` ends the feed. Leaving the loop (or
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
        No recorder is running at ``path``, its socket cannot be opened, or its folder or
        the process answering is not ours (nothing is read then).
    """
    reader, writer = await open_connection(path, LINE_LIMIT_BYTES)
    try:
        while True:
            try:
                line = await reader.readline()
            except ValueError:  # the framing is lost: what follows cannot be trusted
                logger.warning("A live-feed line is over %d bytes; hanging up", LINE_LIMIT_BYTES)
                return
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
