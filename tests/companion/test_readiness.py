"""The morning reading through the store (issue 20, part 1): generated weeks, the gentler
day's prompts, the export and the day report.

Each generated morning is written as a recording and replayed into the store through
the run a recording takes; the reading is then found by the documented rule in the
stored minutes (``companion.readiness.reading``).
"""

from __future__ import annotations

import asyncio
import csv
import shutil
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from companion.live.publisher import QuietListener
from companion.live.session import LiveSession
from companion.pipeline.runs import run_source
from companion.prompts.types import PolicyConfig
from companion.readiness.policy import day_policy
from companion.readiness.reading import (
    day_reading,
    readiness_json,
    readiness_of,
    save_screen_reading,
)
from companion.review.day import load_day
from companion.review.export import ExportOptions, write_export
from companion.review.html import build_day_report
from companion.store.forget import forget_days
from companion.store.store import Store
from sensors.recording import write_recording
from sensors.replay import ReplaySource
from sensors.simulate.week import MORNING_START_LOCAL_S, carry_over, simulate_morning
from signals.scores.baseline import NORMS
from signals.scores.readiness import MorningReading
from tests.support.paths import FIXTURES
from tests.support.week import FIRST, plan, store_mornings

HEAVY_RUN = plan(("calm", 10), ("heavy", 3), ("calm", 1))
"""Ten calm days, three heavy ones: the fourteenth morning follows the heavy run."""
CALM_RUN = plan(("calm", 14))
RESTORED_RUN = plan(("calm", 7), ("heavy", 3), ("calm", 4))
LAST = FIRST + timedelta(days=13)


