"""Planned sessions (from the calendar) that start and end themselves while beats arrive.

A pure state machine: fed the time and the running session, it says when to start
a planned session and when to end the one it started. The helper's own tagging
always wins: nothing starts while another session runs, and a planned session the
helper ended, or said is not happening (:meth:`Planner.skip`), does not come back.
All-day events are never started. Of overlapping events, the first to start runs;
a later one starts only if it still has time left once nothing runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

__all__ = ["MIN_LEFT_S", "PlanStep", "Planned", "Planner"]

MIN_LEFT_S: Final = 5 * 60.0
"""A planned session is not started with less than this left of it."""


@dataclass(frozen=True, slots=True)
class Planned:
    """A planned session: when, its kind and neutral label, and its calendar id."""

    uid: str
    start_s: float
    end_s: float
    kind: str
    label: str

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Planned:
        return cls(
            str(doc["uid"]),
            float(doc["start_s"]),
            float(doc["end_s"]),
            str(doc["kind"]),
            str(doc["label"]),
        )


@dataclass(frozen=True, slots=True)
class PlanStep:
    """What to do now: ``start`` or ``end`` the planned session."""

    action: Literal["start", "end"]
    planned: Planned


class Planner:
    """Which planned session to start or end at a time (see the module docstring)."""

    def __init__(self, planned: Sequence[Mapping[str, Any]]) -> None:
        self.planned = sorted(
            (Planned.from_doc(d) for d in planned if not d.get("all_day")),
            key=lambda p: (p.start_s, p.end_s),
        )
        self.running: Planned | None = None
        self._done: set[str] = set()

    def step(self, now_s: float, session_running: bool) -> PlanStep | None:
        """The step due at ``now_s``; ``session_running``: any session is open now.

        A started session the helper has ended by hand (``session_running`` false
        while it should run) counts as done.
        """
        current = self.running
        if current is not None:
            if not session_running:
                self._finish(current)
            elif now_s >= current.end_s:
                self._finish(current)
                return PlanStep("end", current)
            else:
                return None
        if session_running:
            return None
        for planned in self.planned:
            if planned.uid in self._done or planned.start_s > now_s:
                continue
            if planned.end_s - now_s >= MIN_LEFT_S:
                self.running = planned
                return PlanStep("start", planned)
        return None

    def next_change_s(self) -> float | None:
        """The next time :meth:`step` could act (the running one's end, else a start)."""
        if self.running is not None:
            return self.running.end_s
        starts = [p.start_s for p in self.planned if p.uid not in self._done]
        return min(starts) if starts else None

    def skip(self) -> Planned | None:
        """The helper says the running planned session is not happening: it is done."""
        current = self.running
        if current is not None:
            self._finish(current)
        return current

    def _finish(self, planned: Planned) -> None:
        self._done.add(planned.uid)
        self.running = None
