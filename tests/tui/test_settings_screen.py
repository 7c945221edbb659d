"""The settings form, driven by keys: saving, refusing a bad value, forgetting the strap."""

from __future__ import annotations

from textual.widgets import Static

from companion.settings import Settings, load_settings
from companion.store.store import Store
from sensors.clock import ManualClock
from tests.support.app import idle
from tests.support.screens import screen_text
from tui.app import HoldspaceApp
from tui.modals.settings import SettingsScreen
from tui.screens.live import LiveScreen

REMEMBERED = Settings(strap_address="F0:C0:FF:EE:00:01", strap_name="Polar H10 1A2B3C4D")


def _app(store: Store, settings: Settings = REMEMBERED) -> HoldspaceApp:
    return HoldspaceApp(
        idle,
        store=store,
        clock=ManualClock(0.0),
        settings=settings,
        settings_dir=store.data_dir,
    )


async def test_settings_are_edited_and_saved_by_keys(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(100, 44)) as pilot:
        await pilot.press("comma")
        form = app.screen
        assert isinstance(form, SettingsScreen)
        assert "Prompt thresholds apply from the next start" in screen_text(app)
        # Daily cap 4 -> 2; tab; high stress 76 -> 80; tab; quiet in every session.
        await pilot.press("backspace", "2", "tab", "backspace", "backspace", "8", "0", "tab")
        await pilot.press("down", "space", "tab")
        # Pacer 6 -> 5.5 breaths/min; tab; box; tab; desktop notification off; tab; bell on;
        # past "Forget" to the H10's ECG and chest motion: off.
        await pilot.press("backspace", "5", ".", "5", "tab", "down", "space", "tab")
        await pilot.press("space", "tab", "space", "tab", "tab", "space", "ctrl+s")
        assert isinstance(app.screen, LiveScreen)
    saved = load_settings(store.data_dir)
    assert saved == Settings(
        strap_address=REMEMBERED.strap_address,
        strap_name=REMEMBERED.strap_name,
        daily_cap=2,
        high_stress=80,
        quiet_in="all",
        pacer_rate_per_min=5.5,
        pacer_pattern="box",
        desktop_notify=False,
        bell=True,
        ecg_motion=False,
    )
    # Applied at once: the app's settings, and the thresholds for the next run.
    assert app.settings == saved
    assert app.live.policy_config is not None and app.live.policy_config.daily_cap == 2
    assert app.settings.breath_pattern().name == "box"


async def test_a_bad_value_shows_one_line_and_nothing_is_saved(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(100, 44)) as pilot:
        await pilot.press("comma", "backspace", "9", "9", "enter")
        form = app.screen
        assert isinstance(form, SettingsScreen)  # still open
        error = str(form.query_one("#settings-error", Static).render())
        assert error.startswith("Prompts a day: must be a whole number from 0 to 12")
        assert "Nothing was saved" in error and "\n" not in error
        await pilot.press("backspace", "backspace", "escape")
        assert isinstance(app.screen, LiveScreen)
    assert not (store.data_dir / "settings.json").exists()
    assert app.settings == REMEMBERED


async def test_forgetting_the_strap_forgets_it_everywhere(store: Store) -> None:
    store.put_setting("strap_address", REMEMBERED.strap_address)  # as the recorder keeps it
    app = _app(store)
    async with app.run_test(size=(100, 44)) as pilot:
        await pilot.press("comma")
        form = app.screen
        assert isinstance(form, SettingsScreen)
        await pilot.click("#forget")
        assert "No strap remembered" in str(form.query_one("#strap", Static).render())
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, LiveScreen)
    assert load_settings(store.data_dir).strap_address is None
    assert store.setting("strap_address") is None


async def test_settings_and_resting_are_in_the_command_palette(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(100, 44)):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Settings" in titles and "Measure resting baseline" in titles
