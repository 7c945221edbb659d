"""Shared test setup: a fixed time zone, paths to fixtures and to the shared real data."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SHARED_DATA = ROOT.parent / "shared" / "data"

# Local days and ISO times depend on the zone: pin it for the tests and their subprocesses.
os.environ["TZ"] = "UTC"
time.tzset()


def shared_file(*parts: str) -> Path:
    """A file of ../shared/data, or skip the test with the reason."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real recording {path} is not available (../shared/data is absent)")
    return path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(scope="session")
def heavy_day_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the replayed heavy fixture day (read it; do not write to it).

    Sessions, minutes (epochs), prompts, session analyses and the day summary
    are there, as after ``holdspace replay fixtures/heavy-day.hsrec``.
    """
    import asyncio

    from companion.runs import choose_baseline, run_source
    from companion.store import Store
    from sensors.replay import ReplaySource

    path = FIXTURES / "heavy-day.hsrec"
    data = tmp_path_factory.mktemp("heavy") / "data"
    with Store(data) as store:
        baseline = asyncio.run(choose_baseline(store, lambda: ReplaySource(path, speed=None)))
        asyncio.run(
            run_source(ReplaySource(path, speed=None), store, baseline=baseline, offload="inline")
        )
    return data
