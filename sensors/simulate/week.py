"""Generated weeks: consecutive days whose mornings carry the load of the days before.

A single generated day (:func:`sensors.simulate.day.simulate_day`) draws its person
afresh from ``(seed, day, scenario)`` and knows nothing of yesterday. A week needs one
person whose morning reflects the days before it, so this module, used only by the
multi-day path (``holdspace simulate SCENARIO --days N``), adds two things and leaves
the single day untouched (its files stay byte for byte what they were):

* **Carry-over.** Each day's scenario puts a load ``L`` (:data:`DAY_LOAD`: ``heavy`` 1,
  ``walking-day`` 0.4, ``calm`` 0.1, a short scenario 0) into a carried state that decays
  by :data:`CARRY_KEPT_PER_DAY` overnight::

      F(1) = 0,   F(d) = CARRY_KEPT_PER_DAY * F(d-1) + L(d-1)

  The morning of day ``d`` then has ``ln RMSSD`` lowered by ``LN_RMSSD_DROP * F(d)`` (every
  beat-to-beat variability amplitude of the heart model scaled by ``exp(-LN_RMSSD_DROP *
  F(d))``) and its resting heart rate raised by ``HR_RISE_BPM * F(d)``, plus a small
  seeded day-to-day variation (:data:`DAILY_LN_RMSSD_SD`, :data:`DAILY_HR_SD_BPM`). One
  heavy day lowers the next morning's ln RMSSD by about 0.2 and raises its heart rate by
  about 2.5 bpm; three in a row by about 0.36 and 4.5 bpm; a run of calm days brings both
  back within a few days. The shape follows the post-load recovery of vagal indices
  (Stanley, Peake & Buchheit 2013, Sports Med 43:1259: ln RMSSD depressed the morning
  after hard load and back within 24-72 h, longer after more load; Plews et al. 2013,
  Sports Med 43:773, on ln RMSSD falling with accumulated load). The sizes are plausible
  choices for a generator, not measurements of helpers.

* **A morning stretch.** Each day starts with :data:`MORNING_S` seconds of seated rest
  from :data:`MORNING_START_LOCAL_S` (07:15): the strap connects, no session is open,
  nothing moves. That is what the morning reading rule (``signals.readiness``) picks up.
  It is its own recording (``DATE-morning.hsrec``), beside the day's own
  (``DATE-SCENARIO.hsrec``), which is exactly the single-day output.

The person (their resting heart rate and variability) is drawn once from the seed,
so every morning of a week is the same helper. No wall clock and no global random
state: the same ``(scenarios, seed, first day, tz)`` gives identical files.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Final

import numpy as np

from sensors.events import DeviceInfo
from sensors.recording import RecordingHeader
from sensors.simulate.artefacts import add_artefacts
from sensors.simulate.day import GENERATOR_NAME, GENERATOR_VERSION, SimulatedDay
from sensors.simulate.physiology import Traits, draw_traits, simulate_beats
from sensors.simulate.scenarios import DEMAND_FS_HZ, DayScript, LinkPlan, check_scenario
from sensors.simulate.strap import packetise

__all__ = [
    "CARRY_KEPT_PER_DAY",
    "DAY_LOAD",
    "HR_RISE_BPM",
    "LN_RMSSD_DROP",
    "MORNING_S",
    "MORNING_START_LOCAL_S",
    "MorningState",
    "carry_over",
    "simulate_morning",
]

DAY_LOAD: Final[dict[str, float]] = {
    "heavy": 1.0,
    "walking-day": 0.4,
    "calm": 0.1,
    "rest": 0.0,
    "paced-breathing": 0.0,
}
"""The load a day of each scenario carries into the next mornings (heavy = 1)."""

CARRY_KEPT_PER_DAY: Final = math.exp(-1.0 / 1.5)
"""Share of the carried load left the next morning: a decay with a time constant of
1.5 days (about 0.51), so one heavy day has mostly faded after two nights (Stanley et al.
2013: 24-72 h)."""

LN_RMSSD_DROP: Final = 0.20
"""Fall of the morning's ln RMSSD per unit of carried load (one heavy day: 0.2, an 18 %
lower RMSSD)."""

HR_RISE_BPM: Final = 2.5
"""Rise of the morning's resting heart rate per unit of carried load, in beats per minute."""

DAILY_LN_RMSSD_SD: Final = 0.05
"""Day-to-day variation of the morning ln RMSSD with no load at all (standard deviation)."""

DAILY_HR_SD_BPM: Final = 1.0
"""Day-to-day variation of the morning resting heart rate, in beats per minute (SD)."""

MORNING_START_LOCAL_S: Final = 7 * 3600 + 15 * 60
"""The morning stretch starts at 07:15 local time (seconds after midnight)."""

MORNING_S: Final = 480
"""The morning stretch lasts eight minutes of seated rest (seconds)."""

_MORNING_DEMAND: Final = 0.03
"""Demand while sitting at home in the morning (dimensionless, 0..1)."""

_STREAM: Final = 0x4D4F524E
"""Seeds the week's generators apart from the single day's ("MORN")."""


