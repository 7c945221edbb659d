"""The RR model: beat-by-beat heart periods driven by a smoothed load state.

The model, in four layers:

1. **Load.** A dimensionless demand (0..1, from the day script) drives a load
   state through an asymmetric first-order lag (:mod:`sensors.simulate.load`):
   most of the way up within 1-3 minutes of a demanding session starting,
   back down over 5-15 minutes, slower when the day has been heavy.
2. **Instantaneous RR** (milliseconds) on a fine grid: a mean level from heart
   rate (rising with load and, a little, with accumulated load), plus
   respiratory sinus arrhythmia (RSA) from a breathing oscillator, plus Mayer
   waves near 0.1 Hz, plus slow 1/f wander. Under load, vagal withdrawal shrinks
   RSA; breathing gets faster and shallower.
3. **Beats** by integral pulse frequency modulation (IPFM): a beat falls each
   time the integral of the instantaneous rate ``1000 / RR(t)`` crosses an integer.
4. **Beat noise**: independent Gaussian jitter per RR interval, smaller under load.

Ranges it is tuned for: at rest about 60-70 bpm with RMSSD 30-50 ms; under high
load about 90-105 bpm with RMSSD 10-20 ms. Frequency bands as the Task Force:
LF 0.04-0.15 Hz (Mayer waves), HF 0.15-0.4 Hz (RSA at spontaneous breathing).

References
----------
Task Force of the ESC and NASPE. Heart rate variability: standards of measurement,
physiological interpretation and clinical use. Circulation 1996;93:1043-1065.
Berntson GG et al. Heart rate variability: origins, methods, and interpretive
caveats. Psychophysiology 1997;34:623-648 (RSA as an index of vagal tone).
Julien C. The enigma of Mayer waves: facts and models. Cardiovasc Res 2006;70:12-21.
Vaschillo E, Lehrer P et al. Heart rate variability biofeedback as a method for
assessing baroreflex function. Appl Psychophysiol Biofeedback 2002;27:1-27
(the resonance of RSA near 0.1 Hz, i.e. 6 breaths per minute).
Mateo J, Laguna P. Analysis of heart rate variability in the presence of ectopic
beats using the heart timing signal. IEEE Trans Biomed Eng 2003;50:334-343 (IPFM).
McSharry PE et al. A dynamical model for generating synthetic electrocardiogram
signals. IEEE Trans Biomed Eng 2003;50:289-294 (RR with LF and HF components).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

from sensors.simulate.load import load_trajectory
from sensors.simulate.noise import FloatArray, lorentzian_noise, narrowband_noise, pink_noise

__all__ = [
    "GRID_HZ",
    "WALK_HR_BPM",
    "BeatSeries",
    "BreathingTrack",
    "Traits",
    "draw_traits",
    "exertion_trajectory",
    "rsa_gain",
    "simulate_beats",
]

GRID_HZ: Final = 8.0
"""Sampling rate of the instantaneous-RR grid, in hertz."""

_LEAD_S: Final = 4.0
"""The grid starts this long before the recording, so that the first beat has an RR."""

_RSA_LOAD_WITHDRAWAL: Final = 0.7
"""Fraction of RSA lost at full load (vagal withdrawal)."""

_BREATHING_LOAD_GAIN_PER_MIN: Final = 6.0
"""Extra breaths per minute at full load."""

_BREATHING_DRIFT_PER_MIN: Final = 0.5
"""Standard deviation of the slow drift of spontaneous breathing, breaths per minute."""

_BREATHING_RANGE_PER_MIN: Final = (8.0, 28.0)
"""Spontaneous breathing stays within this range, breaths per minute."""

_DEPTH_VARIATION: Final = 0.12
"""Relative standard deviation of breath depth (and so of the RSA swing)."""

_MAYER_LOAD_LOSS: Final = 0.4
"""Fraction of Mayer-wave amplitude lost at full load."""

_WANDER_LOAD_LOSS: Final = 0.5
"""Fraction of slow wander lost at full load."""

_BEAT_NOISE_LOAD_LOSS: Final = 0.5
"""Fraction of per-beat RR noise lost at full load."""

_RESONANCE_HZ: Final = 0.1
_RESONANCE_WIDTH_HZ: Final = 0.025
_RESONANCE_GAIN: Final = 0.8
_REFERENCE_BREATH_HZ: Final = 14.0 / 60.0

_RR_FLOOR_MS: Final = 320.0

WALK_HR_BPM: Final = 24.0
"""Extra heart rate while walking at an ordinary pace (movement 1), in beats per minute.

