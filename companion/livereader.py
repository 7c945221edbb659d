"""The reader's side of the recorder's live feed: follow it, one message at a time."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from companion.livewire import LINE_LIMIT_BYTES, decode_line
from companion.socketdir import open_connection

__all__ = ["attach"]

# The live feed logs under one name, the server's (log settings and tests filter on it).
logger = logging.getLogger("companion.livesocket")


async def attach(path: Path) -> AsyncIterator[dict[str, Any]]:
    """Read a running recorder's live feed, one message at a time, until it closes.

    Lines that are not JSON objects are skipped with a warning. Leaving the loop (or
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
        No recorder is running at ``path``, or its socket cannot be opened.
    """
    reader, writer = await open_connection(path, LINE_LIMIT_BYTES)
    try:
        while True:
            try:
                line = await reader.readline()
            except ValueError:
                logger.warning("Skipping a live-feed line longer than %d bytes", LINE_LIMIT_BYTES)
                continue
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
