"""`holdspace service`: the plans are pure, and install/uninstall/status run exactly the commands
they announce through a fake `run` (no real systemctl or launchctl is ever called)."""

from __future__ import annotations

import plistlib
import stat
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

import pytest

from companion.errors import HoldspaceError
from companion.service.install import install, service_command, status, uninstall
from companion.service.plan import (
    LAUNCHD_LABEL,
    SYSTEMD_UNIT,
    ServicePlan,
    current_executable,
    plan_service,
)

EXE = "/opt/holdspace/bin/holdspace"
ADDR = "C6:05:04:03:02:01"
UID = 501
UNIT = SYSTEMD_UNIT

Reply = tuple[int, str, str]  # returncode, stdout, stderr


class FakeRun:
    """Records every command; answers from ``replies`` (by the command's words) or succeeds."""

    def __init__(
        self,
        replies: dict[tuple[str, ...], Reply] | None = None,
        *,
        missing: bool = False,
        on_call: Callable[[tuple[str, ...]], None] | None = None,
    ) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.replies = replies or {}
        self.missing = missing
        self.on_call = on_call

    def __call__(
        self, args: Sequence[str], *, check: bool, capture_output: bool, text: Literal[True]
    ) -> subprocess.CompletedProcess[str]:
        cmd = tuple(args)
        assert check is False and capture_output is True and text is True
        self.calls.append(cmd)
        if self.on_call is not None:
            self.on_call(cmd)
        if self.missing:
            raise FileNotFoundError(2, "No such file or directory", cmd[0])
        code, out, err = self.replies.get(cmd, (0, "", ""))
        return subprocess.CompletedProcess(list(cmd), code, out, err)


def linux_plan(
    home: Path,
    *,
    device: str | None = ADDR,
    data_dir: Path | None = None,
    env: dict[str, str] | None = None,
) -> ServicePlan:
    return plan_service(
        "linux",
        home=home,
        env=env or {},
        executable=(EXE,),
        device=device,
        data_dir=data_dir,
        uid=UID,
    )


def darwin_plan(home: Path, *, data_dir: Path | None = None) -> ServicePlan:
    return plan_service(
        "darwin",
        home=home,
        env={},
        executable=(EXE,),
        device=ADDR,
        data_dir=data_dir,
        uid=UID,
    )


def assert_one_sentence(message: str) -> None:
    assert message.endswith(".")
    assert "\n" not in message
    assert "Traceback" not in message


# --- plans ------------------------------------------------------------------------------------


def test_linux_plan_unit_file(tmp_path: Path) -> None:
    data = tmp_path / "my data"
    plan = linux_plan(tmp_path, data_dir=data)
    assert plan.platform == "linux"
    assert plan.unit_path == tmp_path / ".config" / "systemd" / "user" / UNIT
    lines = plan.unit_text.splitlines()
    assert f"ExecStart={EXE} record --device {ADDR}" in lines
    assert f'Environment="HOLDSPACE_DATA_DIR={data}"' in lines
    for line in (
        "Restart=on-failure",
        "RestartSec=30",
        "KillSignal=SIGTERM",
        "[Install]",
        "WantedBy=default.target",
    ):
        assert line in lines
    assert lines.index("[Service]") < lines.index("[Install]")
    assert plan.program == (EXE, "record", "--device", ADDR)


def test_linux_plan_without_device_or_data_dir(tmp_path: Path) -> None:
    plan = linux_plan(tmp_path, device=None)
    assert f"ExecStart={EXE} record" in plan.unit_text.splitlines()
    assert "--device" not in plan.unit_text
    assert "Environment=" not in plan.unit_text


