"""Shared test setup: a fixed time zone, paths to fixtures and to the shared real data."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

pytest_plugins = ["tests.loopback", "tests.browser"]

if TYPE_CHECKING:
    from companion.store.store import Store

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SHARED_DATA = ROOT.parent / "shared" / "data"

# Local days and ISO times depend on the zone: pin it for the tests and their subprocesses.
os.environ["TZ"] = "UTC"
time.tzset()


def in_ci() -> bool:
    """True under ``CI=true`` (``.ci/run`` sets it)."""
    return os.environ.get("CI", "").strip().lower() == "true"


def skip_or_fail(reason: str) -> NoReturn:
    """Skip the test with ``reason`` (a tool or data it needs is missing), or fail with it
    under ``CI=true``: CI installs tmux and Chromium (``make test``) and has ../shared/data
    beside the clone, so a green CI means these tests ran."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: this test must run in CI)", pytrace=False)
    pytest.skip(reason)


def shared_file(*parts: str) -> Path:
    """A file of ../shared/data, or skip the test with the reason (fail under ``CI=true``)."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        skip_or_fail(f"real recording {path} is not available (../shared/data is absent)")
    return path


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


async def idle(live: Any) -> None:
    """A runner that runs nothing until the app quits (for screens without a source)."""
    await asyncio.Event().wait()


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

    path = FIXTURES / "heavy-day.hsrec"
    data = tmp_path_factory.mktemp("heavy") / "data"
    with Store(data) as store:
        baseline = asyncio.run(choose_baseline(store, lambda: ReplaySource(path, speed=None)))
        asyncio.run(
            run_source(ReplaySource(path, speed=None), store, baseline=baseline, offload="inline")
        )
    return data


def copy_with_private_session(store_dir: Path, dest: Path, label: str, note: str) -> float:
    """Copy a store to ``dest`` and add, after its last session, a finished client session
    labelled ``label`` with a check-in note ``note`` (text that must never leak when labels
    are redacted). Returns the end of the last original session, epoch seconds."""
    from companion.store.store import Store

    shutil.copytree(store_dir, dest)
    with Store(dest) as store:
        last = store.sessions(store.days()[0])[-1]
        end_s = float(last.end_s or last.start_s)
        sid = store.begin_session("client", label, end_s + 60.0, "manual")
        store.finish_session(sid, end_s + 600.0)
        store.add_check_in(end_s + 700.0, {"heavy": True, "note": note}, sid, "manual")
    return end_s


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked ``realdata`` skip without ../shared/data, and fail under ``CI=true``."""
    if item.get_closest_marker("realdata") is not None and not SHARED_DATA.is_dir():
        skip_or_fail(f"real recordings not found at {SHARED_DATA} (fresh clone: nothing to read)")
