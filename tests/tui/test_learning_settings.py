"""Issue 20: the learning switch in the settings, its plain-words explanation (shown once), and
the trends' comparison of shown against held prompts."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Switch

from companion.settings import Settings, load_settings
from companion.store.store import Store
from sensors.clock import ManualClock
from tests.support.app import idle
from tests.support.hosts import TrendsHost, settle, static_text
from tests.support.learning_store import DAY, build_learning_store
from tests.support.screens import screen_text
from tui.app import HoldspaceApp
from tui.modals.learning import LearningScreen
from tui.modals.settings import SettingsScreen
from tui.screens.live import LiveScreen

SIZES = [(80, 24), (120, 40)]


def _app(store: Store, settings: Settings) -> HoldspaceApp:
    return HoldspaceApp(
        idle, store=store, clock=ManualClock(0.0), settings=settings, settings_dir=store.data_dir
    )


@pytest.mark.parametrize("size", SIZES)
async def test_turning_learning_on_explains_it_then_saves_it(
    store: Store, size: tuple[int, int]
) -> None:
    app = _app(store, Settings())
    async with app.run_test(size=size) as pilot:
        await pilot.press("comma")
        form = app.screen
        assert isinstance(form, SettingsScreen)
        form.query_one("#learning", Switch).focus()
        await pilot.press("space")
        assert isinstance(app.screen, LearningScreen)
        text = screen_text(app)
        for words in ("about 1 in 5", "Never held", "stays on this computer", "Turn it off"):
            assert words in text, words
        await pilot.press("enter")  # "Turn it on" has the focus
        assert app.screen is form and form.query_one("#learning", Switch).value
        await pilot.press("tab", "backspace", "backspace", "backspace", "0", ".", "3")
        assert form.query_one("#hold-probability", Input).value == "0.3"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, LiveScreen)
    saved = load_settings(store.data_dir)
    assert saved.learning and saved.hold_probability == 0.3
    assert saved.learning_salt is not None and len(saved.learning_salt) == 64
    assert app.live.policy_config is not None and app.live.policy_config.hold is not None
    assert app.live.policy_config.hold.probability == 0.3


@pytest.mark.parametrize("size", SIZES)
async def test_keeping_it_off_leaves_the_switch_off(store: Store, size: tuple[int, int]) -> None:
    app = _app(store, Settings())
    async with app.run_test(size=size) as pilot:
        await pilot.press("comma")
        form = app.screen
        assert isinstance(form, SettingsScreen)
        form.query_one("#learning", Switch).focus()
        await pilot.press("space")
        assert isinstance(app.screen, LearningScreen)
        await pilot.press("escape")
        assert app.screen is form and not form.query_one("#learning", Switch).value
        await pilot.press("ctrl+s")
    assert not load_settings(store.data_dir).learning


async def test_the_explanation_comes_once(store: Store) -> None:
    on = Settings(learning=True, learning_salt="ab" * 32)
    app = _app(store, on)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("comma")
        form = app.screen
        assert isinstance(form, SettingsScreen)
        form.query_one("#learning", Switch).focus()
        await pilot.press("space", "space")  # off, and on again: no explanation
        assert app.screen is form
        await pilot.press("ctrl+s")
    assert load_settings(store.data_dir).learning_salt == "ab" * 32  # the secret is kept


@pytest.mark.parametrize("size", SIZES)
async def test_trends_show_shown_against_held_prompts(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    build_learning_store(tmp_path / "data")
    with Store(tmp_path / "data", read_only=True) as store:
        app = TrendsHost(store, DAY)
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            assert app.screen.query_one("#effects-part").display
            lines = static_text(app, "#effects-lines")
            assert "After pause prompts your stress fell 15 points more than after held" in lines
            assert "Contact prompts are never held" in lines


async def test_trends_leave_the_part_out_without_learning(tmp_path: Path) -> None:
    with Store(tmp_path / "data") as store:
        store.append_epochs([{"start_s": 1_790_000_000.0, "stress": 40}], "recording:x")
        app = TrendsHost(store, DAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            assert not app.screen.query_one("#effects-part").display
