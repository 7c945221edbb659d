"""A quiet progress bar on stderr for replays and imports that take a while."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Final, TextIO

from companion.pipeline.listener import RunListener
from companion.sessions import Session
from sensors.beats import Beat, GapReason
from sensors.events import SourceEvent

__all__ = ["ProgressBar"]

_SHOW_AFTER_S: Final = 1.0
_REDRAW_EVERY_S: Final = 0.1
_WIDTH: Final = 30


class ProgressBar(RunListener):
    """Draws ``label [#####.....]  42%`` on a terminal, only once a job passes a second.

    Off when the stream is not a TTY. It is a run listener: it polls
    ``fraction()`` at most every 0.1 s as events flow.
    """

    def __init__(
        self,
        label: str,
        fraction: Callable[[], float | None],
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.fraction = fraction
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._monotonic = monotonic
        self._started = monotonic()
        self._next_draw = self._started + _SHOW_AFTER_S
        self.drawn = False

    def tick(self) -> None:
        if not self.enabled:
            return
        now = self._monotonic()
        if now < self._next_draw:
            return
        self._next_draw = now + _REDRAW_EVERY_S
        done = self.fraction()
        if done is None:
            return
        filled = round(done * _WIDTH)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (_WIDTH - filled)}] {done:4.0%}")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * (len(self.label) + _WIDTH + 9) + "\r")
            self.stream.flush()
            self.drawn = False

    # Observer protocol
    def on_event(self, event: SourceEvent) -> None:
        self.tick()

    def on_beats(self, beats: Sequence[Beat], gap_reasons: Mapping[int, GapReason]) -> None:
        pass

    def on_session_opened(self, session: Session) -> None:
        pass

    def on_session_closed(self, session: Session) -> None:
        pass

    def on_stream_end(self, at_s: float | None) -> None:
        pass
