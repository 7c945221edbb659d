"""Two lines of the live screen (issue 15.13): the replay's speed, and "measuring…".

A replay ran at 1× without saying so; the link line now names its speed. The
first, partial minute after connecting (or reconnecting) said "signal poor … beats
covered only 8% of the minute"; it now says "measuring…".
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from companion.live.listener import LinkInfo
from companion.live.session import LiveSession
from sensors.clock import ManualClock
from tests.support.app import SIZE, Day
from tests.support.paths import FIXTURES
from tui.screens.live import link_text


@pytest.mark.parametrize(
    ("speed", "line"),
    [
        (1.0, "Replaying at 1× — recording rest.hsrec"),
        (60.0, "Replaying at 60× — recording rest.hsrec"),
        (math.inf, "Replaying as fast as it goes — recording rest.hsrec"),
        (None, "Replaying: recording rest.hsrec"),
    ],
)
def test_the_link_line_names_the_replay_speed(speed: float | None, line: str) -> None:
    assert link_text(LinkInfo("playing", "recording rest.hsrec", replay_speed=speed)) == line


class _Links:
    """A listener that keeps the link states it hears (and ignores the rest)."""

    def __init__(self) -> None:
        self.links: list[LinkInfo] = []

    def live_link(self, link: LinkInfo) -> None:
        self.links.append(link)

    def live_beats(self, beats: Sequence[Any]) -> None: ...
    def live_minute(self, minute: Any) -> None: ...
    def live_prompt(self, prompt: Any) -> None: ...
    def live_session(self, session: Any, is_open: bool) -> None: ...
    def live_battery(self, percent: int) -> None: ...
    def live_contact(self, contact: bool) -> None: ...
    def live_heart_rate(self, hr_bpm: int) -> None: ...
    def live_chest(self, samples: Any) -> None: ...
    def live_ended(self) -> None: ...


@pytest.mark.parametrize(("speed", "told"), [(1.0, 1.0), (None, math.inf)])
async def test_a_replay_tells_its_speed(speed: float | None, told: float) -> None:
    listener = _Links()
    clock = ManualClock(0.0)  # paces the 1x replay without waiting
    await LiveSession(None, listener, clock).replay(FIXTURES / "rest-5min.hsrec", speed, clock)
    playing = [link for link in listener.links if link.state == "playing"]
    assert playing and playing[0].replay_speed == told


@pytest.fixture
async def day(data_dir: Path) -> AsyncIterator[Day]:
    d = Day(data_dir)
    yield d
    d.store.close()


def _at(hhmmss: str) -> float:
    h, m, s = (int(x) for x in hhmmss.split(":"))
    return datetime(2026, 11, 23, h, m, s, tzinfo=UTC).timestamp()


def _lines(day: Day) -> tuple[str, str]:
    live = day.app.live_screen
    assert live is not None
    return str(live.query_one("#stress-head").render()), str(live.query_one("#vitals").render())


async def test_the_partial_first_minute_after_connecting_says_measuring(day: Day) -> None:
    async with day.app.run_test(size=SIZE) as pilot:
        await day.gate.until(_at("08:26:30"))  # beats began at 08:25:54
        await pilot.pause()
        assert _lines(day) == ("Stress: measuring…", "measuring…")
        await day.until(pilot, "08:28")
        head, vitals = _lines(day)
        assert head.startswith("Stress ") and vitals.startswith("signal good")
        # The strap drops out 09:42:17-09:46:35: minutes without beats say so ...
        await day.until(pilot, "09:47")
        assert _lines(day) == ("Stress: no score this minute", "no signal")
        # ... and the partial minute after it reconnects is measuring, not "poor".
        await day.until(pilot, "09:48")
        assert _lines(day) == ("Stress: measuring…", "measuring…")
