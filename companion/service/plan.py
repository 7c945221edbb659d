"""What ``holdspace service install`` would do, decided without touching anything.

- Linux: a systemd *user* unit ``$XDG_CONFIG_HOME/systemd/user/holdspace-recorder.service``
  (``~/.config`` by default), restarted 30 s after a failure and stopped with SIGTERM, on which
  the recorder closes its recording cleanly.
- macOS: a launchd agent ``~/Library/LaunchAgents/org.holdspace.recorder.plist``, loaded with
  ``launchctl bootstrap gui/<uid>`` and restarted when it exits with an error.
- Windows: nothing is automated; the plan only names the command for a Task Scheduler task.

:func:`plan_service` is pure: it decides the file and the commands, so tests can read them.
:func:`current_executable` finds the Holdspace command the service should start. Carrying a
plan out is :mod:`companion.service.install`.
"""

from __future__ import annotations

import plistlib
import re
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from companion.errors import HoldspaceError
from companion.store.paths import DATA_DIR_ENV

__all__ = [
    "LAUNCHD_LABEL",
    "RESTART_DELAY_S",
    "SYSTEMD_UNIT",
    "TERMINAL_HINT",
    "Command",
    "ServicePlan",
    "ServicePlatform",
    "current_executable",
    "plan_service",
]

SYSTEMD_UNIT: Final = "holdspace-recorder.service"
LAUNCHD_LABEL: Final = "org.holdspace.recorder"
RESTART_DELAY_S: Final = 30
"""Seconds before the service manager starts the recorder again after a failure."""
TERMINAL_HINT: Final = "run `holdspace record` in a terminal instead"
"""The way forward when no service manager can run the recorder."""

_SYSTEMCTL: Final = ("systemctl", "--user")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
"""Characters a unit file line cannot hold as they are (written as ``\\xNN``)."""

ServicePlatform = Literal["linux", "darwin", "windows"]
Command = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ServicePlan:
    """What installing the recorder service means on one platform.

    Attributes
    ----------
    platform : ``"linux"`` (systemd user unit), ``"darwin"`` (launchd agent) or ``"windows"``.
    program : the command the service runs, e.g. ``("/usr/bin/holdspace", "record")``.
    unit_path : the unit file or plist to write; ``None`` on Windows.
    unit_text : its content (UTF-8 text); empty on Windows.
    install_commands : run in order after the file is written.
    uninstall_commands : run in order before the file is removed.
    status_commands : run by :func:`status`; their exit codes are states, not failures.
    after_remove_commands : run after the file is removed (``daemon-reload``); failures ignored.
    may_fail : commands whose non-zero exit is expected (``launchctl bootout`` of an agent
        that is not loaded) and ignored.
    make_dirs : directories created before installing (launchd does not create log folders).
    log_hint : where the service's output goes, in words, for the messages.
    """

    platform: ServicePlatform
    program: Command
    unit_path: Path | None
    unit_text: str
    install_commands: tuple[Command, ...]
    uninstall_commands: tuple[Command, ...]
    status_commands: tuple[Command, ...]
    after_remove_commands: tuple[Command, ...] = ()
    may_fail: frozenset[Command] = frozenset()
    make_dirs: tuple[Path, ...] = ()
    log_hint: str = ""


def plan_service(
    platform: str,
    *,
    home: Path,
    env: Mapping[str, str],
    executable: Sequence[str],
    device: str | None,
    data_dir: Path | None,
    uid: int,
) -> ServicePlan:
    """Decide the service file and commands for ``platform``, touching nothing.

    Parameters
    ----------
    platform : ``sys.platform`` (``"linux"``, ``"darwin"``, ``"win32"``, ``"cygwin"``).
    home : the user's home directory.
    env : the environment; only ``XDG_CONFIG_HOME`` is read.
    executable : the command that runs Holdspace, e.g. ``("/usr/bin/holdspace",)`` or
        ``(sys.executable, "-m", "companion")``; its first element must be an absolute path.
    device : the strap's address for ``record --device``; ``None`` lets the recorder choose.
    data_dir : an absolute data directory, passed as ``$HOLDSPACE_DATA_DIR``; ``None`` for
        the default.
    uid : the numeric user id (launchd's ``gui/<uid>`` domain).

    Raises
    ------
    HoldspaceError : an unsupported platform, a relative path, or a value with a line break.
    """
    kind = _platform_kind(platform)
    program: Command = (*executable, "record", *(("--device", device) if device else ()))
    for value in (*program, str(data_dir or "")):
        if "\n" in value or "\r" in value or "\0" in value:
            raise HoldspaceError(
                f"A service cannot run a command containing a line break: {value!r}."
            )
    if not executable:
        raise HoldspaceError("The Holdspace command to run was not found.")
    if kind == "windows":
        return ServicePlan("windows", program, None, "", (), (), ())
    if not Path(executable[0]).is_absolute():
        raise HoldspaceError(
            f"The service needs the absolute path of the Holdspace command, not {executable[0]}."
        )
    if data_dir is not None and not data_dir.is_absolute():
        raise HoldspaceError(f"The service needs an absolute data directory, not {data_dir}.")
    if kind == "darwin":
        return _launchd_plan(program, home=home, data_dir=data_dir, uid=uid)
    return _systemd_plan(program, home=home, env=env, data_dir=data_dir)


