"""The settings form: prompts, quiet, the pacer, alerts and the remembered strap.

A typed modal screen returning the new :class:`~companion.settings.Settings`
(or None when cancelled); the app saves them and applies them. A value out of
range shows one line under the form and nothing is returned.
"""

from __future__ import annotations

import dataclasses
from pathlib import PurePath
from typing import ClassVar, Final

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static, Switch

from companion.settings import (
    DAILY_CAP_RANGE,
    HIGH_STRESS_RANGE,
    HOLD_PROBABILITY_RANGE,
    QUIET_IN,
    Settings,
    SettingsError,
    fresh_learning_salt,
)
from signals.breathing.pacer import PATTERNS, RATE_RANGE_PER_MIN
from tui.modals.learning import LearningScreen
from tui.widgets.dialog import DialogBody, DialogFoot

__all__ = ["SettingsScreen"]

_QUIET_WORDS: Final = {"client": "client sessions only", "all": "every session"}
_LABELS: Final = {
    "daily_cap": "Prompts a day",
    "high_stress": "High stress from",
    "pacer_rate_per_min": "Pacer rate",
    "hold_probability": "Held, by chance",
}
NEXT_RUN_NOTE: Final = (
    "Prompt thresholds apply from the next start; quiet, pacer, bell and "
    "notifications apply at once."
)


