"""The app's part in the helper's settings: the form, the first-run setup, the resting baseline.

:class:`SettingsActions` is one of the action groups :class:`tui.app.HoldspaceApp`
combines (over :class:`tui.actions.base.AppBase`). Saved settings apply at once to what
the screen does (quiet, pacer, bell, notifications); the prompt thresholds reach the
policy at the next start, and the screen says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from companion.errors import HoldspaceError
from companion.pipeline.baselines import RESTING_SETTING, save_resting
from companion.readiness.reading import readiness_of, save_screen_reading, screen_reading
from companion.readiness.words import readiness_words
from companion.settings import STRAP_SETTING, Settings, save_settings
from companion.store.types import local_day
from tui.actions.base import AppBase, Runner
from tui.modals.settings import SettingsScreen
from tui.screens.resting import MORNING_S, RestingScreen
from tui.screens.setup import SetupScreen, real_scan

if TYPE_CHECKING:
    from sensors.ble.scan import FoundStrap
    from signals.scores.baseline import Baseline
    from tui.screens.setup import ScanFn

__all__ = ["SettingsActions"]


class SettingsActions(AppBase):
    """Settings, setup and the resting measurement; the app provides the attributes below."""

    setup_runner: Callable[[str], Runner] | None
    scan: ScanFn | None
    runner: Runner | None

    # -- settings --------------------------------------------------------------------------------

    def keep_settings(self, new: Settings) -> bool:
        """Save ``new`` (when there is a place to) and use it from now on; False on failure."""
        if self.settings_dir is not None:
            try:
                save_settings(self.settings_dir, new)
            except HoldspaceError as exc:
                self.notify(str(exc), severity="error")
                return False
        self.settings = new
        self.live.policy_config = new.policy_config()
        return True

    def action_settings(self) -> None:
        before = self.settings

        def saved(new: Settings | None) -> None:
            if new is None or not self.keep_settings(new):
                return
            if before.strap_address is not None and new.strap_address is None:
                self._forget_strap()
            text = "Settings kept."
            if new.policy_config() != before.policy_config() and self.live.running:
                text += " The new prompt thresholds apply from the next start."
            if self.settings_dir is None:
                text = "Settings changed for this run only (this run has no settings file)."
            self._note(text)  # what waits is offered on the next news, not on this key

        self.push_screen(SettingsScreen(self.settings), saved)

    def _forget_strap(self) -> None:
        """The recorder remembers the strap too (in the store): forget it there as well."""
        if self.store is not None and not self.store.read_only:
            self.store.put_setting(STRAP_SETTING, None)

    # -- first run -------------------------------------------------------------------------------

    def _setup(self) -> None:
        self.push_screen(SetupScreen(self.scan or real_scan), self._strap_chosen)

    def _strap_chosen(self, choice: FoundStrap | Literal["demo"] | None) -> None:
        if isinstance(choice, str):
            self.call_later(self.action_demo)
            return
        if choice is None or self.setup_runner is None:
            self.exit()
            return
        self.keep_settings(self.settings.with_strap(choice.address, choice.name or None))
        self.runner = self.setup_runner(choice.address)
        self.setup_runner = None
        # Once the setup dialog is gone: the live screen, the run, the resting offer.
        self.call_later(self._begin, choice)

    async def _begin(self, choice: FoundStrap) -> None:
        assert self.runner is not None
        await self._open_live_screen()
        self._note(f"Using {choice.name or 'your strap'} ({choice.address}); it is remembered.")
        self._start(self.runner)
        if self.store is not None and not self._has_resting():
            self.push_screen(RestingScreen(first_run=True), self._rested)

    # -- resting baseline ------------------------------------------------------------------------

    def _has_resting(self) -> bool:
        return self.store is not None and self.store.setting(RESTING_SETTING) is not None

    def action_resting(self) -> None:
        if self.store is None or self.store.read_only:
            self.notify("A resting measurement needs a running day to keep it in.")
            return
        self.push_screen(RestingScreen(), self._rested)

    def action_morning(self) -> None:
        if self.store is None or self.store.read_only:
            self.notify("A morning reading needs a running day to keep it in.")
            return
        self.push_screen(RestingScreen(purpose="morning"), self._morning_taken)

    def _morning_taken(self, baseline: Baseline | None) -> None:
        """Keep a morning reading taken on the screen (it wins over the first calm minutes'
        reading) and say where it stands against the helper's usual."""
        now_s = self.live.now_s
        if baseline is None or self.store is None or now_s is None:
            return
        start_s = now_s - MORNING_S
        day = local_day(start_s)
        save_screen_reading(self.store, day, screen_reading(baseline, start_s, MORNING_S))
        self._note(" ".join(readiness_words(readiness_of(self.store, day))[:2]))

    def _rested(self, baseline: Baseline | None) -> None:
        """Keep a resting measurement; stress is measured against it from the next minute.

        As at a start (:func:`companion.pipeline.baselines.stored_baseline`), two weeks of the
        helper's own calm minutes come first: then the measurement is kept to stand in.
        """
        if baseline is None or self.store is None:
            return
        save_resting(self.store, baseline)
        stage, current = self.live.stage, self.live.baseline
        if current is not None and current.source == "rolling-14d":
            self._note(
                "Resting baseline kept. Stress stays measured against your last two weeks "
                "of calm minutes; the resting one stands in when those run short."
            )
            return
        if stage is not None:
            stage.use_baseline(baseline)
            if self.live_screen is not None:
                self.live_screen.show_baseline(baseline)
        self._note(
            "Resting baseline kept: stress is measured against it from now on, "
            "until two weeks of your calm minutes take over."
        )
