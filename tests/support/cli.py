"""``holdspace`` as a user runs it: a subprocess on a data folder of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import ROOT

__all__ = ["holdspace"]


def holdspace(*args: str, data_dir: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``holdspace ARGS`` with ``HOLDSPACE_DATA_DIR=data_dir``; with ``check``, a non-zero
    exit fails the test with the command's stderr."""
    env = {**os.environ, "HOLDSPACE_DATA_DIR": str(data_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "companion", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}: {result.stderr}")
    return result
