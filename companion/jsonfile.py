"""Small private JSON files (settings, colleagues): read with one-sentence errors, written
atomically with mode 0600 so a crash leaves the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Final

from companion.errors import HoldspaceError
from companion.storage import FILE_MODE, fsync_dir

__all__ = ["read_json_object", "write_private_json"]

_DIR_MODE: Final = 0o700


def read_json_object(path: Path, what: str, remedy: str) -> dict[str, Any] | None:
    """The JSON object in ``path``; None when the file is missing or empty.

    ``what`` names the content in messages ("settings"), ``remedy`` ends the
    message about bad JSON ("delete the file to start from the defaults"). Raises
    :class:`~companion.errors.HoldspaceError` naming the file (and the line).
    """
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise HoldspaceError(f"{path} cannot be read ({reason}).") from None
    if not raw.strip():
        return None
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise HoldspaceError(
            f"{path} is not valid JSON (line {exc.lineno}: {exc.msg}); fix it, or {remedy}."
        ) from None
    if not isinstance(doc, dict):
        raise HoldspaceError(
            f"{path} must hold a JSON object of {what}, not a {type(doc).__name__}."
        )
    return doc


def write_private_json(path: Path, doc: Any) -> Path:
    """Write ``doc`` to ``path`` atomically, mode 0600 (its directory 0700 when created)."""
    directory = path.parent
    encoded = (json.dumps(doc, indent=2, allow_nan=False, ensure_ascii=False) + "\n").encode()
    try:
        directory.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise HoldspaceError(f"cannot write {path} ({exc.strerror}).") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(encoded)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.chmod(FILE_MODE)
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise HoldspaceError(f"cannot write {path} ({exc.strerror}).") from None
    fsync_dir(directory)
    return path
