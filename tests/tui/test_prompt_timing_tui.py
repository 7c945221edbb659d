"""Prompts over time on the live screen (issue 15.5), on the gated heavy day.

An invitation taken down as a client session begins still opens what it offered
when the helper's enter lands; a queued prompt never takes the key pressed after
a dialog closes; prompts that waited too long or outlived the stream are dropped
or say when they were raised; the prompt line says what an answer did, and a
snooze note ends with the snooze. Time is the stream's and the manual clock's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from companion.prompts.records import Prompt
from tests.support.app import SIZE, Day
from tests.support.heavy_day import at
from tui.actions.prompts import STALE_AFTER_S, TAKEN_DOWN_GRACE_S
from tui.modals.contact import ContactScreen
from tui.modals.prompt import PromptScreen
from tui.screens.live import LiveScreen
from tui.screens.review import ReviewScreen


@pytest.fixture
async def day(data_dir: Path) -> AsyncIterator[Day]:
    d = Day(data_dir)
    yield d
    d.store.close()


def _notices(app: Any) -> list[str]:
    seen: list[str] = []
    notify = app.notify

    def record(message: str, *args: Any, **kwargs: Any) -> None:
        seen.append(message)
        notify(message, *args, **kwargs)

    app.notify = record
    return seen


def _line(day: Day) -> str:
    assert day.app.live_screen is not None
    return day.app.live_screen.prompt_line


async def _contact_prompt(day: Day, pilot: Any) -> Prompt:
    """A check-in naming a heavy feeling at 08:30: a contact prompt is offered."""
    await day.until(pilot, "08:30")
    day.app.live.check_in({"heavy": True}, None)
    await day.until(pilot, "08:31")
    assert isinstance(day.app.screen, PromptScreen)
    return day.app.screen.prompt


async def test_enter_as_a_client_session_begins_still_opens_the_contact_dialog(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        prompt = await _contact_prompt(day, pilot)
        await day.until(pilot, "08:37")  # C-33 begins at 08:36:13: the invitation goes down
        assert isinstance(day.app.screen, LiveScreen)
        day.clock.now += TAKEN_DOWN_GRACE_S - 0.5
        await pilot.press("enter")  # meant for the invitation
        await pilot.pause()
        assert isinstance(day.app.screen, ContactScreen)
        assert prompt not in day.app.waiting_prompts
        assert day.app.live.stage is not None
        assert day.app.live.stage.policy.record(prompt.prompt_id).response == "accepted"


async def test_a_late_enter_on_the_live_screen_accepts_nothing(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        prompt = await _contact_prompt(day, pilot)
        await day.until(pilot, "08:37")
        day.clock.now += TAKEN_DOWN_GRACE_S + 1.0
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(day.app.screen, LiveScreen)
        assert list(day.app.waiting_prompts) == [prompt]  # offered when C-33 ends


async def test_accepting_says_what_was_opened(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "11:31")  # C-52, marked heavy, ends at 11:30:18
        assert isinstance(day.app.screen, PromptScreen)
        assert day.app.screen.prompt.kind == "contact"
        await pilot.press("enter")
        assert isinstance(day.app.screen, ContactScreen)
        assert _line(day) == "11:30 · yes — contact dialog opened"


def _offered(day: Day) -> str | None:
    """The kind of prompt on screen, if one is."""
    screen = day.app.screen
    return screen.prompt.kind if isinstance(screen, PromptScreen) else None


def _queued(day: Day, kind: str, delivered_s: float, reason: str = "Queued.") -> Prompt:
    prompt = Prompt(f"{kind}-q{delivered_s:.0f}", kind, delivered_s, reason, False, delivered_s)  # type: ignore[arg-type]
    day.app.waiting_prompts.append(prompt)
    return prompt


async def test_a_queued_prompt_never_takes_the_next_key(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:30")
        await pilot.press("r")  # a look back while two prompts come in
        assert isinstance(day.app.screen, ReviewScreen)
        _queued(day, "pause", at("08:30"))
        _queued(day, "breathe", at("08:30"))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(day.app.screen, LiveScreen)  # nothing pops up on the way back
        await pilot.press("r")
        assert isinstance(day.app.screen, ReviewScreen)  # r opens the review
        await pilot.press("escape")
        await pilot.pause()
        await day.until(pilot, "08:31")  # the next minute offers the first that waited
        assert _offered(day) == "pause"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(day.app.screen, LiveScreen)  # the second waits for news again
        await day.until(pilot, "08:33")
        assert _offered(day) is None  # and never right after an answer (ANSWER_GAP_S)
        await day.until(pilot, "08:35")
        assert _offered(day) == "breathe"


async def test_a_pause_prompt_past_its_window_is_dropped_a_contact_says_when(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:30")
        await pilot.press("r")
        _queued(day, "pause", at("08:30") - STALE_AFTER_S - 60.0, "For the last 4 minutes.")
        _queued(day, "contact", at("08:30") - STALE_AFTER_S - 60.0, "A heavy session.")
        await pilot.press("escape")
        await day.until(pilot, "08:31")
        assert isinstance(day.app.screen, PromptScreen)
        offered = day.app.screen.prompt
        assert offered.kind == "contact"
        assert offered.reason == "Earlier, at 08:14: A heavy session."
        assert "was not shown in time" not in _line(day)  # the contact is on the line now
        assert not day.app.waiting_prompts


async def test_prompts_still_waiting_when_the_stream_ends_are_dropped(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:30")
        await pilot.press("r")
        _queued(day, "pause", at("08:30"))
        day.app.live.listener.live_ended()
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not day.app.waiting_prompts
        assert isinstance(day.app.screen, LiveScreen)
        assert _line(day) == "A prompt was not shown: the recording has ended. The review keeps it."
        await pilot.press("r")
        assert isinstance(day.app.screen, ReviewScreen)


async def test_the_snooze_note_ends_with_the_snooze(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:27")
        await pilot.press("z")
        assert _line(day) == "Prompts are quiet until 08:56."
        await day.until(pilot, "08:56")
        assert _line(day) == "Prompts are quiet until 08:56."
        await day.until(pilot, "08:59")
        assert _line(day) == "Prompts are on again (the snooze ended at 08:56)."


async def test_z_in_a_client_session_says_prompts_are_quiet_already(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        notices = _notices(day.app)
        await day.until(pilot, "08:40")  # inside C-33
        await pilot.press("z")
        assert notices == ["Prompts are already quiet in client sessions; snoozed until 09:09."]
