"""``holdspace effects`` as a user runs it (issue 20): shown against held prompts from a store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scipy.stats import ttest_ind

from companion.review.trends.report import trends
from companion.store.store import Store
from tests.support.cli import holdspace
from tests.support.learning_store import DAY, HELD_STRESS, SHOWN_STRESS, build_learning_store


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("effects") / "data"
    build_learning_store(folder)
    return folder


def test_json_has_the_documented_shape_and_welch_interval(data_dir: Path) -> None:
    result = holdspace("effects", "--end", str(DAY), "--days", "7", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert list(doc) == ["days", "first", "end", "acts", "heart_rate"]
    assert (doc["days"], doc["end"]) == (7, str(DAY))
    keys = ["act", "shown", "held", "change_shown", "change_held", "difference", "interval"]
    pause, breathe = doc["acts"]
    assert [list(pause), list(breathe)] == [keys, keys]
    assert (pause["act"], pause["shown"], pause["held"]) == ("pause", 6, 6)
    assert (pause["change_shown"], pause["change_held"], pause["difference"]) == (-20, -5, -15)
    shown, held = (
        [SHOWN_STRESS[i % 3] for i in range(0, 12, 2)],
        [HELD_STRESS[i % 3] for i in range(1, 12, 2)],
    )
    lo, hi = ttest_ind(shown, held, equal_var=False).confidence_interval(0.95)
    assert pause["interval"] == [pytest.approx(lo, abs=0.01), pytest.approx(hi, abs=0.01)]
    assert breathe == dict.fromkeys(keys, None) | {"act": "breathe", "shown": 0, "held": 0}
    hr_pause = doc["heart_rate"][0]
    assert hr_pause["difference"] == -6 and hr_pause["interval"][1] < 0


def test_text_says_it_in_plain_words(data_dir: Path) -> None:
    result = holdspace("effects", "--end", str(DAY), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Learning is off" in out  # no settings.json: the default
    assert "After pause prompts your stress fell 15 points more than after held ones" in out
    assert "6 and 6 times" in out and "unlikely to be chance alone" in out
    assert "No comparison yet for breathing prompts" in out
    assert "Contact prompts are never held" in out and "never a diagnosis" in out


def test_trends_show_the_comparison_only_with_randomised_prompts(data_dir: Path) -> None:
    with Store(data_dir, read_only=True) as store:
        found = trends(store, DAY, 7).effects
    assert found is not None and found.randomised == 12
    assert found.lines()[0].startswith("After pause prompts your stress fell 15 points more")
    empty = data_dir.parent / "empty"
    with Store(empty) as store:
        assert trends(store, DAY, 7).effects is None


def test_without_a_data_folder_the_period_is_still_the_days_asked_for(tmp_path: Path) -> None:
    args = ("effects", "--days", "10", "--end", "2026-11-20", "--json")
    doc = json.loads(holdspace(*args, data_dir=tmp_path / "none").stdout)
    assert (doc["first"], doc["end"], doc["days"]) == ("2026-11-11", "2026-11-20", 10)
    assert all(a["shown"] == 0 and a["interval"] is None for a in doc["acts"])