def _platform_kind(platform: str) -> ServicePlatform:
    if platform.startswith("linux"):
        return "linux"
    if platform == "darwin":
        return "darwin"
    if platform in {"win32", "cygwin", "windows"}:
        return "windows"
    raise HoldspaceError(
        f"Holdspace cannot install a background service on {platform}; {TERMINAL_HINT}."
    )


def _systemd_plan(
    program: Command, *, home: Path, env: Mapping[str, str], data_dir: Path | None
) -> ServicePlan:
    xdg = env.get("XDG_CONFIG_HOME", "").strip()
    config_home = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".config"
    unit_path = config_home / "systemd" / "user" / SYSTEMD_UNIT
    lines = [
        "# Written by `holdspace service install`; remove it with `holdspace service uninstall`.",
        "[Unit]",
        "Description=Holdspace chest-strap recorder",
        "",
        "[Service]",
        "Type=simple",
        "ExecStart=" + " ".join(_systemd_quote(arg) for arg in program),
    ]
    if data_dir is not None:
        assignment = f"{DATA_DIR_ENV}={data_dir}"
        lines.append(f"Environment={_systemd_quote(assignment, always=True, expands=False)}")
    lines += [
        "Restart=on-failure",
        f"RestartSec={RESTART_DELAY_S}",
        "KillSignal=SIGTERM",
        "TimeoutStopSec=30",
        "",
        "[Install]",
        "WantedBy=default.target",
        "",
    ]
    unit = SYSTEMD_UNIT
    return ServicePlan(
        platform="linux",
        program=program,
        unit_path=unit_path,
        unit_text="\n".join(lines),
        # `enable` + `restart` rather than `enable --now`: a reinstall with new options must
        # restart a recorder that is already running, and `restart` starts a stopped one.
        install_commands=(
            (*_SYSTEMCTL, "daemon-reload"),
            (*_SYSTEMCTL, "enable", unit),
            (*_SYSTEMCTL, "restart", unit),
        ),
        uninstall_commands=((*_SYSTEMCTL, "disable", "--now", unit),),
        status_commands=((*_SYSTEMCTL, "is-enabled", unit), (*_SYSTEMCTL, "is-active", unit)),
        after_remove_commands=((*_SYSTEMCTL, "daemon-reload"),),
        log_hint="`journalctl --user -u holdspace-recorder` shows its log",
    )


def _systemd_quote(arg: str, *, always: bool = False, expands: bool = True) -> str:
    """Quote one word for a unit file, as systemd.syntax(7) and systemd.exec(5) read it.

    Backslashes, double quotes and control characters get C-style escapes; ``%`` (a
    specifier in every setting) becomes ``%%``. ``$`` becomes ``$$`` only where systemd
    expands variables (``expands``: ``ExecStart=``); in ``Environment=`` it is literal
    ("the $ character has no special meaning"), so there it stays as it is.
    """
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    escaped = _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", escaped)
    if expands:
        escaped = escaped.replace("$", "$$")
    if always or not escaped or re.search(r"[\s\"';\\]", escaped):
        return f'"{escaped}"'
    return escaped


def _launchd_plan(program: Command, *, home: Path, data_dir: Path | None, uid: int) -> ServicePlan:
    plist_path = home / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"
    log_dir = data_dir / "logs" if data_dir is not None else home / "Library" / "Logs" / "Holdspace"
    agent: dict[str, object] = {
        "Label": LAUNCHD_LABEL,
        "ProgramArguments": list(program),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "ThrottleInterval": RESTART_DELAY_S,
        "StandardOutPath": str(log_dir / "recorder.out.log"),
        "StandardErrorPath": str(log_dir / "recorder.err.log"),
    }
    if data_dir is not None:
        agent["EnvironmentVariables"] = {DATA_DIR_ENV: str(data_dir)}
    target = f"gui/{uid}/{LAUNCHD_LABEL}"
    bootout: Command = ("launchctl", "bootout", target)
    return ServicePlan(
        platform="darwin",
        program=program,
        unit_path=plist_path,
        unit_text=plistlib.dumps(agent).decode("utf-8"),
        # bootout first, so that a reinstall replaces an agent that is already loaded.
        install_commands=(bootout, ("launchctl", "bootstrap", f"gui/{uid}", str(plist_path))),
        uninstall_commands=(bootout,),
        status_commands=(("launchctl", "print", target),),
        may_fail=frozenset({bootout}),
        make_dirs=(log_dir,),
        log_hint=f"its log is in {log_dir}",
    )


def current_executable(
    argv0: str | None = None,
    *,
    which: Callable[[str], str | None] = shutil.which,
    python: str | None = None,
) -> Command:
    """The command that runs this Holdspace, for the service to start.

    The running ``holdspace`` script wins; under ``python -m companion`` the same interpreter is
    used; otherwise ``holdspace`` on ``$PATH``; failing all, ``python -m companion``.
    """
    argv0 = sys.argv[0] if argv0 is None else argv0
    python = sys.executable if python is None else python
    module_form: Command = (str(Path(python).absolute()), "-m", "companion")
    started = Path(argv0) if argv0 else None
    if started is not None and started.name in {"holdspace", "holdspace.exe"} and started.is_file():
        return (str(started.absolute()),)
    if started is not None and started.name == "__main__.py" and started.parent.name == "companion":
        return module_form
    found = which("holdspace")
    if found:
        return (str(Path(found).absolute()),)
    return module_form
