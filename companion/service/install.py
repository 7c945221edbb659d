"""``holdspace service install|uninstall|status``: run ``holdspace record`` from login, per user.

What gets installed where (a systemd user unit on Linux, a launchd agent on macOS, nothing on
Windows) is decided by the pure :func:`~companion.service.plan.plan_service` (its names live
there). :func:`install`, :func:`uninstall` and :func:`status` carry a plan out with
an injectable ``run`` (``subprocess.run`` by default) and explain every failure in one sentence.

The service file is always written atomically (temporary file, fsync, rename), so a crash never
leaves half a unit. If the *first* command fails (``systemctl`` missing, no user bus), the
service manager has not seen the file yet and the previous state is restored: nothing was
installed. If a later command fails, the manager may already hold the unit (enabled, loaded),
so the file stays where it is and the message says so; ``holdspace service uninstall``
removes it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, Protocol

from companion.errors import HoldspaceError
from companion.service.plan import (
    RESTART_DELAY_S,
    Command,
    ServicePlan,
    current_executable,
    plan_service,
)
from companion.service.plan import TERMINAL_HINT as _TERMINAL
from companion.store.jsonfile import write_atomic

__all__ = ["Runner", "install", "service_command", "status", "uninstall"]

_UNIT_FILE_MODE: Final = 0o644
_MAX_DETAIL_CHARS: Final = 160
_NO_BUS: Final = (
    "systemd user services are not available in this session "
    "(`systemctl --user` cannot reach the user bus)"
)


class Runner(Protocol):
    """The part of :func:`subprocess.run` this module uses; tests pass a fake."""

    def __call__(
        self, args: Sequence[str], *, check: bool, capture_output: bool, text: Literal[True]
    ) -> subprocess.CompletedProcess[str]: ...


_FailureKind = Literal["missing", "unavailable", "failed"]


@dataclass(frozen=True, slots=True)
class _Failure:
    clause: str
    """What went wrong, as a clause without a final period."""
    kind: _FailureKind
    """``missing``: no such tool; ``unavailable``: it cannot work here (no user bus, no
    permission); ``failed``: it ran and refused."""


def _call(
    plan: ServicePlan, cmd: Command, run: Runner
) -> subprocess.CompletedProcess[str] | _Failure:
    """Run one command, turning a missing or unrunnable tool into a :class:`_Failure`."""
    try:
        return run(cmd, check=False, capture_output=True, text=True)
    except FileNotFoundError:
        if plan.platform == "linux":
            clause = "this system has no systemd user services (`systemctl` was not found)"
        else:
            clause = f"`{cmd[0]}` was not found, so Holdspace cannot manage its login agent"
        return _Failure(clause, "missing")
    except OSError as exc:
        return _Failure(f"`{cmd[0]}` could not be run ({exc.strerror})", "unavailable")


def _attempt(plan: ServicePlan, cmd: Command, run: Runner) -> _Failure | None:
    """Run one command; ``None`` on success (or an expected failure), else what went wrong."""
    proc = _call(plan, cmd, run)
    if isinstance(proc, _Failure):
        return proc
    if proc.returncode == 0 or cmd in plan.may_fail:
        return None
    detail = _one_clause(proc.stderr or proc.stdout or "")
    if "failed to connect to bus" in detail.lower():
        return _Failure(_NO_BUS, "unavailable")
    shown = (
        f"{detail}, exit status {proc.returncode}" if detail else f"exit status {proc.returncode}"
    )
    return _Failure(f"`{shlex.join(cmd)}` failed ({shown})", "failed")


def _one_clause(text: str) -> str:
    """The first non-empty line of a tool's output, as a bounded clause."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = line.rstrip(".").replace("; ", ", ")
    if len(line) > _MAX_DETAIL_CHARS:
        line = line[: _MAX_DETAIL_CHARS - 1].rstrip() + "…"
    return line


def _sentence(clause: str, way_forward: str) -> str:
    return f"{clause[:1].upper()}{clause[1:]}; {way_forward}."


