"""Bare apps that host one screen in a Pilot test, and the waits and reads they share.

Each host pushes its screen on mount and keeps what the screen posts (what it loaded,
what it returned, the notices shown), so a test asserts on messages, not on timing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.app import App
from textual.widgets import Static

from companion.store.store import Store
from tui.screens.breathe import BreatheScreen, BreathResult
from tui.screens.review import ReviewScreen
from tui.screens.trends import TrendsScreen


class BreatheHost(App[None]):
    """A bare app that opens the breathing screen and keeps what it returns."""

    def __init__(self, screen: BreatheScreen) -> None:
        super().__init__()
        self.breathe = screen
        self.results: list[BreathResult | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.breathe, self.results.append)


class ReviewHost(App[None]):
    """A bare app that opens the review and records notices and loaded days."""

    def __init__(self, store: Any, day: date | None = None) -> None:
        super().__init__()
        self.store = store
        self.day = day
        self.notices: list[str] = []
        self.loaded: list[date | None] = []

    def on_mount(self) -> None:
        self.push_screen(ReviewScreen(self.store, self.day))

    def notify(self, message: str, *args: Any, **kwargs: Any) -> None:
        self.notices.append(message)
        super().notify(message, *args, **kwargs)

    def on_review_screen_day_loaded(self, message: ReviewScreen.DayLoaded) -> None:
        self.loaded.append(None if message.review is None else message.review.day)


class TrendsHost(App[None]):
    """A bare app that shows the trends screen and keeps what it loaded."""

    def __init__(self, store: Store, end: date | None = None) -> None:
        super().__init__()
        self.store = store
        self.end = end
        self.loaded: list[TrendsScreen.Loaded] = []

    def on_mount(self) -> None:
        self.push_screen(TrendsScreen(self.store, self.end))

    def on_trends_screen_loaded(self, message: TrendsScreen.Loaded) -> None:
        self.loaded.append(message)


async def settle(app: App[None], pilot: Any) -> None:
    """Until the screen's reading workers are done and what they posted is handled."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def static_text(app: App[None], selector: str) -> str:
    """The text of the :class:`~textual.widgets.Static` ``selector`` on the app's screen."""
    return str(app.screen.query_one(selector, Static).content)
