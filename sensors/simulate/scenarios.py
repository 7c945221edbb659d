"""Day scripts: when the helper's sessions happen, how demanding they are, when the link fails.

A script is built from the scenario name and a seeded generator. Times are whole
seconds after the recording start, which is a local wall-clock time (about 08:30
for day scenarios). ``demand`` is a dimensionless 0..1 intensity of what the
moment asks of the helper; the physiology turns it into a smoothed load state.
Labels are the helper's own codes ("C-07", "SUP"), never names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from sensors.events import SESSION_KINDS
from sensors.names import SCENARIOS
from sensors.simulate.noise import FloatArray, lorentzian_noise

__all__ = [
    "DayScript",
    "LinkPlan",
    "ScriptedSession",
    "WalkingSpell",
    "build_script",
    "check_scenario",
    "demand_profile",
    "movement_profile",
    "plan_link_problems",
]


DAY_START_S: Final = 8 * 3600 + 30 * 60
"""Nominal start of a day scenario, seconds after local midnight (08:30)."""

DEMAND_FS_HZ: Final = 1.0
"""Sampling rate of the demand profile, in hertz."""

_IDLE_DEMAND: Final = 0.12
"""Demand between sessions (corridors, notes, the next client waiting)."""

_WOBBLE_CORNER_HZ: Final = 1.0 / (2.0 * np.pi * 120.0)
"""Corner of the within-block demand wobble: a correlation time of two minutes."""


@dataclass(frozen=True, slots=True)
class ScriptedSession:
    """One tagged session of the script.

    Attributes
    ----------
    kind : one of :data:`sensors.events.SESSION_KINDS`.
    label : the helper's own code.
    start_s, duration_s : start (seconds after the recording start) and length, in seconds.
    demand : intensity, 0 (restful) .. 1 (as demanding as it gets).
    heavy : the helper's own "heavy" mark at the end, or ``None`` when not given.
    """

    kind: str
    label: str
    start_s: int
    duration_s: int
    demand: float
    heavy: bool | None = None

    @property
    def end_s(self) -> int:
        return self.start_s + self.duration_s


@dataclass(frozen=True, slots=True)
class WalkingSpell:
    """The helper walks: down a corridor between sessions, or out at lunch.

    Attributes
    ----------
    start_s, duration_s : start (seconds after the recording start) and length, in seconds.
    step_hz : cadence, in steps per second (ordinary walking: 1.7-2.0).
    intensity : how brisk, 0..1 (1: an ordinary outdoor walk); scales the
        heart-rate response and the size of the steps.
    """

    start_s: int
    duration_s: int
    step_hz: float
    intensity: float

    @property
    def end_s(self) -> int:
        return self.start_s + self.duration_s


@dataclass(frozen=True, slots=True)
class LinkPlan:
    """Scripted link trouble, as ``(start_s, end_s)`` windows after the recording start.

    ``disconnects``: the host sees the link drop at ``start_s`` and reconnect at
    ``end_s``. ``contact_losses``: packets arriving in the window say "no contact".
    """

    disconnects: tuple[tuple[int, int], ...] = ()
    contact_losses: tuple[tuple[int, int], ...] = ()

    def windows(self) -> tuple[tuple[int, int], ...]:
        return tuple(sorted(self.disconnects + self.contact_losses))


@dataclass(frozen=True, slots=True)
class DayScript:
    """What happens during one simulated recording.

    Attributes
    ----------
    scenario : the scenario name.
    start_local_s : start of the recording, seconds after local midnight.
    duration_s : length of the recording, in seconds.
    sessions : tagged sessions, in order, not overlapping.
    paced_breathing_per_min : a fixed breathing rate (breaths per minute) for
        paced breathing, or ``None`` for spontaneous breathing.
    high_load : the scripted sustained high-demand episode ``(start_s, end_s)``,
        or ``None``. Physiological load follows it with a lag of 1-3 minutes.
    full_day : whether the strap has a day's worth of trouble (one disconnect,
        a few contact losses).
    walks : walking spells, in order, not overlapping any session but a break.
    """

    scenario: str
    start_local_s: int
    duration_s: int
    sessions: tuple[ScriptedSession, ...]
    paced_breathing_per_min: float | None = None
    high_load: tuple[int, int] | None = None
    full_day: bool = False
    walks: tuple[WalkingSpell, ...] = ()


class _Builder:
    """Lays blocks end to end with a little seeded jitter on every duration."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.t_s = 0
        self.sessions: list[ScriptedSession] = []
        self.walks: list[WalkingSpell] = []
        self._codes = iter(rng.permutation(np.arange(1, 60)).tolist())

    def _minutes(self, minutes: float, jitter_min: float) -> int:
        jitter = self.rng.uniform(-jitter_min, jitter_min) if jitter_min else 0.0
        return max(60, round((minutes + jitter) * 60.0))

    def idle(self, minutes: float, jitter_min: float = 3.0) -> None:
        self.t_s += self._minutes(minutes, jitter_min)

    def client_code(self) -> str:
        return f"C-{next(self._codes):02d}"

    def block(
        self,
        kind: str,
        label: str,
        minutes: float,
        demand: float,
        heavy: bool | None = None,
        jitter_min: float = 2.0,
    ) -> ScriptedSession:
        if kind not in SESSION_KINDS:  # pragma: no cover - a bug in a script
            raise ValueError(f"unknown session kind {kind!r}")
        session = ScriptedSession(
            kind, label, self.t_s, self._minutes(minutes, jitter_min), demand, heavy
        )
        self.sessions.append(session)
        self.t_s = session.end_s
        return session

    def client(self, demand: float, heavy: bool | None = None) -> ScriptedSession:
        return self.block("client", self.client_code(), 50, demand, heavy)

    def walk(self, minutes: float, jitter_min: float, intensity: float) -> WalkingSpell:
        """Walk now for about ``minutes`` (at least 40 s), at a cadence of 1.7-2.0 steps/s."""
        jitter = self.rng.uniform(-jitter_min, jitter_min) if jitter_min else 0.0
        spell = WalkingSpell(
            self.t_s,
            max(40, round((minutes + jitter) * 60.0)),
            round(float(self.rng.uniform(1.7, 2.0)), 3),
            intensity,
        )
        self.walks.append(spell)
        self.t_s = spell.end_s
        return spell

    def corridor(self) -> None:
        """A short walk between two sessions, with a minute or two around it."""
        self.idle(2, jitter_min=1)
        self.walk(2.0, 1.0, 0.8)
        self.idle(2, jitter_min=1)