def _windows_error(plan: ServicePlan, action: str) -> HoldspaceError:
    command = subprocess.list2cmdline(plan.program)
    if action == "install":
        return HoldspaceError(
            "Holdspace cannot install a background service on Windows itself; open Task "
            'Scheduler, choose "Create Task", add the trigger "At log on" and the action '
            f"`{command}`."
        )
    if action == "uninstall":
        return HoldspaceError(
            "Holdspace cannot manage Windows services itself; delete the task that runs "
            f"`{command}` in Task Scheduler."
        )
    return HoldspaceError(
        "Holdspace cannot see Task Scheduler tasks; open Task Scheduler to check the task "
        f"that runs `{command}`."
    )


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (mode 0644) so that readers see the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode("utf-8"), mode=_UNIT_FILE_MODE)


def _restore(path: Path, previous: str | None) -> None:
    with contextlib.suppress(OSError):
        if previous is None:
            path.unlink(missing_ok=True)
        else:
            _write_atomic(path, previous)


def install(plan: ServicePlan, run: Runner = subprocess.run) -> str:
    """Write the service file and start the recorder; returns a one-line report.

    Raises
    ------
    HoldspaceError : on Windows, when the file cannot be written, or when a command fails
        (see the module docstring for what is left behind).
    """
    if plan.platform == "windows" or plan.unit_path is None:
        raise _windows_error(plan, "install")
    path = plan.unit_path
    try:
        previous = path.read_text(encoding="utf-8") if path.exists() else None
        for directory in plan.make_dirs:
            directory.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, plan.unit_text)
    except OSError as exc:
        raise HoldspaceError(f"Cannot write {path} ({exc.strerror}).") from None
    for index, cmd in enumerate(plan.install_commands):
        failure = _attempt(plan, cmd, run)
        if failure is None:
            continue
        if index == 0:
            _restore(path, previous)
            forward = "nothing was installed"
            if failure.kind != "failed":
                forward += f", so {_TERMINAL}"
            raise HoldspaceError(_sentence(failure.clause, forward))
        raise HoldspaceError(
            _sentence(
                failure.clause,
                f"the service file stays at {path} and `holdspace service uninstall` removes it",
            )
        )
    return (
        f"Installed and started the Holdspace recorder ({path}); it starts at every login, "
        f"restarts {RESTART_DELAY_S} s after a failure, and {plan.log_hint}."
    )


def uninstall(plan: ServicePlan, run: Runner = subprocess.run) -> str:
    """Stop the recorder and remove the service file; returns a one-line report.

    When the service manager's tool is missing altogether nothing can be running the unit, so
    the file is removed anyway; any other failure keeps the file and raises.
    """
    if plan.platform == "windows" or plan.unit_path is None:
        raise _windows_error(plan, "uninstall")
    path = plan.unit_path
    if not path.exists():
        return "The Holdspace recorder service is not installed; there is nothing to remove."
    missing: _Failure | None = None
    for cmd in plan.uninstall_commands:
        failure = _attempt(plan, cmd, run)
        if failure is not None and failure.kind != "missing":
            raise HoldspaceError(_sentence(failure.clause, f"the service file stays at {path}"))
        missing = missing or failure
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise HoldspaceError(f"Cannot remove {path} ({exc.strerror}).") from None
    for cmd in plan.after_remove_commands:
        _attempt(plan, cmd, run)  # a stale unit is harmless; the next login reloads anyway
    if missing is not None:
        return _sentence(missing.clause, f"nothing was running it, and {path} is removed")
    return f"Stopped the Holdspace recorder and removed {path}."


@dataclass(frozen=True, slots=True)
class _Status:
    running: bool
    text: str


