"""The prompt line says what a "yes" opened, and that a contact dialog closed unused.

QA of the first pass: enter on the reach-out prompt left the line at "08:41 · yes",
which still stood once the dialog was gone. Each kind now says what it opened
("pause opened", "breathing opened", "contact dialog opened"); the pause and the
breathing exercise then put their result on the line, and a contact dialog closed
without reaching anyone says so.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from companion.prompts.records import Prompt
from tests.support.app import SIZE, Day
from tests.support.heavy_day import at
from tui.modals.contact import ContactScreen
from tui.modals.prompt import PauseScreen, PromptScreen
from tui.screens.breathe import BreatheScreen
from tui.screens.live import LiveScreen


@pytest.fixture
async def day(data_dir: Path) -> AsyncIterator[Day]:
    d = Day(data_dir)
    yield d
    d.store.close()


def _line(day: Day) -> str:
    assert day.app.live_screen is not None
    return day.app.live_screen.prompt_line


async def _offer(day: Day, pilot: object, kind: str) -> None:
    """A prompt of ``kind`` delivered at 08:30, offered at the next minute."""
    await day.until(pilot, "08:30")
    prompt = Prompt(f"{kind}-test", kind, at("08:30"), "A test.", False, at("08:30"))  # type: ignore[arg-type]
    day.app.waiting_prompts.append(prompt)
    await day.until(pilot, "08:31")
    assert isinstance(day.app.screen, PromptScreen) and day.app.screen.prompt.kind == kind


@pytest.mark.parametrize(
    ("kind", "opened", "screen"),
    [
        ("pause", "pause opened", PauseScreen),
        ("breathe", "breathing opened", BreatheScreen),
        ("contact", "contact dialog opened", ContactScreen),
    ],
)
async def test_yes_says_what_it_opened(day: Day, kind: str, opened: str, screen: type) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await _offer(day, pilot, kind)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(day.app.screen, screen)
        assert re.fullmatch(rf"08:3\d · yes — {opened}", _line(day))


async def test_a_contact_dialog_closed_unused_says_so(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await _offer(day, pilot, "contact")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(day.app.screen, ContactScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(day.app.screen, LiveScreen)
        assert _line(day) == "Contact dialog closed: no one was contacted."
