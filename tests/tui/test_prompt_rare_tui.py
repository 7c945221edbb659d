"""Prompts kind and rare (issue 15, third pass), on the gated heavy day.

After any answer the next waiting prompt waits a gap of the stream's time, and a
snooze holds waiting prompts too; an older prompt says when it was raised once,
however often it is offered; an accepted contact prompt whose dialog reached no one
is credited with nothing, and before/after is measured from the act's own time; a
message's act says whether it was sent. Time is the stream's and the manual clock's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from companion.connect.colleagues import add_colleague
from companion.connect.contact import day_load_line
from companion.prompts.acts import ActError, check_act
from companion.prompts.records import Prompt
from companion.review.rows import prompt_rows
from tests.support.app import SIZE, Day
from tests.support.heavy_day import at
from tests.support.loopback import LOOPBACK, SECRET, closed_port
from tui.actions.connect import MessageAttempt
from tui.actions.prompts import ANSWER_GAP_S, IDLE_LINE, _breath_text
from tui.modals.contact import ContactScreen
from tui.modals.prompt import PromptScreen
from tui.modals.settings import SettingsScreen
from tui.screens.breathe import BreathResult
from tui.screens.live import LiveScreen
from tui.screens.review import ReviewScreen


@pytest.fixture
async def day(data_dir: Path) -> AsyncIterator[Day]:
    d = Day(data_dir)
    yield d
    d.store.close()


def _offered(day: Day) -> Prompt | None:
    screen = day.app.screen
    return screen.prompt if isinstance(screen, PromptScreen) else None


def _top(day: Day) -> object:
    """The screen on top (read through a call: the keys pressed change it)."""
    return day.app.screen


def _line(day: Day) -> str:
    assert day.app.live_screen is not None
    return day.app.live_screen.prompt_line


async def test_a_snooze_on_a_prompt_holds_the_prompts_waiting_behind_it(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "16:37")  # C-49 is over; the contact prompt of 11:30 is back
        first = _offered(day)
        assert first is not None and first.kind == "contact"
        waiting = Prompt("contact-w", "contact", at("16:37"), "Waiting.", False, at("16:37"))
        day.app.waiting_prompts.append(waiting)
        await pilot.press("z")  # snoozed until 17:07
        await pilot.pause()
        for hhmm in ("16:38", "16:45", "17:06"):
            await day.until(pilot, hhmm)
            assert isinstance(day.app.screen, LiveScreen), hhmm  # not back to back
        await day.until(pilot, "17:09")
        offered = _offered(day)
        assert offered is not None and offered.prompt_id == "contact-w"


async def test_an_answer_leaves_a_gap_before_the_next_prompt(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "16:37")
        assert _offered(day) is not None
        waiting = Prompt("pause-w", "pause", at("16:37"), "Waiting.", False, at("16:37"))
        day.app.waiting_prompts.append(waiting)
        await pilot.press("escape")
        await pilot.pause()
        await day.until(pilot, "16:38")  # the next minute's news: still too soon
        assert isinstance(day.app.screen, LiveScreen)
        await pilot.press("r")  # the helper's next key is theirs
        assert isinstance(day.app.screen, ReviewScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert ANSWER_GAP_S <= 4 * 60.0
        await day.until(pilot, "16:42")
        offered = _offered(day)
        assert offered is not None and offered.prompt_id == "pause-w"


async def test_an_older_prompt_says_when_it_was_raised_once_however_often_offered(
    day: Day,
) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:30")
        await pilot.press("r")
        raised, delivered = at("08:14"), at("08:20")
        day.app.waiting_prompts.append(
            Prompt("contact-old", "contact", raised, "A heavy session.", False, delivered)
        )
        await pilot.press("escape")
        await day.until(pilot, "08:31")
        offered = _offered(day)
        assert offered is not None
        assert offered.reason == "Earlier, at 08:14: A heavy session."  # raised, not shown
        assert _line(day) == "08:14 · A heavy session."  # the time once
        await day.until(pilot, "08:37")  # C-33 begins: the invitation goes down, waits
        assert isinstance(day.app.screen, LiveScreen)
        (again,) = day.app.waiting_prompts
        offered_again = day.app._current(again)
        assert offered_again is not None
        assert offered_again.reason == "Earlier, at 08:14: A heavy session."
        again_twice = day.app._current(offered_again)
        assert again_twice is not None and again_twice.reason == offered_again.reason


async def test_an_accepted_contact_closed_without_contact_is_credited_with_nothing(
    day: Day,
) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "11:31")
        prompt = _offered(day)
        assert prompt is not None and prompt.kind == "contact"
        await day.until(pilot, "11:34")  # the helper takes it up a few minutes later
        await pilot.press("enter")
        assert isinstance(day.app.screen, ContactScreen)
        await pilot.press("escape")  # not now: no one is contacted
        await pilot.pause()
        assert _line(day) == "Contact dialog closed: no one was contacted."
        stage = day.app.live.stage
        assert stage is not None
        before = stage.acts[prompt.prompt_id]["before"]
        assert before is not None and before["start_s"] >= at("11:32")  # the act's own time
        day_ = day.store.days()[-1]
        (row,) = [
            r
            for r in prompt_rows(day.store.prompts(day_), day.store.acts(day_))
            if r.prompt_id == prompt.prompt_id
        ]
        assert row.response_text.startswith("accepted at 11:3")
        assert row.response_text.endswith("· no one was contacted")
        assert row.before_after_text == ""


def _doc(prompt_id: str) -> dict[str, object]:
    return {
        "prompt_id": prompt_id,
        "kind": "contact",
        "rule": "marked_heavy",
        "raised_s": at("11:36"),
        "reason": "You marked that session as heavy.",
        "delivered_s": at("11:36"),
        "fate": "delivered",
        "response": "accepted",
        "responded_s": at("13:23"),
        "before_after": {
            "before": {"hr_bpm": 95.0, "stress": 95},
            "after": {"hr_bpm": 93.0, "stress_mean": 93.0, "minutes": 5},
        },
    }


def test_review_rows_credit_only_a_contact_that_happened() -> None:
    acts = [
        {"prompt_id": "sent", "kind": "contact", "result": {"choice": "message", "sent": True}},
        {"prompt_id": "failed", "kind": "contact", "result": {"choice": "message", "sent": False}},
        {"prompt_id": "not-now", "kind": "contact", "result": {"choice": "not-now"}},
        {"prompt_id": "talk", "kind": "contact", "result": {"choice": "in-person"}},
    ]
    docs = [_doc(p) for p in ("sent", "failed", "not-now", "talk", "none")]
    rows = {r.prompt_id: r for r in prompt_rows(docs, acts)}
    assert rows["sent"].before_after_text.startswith("heart rate 95 → 93 bpm")
    assert rows["talk"].response_text == "accepted at 13:23"
    assert rows["failed"].response_text == "accepted at 13:23 · no one was contacted (not sent)"
    assert rows["failed"].before_after_text == ""
    for prompt_id in ("not-now", "none"):
        assert rows[prompt_id].response_text == "accepted at 13:23 · no one was contacted"
        assert rows[prompt_id].before_after_text == ""


def test_a_message_act_says_whether_it_was_sent() -> None:
    result = check_act("contact", {"choice": "message", "to": "Sam", "sent": False})
    assert result == {"choice": "message", "to": "Sam", "sent": False}
    assert check_act("contact", {"choice": "not-now"}) == {"choice": "not-now"}
    with pytest.raises(ActError, match="sent must be true or false"):
        check_act("contact", {"choice": "message", "sent": "no"})


async def test_notes_on_the_prompt_line_give_way_a_failed_send_stays(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "08:27")
        await pilot.press("z")
        assert _line(day) == "Prompts are quiet until 08:56."
        await day.until(pilot, "08:30")
        day.app._note("Breathing stopped after 10 s, before a whole breath.")
        await day.until(pilot, "08:36")  # the note has had its minutes: the snooze shows again
        assert _line(day) == "Prompts are quiet until 08:56."
        await day.until(pilot, "08:59")
        assert _line(day) == "Prompts are on again (the snooze ended at 08:56)."
        await day.until(pilot, "09:05")
        assert _line(day) == IDLE_LINE
        day.app.failed_send = MessageAttempt("Sam", "Hi", False, None, "No answer.")
        day.app._note("Not sent to Sam: No answer. k tries again · i: talk in person instead.")
        await day.until(pilot, "09:20")
        assert _line(day).startswith("Not sent to Sam")  # until it is resolved


async def test_settings_being_typed_in_stay_open_as_a_client_session_begins(day: Day) -> None:
    """QA saw settings close at C-52's start (10:40:35); a guard: nothing closes them."""
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "10:39")
        await pilot.press("comma")
        await pilot.pause()
        assert isinstance(day.app.screen, SettingsScreen)
        field = day.app.screen.query_one("#daily-cap", Input)
        field.focus()
        await pilot.press("backspace", "backspace", "9", "9")
        day.app.waiting_prompts.append(
            Prompt("pause-w", "pause", at("10:39"), "Waiting.", False, at("10:39"))
        )
        for hhmm in ("10:40", "10:41", "10:45"):
            await day.until(pilot, hhmm)
            assert isinstance(day.app.screen, SettingsScreen), hhmm
        assert field.value == "99"


