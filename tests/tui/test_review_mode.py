"""``holdspace review`` (the app with no run) (issue 15.7).

Escape on the review opened from the command line left a blank screen; now it
leaves the app, as back from the only screen. Acts of the live day (from the palette:
their keys are the live screen's) say this is the review instead of "Waiting for the
first beats…".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from companion.store.store import Store
from tui.app import HoldspaceApp
from tui.screens.review import ReviewScreen

SIZE = (120, 40)
REVIEW_ONLY = "This is the review: sessions run on the live screen (run holdspace)."


@pytest.fixture
def store(heavy_day_store: Path) -> Iterator[Store]:
    with Store(heavy_day_store, read_only=True) as opened:
        yield opened


class _Watched:
    """The app for ``holdspace review``, with its notices and exits counted."""

    def __init__(self, store: Store) -> None:
        self.app = HoldspaceApp(None, store=store)
        self.notices: list[str] = []
        self.exits = 0
        notify, exit_ = self.app.notify, self.app.exit

        def noted(message: str, *args: Any, **kwargs: Any) -> None:
            self.notices.append(message)
            notify(message, *args, **kwargs)

        def left(*args: Any, **kwargs: Any) -> None:
            self.exits += 1
            exit_(*args, **kwargs)

        self.app.notify = noted  # type: ignore[method-assign]
        self.app.exit = left  # type: ignore[method-assign]


async def test_escape_leaves_the_review_opened_alone(store: Store) -> None:
    watched = _Watched(store)
    app = watched.app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert watched.exits == 1


async def test_live_acts_say_this_is_the_review(store: Store) -> None:
    """The live day's keys are the live screen's own: on the review they are not bound
    (nor shown); its acts, from the palette, say this is the review."""
    watched = _Watched(store)
    app = watched.app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in ("s", "e", "z"):
            await pilot.press(key)
        assert watched.notices == []
        for act in (app.action_start_session, app.action_end_session, app.action_snooze):
            act()  # as the palette's "Start a session", "End the session", "Snooze prompts"
        await pilot.pause()
        assert watched.notices[-3:] == [
            REVIEW_ONLY,
            REVIEW_ONLY,
            "This is the review: prompts come on the live screen (run holdspace).",
        ]
        assert not any("Waiting for the first beats" in n for n in watched.notices)
        assert isinstance(app.screen, ReviewScreen)