def _calm(rng: np.random.Generator, start_local_s: int) -> DayScript:
    b = _Builder(rng)
    b.idle(15)
    b.block("admin", "ADM", 40, 0.15)
    b.idle(10)
    b.client(0.30)
    b.block("break", "BRK", 20, 0.0)
    b.client(0.35)
    b.idle(20)
    b.block("break", "LUNCH", 50, 0.02)
    b.idle(10)
    b.client(0.30)
    b.idle(10)
    b.block("team", "TEAM", 50, 0.20)
    b.block("break", "BRK", 20, 0.0)
    b.client(0.30)
    b.idle(10)
    if rng.random() < 0.5:
        b.client(0.35)
        b.idle(10)
        b.block("admin", "ADM", 30, 0.15)
    else:
        b.block("admin", "ADM", 75, 0.15)
    b.idle(20)
    return DayScript("calm", start_local_s, b.t_s, tuple(b.sessions), full_day=True)


def _heavy(rng: np.random.Generator, start_local_s: int) -> DayScript:
    b = _Builder(rng)
    b.idle(10)
    b.client(0.45)
    b.idle(10)
    b.client(0.50)
    b.block("break", "BRK", 15, 0.0)
    first = b.client(0.90, heavy=True)
    b.idle(2, jitter_min=1)
    b.client(0.95, heavy=True)
    b.idle(2, jitter_min=1)
    last = b.client(0.90, heavy=True)
    b.block("break", "LUNCH", 30, 0.05)
    b.idle(5)
    b.client(0.55)
    b.idle(10)
    b.client(0.50)
    b.idle(5)
    b.client(0.60, heavy=bool(rng.random() < 0.5) or None)
    b.idle(5)
    b.block("supervision", "SUP", 50, 0.35)
    b.idle(5)
    b.block("admin", "ADM", 20, 0.20)
    b.idle(5)
    return DayScript(
        "heavy",
        start_local_s,
        b.t_s,
        tuple(b.sessions),
        high_load=(first.start_s, last.end_s),
        full_day=True,
    )


def _walking(rng: np.random.Generator, start_local_s: int) -> DayScript:
    """A workday on the move: corridor walks between sessions and a walk at lunch.

    About 08:30 to 16:30. One intense client session (the ``high_load`` of the
    truth) shows that stress while seated is still stress; the walks raise the
    heart rate without any demand.
    """
    b = _Builder(rng)
    b.idle(5)
    b.walk(3.0, 1.0, 0.9)  # in from the tram stop
    b.idle(5)
    b.block("admin", "ADM", 30, 0.15)
    b.corridor()
    b.client(0.40)
    b.corridor()
    b.client(0.45)
    b.block("break", "BRK", 15, 0.0)
    b.walk(3.0, 1.0, 0.8)  # to the far building
    b.idle(3, jitter_min=1)
    intense = b.client(0.90, heavy=True)
    b.idle(3, jitter_min=1)
    lunch = b.block("break", "LUNCH", 50, 0.02, jitter_min=5)
    b.t_s = lunch.start_s + round(float(rng.uniform(20.0, 22.0)) * 60.0)
    b.walk(18.0, 2.0, 1.0)  # the lunch walk, inside the lunch break (ends by minute 42)
    b.t_s = lunch.end_s
    b.corridor()
    b.client(0.50)
    b.corridor()
    b.block("supervision", "SUP", 50, 0.35)
    b.idle(10)
    b.client(0.55)
    b.idle(10)
    b.block("admin", "ADM", 25, 0.15)
    b.idle(3, jitter_min=1)
    b.walk(3.0, 1.0, 0.9)  # out to the tram stop
    return DayScript(
        "walking-day",
        start_local_s,
        b.t_s,
        tuple(b.sessions),
        high_load=(intense.start_s, intense.end_s),
        full_day=True,
        walks=tuple(b.walks),
    )


