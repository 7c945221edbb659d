"""The helper's settings: the file, its errors, and the prompt policy honouring them."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import stat
from pathlib import Path

import pytest

from companion.cli.main import main
from companion.errors import HoldspaceError
from companion.pipeline.runs import choose_baseline, run_source
from companion.prompts.types import PolicyConfig
from companion.settings import Settings, SettingsError, load_settings, save_settings
from sensors.replay import ReplaySource
from tests.support.paths import FIXTURES

HEAVY = FIXTURES / "heavy-day.hsrec"


def test_defaults_follow_the_policy_and_a_missing_file_gives_them(tmp_path: Path) -> None:
    defaults = load_settings(tmp_path / "nowhere")
    assert defaults == Settings()
    assert defaults.daily_cap == PolicyConfig().daily_cap
    assert defaults.high_stress == PolicyConfig().high_stress
    assert defaults.policy_config() == PolicyConfig()
    assert (defaults.quiet_in, defaults.desktop_notify, defaults.bell) == ("client", True, False)
    assert defaults.pacer_rate_per_min == 6.0 and defaults.breath_pattern().rate_per_min == 6.0


def test_settings_round_trip_atomically_with_private_mode(tmp_path: Path) -> None:
    chosen = Settings(
        strap_address="F0:C0:FF:EE:00:01",
        strap_name="Polar H10 1A2B3C4D",
        daily_cap=2,
        high_stress=80,
        high_minutes=2,
        contact_daily_load=75.0,
        quiet_in="all",
        pacer_rate_per_min=5.5,
        pacer_pattern="extended exhale",
        desktop_notify=False,
        bell=True,
    )
    path = save_settings(tmp_path, chosen)
    assert path == tmp_path / "settings.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]  # no temp file left
    doc = json.loads(path.read_text())
    assert doc["version"] == 1 and doc["quiet_in"] == "all" and doc["daily_cap"] == 2
    assert load_settings(tmp_path) == chosen
    # Saving again replaces the file whole.
    save_settings(tmp_path, dataclasses.replace(chosen, daily_cap=3))
    assert load_settings(tmp_path).daily_cap == 3


def test_policy_config_carries_the_helpers_thresholds() -> None:
    config = Settings(
        daily_cap=1, high_stress=70, high_minutes=2, contact_daily_load=80
    ).policy_config()
    assert (config.daily_cap, config.high_stress, config.high_minutes) == (1, 70, 2)
    assert config.contact_daily_load == 80.0
    assert config.pause_cooldown_s == PolicyConfig().pause_cooldown_s  # the rest stays


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("daily_cap", -1),
        ("daily_cap", 99),
        ("daily_cap", True),
        ("high_stress", 20),
        ("high_minutes", 9),
        ("contact_daily_load", 10.0),
        ("pacer_rate_per_min", 30.0),
        ("pacer_pattern", "square"),
        ("quiet_in", "never"),
        ("bell", "yes"),
    ],
)
def test_values_out_of_range_are_refused_naming_the_key(key: str, value: object) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings(**{key: value})  # type: ignore[arg-type]
    assert caught.value.key == key
    assert str(caught.value).startswith(key)


def test_a_malformed_file_is_one_sentence_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"daily_cap": 2,,}')
    with pytest.raises(HoldspaceError) as caught:
        load_settings(tmp_path)
    message = str(caught.value)
    assert str(path) in message and "not valid JSON" in message and "\n" not in message

    path.write_text('["not", "an", "object"]')
    with pytest.raises(HoldspaceError, match="JSON object"):
        load_settings(tmp_path)


def test_a_bad_value_names_the_file_and_the_key(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"daily_cap": "four", "bell": True}))
    with pytest.raises(HoldspaceError) as caught:
        load_settings(tmp_path)
    message = str(caught.value)
    assert str(path) in message and "daily_cap" in message and "'four'" in message
    assert "\n" not in message


def test_unknown_keys_are_ignored_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "settings.json").write_text(json.dumps({"version": 1, "bell": True, "colour": 3}))
    with caplog.at_level(logging.WARNING, logger="holdspace.settings"):
        settings = load_settings(tmp_path)
    assert settings == Settings(bell=True)
    assert "'colour'" in caplog.text


def test_quiet_during_client_sessions_or_all() -> None:
    client_only, everywhere = Settings(), Settings(quiet_in="all")
    assert client_only.quiet_during("client") and everywhere.quiet_during("client")
    assert not client_only.quiet_during("supervision")
    assert everywhere.quiet_during("supervision")
    assert not client_only.quiet_during(None) and not everywhere.quiet_during(None)


def test_remembering_and_forgetting_a_strap() -> None:
    remembered = Settings().with_strap("AA:BB", "TICKR")
    assert (remembered.strap_address, remembered.strap_name) == ("AA:BB", "TICKR")
    forgotten = remembered.with_strap(None, "ignored")
    assert (forgotten.strap_address, forgotten.strap_name) == (None, None)


def test_a_command_with_a_broken_settings_file_says_so_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "settings.json").write_text('{"quiet_in": "sometimes"}')
    code = main(["--data-dir", str(tmp_path), "record", "--emulated", str(HEAVY)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1
    assert err[0].startswith("holdspace: error: ") and "settings.json" in err[0]
    assert "quiet_in" in err[0]


def test_the_daily_cap_from_settings_holds_on_the_heavy_day() -> None:
    """The heavy fixture delivers several prompts by default; a cap of 1 lets one through."""

    async def replay(config: PolicyConfig | None) -> list[dict[str, object]]:
        baseline = await choose_baseline(None, lambda: ReplaySource(HEAVY, speed=None))
        outcome = await run_source(
            ReplaySource(HEAVY, speed=None),
            None,
            baseline=baseline,
            offload="inline",
            policy_config=config,
        )
        return outcome.to_json()["prompts"]  # type: ignore[no-any-return]

    capped = asyncio.run(replay(Settings(daily_cap=1).policy_config()))
    delivered = [p for p in capped if p["delivered_at"]]
    assert len(delivered) == 1
    assert any(p["fate"] != "delivered" for p in capped)  # the others were held back