def test_linux_plan_respects_xdg_config_home(tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    plan = linux_plan(tmp_path, env={"XDG_CONFIG_HOME": str(xdg)})
    assert plan.unit_path == xdg / "systemd" / "user" / UNIT
    # The XDG spec says a relative value is invalid and must be ignored.
    relative = linux_plan(tmp_path, env={"XDG_CONFIG_HOME": "relative/dir"})
    assert relative.unit_path == tmp_path / ".config" / "systemd" / "user" / UNIT


def test_linux_plan_quotes_awkward_paths(tmp_path: Path) -> None:
    plan = plan_service(
        "linux",
        home=tmp_path,
        env={},
        executable=("/home/a b/venv/bin/python", "-m", "companion"),
        device=None,
        data_dir=Path("/data/100%"),
        uid=UID,
    )
    lines = plan.unit_text.splitlines()
    assert 'ExecStart="/home/a b/venv/bin/python" -m companion record' in lines
    assert 'Environment="HOLDSPACE_DATA_DIR=/data/100%%"' in lines


def systemd_words(value: str, *, expands: bool) -> list[str]:
    """The words systemd reads from a setting's value (systemd.syntax(7), systemd.exec(5)).

    A plain reference of the rules the unit is written for: ``%%`` is a literal ``%`` (any
    other specifier is refused here); words are split on blanks, double quotes group, and
    backslash starts a C-style escape (``\\\\``, ``\\"``, ``\\xNN``, ``\\n`` ...). Where
    systemd expands variables (``expands``: ``ExecStart=``), ``$$`` is a literal ``$``;
    in ``Environment=`` ``$`` has no special meaning.
    """
    escapes = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "t": "\t", "r": "\r", "s": " "}
    words: list[str] = []
    word: list[str] | None = None
    quoted = False
    i = 0
    while i < len(value):
        c = value[i]
        if c == "%":
            assert value[i + 1] == "%", f"a specifier %{value[i + 1]} in {value!r}"
            i += 1
        elif c == "$" and expands:
            assert value[i + 1] == "$", f"a variable expansion in {value!r}"
            i += 1
        elif c == "\\":
            nxt = value[i + 1]
            if nxt == "x":
                c, i = chr(int(value[i + 2 : i + 4], 16)), i + 2
            else:
                c = escapes[nxt]
            i += 1
        elif c == '"':
            quoted = not quoted
            word = word if word is not None else []
            i += 1
            continue
        elif c.isspace() and not quoted:
            if word is not None:
                words.append("".join(word))
            word = None
            i += 1
            continue
        word = word if word is not None else []
        word.append(c)
        i += 1
    assert not quoted, f"an unclosed quote in {value!r}"
    if word is not None:
        words.append("".join(word))
    return words


@pytest.mark.parametrize(
    "data_dir",
    ["/home/a/$HOME data", "/data/price$5 100%", '/d/back\\slash "q" $$x', "/d/a\ttab\x7f"],
)
def test_linux_unit_gives_systemd_the_exact_data_dir(data_dir: str) -> None:
    # systemd.exec(5) on Environment=: "Variable expansion is not performed inside the strings
    # and the "$" character has no special meaning"; "%" is a specifier everywhere.
    plan = plan_service(
        "linux",
        home=Path("/home/a"),
        env={},
        executable=(f"/opt/{data_dir}/bin/holdspace",),
        device=None,
        data_dir=Path(data_dir),
        uid=UID,
    )
    settings = dict(line.split("=", 1) for line in plan.unit_text.splitlines() if "=" in line)
    env, start = settings["Environment"], settings["ExecStart"]
    assert systemd_words(env, expands=False) == [f"HOLDSPACE_DATA_DIR={data_dir}"]
    assert systemd_words(start, expands=True) == [f"/opt/{data_dir}/bin/holdspace", "record"]


def test_linux_plan_commands() -> None:
    plan = linux_plan(Path("/home/x"))
    assert plan.install_commands == (
        ("systemctl", "--user", "daemon-reload"),
        ("systemctl", "--user", "enable", UNIT),
        ("systemctl", "--user", "restart", UNIT),
    )
    assert plan.uninstall_commands == (("systemctl", "--user", "disable", "--now", UNIT),)
    assert plan.after_remove_commands == (("systemctl", "--user", "daemon-reload"),)
    assert plan.status_commands == (
        ("systemctl", "--user", "is-enabled", UNIT),
        ("systemctl", "--user", "is-active", UNIT),
    )


