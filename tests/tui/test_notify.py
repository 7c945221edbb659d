"""Desktop notifications and the bell for a shown prompt: which way, what, and when not."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest

from companion.connect.notify import (
    desktop_notify,
    desktop_url,
    osc_sequence,
    prompt_text,
    terminal_method,
)
from companion.prompts.records import Prompt
from companion.sessions import Session
from companion.settings import Settings
from companion.store.store import Store
from sensors.clock import ManualClock
from sensors.replay import ReplaySource
from tests.support.app import idle
from tests.support.gated import GatedSource
from tests.support.paths import FIXTURES
from tui.app import HoldspaceApp
from tui.modals.prompt import PromptScreen
from tui.notify import PromptAlerts
from tui.screens.live import LiveScreen

HEAVY = FIXTURES / "heavy-day.hsrec"


@pytest.mark.parametrize(
    ("env", "method"),
    [
        ({"TERM": "xterm-kitty", "KITTY_WINDOW_ID": "1"}, "osc99"),
        ({"TERM": "xterm-256color", "KITTY_WINDOW_ID": "3"}, "osc99"),
        ({"TERM_PROGRAM": "iTerm.app", "TERM": "xterm-256color"}, "osc9"),
        ({"TERM_PROGRAM": "WezTerm"}, "osc9"),
        ({"TERM_PROGRAM": "ghostty", "TERM": "xterm-ghostty"}, "osc9"),
        ({"WT_SESSION": "b6f0", "TERM": "xterm-256color"}, "osc9"),
        ({"TERM": "foot"}, "osc777"),
        ({"TERM": "rxvt-unicode-256color"}, "osc777"),
        ({"TERM": "xterm-256color", "VTE_VERSION": "7600"}, "osc777"),
        ({"TERM": "xterm-256color"}, None),
        (
            {"TERM": "tmux-256color", "TMUX": "/tmp/tmux-0/default,1,0", "TERM_PROGRAM": "tmux"},
            None,
        ),
        ({"TERM": "screen", "VTE_VERSION": "7600"}, None),
        ({}, None),
    ],
)
def test_the_terminal_method_follows_the_environment(
    env: dict[str, str], method: str | None
) -> None:
    assert terminal_method(env) == method


def test_escape_sequences_per_method() -> None:
    assert osc_sequence("osc9", "Holdspace", "A pause?") == "\x1b]9;Holdspace: A pause?\x07"
    assert osc_sequence("osc777", "Hold;space", "a; b") == "\x1b]777;notify;Hold,space;a, b\x07"
    assert osc_sequence("osc99", "Holdspace", "Breathe") == (
        "\x1b]99;i=holdspace:d=0;Holdspace\x1b\\\x1b]99;i=holdspace:p=body;Breathe\x1b\\"
    )
    # Control characters never reach the terminal; long texts are cut.
    sneaky = osc_sequence("osc9", "Holdspace", "line\nbreak\x1b]0;title\x07" + "x" * 300)
    assert sneaky.count("\x1b") == 1 and sneaky.count("\x07") == 1 and "\n" not in sneaky
    assert len(sneaky) < 140


def test_texts_are_kind_short_and_carry_no_numbers() -> None:
    for kind in ("pause", "breathe", "contact", "something-new"):
        title, body = prompt_text(kind)
        assert title == "Holdspace"
        assert 10 < len(body) <= 80 and not re.search(r"\d", body)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # inside Apprise
def test_desktop_notifier_url_per_platform_and_failures_are_quiet() -> None:
    assert desktop_url("linux") == "dbus://"
    assert desktop_url("darwin") == "macosx://"
    assert desktop_url("win32") == "windows://"
    assert desktop_url("sunos5") is None
    assert desktop_notify("Holdspace", "A pause?", url="no-such-notifier://") is False


class _Recorder:
    """Stands in for the app: counts bells and workers."""

    is_headless = False

    def __init__(self) -> None:
        self.bells = 0
        self.workers: list[Any] = []

    def bell(self) -> None:
        self.bells += 1

    def run_worker(self, work: Any, **kwargs: Any) -> None:
        self.workers.append((work, kwargs))


def _alerts(env: dict[str, str]) -> tuple[PromptAlerts, _Recorder, list[str]]:
    app = _Recorder()
    emitted: list[str] = []
    return PromptAlerts(app, env=env, emit=emitted.append), app, emitted  # type: ignore[arg-type]


def test_alerts_follow_the_settings_and_stay_off_inside_sessions() -> None:
    alerts, app, emitted = _alerts({"TERM_PROGRAM": "WezTerm"})
    on = Settings(desktop_notify=True, bell=True)
    assert not alerts.prompt_shown("pause", on, "client")
    assert not alerts.prompt_shown("pause", Settings(quiet_in="all"), "supervision")
    assert emitted == [] and app.bells == 0

    assert alerts.prompt_shown("pause", on, None)
    assert alerts.prompt_shown("breathe", on, "supervision")  # quiet in client sessions only
    assert app.bells == 2
    assert emitted == [
        osc_sequence("osc9", *prompt_text("pause")),
        osc_sequence("osc9", *prompt_text("breathe")),
    ]
    assert not alerts.prompt_shown("pause", Settings(desktop_notify=False), None)
    assert len(emitted) == 2


def test_without_a_terminal_method_the_desktop_notifier_runs_on_a_thread() -> None:
    alerts, app, emitted = _alerts({"TERM": "xterm-256color"})
    assert alerts.prompt_shown("contact", Settings(), None)
    assert emitted == []
    ((work, kwargs),) = app.workers
    assert kwargs["thread"] is True and kwargs["exit_on_error"] is False
    assert work.args == prompt_text("contact")


def test_a_headless_app_never_pops_up_on_the_desktop() -> None:
    alerts, app, emitted = _alerts({"TERM": "xterm-256color"})
    app.is_headless = True
    assert not alerts.prompt_shown("contact", Settings(), None)
    assert app.workers == [] and emitted == []


def test_an_alert_that_fails_never_raises() -> None:
    def broken(sequence: str) -> None:
        raise OSError("the terminal went away")

    alerts = PromptAlerts(_Recorder(), env={"TERM": "foot"}, emit=broken)  # type: ignore[arg-type]
    assert alerts.prompt_shown("pause", Settings(), None) is False


# -- in the app -------------------------------------------------------------------------------


def _prompt(kind: str = "pause") -> Prompt:
    return Prompt(f"{kind}-1", kind, 1_795_500_000.0, "Your heart has been busy.", False, None)  # type: ignore[arg-type]


async def test_quiet_in_all_sessions_holds_the_prompt_and_its_alert(store: Store) -> None:
    app = HoldspaceApp(idle, store=store, clock=ManualClock(0.0), settings=Settings(quiet_in="all"))
    emitted: list[str] = []
    app.alerts = PromptAlerts(app, env={"TERM": "foot"}, emit=emitted.append)
    supervision = Session("supervision", "S-1", 1_795_499_000.0)
    async with app.run_test() as pilot:
        app.live.session = supervision
        app.live.listener.live_prompt(_prompt())
        await pilot.pause()
        assert isinstance(app.screen, LiveScreen) and app.prompts_quiet
        assert len(app.waiting_prompts) == 1 and emitted == []
        assert app.live_screen is not None
        assert "busy" not in app.live_screen.prompt_line  # not even the quiet line

        app.live.session = None
        app.live.listener.live_session(supervision, False)
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen) and app.screen.prompt.kind == "pause"
        assert emitted == [osc_sequence("osc777", *prompt_text("pause"))]
        assert "Your heart has been busy." in app.live_screen.prompt_line


async def test_quiet_in_client_sessions_only_shows_it_in_supervision(store: Store) -> None:
    app = HoldspaceApp(idle, store=store, clock=ManualClock(0.0), settings=Settings())
    emitted: list[str] = []
    app.alerts = PromptAlerts(app, env={"TERM": "foot"}, emit=emitted.append)
    async with app.run_test() as pilot:
        app.live.session = Session("supervision", "S-1", 1_795_499_000.0)
        app.live.listener.live_prompt(_prompt("breathe"))
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        assert emitted == [osc_sequence("osc777", *prompt_text("breathe"))]


async def test_nothing_goes_out_while_a_client_session_holds_a_prompt(data_dir: Path) -> None:
    """The heavy day: pauses raised inside client sessions wait, silently, for their end."""
    store = Store(data_dir)
    clock = ManualClock(1000.0)
    gate = GatedSource(ReplaySource(HEAVY, speed=None))

    def runner(live: Any) -> Any:
        return live.run(gate, lambda: ReplaySource(HEAVY, speed=None))

    app = HoldspaceApp(runner, store=store, clock=clock, settings=Settings(bell=True))
    emitted: list[str] = []
    bells: list[None] = []
    app.alerts = PromptAlerts(
        app, env={"TERM_PROGRAM": "WezTerm"}, emit=emitted.append, bell=lambda: bells.append(None)
    )
    try:
        async with app.run_test(size=(110, 40)) as pilot:
            await gate.until(_at("11:29"))
            await pilot.pause()
            assert app.live.session is not None and app.live.session.kind == "client"
            assert app.live.stage is not None and app.live.stage.policy.pending
            assert emitted == [] and bells == []
            await gate.until(_at("11:31"))
            await pilot.pause()
            assert isinstance(app.screen, PromptScreen)
            assert emitted == [osc_sequence("osc9", *prompt_text(app.screen.prompt.kind))]
            assert len(bells) == 1
    finally:
        store.close()


def _at(hhmm: str) -> float:
    from datetime import UTC, datetime

    h, m = (int(x) for x in hhmm.split(":"))
    return datetime(2026, 11, 23, h, m, tzinfo=UTC).timestamp()


class _Notices(_Recorder):
    """Also runs what a worker thread hands back, recording the app's notices."""

    def __init__(self) -> None:
        super().__init__()
        self.notices: list[tuple[str, dict[str, Any]]] = []

    def notify(self, message: str, **kwargs: Any) -> None:
        self.notices.append((message, kwargs))

    def call_from_thread(self, callback: Any, *args: Any, **kwargs: Any) -> None:
        callback(*args, **kwargs)


