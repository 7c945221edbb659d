"""Shared test setup: a fixed time zone, the fixtures pytest injects by name, the realdata hook.

Helpers the tests import live in :mod:`tests.support`; this file holds only fixtures and hooks.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# Helpers assert too: let pytest explain their failures as it does the tests'.
pytest.register_assert_rewrite("tests.support")

from tests.support.heavy_day import HEAVY  # noqa: E402
from tests.support.paths import SHARED_DATA, skip_or_fail  # noqa: E402

pytest_plugins = ["tests.support.loopback", "tests.support.browser"]

if TYPE_CHECKING:
    from companion.store.store import Store

# Local days and ISO times depend on the zone: pin it for the tests and their subprocesses.
os.environ["TZ"] = "UTC"
time.tzset()


SUN_PATH_MAX_BYTES = 100
"""Unix socket paths must stay under 108 bytes (less on macOS)."""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
async def store(data_dir: Path) -> AsyncIterator[Store]:
    """A writable store in ``data_dir``, closed after the test."""
    from companion.store.store import Store

    opened = Store(data_dir)
    yield opened
    opened.close()


@pytest.fixture
def sock_path(tmp_path: Path) -> Iterator[Path]:
    """A socket path in a not-yet-existing directory, short enough for AF_UNIX."""
    candidate = tmp_path / "run" / "recorder.sock"
    if len(os.fsencode(candidate)) < SUN_PATH_MAX_BYTES:
        yield candidate
        return
    base = Path(tempfile.mkdtemp(prefix="hs", dir="/tmp"))
    try:
        yield base / "run" / "recorder.sock"
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def heavy_day_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the replayed heavy fixture day (read it; do not write to it).

    Sessions, minutes (epochs), prompts, session analyses and the day summary
    are there, as after ``holdspace replay fixtures/heavy-day.hsrec``.
    """
    import asyncio

    from companion.pipeline.runs import choose_baseline, run_source
    from companion.store.store import Store
    from sensors.replay import ReplaySource

    path = HEAVY
    data = tmp_path_factory.mktemp("heavy") / "data"
    with Store(data) as store:
        baseline = asyncio.run(choose_baseline(store, lambda: ReplaySource(path, speed=None)))
        asyncio.run(
            run_source(ReplaySource(path, speed=None), store, baseline=baseline, offload="inline")
        )
    return data


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked ``realdata`` skip without ../shared/data, and fail under ``CI=true``."""
    if item.get_closest_marker("realdata") is not None and not SHARED_DATA.is_dir():
        skip_or_fail(f"real recordings not found at {SHARED_DATA} (fresh clone: nothing to read)")