class SettingsScreen(ModalScreen[Settings | None]):
    """Edit the settings; ctrl+s or enter saves, escape cancels."""

    CSS_PATH: ClassVar[list[str | PurePath]] = ["../holdspace.tcss", "../settings.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("enter", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self._strap: tuple[str | None, str | None] = (settings.strap_address, settings.strap_name)
        self._explained = settings.learning  # the explanation is shown once, when turned on

    def compose(self) -> ComposeResult:
        s = self.settings
        lo_cap, hi_cap = DAILY_CAP_RANGE
        lo_high, hi_high = HIGH_STRESS_RANGE
        lo_rate, hi_rate = RATE_RANGE_PER_MIN
        with Vertical(id="dialog", classes="dialog settings"):
            yield Label("Settings", classes="dialog-title")
            with DialogBody():
                yield Static("Prompts", classes="section")
                with Horizontal(classes="field"):
                    yield Label(_LABELS["daily_cap"], classes="field-label")
                    yield Input(
                        str(s.daily_cap), type="integer", max_length=2, compact=True, id="daily-cap"
                    )
                    yield Label(f"at most, {lo_cap}-{hi_cap}", classes="field-unit")
                with Horizontal(classes="field"):
                    yield Label(_LABELS["high_stress"], classes="field-label")
                    yield Input(
                        str(s.high_stress),
                        type="integer",
                        max_length=3,
                        compact=True,
                        id="high-stress",
                    )
                    yield Label(f"stress score, {lo_high}-{hi_high}", classes="field-unit")
                yield Static("Prompts wait for the end of", classes="question")
                with RadioSet(id="quiet-in", compact=True):
                    for quiet in QUIET_IN:
                        yield RadioButton(_QUIET_WORDS[quiet], value=quiet == s.quiet_in)
                yield Static("Breathing pacer", classes="section")
                with Horizontal(classes="field"):
                    yield Label(_LABELS["pacer_rate_per_min"], classes="field-label")
                    yield Input(
                        f"{s.pacer_rate_per_min:g}",
                        type="number",
                        max_length=5,
                        compact=True,
                        id="pacer-rate",
                    )
                    yield Label(f"breaths/min, {lo_rate:g}-{hi_rate:g}", classes="field-unit")
                with RadioSet(id="pacer-pattern", compact=True):
                    for pattern in PATTERNS:
                        yield RadioButton(pattern, value=pattern == s.pacer_pattern)
                yield Static("When a prompt is shown", classes="section")
                with Horizontal(classes="switch-row"):
                    yield Switch(s.desktop_notify, id="desktop-notify")
                    yield Label("a desktop notification", classes="switch-label")
                with Horizontal(classes="switch-row"):
                    yield Switch(s.bell, id="bell")
                    yield Label("the terminal's bell", classes="switch-label")
                yield Static("Strap", classes="section")
                with Horizontal(classes="field"):
                    yield Static(self._strap_text(), id="strap")
                    yield Button(
                        "Forget", id="forget", compact=True, disabled=self._strap[0] is None
                    )
                with Horizontal(classes="switch-row"):
                    yield Switch(s.ecg_motion, id="ecg-motion")
                    yield Label("ECG and chest motion from a Polar H10", classes="switch-label")
                yield from self._learning_fields()
                yield Static(NEXT_RUN_NOTE, classes="note")
            with DialogFoot():
                yield Static("", id="settings-error", classes="error")
                yield Static(
                    "ctrl+s or enter saves · space chooses · escape cancels", classes="hint"
                )

    def _learning_fields(self) -> ComposeResult:
        """The learning switch and the chance of a hold (issue 20)."""
        s = self.settings
        yield Static("Learning what helps", classes="section")
        with Horizontal(classes="switch-row"):
            yield Switch(s.learning, id="learning")
            yield Label("hold some prompts back, to learn if they help", classes="switch-label")
        with Horizontal(classes="field"):
            yield Label(_LABELS["hold_probability"], classes="field-label")
            yield Input(
                f"{s.hold_probability:g}",
                type="number",
                max_length=5,
                compact=True,
                id="hold-probability",
            )
            lo_p, hi_p = HOLD_PROBABILITY_RANGE
            yield Label(f"chance a prompt is held, {lo_p:g}-{hi_p:g}", classes="field-unit")

    def on_mount(self) -> None:
        self.query_one("#daily-cap", Input).focus()

    def _strap_text(self) -> str:
        address, name = self._strap
        if address is None:
            return "No strap remembered: Holdspace will look for one when it starts."
        return f"Remembered: {name or 'a strap'} ({address})"

    @on(Button.Pressed, "#forget")
    def _forget(self) -> None:
        self._strap = (None, None)
        self.query_one("#strap", Static).update(self._strap_text())
        self.query_one("#forget", Button).disabled = True

    @on(Switch.Changed, "#learning")
    def _learning_changed(self, event: Switch.Changed) -> None:
        if not event.value or self._explained:
            return

        def answered(turn_on: bool | None) -> None:
            self._explained = bool(turn_on)
            if not turn_on:
                event.switch.value = False

        self.app.push_screen(LearningScreen(), answered)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        focused = self.focused
        if isinstance(focused, Button):  # enter on "Forget" forgets, it does not save
            focused.press()
            return
        try:
            settings = self.read_form()
        except SettingsError as exc:
            self.query_one("#settings-error", Static).update(_plain(exc))
            return
        self.dismiss(settings)

    def read_form(self) -> Settings:
        """The settings the form shows; raises SettingsError for a bad value."""
        quiet = self.query_one("#quiet-in", RadioSet).pressed_index
        pattern = self.query_one("#pacer-pattern", RadioSet).pressed_index
        return dataclasses.replace(
            self.settings,
            strap_address=self._strap[0],
            strap_name=self._strap[1],
            daily_cap=_whole(self.query_one("#daily-cap", Input).value, "daily_cap"),
            high_stress=_whole(self.query_one("#high-stress", Input).value, "high_stress"),
            quiet_in=QUIET_IN[quiet] if quiet >= 0 else self.settings.quiet_in,
            pacer_rate_per_min=_number(
                self.query_one("#pacer-rate", Input).value, "pacer_rate_per_min"
            ),
            pacer_pattern=PATTERNS[pattern] if pattern >= 0 else self.settings.pacer_pattern,
            desktop_notify=self.query_one("#desktop-notify", Switch).value,
            bell=self.query_one("#bell", Switch).value,
            ecg_motion=self.query_one("#ecg-motion", Switch).value,
            learning=(learning := self.query_one("#learning", Switch).value),
            hold_probability=_number(
                self.query_one("#hold-probability", Input).value, "hold_probability"
            ),
            learning_salt=self._salt(learning),
        )

    def _salt(self, learning: bool) -> str | None:
        """The secret of the hold draw: the one kept, or a new one when learning first goes on."""
        salt = self.settings.learning_salt
        return fresh_learning_salt() if learning and salt is None else salt


def _whole(text: str, key: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise SettingsError(key, f"{key} must be a whole number, not {text!r}") from None


def _number(text: str, key: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise SettingsError(key, f"{key} must be a number, not {text!r}") from None


def _plain(exc: SettingsError) -> str:
    """The error in the form's words: the field's label, then what it needs."""
    label = _LABELS.get(exc.key, exc.key)
    need = str(exc).removeprefix(exc.key).strip()
    return f"{label}: {need}. Nothing was saved."
