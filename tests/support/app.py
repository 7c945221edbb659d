"""The Holdspace app in Pilot tests: on a gated replay of the heavy day, or with no source.

:class:`Day` is the app on a :class:`~tests.support.gated.GatedSource` over the heavy
fixture, with a store and a :class:`~sensors.clock.ManualClock`: a test releases the day
up to a clock time and presses keys. :func:`idle` is the runner of an app with no source.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Final

from companion.store.store import Store
from sensors.clock import ManualClock
from sensors.replay import ReplaySource
from tests.support.gated import GatedSource
from tests.support.heavy_day import HEAVY, at
from tui.app import HoldspaceApp

SIZE: Final = (110, 40)
"""The terminal of the heavy-day Pilot tests, columns x rows."""


class Day:
    """The app on a gated replay of the heavy day, with a store and a manual clock."""

    def __init__(self, data_dir: Path) -> None:
        self.store = Store(data_dir)
        self.clock = ManualClock(1000.0)
        self.gate = GatedSource(ReplaySource(HEAVY, speed=None))
        gate = self.gate

        def runner(live: Any) -> Any:
            return live.run(gate, lambda: ReplaySource(HEAVY, speed=None))

        self.app = HoldspaceApp(runner, store=self.store, clock=self.clock)

    async def until(self, pilot: Any, hhmm: str) -> None:
        """Play the recording up to ``hhmm`` and let the app handle what came."""
        await self.gate.until(at(hhmm))
        await pilot.pause()


async def idle(live: Any) -> None:
    """A runner that runs nothing until the app quits (for screens without a source)."""
    await asyncio.Event().wait()
