"""``v`` inside a client session shows the numbers for a moment, on the injected clock.

Issue 15.4: pressed inside client session T-01 the numbers stayed on 20 s later and
into the next client session. Now: at most :data:`~tui.screens.live.PEEK_S` (10 s)
of the injected clock, and never past a session's change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.app import SIZE, Day
from tui.screens.live import PEEK_S


@pytest.fixture
async def day(data_dir: Path) -> AsyncIterator[Day]:
    d = Day(data_dir)
    yield d
    d.store.close()


async def test_v_shows_the_numbers_for_ten_seconds_of_the_clock(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "11:00")  # inside client session C-52
        live = day.app.live_screen
        assert live is not None and live.has_class("-discreet")
        await pilot.press("v")
        assert not live.has_class("-discreet")
        day.clock.now += PEEK_S - 1.0
        day.app.check_clock()
        await pilot.pause()
        assert not live.has_class("-discreet")
        day.clock.now += 1.0
        day.app.check_clock()
        await pilot.pause()
        assert live.has_class("-discreet")
        # v again shows them again; a second v hides them at once.
        await pilot.press("v")
        assert not live.has_class("-discreet")
        await pilot.press("v")
        assert live.has_class("-discreet")


async def test_a_look_never_carries_into_the_next_session(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "11:29")  # C-52 ends at 11:30:18, C-16 begins at 11:33:16
        live = day.app.live_screen
        assert live is not None
        await pilot.press("v")
        assert not live.has_class("-discreet")
        await day.until(pilot, "11:34")  # no time passed on the clock: the change ends it
        assert day.app.live.session is not None and day.app.live.session.label == "C-16"
        assert not live.peek
        assert live.has_class("-discreet")