Level walking at about 4.5-5 km/h is about 3-3.5 METs: heart rate some 20-30 bpm above
sitting (Ainsworth et al. 2011)."""

_TAU_MOVE_ON_S: Final = 30.0
"""Time constant of heart rate rising at the start of a walk, in seconds."""

_TAU_MOVE_OFF_S: Final = 60.0
"""Time constant of heart rate recovering after a walk, in seconds."""

_WALK_BREATHING_PER_MIN: Final = 5.0
"""Extra breaths per minute while walking (movement 1)."""

_WALK_RSA_WITHDRAWAL: Final = 0.5
"""Fraction of RSA lost while walking (movement 1)."""


@dataclass(frozen=True, slots=True)
class Traits:
    """The simulated person, drawn once per seed.

    Attributes
    ----------
    hr_rest_bpm : mean heart rate at zero load, in beats per minute.
    hr_load_bpm : mean heart rate at full load, in beats per minute.
    fatigue_bpm : extra heart rate at full accumulated load, in beats per minute.
    rsa_rest_ms : peak RSA amplitude of RR at rest and 14 breaths/min, in milliseconds.
    mayer_std_ms : standard deviation of the Mayer-wave component at rest, in milliseconds.
    wander_std_ms : standard deviation of the slow 1/f wander at rest, in milliseconds.
    beat_noise_ms : standard deviation of the per-beat RR jitter at rest, in milliseconds.
    breathing_rest_per_min : spontaneous breathing rate at rest, in breaths per minute.
    ectopic_per_beat : probability that a beat is a premature (ectopic) beat.
    missed_per_beat : probability that the strap misses a beat.
    """

    hr_rest_bpm: float
    hr_load_bpm: float
    fatigue_bpm: float
    rsa_rest_ms: float
    mayer_std_ms: float
    wander_std_ms: float
    beat_noise_ms: float
    breathing_rest_per_min: float
    ectopic_per_beat: float
    missed_per_beat: float


def draw_traits(rng: np.random.Generator) -> Traits:
    """A plausible helper: resting HR 61-67 bpm, loaded HR 96-102 bpm, and so on."""
    return Traits(
        hr_rest_bpm=float(rng.uniform(61.0, 67.0)),
        hr_load_bpm=float(rng.uniform(96.0, 102.0)),
        fatigue_bpm=float(rng.uniform(3.0, 6.0)),
        rsa_rest_ms=float(rng.uniform(38.0, 46.0)),
        mayer_std_ms=float(rng.uniform(14.0, 18.0)),
        wander_std_ms=float(rng.uniform(18.0, 26.0)),
        beat_noise_ms=float(rng.uniform(8.0, 10.0)),
        breathing_rest_per_min=float(rng.uniform(12.5, 15.5)),
        ectopic_per_beat=float(rng.uniform(1.0 / 2000.0, 1.0 / 1000.0)),
        missed_per_beat=float(rng.uniform(1.0 / 9000.0, 1.0 / 5000.0)),
    )


def rsa_gain(breathing_hz: FloatArray) -> FloatArray:
    """Relative RSA amplitude against breathing frequency (1 at 14 breaths/min).

    A low-pass ``(f_ref / f) ** 0.5`` times a baroreflex resonance bump at 0.1 Hz:
    slow breathing gives larger swings, largest at about 6 breaths per minute.
    """

    def shape(f_hz: FloatArray) -> FloatArray:
        bump = np.exp(-0.5 * ((f_hz - _RESONANCE_HZ) / _RESONANCE_WIDTH_HZ) ** 2)
        out: FloatArray = np.sqrt(_REFERENCE_BREATH_HZ / f_hz) * (1.0 + _RESONANCE_GAIN * bump)
        return out

    reference = float(shape(np.array([_REFERENCE_BREATH_HZ]))[0])
    return shape(breathing_hz) / reference


@dataclass(frozen=True, slots=True, eq=False)
class BreathingTrack:
    """The breathing oscillator that drives RSA, on the RR model's grid.

    Sample ``k`` is at ``t0_s + k / GRID_HZ`` seconds after the recording start
    (``t0_s`` is negative: the grid starts before the recording).

    Attributes
    ----------
    t0_s : time of the first grid sample, seconds after the recording start.
    phase_rad : unwrapped breathing phase, in radians. RSA is ``-sin(phase)``
        (inspiration shortens RR); lung volume above its resting level is taken
        as ``-cos(phase)`` (largest at the end of inspiration, a quarter cycle
        after the fastest inflow at ``sin(phase) = 1``).
    rate_per_min : breathing rate, in breaths per minute.
    depth : relative breath depth (1: a typical breath).
    """

    t0_s: float
    phase_rad: FloatArray
    rate_per_min: FloatArray
    depth: FloatArray

    def at(self, t_s: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Phase (radians) and depth at ``t_s`` (seconds after the start), interpolated."""
        grid_s = self.t0_s + np.arange(len(self.phase_rad)) / GRID_HZ
        phase: FloatArray = np.interp(t_s, grid_s, self.phase_rad)
        depth: FloatArray = np.interp(t_s, grid_s, self.depth)
        return phase, depth

    def lung_volume(self, t_s: FloatArray) -> FloatArray:
        """Relative lung volume ``depth * -cos(phase)`` at ``t_s`` (about -1..1)."""
        phase, depth = self.at(t_s)
        volume: FloatArray = -depth * np.cos(phase)
        return volume

    def per_minute(self, duration_s: float) -> FloatArray:
        """Mean breathing rate of each whole or partial minute of ``[0, duration_s]``."""
        grid_s = self.t0_s + np.arange(len(self.rate_per_min)) / GRID_HZ
        inside = (grid_s >= 0.0) & (grid_s < duration_s)
        minute = (grid_s[inside] // 60.0).astype(np.int64)
        sums = np.bincount(minute, weights=self.rate_per_min[inside])
        counts = np.bincount(minute)
        means: FloatArray = sums / np.maximum(counts, 1)
        return means


@dataclass(frozen=True, slots=True, eq=False)
class BeatSeries:
    """True beats of the simulated heart, before any strap or artefact.

    Attributes
    ----------
    beat_s : time of each beat, in seconds after the recording start (all > 0).
    rr_s : the RR interval ending at each beat, in seconds (the first one starts
        before the recording).
    load : load state at :data:`sensors.simulate.scenarios.DEMAND_FS_HZ`, 0..1.
    breathing_per_min : mean breathing rate over the recording, in breaths per minute.
    breathing : the breathing oscillator behind RSA (for the chest movement and the ECG).
    movement : the movement state behind the heart rate (0 still .. 1 walking), at
        :data:`sensors.simulate.scenarios.DEMAND_FS_HZ`; all zero without walks.
    """

    beat_s: FloatArray
    rr_s: FloatArray
    load: FloatArray
    breathing_per_min: float
    breathing: BreathingTrack
    movement: FloatArray


def _breathing(
    load: FloatArray,
    traits: Traits,
    rng: np.random.Generator,
    paced_per_min: float | None,
    exertion: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Breathing rate (breaths per minute) and relative depth on the grid.

    Spontaneous breathing drifts slowly around the resting rate (Lorentzian
    noise, one-minute correlation time) and speeds up with load and with
    walking (``exertion``, 0..1); its depth varies breath to breath. Paced
    breathing holds its rate and depth exactly.
    """
    n = len(load)
    if paced_per_min is not None:
        return np.full(n, paced_per_min), np.ones(n)
    drift = lorentzian_noise(rng, n, GRID_HZ, corner_hz=1.0 / (2.0 * np.pi * 60.0))
    spontaneous = (
        traits.breathing_rest_per_min
        + _BREATHING_LOAD_GAIN_PER_MIN * load
        + _BREATHING_DRIFT_PER_MIN * drift
    )
    if exertion is not None:
        spontaneous = spontaneous + _WALK_BREATHING_PER_MIN * exertion
    rate_per_min = np.clip(spontaneous, *_BREATHING_RANGE_PER_MIN)
    tidal = lorentzian_noise(rng, n, GRID_HZ, corner_hz=1.0 / (2.0 * np.pi * 20.0))
    depth = np.clip(1.0 + _DEPTH_VARIATION * tidal, 0.5, 1.5)
    return rate_per_min, depth


def _breathing_phase(breathing_per_min: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Unwrapped breathing phase on the grid (radians), from a random start."""
    breathing_hz = breathing_per_min / 60.0
    phase: FloatArray = (
        float(rng.uniform(0.0, 2.0 * np.pi)) + 2.0 * np.pi * np.cumsum(breathing_hz) / GRID_HZ
    )
    return phase


def exertion_trajectory(movement: FloatArray, fs_hz: float) -> FloatArray:
    """The body's response to movement (0..1): a first-order lag of the movement level.

    Heart rate climbs with a time constant of 30 s at the start of a walk and
    recovers with 60 s after it (the fast vagal and slower sympathetic phases of
    the on- and off-kinetics, lumped).

    References
    ----------
    Pierpont GL, Stolpman DR, Gornick CC. Heart rate recovery post-exercise as an
    index of parasympathetic activity. J Auton Nerv Syst 2000;80:169-174.
    """
    dt_s = 1.0 / fs_hz
    rise = 1.0 - math.exp(-dt_s / _TAU_MOVE_ON_S)
    fall = 1.0 - math.exp(-dt_s / _TAU_MOVE_OFF_S)
    out = np.empty(len(movement))
    level = 0.0
    for i, target in enumerate(movement.tolist()):
        level += (target - level) * (rise if target > level else fall)
        out[i] = level
    return out


def _instantaneous_rr_ms(
    load: FloatArray,
    accumulated: FloatArray,
    breathing: BreathingTrack,
    traits: Traits,
    rng: np.random.Generator,
    exertion: FloatArray | None = None,
) -> FloatArray:
    """RR on the grid, in milliseconds: mean level + RSA + Mayer waves + 1/f wander.

    Walking (``exertion``, 0..1) adds :data:`WALK_HR_BPM` to the heart rate and
    withdraws part of the RSA.
    """
    n = len(load)
    breathing_hz = breathing.rate_per_min / 60.0
    # Inspiration shortens RR: RSA is in antiphase with the breathing oscillator.
    rsa_ms = (
        traits.rsa_rest_ms
        * (1.0 - _RSA_LOAD_WITHDRAWAL * load)
        * rsa_gain(breathing_hz)
        * breathing.depth
        * -np.sin(breathing.phase_rad)
    )
    if exertion is not None:
        rsa_ms = rsa_ms * (1.0 - _WALK_RSA_WITHDRAWAL * exertion)
    mayer = narrowband_noise(rng, n, GRID_HZ, centre_hz=0.1, width_hz=0.008)
    mayer_ms = traits.mayer_std_ms * (1.0 - _MAYER_LOAD_LOSS * load) * mayer
    wander = pink_noise(rng, n, GRID_HZ, low_hz=1.0 / 3600.0, high_hz=0.04)
    wander_ms = traits.wander_std_ms * (1.0 - _WANDER_LOAD_LOSS * load) * wander
    hr_bpm = (
        traits.hr_rest_bpm
        + (traits.hr_load_bpm - traits.hr_rest_bpm) * load
        + traits.fatigue_bpm * accumulated
    )
    if exertion is not None:
        hr_bpm = hr_bpm + WALK_HR_BPM * exertion
    rr_ms: FloatArray = np.maximum(60000.0 / hr_bpm + rsa_ms + mayer_ms + wander_ms, _RR_FLOOR_MS)
    return rr_ms


def _ipfm_beat_times(t_s: FloatArray, rr_ms: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Beat times (seconds) where the integral of ``1000 / rr_ms`` crosses an integer."""
    rate_per_s = 1000.0 / rr_ms
    increments = 0.5 * (rate_per_s[1:] + rate_per_s[:-1]) / GRID_HZ
    pulse = float(rng.uniform(0.0, 1.0)) + np.concatenate(([0.0], np.cumsum(increments)))
    levels = np.arange(1.0, math.floor(pulse[-1]) + 1.0)
    beats_s: FloatArray = np.interp(levels, pulse, t_s)
    return beats_s


def simulate_beats(
    demand: FloatArray,
    demand_fs_hz: float,
    duration_s: float,
    traits: Traits,
    rng: np.random.Generator,
    *,
    paced_breathing_per_min: float | None = None,
    movement: FloatArray | None = None,
) -> BeatSeries:
    """Generate the beats of one recording, vectorised on a :data:`GRID_HZ` grid.

    Parameters
    ----------
    demand : dimensionless demand 0..1 sampled at ``demand_fs_hz`` from time 0.
    demand_fs_hz : its sampling rate, in hertz.
    duration_s : length of the recording, in seconds; beats after it are dropped.
    traits : the simulated person.
    rng : the only source of randomness.
    paced_breathing_per_min : breathe at exactly this rate (breaths per minute)
        instead of spontaneously.
    movement : walking intensity 0..1 at ``demand_fs_hz`` (None: the helper never
        walks, and the beats are exactly those of a model without movement).
    """
    load_d, acc_d = load_trajectory(demand, demand_fs_hz)
    n = math.ceil((duration_s + 2.0 * _LEAD_S) * GRID_HZ) + 1
    t_s = np.arange(n) / GRID_HZ - _LEAD_S
    t_demand = np.arange(len(demand)) / demand_fs_hz
    load = np.interp(t_s, t_demand, load_d)
    accumulated = np.interp(t_s, t_demand, acc_d)
    exertion_d = (
        exertion_trajectory(movement, demand_fs_hz)
        if movement is not None
        else np.zeros(len(demand))
    )
    exertion = np.interp(t_s, t_demand, exertion_d) if movement is not None else None
    breathing_per_min, depth = _breathing(load, traits, rng, paced_breathing_per_min, exertion)
    phase = _breathing_phase(breathing_per_min, rng)
    breathing = BreathingTrack(float(t_s[0]), phase, breathing_per_min, depth)
    rr_ms = _instantaneous_rr_ms(load, accumulated, breathing, traits, rng, exertion)
    ipfm_s = _ipfm_beat_times(t_s, rr_ms, rng)

    before = int(np.searchsorted(ipfm_s, 0.0, side="right")) - 1
    if before < 0:  # pragma: no cover - the lead-in always holds a beat
        raise RuntimeError("the lead-in holds no beat")
    rr_s = np.diff(ipfm_s[before:])
    load_at_beat = np.interp(ipfm_s[before + 1 :], t_s, load)
    noise_ms = traits.beat_noise_ms * (1.0 - _BEAT_NOISE_LOAD_LOSS * load_at_beat)
    rr_s = np.maximum(rr_s + rng.standard_normal(len(rr_s)) * noise_ms / 1000.0, 0.25)
    beat_s = ipfm_s[before] + np.cumsum(rr_s)
    keep = (beat_s > 0.0) & (beat_s <= duration_s)
    inside = (t_s >= 0.0) & (t_s <= duration_s)
    return BeatSeries(
        beat_s=beat_s[keep],
        rr_s=rr_s[keep],
        load=load_d,
        breathing_per_min=float(np.mean(breathing_per_min[inside])),
        breathing=breathing,
        movement=exertion_d,
    )
