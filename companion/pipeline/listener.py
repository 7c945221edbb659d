"""What a run tells whoever follows it: one listener for the pipeline, the stage and the strap.

:func:`~companion.pipeline.runs.run_source` and :func:`~companion.live.recorder.record` tell
their listeners everything they hear, in one protocol, instead of a record of callbacks: the
screen's live session, the recorder's status line and the command line's progress bar are
each one :class:`RunListener`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from companion.pipeline.pipeline import Observer

if TYPE_CHECKING:
    from companion.pipeline.results import MinuteResult
    from companion.pipeline.stage import SignalStage
    from companion.prompts.records import Prompt
    from companion.sessions import Session
    from sensors.beats import Beat, GapReason
    from sensors.ble.link import SupervisorStatus
    from sensors.ble.supervisor import StrapSupervisor
    from sensors.events import SourceEvent

__all__ = ["RunListener"]


class RunListener(Observer):
    """Whoever follows a run: the pipeline's observer, and the news of the stage and the strap.

    One protocol for everything a run tells: the pipeline's events, beats, sessions and
    end (:class:`~companion.pipeline.pipeline.Observer`); the signal stage once made, each
    scored minute and each delivered prompt; a strap's link and supervisor
    (:mod:`companion.live.recorder`). Every method does nothing here: a listener overrides
    those it cares about. Listeners hear each event on the event loop's thread, in the
    order they were given to the run.
    """

    def on_event(self, event: SourceEvent) -> None:
        """Every raw source event, before the pipeline acts on it."""

    def on_beats(self, beats: Sequence[Beat], gap_reasons: Mapping[int, GapReason]) -> None:
        """New beats, oldest first; ``gap_reasons`` indexes into ``beats``."""

    def on_session_opened(self, session: Session) -> None:
        """A session has started."""

    def on_session_closed(self, session: Session) -> None:
        """A session has ended."""

    def on_stream_end(self, at_s: float | None) -> None:
        """The source ended (``at_s``: its last event time)."""

    def on_stage(self, stage: SignalStage) -> None:
        """The signal stage, once made, before the first event (a screen answers prompts
        through its policy)."""

    def on_minute(self, minute: MinuteResult) -> None:
        """Each scored minute, once it is queued for the store."""

    def on_prompt(self, prompt: Prompt) -> None:
        """Each prompt the policy delivers."""

    def on_link(self, status: SupervisorStatus) -> None:
        """Each state change of a strap's link (a strap's run only)."""

    def on_supervisor(self, supervisor: StrapSupervisor) -> None:
        """The strap's supervisor, once made: stopping it ends the run (a strap's run only)."""
