"""A key pressed before an invitation appeared is never its answer.

Seen in a real terminal: ``r`` pressed as a queued prompt came up opened nothing, the
prompt took the key. The race is reproduced exactly: the key event carries a time
(Textual stamps every event) from before the invitation was opened.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual import events

from companion.prompts.records import Prompt
from tests.support.app import SIZE, Day
from tui.modals.prompt import PromptScreen
from tui.screens.live import LiveScreen
from tui.screens.review import ReviewScreen


@pytest.fixture
async def day(data_dir: Path) -> AsyncIterator[Day]:
    d = Day(data_dir)
    yield d
    d.store.close()


async def test_a_key_pressed_before_the_invitation_goes_to_the_screen_it_was_meant_for(
    day: Day,
) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:30")
        assert isinstance(day.app.screen, LiveScreen)
        raised = day.app.live.now_s or 0.0
        prompt = Prompt("pause-race", "pause", raised, "Take a short pause?", False, raised)  # type: ignore[arg-type]
        pressed = events.Key("r", "r")  # stamped now: before the invitation opens
        day.app.waiting_prompts.append(prompt)
        day.app._offer_waiting()
        await pilot.pause()
        offered = day.app.screen
        assert isinstance(offered, PromptScreen) and pressed.time < offered.opened_time
        offered.post_message(pressed)
        for _ in range(5):
            await pilot.pause()
        assert isinstance(day.app.screen, ReviewScreen), "the key did not reach the live screen"
        assert list(day.app.waiting_prompts) == [prompt]  # unanswered, offered again later
        assert "pause-race" not in {p["prompt_id"] for p in day.store.prompts()}


async def test_a_key_pressed_after_the_invitation_answers_it(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:30")
        raised = day.app.live.now_s or 0.0
        prompt = Prompt("pause-after", "pause", raised, "Take a short pause?", False, raised)  # type: ignore[arg-type]
        day.app.waiting_prompts.append(prompt)
        day.app._offer_waiting()
        await pilot.pause()
        assert isinstance(day.app.screen, PromptScreen)
        answers: list[str] = []
        day.app._answer = lambda p, response: answers.append(response)  # type: ignore[method-assign]
        await pilot.press("escape")
        assert answers == ["dismissed"] and not day.app.waiting_prompts
