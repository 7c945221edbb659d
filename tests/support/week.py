"""Generated weeks of mornings replayed into a store (``sensors.simulate.week``)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path

from companion.pipeline.runs import run_source
from companion.store.store import Store
from sensors.recording import write_recording
from sensors.replay import ReplaySource
from sensors.simulate.week import MorningState, carry_over, simulate_morning
from signals.scores.baseline import NORMS

FIRST = date(2026, 11, 2)
"""The first day of every generated week in the tests (a Monday)."""


def plan(*parts: tuple[str, int]) -> list[str]:
    """``plan(("calm", 10), ("heavy", 3))``: the scenario of each day, in order."""
    return [name for name, count in parts for _ in range(count)]


def store_mornings(
    store: Store, scenarios: Sequence[str], seed: int, folder: Path, first: date = FIRST
) -> list[MorningState]:
    """Generate the mornings of ``scenarios`` from ``first``, write each as a recording in
    ``folder`` and replay it into ``store`` through the same run a recording takes."""
    return asyncio.run(replay_mornings(store, scenarios, seed, folder, first))


async def replay_mornings(
    store: Store, scenarios: Sequence[str], seed: int, folder: Path, first: date = FIRST
) -> list[MorningState]:
    """:func:`store_mornings` inside a running event loop (a Pilot test)."""
    states = carry_over(scenarios, seed=seed, first=first)
    for state in states:
        tz = datetime.combine(state.day, time(12)).astimezone().tzinfo
        assert tz is not None
        morning = simulate_morning(state, seed=seed, tz=tz)
        path = folder / f"{state.day}-morning.hsrec"
        write_recording(path, morning.header, morning.events())
        await run_source(ReplaySource(path, speed=None), store, baseline=NORMS)
    return states