def test_darwin_plan_plist(tmp_path: Path) -> None:
    data = tmp_path / "data"
    plan = darwin_plan(tmp_path, data_dir=data)
    assert plan.unit_path == tmp_path / "Library" / "LaunchAgents" / "org.holdspace.recorder.plist"
    agent = plistlib.loads(plan.unit_text.encode("utf-8"))
    assert agent["Label"] == LAUNCHD_LABEL
    assert agent["ProgramArguments"] == [EXE, "record", "--device", ADDR]
    assert agent["RunAtLoad"] is True
    assert agent["KeepAlive"] == {"SuccessfulExit": False}
    assert agent["StandardOutPath"] == str(data / "logs" / "recorder.out.log")
    assert agent["StandardErrorPath"] == str(data / "logs" / "recorder.err.log")
    assert agent["EnvironmentVariables"] == {"HOLDSPACE_DATA_DIR": str(data)}
    assert plan.make_dirs == (data / "logs",)
    target = f"gui/{UID}/{LAUNCHD_LABEL}"
    assert plan.install_commands == (
        ("launchctl", "bootout", target),
        ("launchctl", "bootstrap", f"gui/{UID}", str(plan.unit_path)),
    )
    assert plan.uninstall_commands == (("launchctl", "bootout", target),)
    assert plan.status_commands == (("launchctl", "print", target),)


def test_darwin_plan_logs_without_data_dir(tmp_path: Path) -> None:
    agent = plistlib.loads(darwin_plan(tmp_path).unit_text.encode("utf-8"))
    assert agent["StandardOutPath"].startswith(str(tmp_path / "Library" / "Logs"))
    assert "EnvironmentVariables" not in agent


@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [
        ({"executable": ("holdspace",)}, "absolute path"),
        ({"data_dir": Path("relative/data")}, "absolute data directory"),
        ({"device": "AA\nExecStartPre=/bin/evil"}, "line break"),
    ],
)
def test_plan_rejects_unsafe_values(tmp_path: Path, kwargs: dict[str, object], phrase: str) -> None:
    args: dict[str, object] = {
        "home": tmp_path,
        "env": {},
        "executable": (EXE,),
        "device": ADDR,
        "data_dir": None,
        "uid": UID,
    }
    args.update(kwargs)
    with pytest.raises(HoldspaceError, match=phrase):
        plan_service("linux", **args)  # type: ignore[arg-type]


def test_unsupported_platform(tmp_path: Path) -> None:
    with pytest.raises(HoldspaceError, match="holdspace record` in a terminal"):
        plan_service(
            "freebsd14", home=tmp_path, env={}, executable=(EXE,), device=None, data_dir=None, uid=1
        )


# --- install ----------------------------------------------------------------------------------


def test_linux_install_writes_then_runs_systemctl_in_order(tmp_path: Path) -> None:
    plan = linux_plan(tmp_path)
    assert plan.unit_path is not None
    unit = plan.unit_path
    seen_file: list[bool] = []
    run = FakeRun(on_call=lambda cmd: seen_file.append(unit.exists()))
    report = install(plan, run)
    assert run.calls == [
        ("systemctl", "--user", "daemon-reload"),
        ("systemctl", "--user", "enable", UNIT),
        ("systemctl", "--user", "restart", UNIT),
    ]
    assert all(seen_file)  # the unit exists before systemd is asked to read it
    assert plan.unit_path.read_text(encoding="utf-8") == plan.unit_text
    assert stat.S_IMODE(plan.unit_path.stat().st_mode) == 0o644
    assert not list(plan.unit_path.parent.glob(".*.tmp"))
    assert "Installed and started" in report
    assert_one_sentence(report)


def test_linux_install_without_systemctl_restores_and_explains(tmp_path: Path) -> None:
    plan = linux_plan(tmp_path)
    assert plan.unit_path is not None
    run = FakeRun(missing=True)
    with pytest.raises(HoldspaceError) as info:
        install(plan, run)
    message = str(info.value)
    assert_one_sentence(message)
    assert "systemd user services" in message
    assert "`systemctl` was not found" in message
    assert "run `holdspace record` in a terminal instead" in message
    assert run.calls == [("systemctl", "--user", "daemon-reload")]
    assert not plan.unit_path.exists()  # nothing half-installed


def test_install_failure_of_first_command_restores_the_previous_unit(tmp_path: Path) -> None:
    plan = linux_plan(tmp_path)
    assert plan.unit_path is not None
    plan.unit_path.parent.mkdir(parents=True)
    plan.unit_path.write_text("old unit\n", encoding="utf-8")
    no_bus = (1, "", "Failed to connect to bus: No medium found\n")
    run = FakeRun({("systemctl", "--user", "daemon-reload"): no_bus})
    with pytest.raises(HoldspaceError, match="cannot reach the user bus") as info:
        install(plan, run)
    assert_one_sentence(str(info.value))
    assert "nothing was installed" in str(info.value)
    assert plan.unit_path.read_text(encoding="utf-8") == "old unit\n"