def test_the_day_line_never_calls_a_heavy_day_steady() -> None:
    start = at("09:00")
    steady = [(start + 60.0 * i, 30) for i in range(60)]
    now = steady[-1][0]
    assert day_load_line(steady, now) == "Steady morning."
    assert day_load_line(steady, now, marked_heavy=True) == (
        "Steady morning by the strap, but a session felt heavy."
    )
    spells = steady + [(start + 3600.0 + 60.0 * i, 90) for i in range(6)]
    spells += [(start + 4000.0 + 60.0 * i, 30) for i in range(30)]
    line = day_load_line(spells, spells[-1][0])
    assert line == "Morning with heavy spells, steadier now."
    assert day_load_line([], now, marked_heavy=True) == "A session felt heavy today."


def _breath(duration_s: float, breaths: int, hr: tuple[float, float] | None) -> BreathResult:
    start, end = hr if hr is not None else (None, None)
    return BreathResult(False, "paced", 6.0, duration_s, breaths, start, end, None, None)


def test_breathing_stopped_early_gives_before_and_after_when_measured() -> None:
    assert _breath_text(_breath(5.0, 0, (80.0, 79.0))) == (
        "Breathing stopped after 5 s, before a whole breath."  # 15 s windows would overlap
    )
    assert _breath_text(_breath(45.0, 4, (82.4, 76.6))) == (
        "4 slow breaths. Heart rate 82 → 77 bpm."
    )
    assert _breath_text(_breath(45.0, 4, None)) == "4 slow breaths."


