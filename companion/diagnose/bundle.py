"""The diagnosis's steps, and the bundle they are written into.

:func:`diagnose` runs the steps in order: versions; the adapter (a short scan); the strap's
GATT table and a short raw recording, when Bluetooth works and a strap is known or is the
only one nearby; the end of the log. A step that cannot run leaves its part out and says why
in one sentence (:attr:`Diagnosis.missing`); the versions and the adapter's sentence are
always there. :func:`bundle_files` lays the parts out as files and :func:`write_bundle`
writes them into a ``.zip``: built in memory, then written atomically, mode 0600, never
through a planted link and never over an existing file
(:func:`~companion.store.jsonfile.write_atomic`).

The bundle holds (``README.txt`` in it says the same): ``summary.json``, ``versions.json``,
``adapter.json``, ``gatt.json``, ``capture.hsrec`` (the raw recording), ``link.json`` (the
link's states during it), ``run.log`` (the diagnosis's own log) and ``holdspace-log-tail.txt``.
Never a session, label, note, check-in, colleague or channel: nothing here reads the store,
the settings or the colleagues' file (the caller passes the strap's address and the words to
mask).
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from companion.diagnose.access import StrapAccess, plain_failure
from companion.diagnose.adapter import AdapterReport, probe_adapter
from companion.diagnose.capture import CaptureReport, capture
from companion.diagnose.gatt import GattTable, read_gatt_table
from companion.diagnose.logtail import LogMasker, LogTail, captured_run_log, read_log_tail
from companion.diagnose.versions import software_versions
from companion.errors import HoldspaceError
from companion.store.jsonfile import write_atomic
from companion.store.paths import FILE_MODE
from sensors.ble.errors import strap_not_found

__all__ = [
    "BUNDLE_FORMAT",
    "DiagnoseRequest",
    "Diagnosis",
    "bundle_files",
    "diagnose",
    "write_bundle",
]

BUNDLE_FORMAT: Final = "holdspace-diagnosis"
"""``format`` in ``summary.json``."""
BUNDLE_VERSION: Final = 1
"""``version`` in ``summary.json``: raised when a file's layout changes."""
_BOTH: Final = ("GATT table", "recording")
"""The parts a strap step leaves out together when the strap cannot be reached."""
README: Final = """\
A Holdspace diagnostic bundle, for a bug report about a strap (holdspace diagnose).

summary.json              what was found, and why a part is missing
versions.json             Holdspace, Python, the OS, BlueZ, Bleak, Bumble, NumPy, Textual...
adapter.json              the Bluetooth adapter's state; heart-rate straps seen by a short scan
                          (other devices are only counted)
gatt.json                 the strap's services, characteristics, properties, readable values
capture.hsrec             a short raw recording of the strap's packets (holdspace replay reads it)
link.json                 the link's states during the recording (drops, reconnections)
run.log                   this diagnosis's own log
holdspace-log-tail.txt    the end of holdspace.log, secrets masked, channel lines left out

It never holds session labels, notes, check-ins, colleagues or channels. It does hold the
strap's Bluetooth address and name. Open the files and read them before you attach them.
"""


@dataclass(frozen=True, slots=True)
class DiagnoseRequest:
    """What to diagnose.

    Attributes
    ----------
    holdspace_version : Holdspace's version, for the bundle.
    seconds_s : length of the raw recording, in seconds of the strap's clock.
    strap : the strap's address (asked for or remembered); None: the only strap nearby.
    pair : pair before connecting (Windows needs it for Polar's PMD).
    scan_s : length of the adapter's scan and of each search for the strap, in seconds.
    connect_timeout_s : how long connecting may take, in seconds.
    log_path : Holdspace's log file (None: no log tail).
    private_words : words masked wherever they appear (channel secrets, colleagues' names).
    """

    holdspace_version: str
    seconds_s: float = 60.0
    strap: str | None = None
    pair: bool = False
    scan_s: float = 5.0
    connect_timeout_s: float = 20.0
    log_path: Path | None = None
    private_words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """What the diagnosis found; :attr:`missing` says what it could not.

    Attributes
    ----------
    created_at : when it ran (UTC).
    versions, adapter, gatt, capture, log_tail : the parts (None: could not be made).
    strap : the strap diagnosed, or None.
    run_log : the diagnosis's own log lines, masked.
    missing : the parts left out ("GATT table", "recording"), and why, in one sentence.
    """

    created_at: datetime
    versions: dict[str, str | None]
    adapter: AdapterReport
    strap: str | None
    gatt: GattTable | None
    capture: CaptureReport | None
    log_tail: LogTail
    run_log: tuple[str, ...]
    missing: tuple[tuple[str, ...], str] | None

    def missing_sentence(self) -> str | None:
        """The sentence 'The bundle holds no GATT table and no recording: <why>', or None
        when the bundle is whole."""
        if self.missing is None:
            return None
        parts, why = self.missing
        return f"The bundle holds no {' and no '.join(parts)}: {why}"


