"""First run: finding the strap with a fake scanner, and the guided resting measurement."""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from bleak.exc import BleakBluetoothNotAvailableError, BleakBluetoothNotAvailableReason
from textual.widgets import OptionList, ProgressBar, Static
from textual.worker import WorkerFailed

from companion.pipeline.baselines import RESTING_SETTING
from companion.settings import Settings, load_settings
from companion.store.store import Store
from sensors.beats import Beat
from sensors.ble.errors import StrapError
from sensors.ble.scan import FoundStrap
from sensors.clock import ManualClock
from tests.support.app import idle
from tests.support.screens import screen_text
from tui.app import HoldspaceApp
from tui.screens.live import LiveScreen
from tui.screens.resting import RestingScreen
from tui.screens.setup import SetupScreen, signal_words

NEARBY = [
    FoundStrap("Polar H10 1A2B3C4D", "F0:C0:FF:EE:00:01", -58, True),
    FoundStrap("TICKR 7E21", "C4:7C:8D:6A:11:02", -71, True),
]
NO_DBUS = (
    "No Bluetooth system service was found on this machine (no D-Bus system bus); "
    "to try Holdspace without a strap, run `holdspace demo`."
)
T0_S = 1_795_500_000.0


def _setup_app(store: Store, scan: Any, started: list[str]) -> HoldspaceApp:
    def runner_for(address: str) -> Any:
        started.append(address)
        return idle

    return HoldspaceApp(
        None,
        store=store,
        clock=ManualClock(0.0),
        demo_key=True,
        settings_dir=store.data_dir,
        setup_runner=runner_for,
        scan=scan,
    )


async def _scanned(pilot: Any) -> None:
    """Wait for the setup screen's scan worker to finish (fail or not)."""
    await pilot.pause()
    for worker in [w for w in pilot.app.workers if w.name == "scan"]:
        with contextlib.suppress(WorkerFailed):
            await worker.wait()
    await pilot.pause()


async def test_setup_lists_the_straps_and_remembers_the_one_chosen(store: Store) -> None:
    async def scan() -> Sequence[FoundStrap]:
        return NEARBY

    started: list[str] = []
    app = _setup_app(store, scan, started)
    async with app.run_test(size=(100, 36)) as pilot:
        await _scanned(pilot)
        setup = app.screen
        assert isinstance(setup, SetupScreen)
        assert setup.query_one("#straps", OptionList).option_count == 2
        text = screen_text(app)
        assert "Polar H10 1A2B3C4D" in text and "C4:7C:8D:6A:11:02" in text
        assert "-71 dBm, fair signal" in text
        assert started == []  # nothing runs before a strap is chosen

        await pilot.press("down", "enter")
        await pilot.pause()
        assert started == ["C4:7C:8D:6A:11:02"]
        remembered = load_settings(store.data_dir)
        assert remembered.strap_address == "C4:7C:8D:6A:11:02"
        assert remembered.strap_name == "TICKR 7E21"
        assert app.settings == remembered
        # No resting baseline yet: the measurement is offered; escape leaves it for later.
        assert isinstance(app.screen, RestingScreen) and app.screen.first_run
        await pilot.press("escape")
        assert isinstance(app.screen, LiveScreen)
    assert json.loads((store.data_dir / "settings.json").read_text())["strap_name"] == "TICKR 7E21"


@pytest.mark.parametrize(
    "error",
    [
        StrapError(NO_DBUS, state="no-bluetooth-service"),
        BleakBluetoothNotAvailableError("off", BleakBluetoothNotAvailableReason.POWERED_OFF),
    ],
)
async def test_without_bluetooth_setup_says_why_and_d_opens_the_demo(
    store: Store, error: Exception
) -> None:
    async def scan() -> Sequence[FoundStrap]:
        raise error

    started: list[str] = []
    app = _setup_app(store, scan, started)
    async with app.run_test(size=(100, 36)) as pilot:
        await _scanned(pilot)
        setup = app.screen
        assert isinstance(setup, SetupScreen) and setup.has_class("-failed")
        expected = NO_DBUS if isinstance(error, StrapError) else "Bluetooth is switched off"
        assert expected in setup.message and "Press d for the demo" in setup.message
        assert "Traceback" not in screen_text(app)
        await pilot.press("d")
        await pilot.pause()
    assert app.return_value == "demo"
    assert started == [] and not (store.data_dir / "settings.json").exists()


async def test_no_strap_nearby_says_how_to_wake_one(store: Store) -> None:
    async def scan() -> Sequence[FoundStrap]:
        return []

    app = _setup_app(store, scan, [])
    async with app.run_test(size=(100, 36)) as pilot:
        await _scanned(pilot)
        assert isinstance(app.screen, SetupScreen)
        assert "wet the strap's electrodes" in app.screen.message
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_value is None


def test_signal_strength_in_words() -> None:
    assert [signal_words(r) for r in (-50, -60, -61, -75, -90)] == [
        "strong signal",
        "strong signal",
        "fair signal",
        "fair signal",
        "weak signal",
    ]


# -- the resting measurement ------------------------------------------------------------------


def _resting_beats(duration_s: float, seed: int = 11) -> list[Beat]:
    """About 60 bpm with breathing-like swing and seeded beat-to-beat jitter."""
    rng = np.random.default_rng(seed)
    beats: list[Beat] = []
    t = T0_S
    first = True
    while t < T0_S + duration_s:
        rr_ms = 1000.0 + 35.0 * math.sin(2 * math.pi * (t - T0_S) / 10.0) + rng.normal(0.0, 12.0)
        t += rr_ms / 1000.0
        beats.append(Beat(t, rr_ms, gap_before=first))
        first = False
    return beats


