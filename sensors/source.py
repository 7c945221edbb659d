"""The one seam every beat source sits behind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from sensors.events import SourceEvent

__all__ = ["BeatSource"]


class BeatSource(Protocol):
    """Anything that yields :data:`~sensors.events.SourceEvent` s.

    The live strap, the emulated strap, a replayed recording and an imported
    RR file all implement this; the pipeline cannot tell them apart.

    Attributes
    ----------
    source_id : stable identifier of what is being read (a recording id, a
        file digest, a strap address plus session start).
    description : a short human description for messages ("recording heavy.hsrec").
    """

    source_id: str
    description: str

    def events(self) -> AsyncIterator[SourceEvent]:
        """Yield events in arrival order until the source ends."""
        ...

    @property
    def progress(self) -> float | None:
        """Fraction done in 0..1 for finite sources, ``None`` for live ones."""
        ...