@pytest.fixture(scope="module")
def heavy_week(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("heavy-week")
    with Store(folder / "data") as store:
        store_mornings(store, HEAVY_RUN, seed=1, folder=folder)
    yield folder / "data"


def _statuses(scenarios: list[str], seed: int, folder: Path) -> list[str]:
    with Store(folder / "data") as store:
        states = store_mornings(store, scenarios, seed=seed, folder=folder)
        return [readiness_of(store, s.day).status for s in states]


def test_a_morning_after_a_run_of_heavy_days_is_below_usual(heavy_week: Path) -> None:
    with Store(heavy_week, read_only=True) as store:
        result = readiness_of(store, LAST)
        assert result.status == "below"
        assert result.hr_status == "above"
        assert result.reading is not None
        assert result.reading.source == "first-calm-minutes"
        assert result.trend is not None and result.trend.ln_rmssd_words == "falling"


def test_a_morning_after_calm_days_is_within_usual(tmp_path: Path) -> None:
    statuses = _statuses(CALM_RUN, seed=1, folder=tmp_path)
    assert statuses[-1] == "within"


def test_calm_days_after_a_heavy_run_bring_the_morning_back(tmp_path: Path) -> None:
    statuses = _statuses(RESTORED_RUN, seed=1, folder=tmp_path)
    assert statuses[7 + 2] == "below"  # the morning after the second heavy day
    assert statuses[-1] == "within"


def test_fewer_than_four_earlier_readings_say_not_enough_days(heavy_week: Path) -> None:
    with Store(heavy_week, read_only=True) as store:
        first_four = [readiness_of(store, FIRST + timedelta(days=i)) for i in range(5)]
    assert [r.status for r in first_four[:4]] == ["not_enough_days"] * 4
    assert first_four[4].status != "not_enough_days"
    assert [r.readings for r in first_four[:4]] == [1, 2, 3, 4]


def test_the_reading_is_the_morning_stretch_and_is_stored(heavy_week: Path) -> None:
    with Store(heavy_week, read_only=True) as store:
        stored = store.morning(LAST)
        reading = day_reading(store, LAST)
    assert stored is not None and stored["source"] == "first-calm-minutes"
    assert reading is not None and reading.n_minutes == 3
    assert reading.start_s == pytest.approx(stored["start_s"])
    local = date.fromtimestamp(reading.start_s)
    assert local == LAST


def test_the_json_has_exactly_the_documented_keys(heavy_week: Path) -> None:
    with Store(heavy_week, read_only=True) as store:
        doc = readiness_json(readiness_of(store, LAST))
        empty = readiness_json(readiness_of(store, LAST + timedelta(days=1)))
    assert list(doc) == ["date", "ln_rmssd", "hr_bpm", "usual", "status", "readings"]
    assert list(doc["usual"]) == ["mean", "low", "high"]
    assert doc["usual"]["low"] < doc["usual"]["mean"] < doc["usual"]["high"]
    assert doc["ln_rmssd"] < doc["usual"]["low"]
    assert doc["readings"] == 14
    assert empty["status"] == "no_reading" and empty["ln_rmssd"] is None


def test_a_reading_from_the_screen_wins_over_the_rule(tmp_path: Path) -> None:
    with Store(tmp_path / "data") as store:
        store_mornings(store, plan(("calm", 1)), seed=2, folder=tmp_path)
        taken = MorningReading(1.0, 3.9, 58.0, 2, "screen")
        save_screen_reading(store, FIRST, taken)
        assert day_reading(store, FIRST) == taken


def test_a_below_day_gets_one_more_prompt_and_a_colleague_sooner(heavy_week: Path) -> None:
    config = PolicyConfig()
    with Store(heavy_week, read_only=True) as store:
        below = day_policy(store, LAST, config)
        within = day_policy(store, FIRST + timedelta(days=9), config)
    assert below.gentler and below.config is not None
    assert below.config.daily_cap == config.daily_cap + 1
    assert below.config.contact_daily_load == config.contact_daily_load - 10.0
    assert below.config.contact_load_rearm <= below.config.contact_daily_load
    assert not within.gentler and within.config is config


def test_the_gentler_config_reaches_the_runs_prompt_policy(heavy_week: Path) -> None:
    morning = heavy_week.parent / f"{LAST}-morning.hsrec"
    with Store(heavy_week) as store:
        live = LiveSession(store, listener=None)  # type: ignore[arg-type]
        chosen = live.day_config(LAST, PolicyConfig())
        assert live.gentler_day
        outcome = asyncio.run(
            run_source(
                ReplaySource(morning, speed=None), store, baseline=NORMS, policy_config=chosen
            )
        )
    assert outcome.stage is not None
    assert outcome.stage.policy.config.daily_cap == PolicyConfig().daily_cap + 1
    assert outcome.stage.policy.config.contact_daily_load == 60.0


def test_export_and_the_day_report_include_the_morning_reading(
    heavy_week: Path, tmp_path: Path
) -> None:
    with Store(heavy_week, read_only=True) as store:
        result = write_export(store, ExportOptions(LAST - timedelta(days=1), LAST, "csv", tmp_path))
        html = build_day_report(store, LAST)
        review = load_day(store, LAST)
    assert result.rows["mornings"] == 2
    with (tmp_path / "mornings.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["day"] for r in rows] == [str(LAST - timedelta(days=1)), str(LAST)]
    assert rows[-1]["status"] == "below" and rows[-1]["source"] == "first-calm-minutes"
    assert "<h2>Morning reading</h2>" in html
    assert "below your usual range" in html
    assert review.morning and "below your usual range" in review.morning[1]


def test_forgetting_a_day_forgets_its_morning(tmp_path: Path) -> None:
    with Store(tmp_path / "data") as store:
        store_mornings(store, plan(("calm", 2)), seed=3, folder=tmp_path)
        assert store.morning(FIRST) is not None
        forget_days(store, [FIRST])
        assert store.morning(FIRST) is None
        assert store.morning(FIRST + timedelta(days=1)) is not None


def test_a_store_from_before_has_no_mornings_and_reads(tmp_path: Path) -> None:
    with Store(tmp_path / "data") as store:
        assert store.morning(FIRST) is None and store.mornings() == []
        assert readiness_of(store, FIRST).status == "no_reading"


def test_the_morning_stretch_starts_in_the_reading_window() -> None:
    assert 5 * 3600 <= MORNING_START_LOCAL_S < 11 * 3600


def test_the_committed_store_of_schema_1_reads(tmp_path: Path) -> None:
    copy = tmp_path / "v1"
    shutil.copytree(FIXTURES / "stores" / "v1", copy)
    with Store(copy, read_only=True) as store:
        day = store.days()[0]
        assert store.mornings() == []
        assert readiness_of(store, day).status in {"no_reading", "not_enough_days"}


def test_a_below_morning_found_during_the_run_makes_the_rest_of_the_day_gentler(
    tmp_path: Path,
) -> None:
    """The recorder connects at 07:15 with no reading yet; its first calm minutes make one."""
    with Store(tmp_path / "data") as store:
        store_mornings(store, HEAVY_RUN[:-1], seed=1, folder=tmp_path)
        states = carry_over(HEAVY_RUN, seed=1, first=FIRST)
        last = states[-1]
        assert last.day == LAST
        tz = datetime.combine(LAST, time(12)).astimezone().tzinfo
        assert tz is not None
        morning = simulate_morning(last, seed=1, tz=tz)
        path = tmp_path / f"{LAST}-morning.hsrec"
        write_recording(path, morning.header, morning.events())
        live = LiveSession(store, QuietListener())
        live.run_day = LAST
        outcome = asyncio.run(live.run(ReplaySource(path, speed=None)))
        assert readiness_of(store, LAST).status == "below"
    assert outcome.stage is not None
    assert live.gentler_day
    assert outcome.stage.policy.config.daily_cap == PolicyConfig().daily_cap + 1
    assert outcome.stage.policy.config.contact_daily_load == 60.0
