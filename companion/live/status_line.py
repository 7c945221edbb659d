"""The recorder's status line: the link's state, heart rate, beats stored, battery.

On a terminal the line is redrawn in place every few seconds; in a service's log a
line is printed on every state change and once a minute.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Final, TextIO

from companion.pipeline.listener import RunListener
from companion.sessions import Session
from sensors.beats import Beat, GapReason
from sensors.ble.link import LinkState, SupervisorStatus
from sensors.events import BatteryLevel, Measurement, SourceEvent

__all__ = ["StatusLine"]

STATUS_EVERY_S: Final = 5.0
"""How often the status line is redrawn (on a terminal) or printed (in a log)."""
LOG_STATUS_EVERY_S: Final = 60.0
"""How often it is printed in a log when nothing changes."""


class StatusLine(RunListener):
    """A run listener printing one status line: state, heart rate, beats, battery.

    On a terminal the line is redrawn in place every few seconds; otherwise (a
    service's log) a line is printed on every state change and once a minute.
    """

    def __init__(
        self, stream: TextIO | None = None, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.monotonic = monotonic
        self.state = "starting"
        self.beats = 0
        self.hr_bpm: int | None = None
        self.battery_pct: int | None = None
        self._next = 0.0
        self._drawn = False

    def on_link(self, status: SupervisorStatus) -> None:
        if status.state is LinkState.GAVE_UP:
            return  # the command ends with that same sentence as its error
        changed = status.line() != self.state
        first = self.state == "starting"
        self.state = status.line()
        if first and not self.tty:
            return  # a log starts with the first real news, not "scanning"
        self.draw(force=changed)

    def on_event(self, event: SourceEvent) -> None:
        match event:
            case Measurement(measurement=m) if m.has_heart_rate:
                self.hr_bpm = m.heart_rate_bpm
            case BatteryLevel(percent=p):
                self.battery_pct = p
            case _:
                pass

    def on_beats(self, beats: Sequence[Beat], gap_reasons: Mapping[int, GapReason]) -> None:
        self.beats += len(beats)
        self.draw()

    def on_session_opened(self, session: Session) -> None:
        self.draw()

    def on_session_closed(self, session: Session) -> None:
        self.draw()

    def on_stream_end(self, at_s: float | None) -> None:
        self.close()

    def text(self) -> str:
        parts = [self.state]
        if self.hr_bpm is not None:
            parts.append(f"{self.hr_bpm} bpm")
        parts.append(f"{self.beats:,} beats stored")
        if self.battery_pct is not None:
            parts.append(f"battery {self.battery_pct}%")
        return " · ".join(parts)

    def draw(self, *, force: bool = False) -> None:
        now = self.monotonic()
        if not force and now < self._next:
            return
        self._next = now + (STATUS_EVERY_S if self.tty else LOG_STATUS_EVERY_S)
        if self.tty:
            self.stream.write(f"\r\x1b[2K{self.text()}")
            self._drawn = True
        else:
            self.stream.write(f"holdspace: {self.text()}\n")
        self.stream.flush()

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