def test_a_desktop_without_notifications_is_told_once_per_run() -> None:
    app = _Notices()
    tried: list[str] = []

    def refused(title: str, body: str) -> str | None:
        tried.append(title)
        return "dbus:// is disabled on this system"

    alerts = PromptAlerts(app, env={"TERM": "xterm-256color"}, desktop=refused)  # type: ignore[arg-type]
    for kind in ("pause", "breathe", "contact"):
        assert alerts.prompt_shown(kind, Settings(), None)
    for work, _ in app.workers:
        work()
    assert len(tried) == 3
    assert [message for message, _ in app.notices] == [
        "Desktop notifications are not available here (dbus:// is disabled on this system); "
        "prompts still show on the screen."
    ]


def test_a_desktop_that_takes_notifications_is_not_mentioned() -> None:
    app = _Notices()
    alerts = PromptAlerts(app, env={"TERM": "xterm-256color"}, desktop=lambda t, b: None)  # type: ignore[arg-type]
    assert alerts.prompt_shown("pause", Settings(), None)
    for work, _ in app.workers:
        work()
    assert app.notices == []


def test_apprise_refusals_stay_out_of_the_error_log(caplog: pytest.LogCaptureFixture) -> None:
    from companion.connect.notify import desktop_notify_failure

    with caplog.at_level(logging.INFO):
        why = desktop_notify_failure("Holdspace", "A pause?", url="no-such-notifier://")
    assert why
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
