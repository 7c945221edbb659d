"""Pilot tests of reaching a colleague on a replayed heavy day, with a real SMTP server.

The contact prompt that follows the run of heavy client sessions opens the contact
dialog; the helper sends to Sam; the loopback SMTP server receives it and Sam's last
contact is updated. The overdue check-in reminder comes once, outside sessions. The
colleagues screen shows channels masked: the secret is in no screen text.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Checkbox, Input

from companion.connect.colleagues import add_colleague, load_book
from companion.prompts.types import PolicyConfig
from tests.support.app import SIZE, Day
from tests.support.heavy_day import at
from tests.support.loopback import SECRET, Mailbox, mail_url
from tests.support.screens import screen_text
from tui.modals.contact import ContactScreen
from tui.modals.prompt import PromptScreen
from tui.screens.colleagues import AddColleagueScreen, ColleaguesScreen
from tui.screens.live import LiveScreen

pytestmark = [
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated"),
    pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning"),
]

DAY_S = 86_400.0


@pytest.fixture(autouse=True)
def _only_loopback(loopback_only: list[Any]) -> list[Any]:
    return loopback_only


@pytest.fixture
async def day(data_dir: Path) -> AsyncIterator[Day]:
    d = Day(data_dir)
    d.app.wall_time = lambda: at("12:30")  # the wall clock, which the contact log must not use
    yield d
    d.store.close()


async def answer_prompts_until(day: Day, pilot: Any, hhmm: str, *, kind: str, rule: str) -> Any:
    """Play on to ``hhmm``, saying "not now" to every invitation but the one wanted."""
    await day.until(pilot, hhmm)
    while isinstance(day.app.screen, PromptScreen):
        prompt = day.app.screen.prompt
        stage = day.app.live.stage
        assert stage is not None
        if prompt.kind == kind and stage.policy.record(prompt.prompt_id).rule == rule:
            return prompt
        await pilot.press("escape")
    return None


async def test_after_heavy_sessions_the_helper_writes_to_a_colleague(
    day: Day, smtp: tuple[Mailbox, int]
) -> None:
    mailbox, port = smtp
    add_colleague(day.store.data_dir, "Sam", [mail_url(port)], every_days=7, now_s=at("08:00"))
    # Contact suggestions may come 45 min apart here (3 h by default), so the suggestion
    # after the second heavy session in a row is not held back by the one after the first.
    day.app.live.policy_config = PolicyConfig(contact_cooldown_s=2700.0)
    async with day.app.run_test(size=SIZE) as pilot:
        prompt = None
        for hhmm in ("11:00", "11:31", "12:00", "12:24"):
            prompt = await answer_prompts_until(day, pilot, hhmm, kind="contact", rule="heavy_run")
            if prompt is not None:
                break
        assert prompt is not None, "no contact prompt after the heavy sessions"
        assert prompt.reason.startswith("Your last 2 client sessions were heavy")
        assert not prompt.in_session and prompt.delivered_s == pytest.approx(at("12:23"), abs=60)

        await pilot.press("enter")  # yes: the contact dialog
        screen = day.app.screen
        assert isinstance(screen, ContactScreen)
        assert screen.colleague is not None and screen.colleague.name == "Sam"
        assert SECRET not in screen_text(day.app)
        # An edited message, and the opt-in line about the day (bands only).
        screen.query_one("#message", Input).value = "Could use a debrief — 10 minutes today?"
        box = screen.query_one("#with-load", Checkbox)
        box.value = True
        await pilot.press("ctrl+s")
        assert isinstance(day.app.screen, LiveScreen)
        worker = day.app.contact_worker
        assert worker is not None
        await worker.wait()
        await pilot.pause()

        (envelope,) = mailbox.envelopes
        assert envelope.rcpt_tos == ["sam@example.org"]
        body = envelope.content.decode("utf-8", "replace")
        assert "Could use a debrief" in body
        assert "heavy" in body.lower()  # the day's line, in words
        assert "C-52" not in body and "C-16" not in body  # never a label
        assert SECRET not in screen_text(day.app)

        sam = load_book(day.store.data_dir).colleagues[0]
        assert sam.last_contact_way == "message"
        # On the stream's clock, as the prompt and the act are, never the wall clock (12:30).
        assert sam.last_contact_s == pytest.approx(at("12:24"), abs=120)
        contact_acts = [a for a in day.store.acts() if a["kind"] == "contact"]
        assert contact_acts[-1]["result"]["choice"] == "message"
        assert contact_acts[-1]["prompt_id"] == prompt.prompt_id


async def test_an_overdue_check_in_is_a_gentle_reminder_once(day: Day) -> None:
    add_colleague(
        day.store.data_dir, "Sam", [mail_url(2525)], every_days=7, now_s=at("08:00") - 9 * DAY_S
    )
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:30")
        screen = day.app.screen
        assert isinstance(screen, PromptScreen)
        assert screen.prompt.reason.startswith("It has been 9 days since you checked in with Sam.")
        await pilot.press("escape")
        for hhmm in ("10:00", "12:00", "14:00", "16:00", "18:00"):
            await day.until(pilot, hhmm)
            while isinstance(day.app.screen, PromptScreen):
                await pilot.press("escape")
        stage = day.app.live.stage
        assert stage is not None
        reminders = [r for r in stage.policy.all_prompts if r.rule == "check_in_due"]
        assert len(reminders) == 1 and reminders[0].fate == "delivered"
        delivered = [r for r in stage.policy.all_prompts if r.fate == "delivered"]
        assert len(delivered) <= stage.policy.config.daily_cap


async def test_the_colleagues_screen_masks_channels_and_adds_one(day: Day) -> None:
    data_dir = day.store.data_dir
    add_colleague(data_dir, "Sam", [mail_url(2525)], every_days=7, now_s=at("08:00"))
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:27")
        await pilot.press("c")
        screen = day.app.screen
        assert isinstance(screen, ColleaguesScreen)
        text = screen_text(day.app)
        assert "Sam · peer · every 7 d" in text and "***" in text and SECRET not in text

        await pilot.press("a")
        assert isinstance(day.app.screen, AddColleagueScreen)
        await pilot.press(*"Robin", "enter")
        await pilot.press(*f"json://robin:{SECRET}@127.0.0.1:9/hook", "enter")
        assert SECRET not in screen_text(day.app)  # typed like a password
        await pilot.press(*"2w", "enter")
        assert day.app.screen is screen
        for worker in [w for w in day.app.workers if w.node is screen]:
            await worker.wait()
        await pilot.pause()
        names = [c.name for c in load_book(data_dir).colleagues]
        assert names == ["Sam", "Robin"]
        text = screen_text(day.app)
        assert "Robin · peer · every 14 d" in text and SECRET not in text


async def test_a_peer_session_labelled_with_a_colleague_counts_as_contact(day: Day) -> None:
    add_colleague(day.store.data_dir, "Sam", [mail_url(2525)], every_days=7, now_s=at("08:00"))
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:27")
        await pilot.press("s", "3", "tab", *"sam", "enter")
        await day.until(pilot, "08:33")
        await pilot.press("e", "escape")
        await day.until(pilot, "08:34")
        sam = load_book(day.store.data_dir).colleagues[0]
        assert sam.last_contact_way == "session"
        assert sam.last_contact_s == pytest.approx(at("08:33"), abs=5)
