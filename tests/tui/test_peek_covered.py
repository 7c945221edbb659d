"""A look at the numbers (``v``) never outlasts its 10 s, whatever covered the live screen.

QA of the first pass, once in three tries: after ``p`` ``r`` ``e`` escape ``v`` in a
client session the numbers stayed on for more than 40 s. Whether they show is now
worked out from the deadline on the injected clock and the session, each time the
app looks at its clock and whenever the live screen is back on top; a look is only
begun on the live screen itself. Time is the manual clock's; the app's one-second
timer is stood in for by ``check_clock`` where a test needs a tick.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.app import SIZE, Day
from tests.support.screens import screen_text
from tui.modals.prompt import PauseScreen
from tui.screens.live import PEEK_S, LiveScreen
from tui.screens.review import ReviewScreen


@pytest.fixture
async def day(data_dir: Path) -> AsyncIterator[Day]:
    d = Day(data_dir)
    yield d
    d.store.close()


def _no_ticks(day: Day) -> None:
    """Stop the app's one-second look at its clock: the test decides when it looks."""
    assert day.app.clock_timer is not None
    day.app.clock_timer.pause()


def _top(day: Day) -> object:
    """The screen on top (as an object: the tests compare it after other screens)."""
    return day.app.screen


def _numbers_shown(day: Day) -> bool:
    text = screen_text(day.app)
    return "bpm" in text or "Stress" in text


async def test_a_look_that_ran_out_under_the_review_is_over_on_the_way_back(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "11:00")  # inside client session C-52
        _no_ticks(day)
        live = day.app.live_screen
        assert live is not None
        await pilot.press("v")
        assert _numbers_shown(day)
        await pilot.press("r")
        assert isinstance(day.app.screen, ReviewScreen)
        day.clock.now += 4 * PEEK_S  # no tick of the app's clock check meanwhile
        await pilot.press("escape")
        await pilot.pause()
        assert _top(day) is live
        assert not live.peek and live.has_class("-discreet")
        assert not _numbers_shown(day)


async def test_no_look_begins_while_another_screen_covers_the_live_one(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "11:00")
        _no_ticks(day)
        live = day.app.live_screen
        assert live is not None
        await pilot.press("r")
        day.app.action_peek()  # the palette's "Show the numbers", over the review
        assert not live.peek
        await pilot.press("escape")
        await pilot.pause()
        assert live.has_class("-discreet") and not _numbers_shown(day)


async def test_p_r_e_escape_v_hides_after_ten_seconds(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "11:00")
        _no_ticks(day)
        live = day.app.live_screen
        assert live is not None
        await pilot.press("p")
        assert isinstance(day.app.screen, PauseScreen)
        await pilot.press("r", "e", "escape", "v")
        await pilot.pause()
        assert _top(day) is live and live.peek
        for _ in range(int(PEEK_S) - 1):
            day.clock.now += 1.0
            day.app.check_clock()
        await pilot.pause()
        assert _numbers_shown(day)
        day.clock.now += 1.0
        day.app.check_clock()
        await pilot.pause()
        assert not _numbers_shown(day)


async def test_a_look_ending_under_a_dialog_is_drawn_hidden_when_it_closes(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "11:00")
        _no_ticks(day)
        live = day.app.live_screen
        assert live is not None
        await pilot.press("v", "p")
        assert isinstance(day.app.screen, PauseScreen)
        day.clock.now += PEEK_S + 1.0
        day.app.check_clock()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(day.app.screen, LiveScreen)
        assert not _numbers_shown(day)
