"""One simulated recording: the script, the heart, the strap and the ground truth, wired together.

All randomness comes from one ``numpy.random.default_rng`` seeded with
``(seed, day, scenario)`` and split into independent child generators, one per
stage, so that a change in one stage does not reshuffle the others. No wall
clock is read: the same ``(scenario, seed, day, tz)`` gives identical output.

With ``pmd=True`` the strap is a Polar H10-like one that also streams its ECG
(:mod:`sensors.simulate.ecg`) and chest accelerometer (:mod:`sensors.simulate.motion`)
as PMD frames (:mod:`sensors.simulate.chest`). Their generators are children spawned
after the seven of the RR path, so the heart-rate packets, sessions and link events
are exactly those of the same day without PMD.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any, Final

import numpy as np

from sensors.events import DeviceInfo, SessionEnded, SessionStarted
from sensors.names import SCENARIOS
from sensors.recording import RecordingHeader, RecordLine
from sensors.simulate.artefacts import ArtefactedBeats, add_artefacts
from sensors.simulate.chest import PmdTrack, frame_pmd
from sensors.simulate.ecg import ECG_RATE_HZ, synthesize_ecg
from sensors.simulate.motion import (
    ACC_RATE_HZ,
    FIDGETS_PER_S,
    postures_of,
    synthesize_chest_acc,
)
from sensors.simulate.noise import FloatArray
from sensors.simulate.physiology import BeatSeries, draw_traits, simulate_beats
from sensors.simulate.scenarios import (
    DEMAND_FS_HZ,
    DayScript,
    LinkPlan,
    build_script,
    check_scenario,
    demand_profile,
    movement_profile,
    plan_link_problems,
)
from sensors.simulate.strap import StrapTrack, packetise

__all__ = ["GENERATOR_NAME", "GENERATOR_VERSION", "SimulatedDay", "simulate_day"]

GENERATOR_NAME: Final = "holdspace-simulate"
GENERATOR_VERSION: Final = 1
"""Bump when the same inputs would produce different output."""


@dataclass(frozen=True, slots=True, eq=False)
class SimulatedDay:
    """A generated recording, before it is materialised.

    Attributes
    ----------
    header : the recording header, with generator and ground truth.
    script : the day script (sessions, high-load episode), times in seconds after the start.
    link : scripted disconnects and contact losses, seconds after the start.
    beats : the heart's beats before artefacts.
    detected : the beats the strap detects (ectopic beats in, missed beats out).
    track : the strap's notifications and link events.
    pmd : the strap's ECG and ACC frames, or ``None`` for a strap without PMD.
    """

    header: RecordingHeader
    script: DayScript
    link: LinkPlan
    beats: BeatSeries
    detected: ArtefactedBeats
    track: StrapTrack
    pmd: PmdTrack | None = None

    @property
    def start_epoch_s(self) -> float:
        """The recording start, seconds since the Unix epoch."""
        return self.track.start_epoch_s

    def events(self) -> Iterator[RecordLine]:
        """Yield every event lazily, in arrival order (epoch seconds, to 1 µs).

        Connection, battery and session events come first when they share a
        time with a notification.
        """
        start_s = self.start_epoch_s
        control: list[RecordLine] = list(self.track.link_events)
        for session in self.script.sessions:
            control.append(
                SessionStarted(float(start_s + session.start_s), session.kind, session.label)
            )
            control.append(SessionEnded(float(start_s + session.end_s), heavy=session.heavy))
        control.sort(key=lambda event: event.at_s)
        if self.pmd is None:
            yield from heapq.merge(control, self.track.packets(), key=lambda event: event.at_s)
            return
        yield from heapq.merge(
            control,
            self.pmd.starts,
            self.track.packets(),
            self.pmd.frames(),
            key=lambda event: event.at_s,
        )


def _device(seed: int, pmd: bool) -> DeviceInfo:
    serial = seed % 10_000
    return DeviceInfo(
        name=f"Emulated {'H10' if pmd else 'H7'} {serial:04d}",
        address=f"02:48:53:00:{serial // 100:02d}:{serial % 100:02d}",
        manufacturer="Holdspace",
        model="Emulated H10" if pmd else "Emulated strap",
        firmware="1.0.0",
        body_location="chest",
    )


def _truth(
    script: DayScript,
    link: LinkPlan,
    beats: BeatSeries,
    detected: ArtefactedBeats,
    track: StrapTrack,
    started_at: datetime,
    pmd: PmdTrack | None,
) -> dict[str, Any]:
    tz = started_at.tzinfo
    start_s = started_at.timestamp()

    def iso(offset_s: float) -> str:
        return datetime.fromtimestamp(start_s + offset_s, tz).isoformat()

    def window(a_s: float, b_s: float) -> dict[str, str]:
        return {"start": iso(a_s), "end": iso(b_s)}

    truth: dict[str, Any] = {
        "end": iso(script.duration_s),
        "sessions": [
            {
                "kind": s.kind,
                "label": s.label,
                "start": iso(s.start_s),
                "end": iso(s.end_s),
                "intensity": round(s.demand, 3),
                "heavy": s.heavy,
            }
            for s in script.sessions
        ],
        "disconnects": [window(a, b) for a, b in link.disconnects],
        "contact_losses": [window(a, b) for a, b in link.contact_losses],
        "beats": detected.true_beats,
        "beats_transmitted": track.transmitted_beats,
        "ectopic_beats": len(detected.ectopic_s),
        "missed_beats": len(detected.missed_s),
    }
    if script.high_load is not None:
        truth["high_load"] = window(*script.high_load)
    if not script.full_day:
        truth["breathing_rate_per_min"] = round(beats.breathing_per_min, 2)
    if script.walks:
        truth["walking"] = [
            {**window(w.start_s, w.end_s), "cadence_per_min": round(60.0 * w.step_hz, 1)}
            for w in script.walks
        ]
    if script.walks or pmd is not None:
        per_minute = beats.breathing.per_minute(script.duration_s)
        truth["breathing_per_minute"] = {
            "start": iso(0.0),
            "step_s": 60,
            "rate_per_min": [round(float(rate), 2) for rate in per_minute],
        }
    if pmd is not None:
        truth["pmd"] = {
            "ecg_rate_hz": ECG_RATE_HZ,
            "acc_rate_hz": ACC_RATE_HZ,
            "sensor_clock_ppm": round(pmd.sensor_clock_ppm, 3),
        }
    return truth


def simulate_day(
    scenario: str, *, seed: int, day: date, tz: tzinfo, pmd: bool = False
) -> SimulatedDay:
    """Generate one recording of ``scenario`` (see :data:`SCENARIOS`).

    Parameters
    ----------
    scenario : one of :data:`SCENARIOS`.
    seed : a non-negative integer.
    day : the local calendar day of the recording.
    tz : the helper's time zone; the header's ``started_at`` is aware, in it.
    pmd : the strap also streams ECG and ACC (a Polar H10); everything else is as without.

    Raises
    ------
    ValueError
        For an unknown scenario or a negative seed.
    """
    check_scenario(scenario)
    if seed < 0:
        raise ValueError(f"The seed must be a non-negative integer, got {seed}.")
    root = np.random.default_rng([seed, day.toordinal(), SCENARIOS.index(scenario)])
    r_script, r_demand, r_link, r_traits, r_beats, r_artefacts, r_strap = root.spawn(7)

    script = build_script(scenario, r_script)
    hours, rest_s = divmod(script.start_local_s, 3600)
    started_at = datetime.combine(day, time(hours, rest_s // 60, rest_s % 60), tzinfo=tz)
    start_epoch_s = started_at.timestamp()
    demand = demand_profile(script, r_demand)
    link = plan_link_problems(script, r_link)
    traits = draw_traits(r_traits)
    beats = simulate_beats(
        demand,
        DEMAND_FS_HZ,
        script.duration_s,
        traits,
        r_beats,
        paced_breathing_per_min=script.paced_breathing_per_min,
        movement=movement_profile(script),
    )
    detected = add_artefacts(
        beats.beat_s,
        beats.rr_s,
        r_artefacts,
        ectopic_per_beat=traits.ectopic_per_beat,
        missed_per_beat=traits.missed_per_beat,
        avoid=link.windows(),
    )
    device = _device(seed, pmd)
    track = packetise(
        detected.beat_s,
        detected.rr_s,
        link,
        script.duration_s,
        device,
        r_strap,
        start_epoch_s=start_epoch_s,
    )
    chest = _chest(script, link, beats, detected, track, root) if pmd else None
    generator: dict[str, Any] = {
        "name": GENERATOR_NAME,
        "scenario": scenario,
        "seed": seed,
        "version": GENERATOR_VERSION,
    }
    if pmd:
        generator["pmd"] = True
    header = RecordingHeader(
        started_at=started_at,
        recording_id=f"sim-{scenario}-{day.isoformat()}-seed{seed}{'-pmd' if pmd else ''}",
        device=device,
        generator=generator,
        truth=_truth(script, link, beats, detected, track, started_at, chest),
    )
    return SimulatedDay(header, script, link, beats, detected, track, chest)


def _chest(
    script: DayScript,
    link: LinkPlan,
    beats: BeatSeries,
    detected: ArtefactedBeats,
    track: StrapTrack,
    root: np.random.Generator,
) -> PmdTrack:
    """The H10's ECG and ACC over the whole recording, framed as it streams them.

    The ECG draws every beat the heart made (the strap's missed beats included),
    premature ones as ventricular beats; without skin contact it is electrode noise.
    """
    r_ecg, r_acc, r_frames = root.spawn(3)
    heart_s = np.concatenate((detected.beat_s, detected.missed_s))
    order = np.argsort(heart_s, kind="stable")
    heart_s = heart_s[order]
    rr_s = np.diff(heart_s, prepend=heart_s[0] - float(beats.rr_s[0]))
    ectopic = np.isin(heart_s, detected.ectopic_s)
    muscle = _walking_at(script, np.arange(round(script.duration_s * ECG_RATE_HZ)) / ECG_RATE_HZ)
    ecg_uv = synthesize_ecg(
        heart_s,
        rr_s,
        beats.breathing,
        r_ecg,
        duration_s=script.duration_s,
        ectopic=ectopic,
        muscle=muscle,
    )
    for start_s, end_s in link.contact_losses:
        lo, hi = round(start_s * ECG_RATE_HZ), round(end_s * ECG_RATE_HZ)
        ecg_uv[lo:hi] = r_ecg.standard_normal(hi - lo) * 40.0  # electrodes off the skin
    acc_mg = synthesize_chest_acc(
        0.0,
        script.duration_s,
        ACC_RATE_HZ,
        beats.breathing,
        script.walks,
        r_acc,
        postures=postures_of(script, r_acc),
        beat_s=heart_s,
        fidgets_per_s=FIDGETS_PER_S if script.full_day else 0.0,
    )
    return frame_pmd(ecg_uv, acc_mg, track, link, r_frames)


def _walking_at(script: DayScript, t_s: FloatArray) -> FloatArray:
    """1 where ``t_s`` (seconds after the start) falls in a walk, else 0."""
    level = np.zeros(len(t_s))
    for spell in script.walks:
        lo, hi = np.searchsorted(t_s, [spell.start_s, spell.end_s])
        level[lo:hi] = spell.intensity
    return level