@dataclass(frozen=True, slots=True)
class MorningState:
    """What one generated morning carries.

    Attributes
    ----------
    day : the local calendar day.
    scenario : the scenario of that day (after its morning).
    carried_load : ``F(d)`` of the module docstring (dimensionless).
    ln_rmssd_shift : change of the heart model's ln variability against the person's own
        (carry-over plus day-to-day variation), natural-log units.
    hr_shift_bpm : change of the resting heart rate, in beats per minute.
    """

    day: date
    scenario: str
    carried_load: float
    ln_rmssd_shift: float
    hr_shift_bpm: float


def carry_over(scenarios: Sequence[str], *, seed: int, first: date) -> list[MorningState]:
    """The morning of each day of ``scenarios`` (one a day from ``first``); see module.

    Raises
    ------
    ValueError
        For an unknown scenario or a negative seed.
    """
    if seed < 0:
        raise ValueError(f"The seed must be a non-negative integer, got {seed}.")
    out: list[MorningState] = []
    carried = 0.0
    for index, scenario in enumerate(scenarios):
        check_scenario(scenario)
        day = first + timedelta(days=index)
        if index > 0:
            carried = CARRY_KEPT_PER_DAY * carried + DAY_LOAD[scenarios[index - 1]]
        noise = np.random.default_rng([seed, day.toordinal(), _STREAM, 1]).standard_normal(2)
        out.append(
            MorningState(
                day=day,
                scenario=scenario,
                carried_load=carried,
                ln_rmssd_shift=-LN_RMSSD_DROP * carried + DAILY_LN_RMSSD_SD * float(noise[0]),
                hr_shift_bpm=HR_RISE_BPM * carried + DAILY_HR_SD_BPM * float(noise[1]),
            )
        )
    return out


def _morning_traits(person: Traits, state: MorningState) -> Traits:
    """The person on this morning: variability scaled, resting heart rate shifted."""
    scale = math.exp(state.ln_rmssd_shift)
    return dataclasses.replace(
        person,
        hr_rest_bpm=person.hr_rest_bpm + state.hr_shift_bpm,
        hr_load_bpm=person.hr_load_bpm + state.hr_shift_bpm,
        rsa_rest_ms=person.rsa_rest_ms * scale,
        mayer_std_ms=person.mayer_std_ms * scale,
        wander_std_ms=person.wander_std_ms * scale,
        beat_noise_ms=person.beat_noise_ms * scale,
    )


def simulate_morning(state: MorningState, *, seed: int, tz: tzinfo) -> SimulatedDay:
    """The morning stretch of ``state.day``: :data:`MORNING_S` seconds seated from 07:15.

    The person is drawn from ``seed`` alone (the same helper every day); the beats, the
    artefacts and the strap from ``(seed, day)``.
    """
    person = draw_traits(np.random.default_rng([seed, _STREAM]))
    traits = _morning_traits(person, state)
    r_beats, r_artefacts, r_strap = np.random.default_rng(
        [seed, state.day.toordinal(), _STREAM, 2]
    ).spawn(3)
    script = DayScript("morning", MORNING_START_LOCAL_S, MORNING_S, ())
    hours, rest_s = divmod(MORNING_START_LOCAL_S, 3600)
    started_at = datetime.combine(state.day, time(hours, rest_s // 60), tzinfo=tz)
    demand = np.full(int(MORNING_S * DEMAND_FS_HZ) + 1, _MORNING_DEMAND)
    beats = simulate_beats(demand, DEMAND_FS_HZ, MORNING_S, traits, r_beats)
    detected = add_artefacts(
        beats.beat_s,
        beats.rr_s,
        r_artefacts,
        ectopic_per_beat=traits.ectopic_per_beat,
        missed_per_beat=traits.missed_per_beat,
    )
    link = LinkPlan()
    device = _device(seed)
    track = packetise(
        detected.beat_s,
        detected.rr_s,
        link,
        MORNING_S,
        device,
        r_strap,
        start_epoch_s=started_at.timestamp(),
    )
    generator: dict[str, Any] = {
        "name": GENERATOR_NAME,
        "scenario": "morning",
        "seed": seed,
        "version": GENERATOR_VERSION,
    }
    truth: dict[str, Any] = {
        "end": datetime.fromtimestamp(started_at.timestamp() + MORNING_S, tz).isoformat(),
        "sessions": [],
        "disconnects": [],
        "contact_losses": [],
        "beats": detected.true_beats,
        "beats_transmitted": track.transmitted_beats,
        "ectopic_beats": len(detected.ectopic_s),
        "missed_beats": len(detected.missed_s),
        "breathing_rate_per_min": round(beats.breathing_per_min, 2),
        "morning": {
            "day_scenario": state.scenario,
            "carried_load": round(state.carried_load, 4),
            "ln_rmssd_shift": round(state.ln_rmssd_shift, 4),
            "hr_shift_bpm": round(state.hr_shift_bpm, 3),
        },
    }
    header = RecordingHeader(
        started_at=started_at,
        recording_id=f"sim-morning-{state.day.isoformat()}-seed{seed}",
        device=device,
        generator=generator,
        truth=truth,
    )
    return SimulatedDay(header, script, link, beats, detected, track)


def _device(seed: int) -> DeviceInfo:
    """The same strap as the single day's (``sensors.simulate.day``), without PMD."""
    serial = seed % 10_000
    return DeviceInfo(
        name=f"Emulated H7 {serial:04d}",
        address=f"02:48:53:00:{serial // 100:02d}:{serial % 100:02d}",
        manufacturer="Holdspace",
        model="Emulated strap",
        firmware="1.0.0",
        body_location="chest",
    )
