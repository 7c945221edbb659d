"""Deterministic workday generator: seeded recordings of a helper's day at work.

It scripts a day (client sessions, supervision, breaks, admin), drives a
beat-by-beat RR model with the load of each moment, packetises the beats the way
a Polar H7-like strap notifies them, and returns the result as recording events
with the ground truth in the header::

    header, events = simulate_recording("heavy", seed=1, day=date(2026, 11, 25), tz=tz)

The same ``(scenario, seed, day, tz)`` always gives identical output; no wall
clock and no global random state are used. :func:`simulate_day` returns the
unmaterialised :class:`SimulatedDay`, whose :meth:`SimulatedDay.events` yields
events lazily, in arrival order, for an emulated strap to stream.

Scenarios
---------
``calm``
    A low-load day, about 08:30 to 17:45: 4-5 client sessions of 50 minutes at
    low intensity, admin, a team meeting, breaks and lunch.
``heavy``
    About 08:30 to 18:00: 8 client sessions of about 50 minutes (three intense
    ones back to back, forming the ``high_load`` episode of the truth), one
    supervision, a short lunch, breaks and admin.
``rest``
    Five minutes of seated rest (one ``other`` session "REST").
``paced-breathing``
    Five minutes breathing at exactly 6 breaths per minute (one ``other``
    session "BREATHE-6"): large RSA at 0.1 Hz.
``walking-day``
    About 08:30 to 16:30 on the move: corridor walks of 1-3 minutes between
    sessions, a walk from and to the tram, and an 18-minute walk at lunch
    (``walking`` in the truth); heart rate rises some 20-25 bpm while walking.
    One intense client session is the ``high_load`` episode.

Full-day scenarios have exactly one disconnect (2-6 minutes) and a few
contact losses (20-90 s); the short ones have neither.
"""

from __future__ import annotations

from datetime import date, tzinfo
from typing import Final

from sensors.names import SCENARIOS as _SCENARIOS
from sensors.recording import RecordingHeader, RecordLine
from sensors.simulate.day import GENERATOR_NAME, GENERATOR_VERSION, SimulatedDay, simulate_day

__all__ = [
    "GENERATOR_NAME",
    "GENERATOR_VERSION",
    "SCENARIOS",
    "SimulatedDay",
    "simulate_day",
    "simulate_recording",
]

SCENARIOS: Final[tuple[str, ...]] = _SCENARIOS
"""The scenario names :func:`simulate_recording` accepts."""


def simulate_recording(
    scenario: str, *, seed: int, day: date, tz: tzinfo, pmd: bool = False
) -> tuple[RecordingHeader, list[RecordLine]]:
    """Generate a whole recording: its header and every event, in arrival order.

    Parameters
    ----------
    scenario : one of :data:`SCENARIOS`.
    seed : a non-negative integer; with ``scenario``, ``day`` and ``tz`` it fixes the output.
    day : the local calendar day of the recording.
    tz : the time zone of the helper; ``header.started_at`` is aware, in it.
    pmd : the strap is a Polar H10 that also streams ECG (130 Hz) and its chest
        accelerometer (50 Hz) as PMD frames (``pmd_start`` and ``pmd`` lines);
        every other line is the same as without.

    Returns
    -------
    tuple[RecordingHeader, list[RecordLine]]
        The header (``generator`` and ``truth`` filled in) and the events; event
        times are seconds since the Unix epoch, rounded to microseconds. Feed
        the list to :func:`sensors.recording.write_recording` to get a ``*.hsrec``.

    Raises
    ------
    ValueError
        For an unknown scenario (the message lists the valid ones) or a negative seed.
    """
    simulated = simulate_day(scenario, seed=seed, day=day, tz=tz, pmd=pmd)
    return simulated.header, list(simulated.events())