def _probe(plan: ServicePlan, run: Runner) -> _Status:
    if plan.platform == "windows" or plan.unit_path is None:
        raise _windows_error(plan, "status")
    path = plan.unit_path
    if not path.exists():
        return _Status(
            False,
            "The Holdspace recorder service is not installed; `holdspace service install` "
            "sets it up.",
        )
    outputs: list[subprocess.CompletedProcess[str]] = []
    for cmd in plan.status_commands:
        proc = _call(plan, cmd, run)
        if isinstance(proc, _Failure):
            raise HoldspaceError(_sentence(proc.clause, _TERMINAL))
        if not proc.stdout.strip() and "failed to connect to bus" in proc.stderr.lower():
            raise HoldspaceError(_sentence(_NO_BUS, _TERMINAL))
        outputs.append(proc)
    if plan.platform == "linux":
        return _systemd_status(path, outputs)
    return _launchd_status(path, plan, outputs[0])


_ACTIVE_WORDS: Final[Mapping[str, str]] = {
    "active": "running",
    "activating": "starting",
    "deactivating": "stopping",
    "inactive": "not running",
    "failed": "not running after a failure (`journalctl --user -u holdspace-recorder` says why)",
}


def _systemd_status(path: Path, outputs: Sequence[subprocess.CompletedProcess[str]]) -> _Status:
    enabled_proc, active_proc = outputs
    enabled = enabled_proc.stdout.strip() == "enabled"
    active = active_proc.stdout.strip() or "unknown"
    at_login = "starts at login" if enabled else "is not enabled at login"
    state = _ACTIVE_WORDS.get(active, active)
    return _Status(
        active == "active",
        f"The Holdspace recorder service is installed ({path}), {at_login}, and is {state}.",
    )


def _launchd_status(
    path: Path, plan: ServicePlan, proc: subprocess.CompletedProcess[str]
) -> _Status:
    if proc.returncode != 0:
        return _Status(
            False,
            f"The Holdspace recorder agent is installed ({path}) but not loaded; log out and in, "
            "or run `holdspace service install` again.",
        )
    running = bool(re.search(r"^\s*state = running\s*$", proc.stdout, re.MULTILINE))
    state = "running" if running else "loaded but not running (it restarts after a failure)"
    return _Status(
        running,
        f"The Holdspace recorder agent is installed ({path}) and {state}; {plan.log_hint}.",
    )


def status(plan: ServicePlan, run: Runner = subprocess.run) -> str:
    """Describe in one sentence whether the recorder service is installed, enabled and running.

    Raises
    ------
    HoldspaceError : on Windows, or when the service manager cannot be asked.
    """
    return _probe(plan, run).text


def service_command(
    action: str,
    *,
    device: str | None,
    data_dir: Path | None,
    run: Runner = subprocess.run,
) -> tuple[int, str]:
    """Carry out ``holdspace service ACTION`` for this user on this machine.

    Parameters
    ----------
    action : ``"install"``, ``"uninstall"`` or ``"status"``.
    device : the strap's address to record from, for ``install``.
    data_dir : the data directory the recorder should use; ``None`` for its default.
    run : runs the service manager's commands (tests pass a fake).

    Returns
    -------
    The exit code and one line to print: 0 on success; for ``status``, 0 when the recorder is
    running and 3 when it is not (as ``systemctl is-active`` does).

    Raises
    ------
    HoldspaceError : an unknown action, or a failure explained in one sentence.
    """
    if action not in {"install", "uninstall", "status"}:
        raise HoldspaceError(
            f"Unknown service action {action!r}; use install, uninstall or status."
        )
    getuid = getattr(os, "getuid", None)
    plan = plan_service(
        sys.platform,
        home=Path.home(),
        env=os.environ,
        executable=current_executable(),
        device=device,
        data_dir=data_dir.expanduser().absolute() if data_dir is not None else None,
        uid=int(getuid()) if callable(getuid) else 0,
    )
    if action == "install":
        return 0, install(plan, run)
    if action == "uninstall":
        return 0, uninstall(plan, run)
    probe = _probe(plan, run)
    return (0 if probe.running else 3), probe.text
