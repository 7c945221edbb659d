"""Files Holdspace writes whole, and the small private JSON files it reads back.

:func:`write_atomic` is the one way a whole file is written (settings, colleagues,
exports, the HTML report, the service unit): the bytes go to a temporary file that
:func:`tempfile.mkstemp` creates exclusively in the target's folder (``O_EXCL``: a
link planted at any name there is never opened, let alone followed), mode 0600 (or
the mode asked for), fsynced, then renamed over the target with :func:`os.replace`,
which replaces a link at the target itself, never the file it points to. A crash
leaves the old file or the new one, never half of one. :func:`read_json_object` reads
a settings-like file with one-sentence errors and the limits :data:`JSON_MAX_BYTES`
and :data:`JSON_MAX_DEPTH`.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Final

from companion.errors import HoldspaceError
from companion.store.paths import FILE_MODE, make_private_dir
from companion.store.tinydb_storage import fsync_dir
from sensors.jsondepth import nests_deeper_than

__all__ = [
    "JSON_MAX_BYTES",
    "JSON_MAX_DEPTH",
    "read_json_object",
    "write_atomic",
    "write_private_json",
]

JSON_MAX_BYTES: Final = 4 * 1024 * 1024
"""Settings and colleagues files are a few kilobytes; a larger file is not one of ours."""
JSON_MAX_DEPTH: Final = 32
"""Deepest nesting of arrays and objects read (ours nest a few levels); deeper JSON is
refused in one sentence before the parser could exhaust the stack."""


def read_json_object(path: Path, what: str, remedy: str) -> dict[str, Any] | None:
    """The JSON object in ``path``; None when the file is missing or empty.

    ``what`` names the content in messages ("settings"), ``remedy`` ends the
    message about bad JSON ("delete the file to start from the defaults"). Files
    over :data:`JSON_MAX_BYTES` or nested deeper than :data:`JSON_MAX_DEPTH` are
    refused. Raises :class:`~companion.errors.HoldspaceError` naming the file (and
    the line).
    """
    try:
        with path.open("rb") as fh:
            data = fh.read(JSON_MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise HoldspaceError(f"{path} cannot be read ({exc.strerror}).") from None
    if len(data) > JSON_MAX_BYTES:
        raise HoldspaceError(
            f"{path} is larger than {JSON_MAX_BYTES // (1024 * 1024)} MiB, too large for "
            f"a file of {what}; {remedy}."
        )
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError:
        raise HoldspaceError(f"{path} cannot be read (it is not UTF-8 text).") from None
    if not raw.strip():
        return None
    if nests_deeper_than(data, JSON_MAX_DEPTH):
        raise HoldspaceError(
            f"{path} nests deeper than {JSON_MAX_DEPTH} levels, which no file of {what} "
            f"does; {remedy}."
        )
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


def _place(tmp: Path, path: Path, replace: bool) -> None:
    """Rename ``tmp`` to ``path``; without ``replace``, only if ``path`` is not there
    (not even as a link): a hard link is created exclusively, then ``tmp`` removed."""
    if replace:
        tmp.replace(path)
        return
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError as exc:  # a file system without hard links (FAT, some shares)
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV):
            raise
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path)) from None
        tmp.replace(path)
        return
    tmp.unlink()


def write_atomic(
    path: Path, data: bytes, *, mode: int = FILE_MODE, replace: bool = True, sync_dir: bool = True
) -> Path:
    """Write ``data`` to ``path`` atomically, never through a planted link.

    Parameters
    ----------
    path : the file; its folder must exist.
    data : the whole content.
    mode : permission bits of the new file (0600 unless a reader needs more).
    replace : replace an existing ``path``; when False, a ``path`` already there
        (a file or a link) raises :class:`FileExistsError` and is left alone.
    sync_dir : fsync the folder after the rename (so the new name is durable).

    Raises
    ------
    FileExistsError
        When ``replace`` is False and ``path`` exists.
    OSError
        When the folder cannot be written; the temporary file is removed.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            if hasattr(os, "fchmod"):  # the descriptor: never a name someone could swap
                os.fchmod(fh.fileno(), mode)
            else:  # pragma: no cover - Windows before Python 3.13
                tmp.chmod(mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _place(tmp, path, replace)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if sync_dir:
        fsync_dir(path.parent)
    return path


def write_private_json(path: Path, doc: Any) -> Path:
    """Write ``doc`` to ``path`` atomically, mode 0600 (its directory 0700 when created)."""
    encoded = (json.dumps(doc, indent=2, allow_nan=False, ensure_ascii=False) + "\n").encode()
    try:
        make_private_dir(path.parent)  # 0700 level by level, whatever the umask
        return write_atomic(path, encoded)
    except OSError as exc:
        raise HoldspaceError(f"cannot write {path} ({exc.strerror}).") from None
