"""Where the tests find things, and what a test does when one is missing.

:data:`ROOT` is the repository (every path the tests compute starts there);
:data:`FIXTURES` its committed recordings and stores; :data:`SHARED_DATA` the real
recordings beside the clone (``../shared/data``), which a fresh clone may lack.
A test that needs a missing tool or recording skips with the reason, or fails with
it under ``CI=true`` (:func:`skip_or_fail`), so a green CI means it ran.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final, NoReturn

import pytest

ROOT: Final = Path(__file__).resolve().parents[2]
"""The repository: the folder holding ``pyproject.toml``."""
FIXTURES: Final = ROOT / "fixtures"
"""Committed recordings, calendars and stores of earlier schema versions."""
SHARED_DATA: Final = ROOT.parent / "shared" / "data"
"""Real recordings beside the clone; absent on a fresh clone (tests marked ``realdata``)."""


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
