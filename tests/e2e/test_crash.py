"""kill -9 in the middle of heavy writes leaves a store that opens, missing at most the last
10 s: five rounds at seeded flush counts (``make bench`` runs fifty, bench/crash_bench.py)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bench.crash_harness import kill_round

ROUNDS = sorted(random.Random(7).sample(range(5, 400), 5))


@pytest.mark.parametrize("after_flushes", ROUNDS)
def test_kill_9_mid_replay_leaves_a_readable_store(tmp_path: Path, after_flushes: int) -> None:
    result = kill_round(tmp_path / "data", after_flushes)
    assert result.flushes == after_flushes and result.stored >= result.acknowledged > 0