async def diagnose(request: DiagnoseRequest, access: StrapAccess) -> Diagnosis:
    """Run every step that can run; never raises for a Bluetooth failure."""
    masker = LogMasker(request.private_words)
    created = datetime.now(UTC)
    versions = software_versions(request.holdspace_version)
    with captured_run_log(masker) as run_lines, tempfile.TemporaryDirectory() as folder:
        adapter = await probe_adapter(access, request.scan_s)
        strap, gatt, recorded, missing = await _strap_steps(request, access, adapter, Path(folder))
    tail = (
        read_log_tail(request.log_path, masker)
        if request.log_path is not None
        else LogTail((), 0, False)
    )
    return Diagnosis(
        created, versions, adapter, strap, gatt, recorded, tail, tuple(run_lines), missing
    )


async def _strap_steps(
    request: DiagnoseRequest, access: StrapAccess, adapter: AdapterReport, folder: Path
) -> tuple[str | None, GattTable | None, CaptureReport | None, tuple[tuple[str, ...], str] | None]:
    """The GATT table and the recording: the strap, what was made, and what was not and why."""
    if not adapter.works:
        return None, None, None, (_BOTH, adapter.sentence)
    strap, why = (request.strap, "") if request.strap else _only_strap(adapter)
    if strap is None:
        return None, None, None, (_BOTH, why)
    try:
        gatt = await read_gatt_table(
            strap,
            access,
            pair=request.pair,
            scan_s=request.scan_s,
            timeout_s=request.connect_timeout_s,
        )
    except Exception as exc:
        return strap, None, None, (_BOTH, plain_failure(exc, strap))
    recorded = await capture(strap, access, request.seconds_s, pair=request.pair, folder=folder)
    missing = None if recorded.failure is None else (("recording",), recorded.failure)
    return strap, gatt, recorded, missing


def _only_strap(adapter: AdapterReport) -> tuple[str | None, str]:
    """The one heart-rate strap the scan saw, or None and why not."""
    if len(adapter.straps) == 1:
        return adapter.straps[0].address, ""
    if not adapter.straps:
        return None, strap_not_found(None).message
    named = ", ".join(f"{s.name or 'unnamed'} ({s.address})" for s in adapter.straps)
    return None, f"Several heart-rate straps are nearby ({named}); name one with --strap ADDRESS."


def bundle_files(diagnosis: Diagnosis) -> dict[str, bytes]:
    """The bundle's files by name (see the module's docstring)."""
    files: dict[str, Any] = {
        "README.txt": README,
        "summary.json": _summary(diagnosis),
        "versions.json": diagnosis.versions,
        "adapter.json": diagnosis.adapter.to_json(),
    }
    if diagnosis.gatt is not None:
        files["gatt.json"] = diagnosis.gatt.to_json()
    if diagnosis.capture is not None:
        files["capture.hsrec"] = diagnosis.capture.recording
        files["link.json"] = diagnosis.capture.to_json()
    files["run.log"] = "".join(f"{line}\n" for line in diagnosis.run_log)
    if diagnosis.log_tail.found:
        files["holdspace-log-tail.txt"] = diagnosis.log_tail.text()
    return {name: _encoded(content) for name, content in files.items()}


def _encoded(content: Any) -> bytes:
    if isinstance(content, bytes):
        return content
    if isinstance(content, str):
        return content.encode("utf-8")
    return (json.dumps(content, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode()


def _summary(diagnosis: Diagnosis) -> dict[str, Any]:
    gatt, recorded = diagnosis.gatt, diagnosis.capture
    return {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "created_at": diagnosis.created_at.isoformat(timespec="seconds"),
        "missing": diagnosis.missing_sentence(),
        "adapter": diagnosis.adapter.sentence,
        "strap": diagnosis.strap,
        "strap_name": gatt.name if gatt is not None else None,
        "services": len(gatt.services) if gatt is not None else None,
        "characteristics": gatt.characteristics if gatt is not None else None,
        "pmd_service": gatt.has_pmd if gatt is not None else None,
        "recording_lines": recorded.lines if recorded is not None else None,
        "log_tail_lines": len(diagnosis.log_tail.lines),
        "log_lines_left_out": diagnosis.log_tail.left_out,
    }


def write_bundle(path: Path, files: Mapping[str, bytes], created: datetime) -> int:
    """Write ``files`` into the zip ``path`` (mode 0600, atomically, never over a file);
    returns its size in bytes. Raises :class:`~companion.errors.HoldspaceError` in one
    sentence when it cannot be written."""
    buffer = io.BytesIO()
    stamp = created.astimezone(UTC).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(f"holdspace-diagnosis/{name}", date_time=stamp)
            info.external_attr = FILE_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    data = buffer.getvalue()
    try:
        write_atomic(path, data, replace=False)
    except FileExistsError:
        raise HoldspaceError(f"{path} already exists; give another --out") from None
    except OSError as exc:
        raise HoldspaceError(f"cannot write {path} ({exc.strerror or exc})") from None
    return len(data)