def check_scenario(scenario: str) -> None:
    """Raise :class:`ValueError` naming the valid scenarios unless ``scenario`` is one."""
    if scenario not in SCENARIOS:
        valid = ", ".join(repr(name) for name in SCENARIOS)
        raise ValueError(f"Unknown scenario {scenario!r}: choose one of {valid}.")


def build_script(scenario: str, rng: np.random.Generator) -> DayScript:
    """The script of ``scenario``; raises :class:`ValueError` for an unknown name."""
    check_scenario(scenario)
    start_local_s = DAY_START_S + int(rng.integers(-300, 301))
    if scenario == "calm":
        return _calm(rng, start_local_s)
    if scenario == "heavy":
        return _heavy(rng, start_local_s)
    if scenario == "walking-day":
        return _walking(rng, start_local_s)
    if scenario == "rest":
        rest = ScriptedSession("other", "REST", 5, 300, 0.0)
        return DayScript("rest", start_local_s, 310, (rest,))
    paced = ScriptedSession("other", "BREATHE-6", 5, 300, 0.0)
    return DayScript("paced-breathing", start_local_s, 310, (paced,), 6.0)


def demand_profile(script: DayScript, rng: np.random.Generator) -> FloatArray:
    """Demand at :data:`DEMAND_FS_HZ` over ``[0, duration_s]``, dimensionless 0..1.

    Each block holds its scripted demand plus a slow wobble (Lorentzian noise,
    two-minute correlation time) whose size grows with the demand; time outside
    sessions sits at a low idle demand. Paced breathing and rest hold still.
    """
    n = int(script.duration_s * DEMAND_FS_HZ) + 1
    level = np.full(n, _IDLE_DEMAND if script.full_day else 0.0)
    for session in script.sessions:
        level[session.start_s : session.end_s] = session.demand
    wobble = lorentzian_noise(rng, n, DEMAND_FS_HZ, corner_hz=_WOBBLE_CORNER_HZ)
    size = 0.02 + 0.04 * level if script.full_day else np.zeros(n)
    out: FloatArray = np.clip(level + size * wobble, 0.0, 1.0)
    return out


def movement_profile(script: DayScript) -> FloatArray | None:
    """Walking intensity 0..1 at :data:`DEMAND_FS_HZ` over ``[0, duration_s]``; None without walks.

    None keeps a day without walks exactly as the RR model made it before walks existed.
    """
    if not script.walks:
        return None
    movement = np.zeros(int(script.duration_s * DEMAND_FS_HZ) + 1)
    for spell in script.walks:
        movement[spell.start_s : spell.end_s] = spell.intensity
    return movement


def _overlaps(start_s: int, end_s: int, taken: list[tuple[int, int]], margin_s: int) -> bool:
    return any(start_s < b + margin_s and a - margin_s < end_s for a, b in taken)


def plan_link_problems(script: DayScript, rng: np.random.Generator) -> LinkPlan:
    """One disconnect (2-6 min) and 2-4 contact losses (20-90 s) for a full day.

    The disconnect falls between the first hour and the last half hour, at
    least ten minutes from the high-load episode; contact losses fall between
    the first and the last ten minutes, at least five minutes from the
    disconnect, the high-load episode and each other, so that the episode's
    physiology is fully visible. Short scenarios get no trouble.
    """
    if not script.full_day:
        return LinkPlan()
    high_load = [script.high_load] if script.high_load is not None else []
    disconnect = _place(rng, script, high_load, 120, 360, 3600, 1800, margin_s=600)
    taken = [disconnect, *high_load]
    losses: list[tuple[int, int]] = []
    for _ in range(int(rng.integers(2, 5))):
        losses.append(_place(rng, script, taken + losses, 20, 90, 600, 600, margin_s=300))
    return LinkPlan(disconnects=(disconnect,), contact_losses=tuple(sorted(losses)))


def _place(
    rng: np.random.Generator,
    script: DayScript,
    taken: list[tuple[int, int]],
    min_s: int,
    max_s: int,
    head_s: int,
    tail_s: int,
    *,
    margin_s: int,
) -> tuple[int, int]:
    """A window of ``min_s..max_s`` seconds that keeps ``margin_s`` from ``taken``."""
    duration_s = int(rng.integers(min_s, max_s + 1))
    latest_s = script.duration_s - tail_s - duration_s
    for _ in range(1000):
        start_s = int(rng.integers(head_s, latest_s))
        if not _overlaps(start_s, start_s + duration_s, taken, margin_s):
            return start_s, start_s + duration_s
    raise RuntimeError("no room left in the script for a link problem")  # pragma: no cover