def test_install_failure_after_enable_keeps_the_file_and_says_so(tmp_path: Path) -> None:
    plan = linux_plan(tmp_path)
    assert plan.unit_path is not None
    restart = ("systemctl", "--user", "restart", UNIT)
    run = FakeRun({restart: (1, "", "Job for holdspace-recorder.service failed.\nSee logs.\n")})
    with pytest.raises(HoldspaceError) as info:
        install(plan, run)
    message = str(info.value)
    assert_one_sentence(message)
    assert f"`systemctl --user restart {UNIT}` failed" in message
    assert "exit status 1" in message
    assert "holdspace service uninstall" in message
    assert str(plan.unit_path) in message
    assert plan.unit_path.exists()
    assert run.calls[-1] == restart


def test_darwin_install_tolerates_bootout_of_an_unloaded_agent(tmp_path: Path) -> None:
    plan = darwin_plan(tmp_path, data_dir=tmp_path / "data")
    assert plan.unit_path is not None
    target = f"gui/{UID}/{LAUNCHD_LABEL}"
    run = FakeRun(
        {("launchctl", "bootout", target): (3, "", "Boot-out failed: 3: No such process")}
    )
    report = install(plan, run)
    assert run.calls == [
        ("launchctl", "bootout", target),
        ("launchctl", "bootstrap", f"gui/{UID}", str(plan.unit_path)),
    ]
    assert (tmp_path / "data" / "logs").is_dir()
    assert plistlib.loads(plan.unit_path.read_bytes())["RunAtLoad"] is True
    assert_one_sentence(report)


def test_darwin_install_without_launchctl(tmp_path: Path) -> None:
    plan = darwin_plan(tmp_path)
    with pytest.raises(HoldspaceError, match="`launchctl` was not found") as info:
        install(plan, FakeRun(missing=True))
    assert_one_sentence(str(info.value))
    assert plan.unit_path is not None and not plan.unit_path.exists()


def test_windows_install_explains_task_scheduler(tmp_path: Path) -> None:
    plan = plan_service(
        "win32",
        home=tmp_path,
        env={},
        executable=(r"C:\Program Files\Holdspace\holdspace.exe",),
        device=ADDR,
        data_dir=None,
        uid=0,
    )
    run = FakeRun()
    with pytest.raises(HoldspaceError) as info:
        install(plan, run)
    message = str(info.value)
    assert_one_sentence(message)
    assert "Task Scheduler" in message
    assert "At log on" in message
    assert f"record --device {ADDR}" in message
    assert run.calls == []
    with pytest.raises(HoldspaceError, match="Task Scheduler"):
        uninstall(plan, run)
    with pytest.raises(HoldspaceError, match="Task Scheduler"):
        status(plan, run)


# --- uninstall --------------------------------------------------------------------------------


def test_linux_uninstall_disables_removes_then_reloads(tmp_path: Path) -> None:
    plan = linux_plan(tmp_path)
    assert plan.unit_path is not None
    install(plan, FakeRun())
    unit = plan.unit_path
    existed: list[bool] = []
    run = FakeRun(on_call=lambda cmd: existed.append(unit.exists()))
    report = uninstall(plan, run)
    assert run.calls == [
        ("systemctl", "--user", "disable", "--now", UNIT),
        ("systemctl", "--user", "daemon-reload"),
    ]
    assert existed == [True, False]
    assert not plan.unit_path.exists()
    assert_one_sentence(report)


def test_uninstall_when_not_installed_runs_nothing(tmp_path: Path) -> None:
    run = FakeRun()
    report = uninstall(linux_plan(tmp_path), run)
    assert "not installed" in report
    assert run.calls == []


def test_uninstall_failure_keeps_the_file(tmp_path: Path) -> None:
    plan = linux_plan(tmp_path)
    assert plan.unit_path is not None
    install(plan, FakeRun())
    disable = ("systemctl", "--user", "disable", "--now", UNIT)
    run = FakeRun({disable: (1, "", "Access denied")})
    with pytest.raises(HoldspaceError, match="Access denied") as info:
        uninstall(plan, run)
    assert_one_sentence(str(info.value))
    assert plan.unit_path.exists()


