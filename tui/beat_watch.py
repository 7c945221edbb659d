"""Whether beats are coming in now: a silence watchdog on the injected clock.

The live screen, a pause and the breathing exercise show heart readings only
while beats arrive. The app tells a :class:`BeatWatch` of each batch of beats
and of the end of the stream; the screens ask it, each frame, why no beats are
coming in (``None`` while they are) and show that sentence in place of numbers,
so an old reading is never shown as live. Time is the injected clock's
(``clock.monotonic()``): a test moves it by hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from sensors.clock import Clock

__all__ = ["NO_BEATS_S", "BeatWatch"]

NO_BEATS_S: Final = 10.0
"""Seconds without a beat after which readings count as stale: a strap sends a
notification about every second, so ten missed in a row is a lost feed, not a pause."""


class BeatWatch:
    """The time of the last beats and whether the stream has ended (see module)."""

    def __init__(self, clock: Clock, silent_after_s: float = NO_BEATS_S) -> None:
        self.clock = clock
        self.silent_after_s = silent_after_s
        self.last_beat_s: float | None = None
        """``clock.monotonic()`` at the last beats, None before the first."""
        self.ended: str | None = None
        """Why the stream ended, in words, once it has."""

    def beats(self) -> None:
        """Beats have just come in."""
        self.last_beat_s = self.clock.monotonic()
        self.ended = None

    def end(self, why: str) -> None:
        """The stream has ended (``why`` in words: "the recording has ended")."""
        self.ended = why

    @property
    def silence(self) -> str | None:
        """Why no beats are coming in now, in words for the screen; None while they are."""
        if self.ended is not None:
            return f"no beats coming in: {self.ended}"
        if self.last_beat_s is None:
            return "no beats yet"
        quiet_s = self.clock.monotonic() - self.last_beat_s
        if quiet_s >= self.silent_after_s:
            return f"no beats coming in for {quiet_s:.0f} s"
        return None

    @property
    def live(self) -> bool:
        """Whether beats are coming in now."""
        return self.silence is None
