"""The live session's news as Textual messages.

:class:`Feed` is the :class:`~companion.live.listener.LiveListener` of the app: the
pipeline calls it on the event loop's thread, and it posts one message per
piece of news to the app, which routes them to the screens. Widgets never get
called from the pipeline directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.message import Message

if TYPE_CHECKING:
    from companion.live.listener import LinkInfo
    from companion.pipeline.results import MinuteResult
    from companion.prompts.records import Prompt
    from companion.sessions import Session
    from sensors.beats import Beat
    from sensors.events import AccSamples

__all__ = ["Feed"]


class Feed:
    """Posts the live session's news to ``app`` as messages."""

    class Beats(Message):
        """New beats (times in epoch seconds of the stream), oldest first.

        While one is waiting in the app's queue, later beats join it instead of
        queueing messages of their own: a fast strap (or a replay at 240x) costs
        the screen one redraw per turn of the loop, not one per notification.
        """

        def __init__(self) -> None:
            super().__init__()
            self.beats: list[Beat] = []
            self.taken = False

        def take(self) -> list[Beat]:
            """The beats gathered so far; later ones go into a new message."""
            self.taken = True
            return self.beats

    @dataclass
    class Chest(Message):
        """The chest strap's accelerometer samples (a Polar H10's), for the pacer."""

        samples: AccSamples

    @dataclass
    class HeartRate(Message):
        """The heart rate the strap reports; only the latest matters."""

        hr_bpm: int

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, Feed.HeartRate)

    @dataclass
    class Minute(Message):
        """A scored minute: markers, stress with its reasons, the day's load."""

        minute: MinuteResult

    @dataclass
    class PromptDelivered(Message):
        """The policy invites the helper to pause, breathe or contact a colleague."""

        prompt: Prompt

    @dataclass
    class SessionChanged(Message):
        session: Session
        is_open: bool

    @dataclass
    class Link(Message):
        link: LinkInfo

    @dataclass
    class Battery(Message):
        percent: int

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, Feed.Battery)

    @dataclass
    class Contact(Message):
        contact: bool

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, Feed.Contact)

    @dataclass
    class Ended(Message):
        """The source has ended (a recording played out, or the strap was let go)."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self._contact: bool | None = None
        self._beats: Feed.Beats | None = None

    def live_beats(self, beats: Sequence[Beat]) -> None:
        if not beats:
            return
        if self._beats is None or self._beats.taken:
            self._beats = Feed.Beats()
            self.app.post_message(self._beats)
        self._beats.beats.extend(beats)

    def live_minute(self, minute: MinuteResult) -> None:
        self.app.post_message(Feed.Minute(minute))

    def live_prompt(self, prompt: Prompt) -> None:
        self.app.post_message(Feed.PromptDelivered(prompt))

    def live_session(self, session: Session, is_open: bool) -> None:
        self.app.post_message(Feed.SessionChanged(session, is_open))

    def live_link(self, link: LinkInfo) -> None:
        self.app.post_message(Feed.Link(link))

    def live_battery(self, percent: int) -> None:
        self.app.post_message(Feed.Battery(percent))

    def live_contact(self, contact: bool) -> None:
        if contact != self._contact:  # every notification carries it; post changes only
            self._contact = contact
            self.app.post_message(Feed.Contact(contact))

    def live_heart_rate(self, hr_bpm: int) -> None:
        self.app.post_message(Feed.HeartRate(hr_bpm))

    def live_chest(self, samples: AccSamples) -> None:
        self.app.post_message(Feed.Chest(samples))

    def live_ended(self) -> None:
        self.app.post_message(Feed.Ended())