@pytest.mark.filterwarnings("ignore:Session.login_data is deprecated")
@pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning")
async def test_a_message_that_failed_is_kept_as_not_sent(
    day: Day, loopback_only: list[Any]
) -> None:
    hook = f"json://sam:{SECRET}@{LOOPBACK}:{closed_port()}/hook"
    add_colleague(day.store.data_dir, "Sam", [hook], now_s=at("08:00"))
    day.app.wall_time = lambda: at("11:32")
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "11:31")
        prompt = _offered(day)
        assert prompt is not None and prompt.kind == "contact"
        await pilot.press("enter")
        assert isinstance(day.app.screen, ContactScreen)
        await pilot.press("ctrl+s")
        worker = day.app.contact_worker
        assert worker is not None
        await worker.wait()
        await pilot.pause()
        assert _line(day).startswith("Not sent to Sam")
    (act,) = [a for a in day.store.acts() if a["kind"] == "contact"]
    assert act["result"] == {"choice": "message", "to": "Sam", "sent": False}
    assert act["prompt_id"] == prompt.prompt_id
    day_ = day.store.days()[-1]
    (row,) = [
        r
        for r in prompt_rows(day.store.prompts(day_), day.store.acts(day_))
        if r.prompt_id == prompt.prompt_id
    ]
    assert row.response_text.endswith("· no one was contacted (not sent)")


async def test_saving_settings_does_not_pop_a_waiting_prompt_onto_the_next_key(
    day: Day,
) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.until(pilot, "10:30")  # the break: nothing quiet
        await pilot.press("comma")
        await pilot.pause()
        assert isinstance(day.app.screen, SettingsScreen)
        day.app.waiting_prompts.append(
            Prompt("pause-w", "pause", at("10:30"), "Waiting.", False, at("10:30"))
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(_top(day), LiveScreen)  # the next key is the helper's
        await pilot.press("r")
        assert isinstance(_top(day), ReviewScreen)
        await pilot.press("escape")
        await day.until(pilot, "10:32")  # offered on news
        offered = _offered(day)
        assert offered is not None and offered.prompt_id == "pause-w"
