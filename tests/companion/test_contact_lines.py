"""The opt-in line about the day and the team status: bands only, never numbers or labels."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from companion.connect.contact import day_load_line, team_status_line, with_load_line

TZ = ZoneInfo("Europe/Berlin")


def minutes(hour: int, scores: list[int | None], minute: int = 0) -> list[tuple[float, int | None]]:
    start = datetime(2026, 11, 24, hour, minute, tzinfo=TZ).timestamp()
    return [(start + 60.0 * i, s) for i, s in enumerate(scores)]


def test_heavy_morning_steadier_now() -> None:
    day = minutes(9, [85] * 120) + minutes(13, [30] * 45)
    now = day[-1][0]
    assert day_load_line(day, now, TZ) == "Heavy morning, steady afternoon, steadier now."
    assert team_status_line(day, now, TZ) == (
        "Heavy morning, steady afternoon, steadier now; could use a chat."
    )


def test_still_heavy_now_and_parts_with_too_few_minutes_are_left_out() -> None:
    day = minutes(8, [60] * 5) + minutes(14, [80] * 90)  # five morning minutes: not enough
    now = day[-1][0]
    assert day_load_line(day, now, TZ) == "Heavy afternoon, still heavy now."


def test_calm_day_offers_no_chat_and_too_little_says_nothing() -> None:
    day = minutes(9, [15] * 60)
    assert day_load_line(day, day[-1][0], TZ) == "Calm morning."
    assert team_status_line(day, day[-1][0], TZ) == "Calm morning."
    sparse = minutes(9, [90, None, None, 90])
    assert day_load_line(sparse, sparse[-1][0], TZ) is None
    assert team_status_line(sparse, sparse[-1][0], TZ).startswith("Checking in")


def test_lines_hold_no_numbers() -> None:
    day = minutes(9, [77, 12, 99, 51] * 40) + minutes(18, [40] * 30)
    line = day_load_line(day, day[-1][0], TZ)
    assert line is not None and not re.search(r"\d", line)


def test_the_line_is_added_only_when_asked() -> None:
    assert with_load_line("How are you holding up?  ", None) == "How are you holding up?"
    assert with_load_line("Hi", "Busy morning.") == "Hi\n\nBusy morning."
