"""What a screen hears from a :class:`~companion.live.session.LiveSession`, and the link
state it shows.

Nothing here imports Textual: the screen adapts the listener to its messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from companion.pipeline.results import MinuteResult
    from companion.prompts.records import Prompt
    from companion.sessions import Session
    from sensors.beats import Beat
    from sensors.ble.link import SupervisorStatus
    from sensors.events import AccSamples

__all__ = ["LinkInfo", "LiveListener"]


@dataclass(frozen=True, slots=True)
class LinkInfo:
    """The state of the beat source, in words a screen can show as it is.

    Attributes
    ----------
    state : ``scanning``, ``connecting``, ``streaming``, ``contact-lost``,
        ``reconnecting``, ``gave-up``, ``stopped``, or ``playing`` / ``ended``
        for a recording.
    detail : a plain sentence ("the link dropped"), or "".
    retry_in_s : seconds to the next attempt while reconnecting.
    replay_speed : for a recording replayed, how many times real time (``math.inf``:
        as fast as possible); None for anything else.
    """

    state: str
    detail: str = ""
    retry_in_s: float | None = None
    replay_speed: float | None = None

    @classmethod
    def from_status(cls, status: SupervisorStatus) -> LinkInfo:
        return cls(status.state.value, status.detail, status.retry_in_s)


class LiveListener(Protocol):
    """What a screen hears from a :class:`LiveSession` (all on the event loop's thread)."""

    def live_beats(self, beats: Sequence[Beat]) -> None: ...

    def live_minute(self, minute: MinuteResult) -> None: ...

    def live_prompt(self, prompt: Prompt) -> None: ...

    def live_session(self, session: Session, is_open: bool) -> None: ...

    def live_link(self, link: LinkInfo) -> None: ...

    def live_battery(self, percent: int) -> None: ...

    def live_contact(self, contact: bool) -> None:
        """Skin contact, from straps that can tell (never called by those that cannot)."""

    def live_heart_rate(self, hr_bpm: int) -> None:
        """The heart rate the strap itself reports, with each notification."""

    def live_chest(self, samples: AccSamples) -> None:
        """The chest strap's accelerometer samples (straps with PMD only): the pacer shows
        the chest's breathing from them."""

    def live_ended(self) -> None: ...
