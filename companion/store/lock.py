"""The store's writer lock: one process at a time may write to a data directory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from companion.errors import StoreLockedError
from companion.store.paths import open_private

__all__ = ["WriterLock"]


class WriterLock:
    """An exclusive advisory lock on a file in the data directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        fd = open_private(self.path, os.O_WRONLY | os.O_APPEND)
        fh = os.fdopen(fd, "a", encoding="utf-8")
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory lock
            self._fh = fh
            return
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise StoreLockedError(
                f"another Holdspace process is writing to {self.path.parent}; close it first."
            ) from None
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