async def _feed(pilot: Any, app: HoldspaceApp, beats: list[Beat]) -> None:
    """Through the app's own beat route, ten beats a message as a strap sends them."""
    for k in range(0, len(beats), 10):
        app.live.listener.live_beats(beats[k : k + 10])
        await pilot.pause()


async def test_a_resting_measurement_reaches_done_and_is_stored(store: Store) -> None:
    app = HoldspaceApp(idle, store=store, clock=ManualClock(0.0))
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("m")
        resting = app.screen
        assert isinstance(resting, RestingScreen) and resting.state == "intro"
        beats = _resting_beats(330.0)
        await _feed(pilot, app, beats[:20])  # before enter: not measured
        await pilot.press("enter")
        assert resting.state == "measuring"
        await _feed(pilot, app, beats[20:150])
        bar = resting.query_one("#resting-progress", ProgressBar)
        assert 30 < (bar.progress or 0) < 60 and resting.state == "measuring"
        await _feed(pilot, app, beats[150:])
        assert resting.state == "done" and bar.progress == 100
        words = str(resting.query_one("#resting-result", Static).render())
        assert "times a minute" in words and "not a diagnosis" in words
        await pilot.press("enter")
        assert isinstance(app.screen, LiveScreen)
    stored = store.setting(RESTING_SETTING)
    assert stored["source"] == "resting" and stored["n_minutes"] == 5
    assert stored["hr_bpm"] == pytest.approx(60.0, abs=1.5)
    assert 3.0 < stored["ln_rmssd"] < 4.5


async def test_poor_signal_is_said_and_not_saved(store: Store) -> None:
    app = HoldspaceApp(idle, store=store, clock=ManualClock(0.0))
    beats = _resting_beats(330.0)
    # The strap loses contact for a minute and a half in the middle.
    kept = [b for b in beats if not T0_S + 100.0 < b.time_s < T0_S + 190.0]
    k = next(i for i, b in enumerate(kept) if b.time_s > T0_S + 100.0)
    kept[k] = Beat(kept[k].time_s, kept[k].rr_ms, gap_before=True)
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("m", "enter")
        resting = app.screen
        assert isinstance(resting, RestingScreen)
        await _feed(pilot, app, kept)
        assert resting.state == "failed" and resting.has_class("-failed")
        words = str(resting.query_one("#resting-result", Static).render())
        assert "too poor" in words and "lost contact" in words and "Not saved" in words
        await pilot.press("enter")
        assert isinstance(app.screen, LiveScreen)
    assert store.setting(RESTING_SETTING) is None


async def test_setup_offers_no_resting_measurement_when_one_is_stored(store: Store) -> None:
    store.put_setting(RESTING_SETTING, {"source": "resting"})

    async def scan() -> Sequence[FoundStrap]:
        return NEARBY[:1]

    started: list[str] = []
    app = _setup_app(store, scan, started)
    async with app.run_test(size=(100, 36)) as pilot:
        await _scanned(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert started == ["F0:C0:FF:EE:00:01"] and isinstance(app.screen, LiveScreen)
    assert load_settings(store.data_dir) == Settings(
        strap_address="F0:C0:FF:EE:00:01", strap_name="Polar H10 1A2B3C4D"
    )


def test_holdspace_opens_the_setup_only_without_a_remembered_strap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from companion.cli.main import main
    from companion.settings import save_settings

    monkeypatch.setenv("HOLDSPACE_SOCKET", str(tmp_path / "no-recorder.sock"))
    monkeypatch.setattr("companion.cli.screen.has_terminal", lambda: True)
    opened: list[HoldspaceApp] = []

    def run(self: HoldspaceApp, *args: Any, **kwargs: Any) -> None:
        opened.append(self)

    monkeypatch.setattr(HoldspaceApp, "run", run)
    data = tmp_path / "data"
    assert main(["--data-dir", str(data)]) == 0
    first = opened[-1]
    assert first.runner is None and first.setup_runner is not None
    assert first.settings_dir == data and first.demo_key

    save_settings(data, Settings(strap_address="F0:C0:FF:EE:00:01", daily_cap=1))
    assert main(["--data-dir", str(data)]) == 0
    again = opened[-1]
    assert again.runner is not None and again.setup_runner is None
    assert again.live.policy_config is not None and again.live.policy_config.daily_cap == 1

    # A strap the recorder remembers (in the store) also skips the setup.
    save_settings(data, Settings())
    with Store(data) as store:
        store.put_setting("strap_address", "C4:7C:8D:6A:11:02")
    assert main(["--data-dir", str(data)]) == 0
    assert opened[-1].runner is not None and opened[-1].setup_runner is None


async def test_r_looks_again_after_a_failed_scan(store: Store) -> None:
    calls: list[int] = []

    async def scan() -> Sequence[FoundStrap]:
        calls.append(1)
        if len(calls) == 1:
            raise StrapError(NO_DBUS, state="no-bluetooth-service")
        return NEARBY

    app = _setup_app(store, scan, [])
    async with app.run_test(size=(100, 36)) as pilot:
        await _scanned(pilot)
        setup = app.screen
        assert isinstance(setup, SetupScreen) and setup.has_class("-failed")
        await pilot.press("r")
        await _scanned(pilot)
        assert not setup.has_class("-failed") and not setup.has_class("-scanning")
        assert setup.query_one("#straps", OptionList).option_count == 2
        assert setup.message.startswith("Found 2 nearby")
    assert len(calls) == 2
