"""A session ended during a live run is stored with its final numbers (issue 15).

At a session's end the minute holding its end has not been scored yet: its
analysis stored then missed that minute (a short session showed "not scored
yet" until the run ended). The stage now settles a session's load once that
minute closes, and its recovery once three near-baseline minutes follow it; the
live session stores the analysis again each time. Here the heavy day is played
through the live path (gated, a manual clock, no sleeps): what is stored for the
sessions that ended by mid-morning equals what the end of the run stores.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from companion.live.publisher import QuietListener
from companion.live.session import LiveSession
from companion.store.store import Store
from sensors.clock import ManualClock
from sensors.replay import ReplaySource
from tests.support.gated import GatedSource
from tests.support.heavy_day import HEAVY, at

ENDED_BY_THEN = ("P-1", "C-33", "C-36", "BRK", "C-52")


async def _caught_up(live: LiveSession, gate: GatedSource) -> None:
    """Until the run has acted on every released event and every session report is in
    (stored analyses follow a report on the loop, hence the turns after it)."""
    for _ in range(1000):
        if live.now_s is not None and gate.sent_s is not None and live.now_s >= gate.sent_s:
            break
        await asyncio.sleep(0)
    assert live.stage is not None
    for result in live.stage.sessions:
        if result.report is not None:
            await asyncio.wrap_future(result.report)
    for _ in range(3):
        await asyncio.sleep(0)


def _analyses(store: Store) -> dict[str, Any]:
    return {s.label: store.session_analysis(s.session_id) for s in store.sessions()}


async def test_a_session_ended_mid_run_is_stored_as_the_end_of_the_run_stores_it(
    store: Store,
) -> None:
    live = LiveSession(store, QuietListener(), ManualClock(0.0))
    gate = GatedSource(ReplaySource(HEAVY, speed=None))
    run = asyncio.create_task(live.run(gate, lambda: ReplaySource(HEAVY, speed=None)))
    try:
        # A short session of the helper's own: seventy seconds, one whole minute in it.
        await gate.until(at("08:28"))
        live.start_session("peer", "P-1")
        await gate.until(at("08:28") + 70.0)
        live.end_session()
        await gate.until(at("11:45"))  # C-16 runs
        await _caught_up(live, gate)
        mid_run = _analyses(store)
    finally:
        await gate.until(math.inf)
        await run

    at_the_end = _analyses(store)
    for label in ENDED_BY_THEN:
        assert mid_run[label] is not None, label
        assert mid_run[label] == at_the_end[label], label
    short = mid_run["P-1"]["session_load"]
    assert short["n_scored"] == 1 and short["n_minutes"] == 1  # measured, not "not scored yet"
    assert any(mid_run[label]["recovery_min"] is not None for label in ENDED_BY_THEN)