def test_uninstall_without_systemctl_removes_the_inert_file(tmp_path: Path) -> None:
    plan = linux_plan(tmp_path)
    assert plan.unit_path is not None
    install(plan, FakeRun())
    report = uninstall(plan, FakeRun(missing=True))
    assert not plan.unit_path.exists()
    assert "nothing was running it" in report
    assert_one_sentence(report)


def test_darwin_uninstall(tmp_path: Path) -> None:
    plan = darwin_plan(tmp_path)
    assert plan.unit_path is not None
    install(plan, FakeRun())
    run = FakeRun()
    uninstall(plan, run)
    assert run.calls == [("launchctl", "bootout", f"gui/{UID}/{LAUNCHD_LABEL}")]
    assert not plan.unit_path.exists()


# --- status -----------------------------------------------------------------------------------


def test_linux_status_running(tmp_path: Path) -> None:
    plan = linux_plan(tmp_path)
    install(plan, FakeRun())
    run = FakeRun(
        {
            ("systemctl", "--user", "is-enabled", UNIT): (0, "enabled\n", ""),
            ("systemctl", "--user", "is-active", UNIT): (0, "active\n", ""),
        }
    )
    text = status(plan, run)
    assert run.calls == list(plan.status_commands)
    assert "starts at login" in text
    assert "is running" in text
    assert_one_sentence(text)


def test_linux_status_failed(tmp_path: Path) -> None:
    plan = linux_plan(tmp_path)
    install(plan, FakeRun())
    run = FakeRun(
        {
            ("systemctl", "--user", "is-enabled", UNIT): (1, "disabled\n", ""),
            ("systemctl", "--user", "is-active", UNIT): (3, "failed\n", ""),
        }
    )
    text = status(plan, run)
    assert "not enabled at login" in text
    assert "journalctl --user -u holdspace-recorder" in text
    assert_one_sentence(text)


def test_status_not_installed_asks_nothing(tmp_path: Path) -> None:
    run = FakeRun()
    assert "not installed" in status(linux_plan(tmp_path), run)
    assert run.calls == []


def test_linux_status_without_systemctl(tmp_path: Path) -> None:
    plan = linux_plan(tmp_path)
    install(plan, FakeRun())
    with pytest.raises(HoldspaceError, match="no systemd user services") as info:
        status(plan, FakeRun(missing=True))
    assert_one_sentence(str(info.value))


def test_darwin_status(tmp_path: Path) -> None:
    plan = darwin_plan(tmp_path)
    install(plan, FakeRun())
    target = f"gui/{UID}/{LAUNCHD_LABEL}"
    running = FakeRun({("launchctl", "print", target): (0, "{\n\tstate = running\n}\n", "")})
    assert "and running" in status(plan, running)
    assert running.calls == [("launchctl", "print", target)]
    gone = FakeRun({("launchctl", "print", target): (113, "", "Could not find service")})
    assert "not loaded" in status(plan, gone)


# --- the CLI entry and the executable ---------------------------------------------------------


def test_current_executable_prefers_the_running_script(tmp_path: Path) -> None:
    script = tmp_path / "bin" / "holdspace"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    assert current_executable(str(script), which=lambda _: None) == (str(script),)
    main = tmp_path / "companion" / "__main__.py"
    assert current_executable(str(main), which=lambda _: "/x/holdspace", python="/py") == (
        "/py",
        "-m",
        "companion",
    )
    assert current_executable("pytest", which=lambda _: "/usr/bin/holdspace") == (
        "/usr/bin/holdspace",
    )
    assert current_executable("pytest", which=lambda _: None, python="/py")[1:] == (
        "-m",
        "companion",
    )


def test_service_command_status_and_unknown_action(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("companion.service.install.sys.platform", "linux")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    run = FakeRun()
    code, text = service_command("status", device=None, data_dir=None, run=run)
    assert (code, run.calls) == (3, [])
    assert "not installed" in text
    code, text = service_command("install", device=ADDR, data_dir=tmp_path / "d", run=run)
    assert code == 0
    unit = tmp_path / ".config" / "systemd" / "user" / UNIT
    assert f'Environment="HOLDSPACE_DATA_DIR={tmp_path / "d"}"' in unit.read_text("utf-8")
    with pytest.raises(HoldspaceError, match="Unknown service action"):
        service_command("restart", device=None, data_dir=None, run=run)
