"""The chest accelerometer of a Polar H10-like strap: posture, breathing, heartbeat, steps.

The strap sits on the sternum. Axes (a convention of this generator, stated so that
tests and readers agree; it is not a measured H10 orientation): ``x`` along the body's
long axis (+1000 mg when upright: the reaction to gravity points up), ``y`` to the
left, ``z`` out of the chest. Values are in mg (1 mg = 9.80665e-3 m/s²), as the
H10's PMD stream gives them. The signal is the sum of:

* **gravity by posture**: ``G (cos p cos r, sin r, sin p cos r)`` for a backward
  pitch ``p`` and a sideways roll ``r``; seated people lean back about 5-20°,
  standing about 0-5°, walking leans forward about 5°. Posture changes take about
  two seconds (a moving average).
* **breathing**: the chest wall tilts with lung volume, adding a few mg on ``z``
  at the breathing phase of the RR model (:class:`~sensors.simulate.physiology.BreathingTrack`):
  ``p += (a_b / G) * volume`` with ``a_b`` 4-8 mg per person (Bates et al. 2010).
* **heartbeat** (seismocardiogram): a damped 12 Hz oscillation of about 3 mg on
  ``z`` after each beat (Inan et al. 2015).
* **walking**: during a :class:`~sensors.simulate.scenarios.WalkingSpell`, a step
  oscillation at the cadence ``f`` (1.7-2.0 steps/s): vertical ``x`` about
  200-300 mg at ``f`` with harmonics at ``2f`` and ``3f``, antero-posterior ``z``
  about half of it, and a lateral sway on ``y`` at the stride frequency ``f / 2``
  (Zijlstra & Hof 2003); the cadence wanders by ~2 % and the step size by ~8 %;
  two-second ramps in and out.
* **fidgets**: brief movements while seated or standing (about one every four
  minutes at work, 1-5 s, 20-60 mg), each leaving the posture a couple of degrees off
  until the next; none during a breathing exercise or a rest.
* **sensor noise**: white, about 1.2 mg per axis.

References
----------
Bates A, Ling MJ, Mann J, Arvind DK. Respiratory rate and flow waveform estimation
from tri-axial accelerometer data. Proc. Int. Conf. Body Sensor Networks 2010:144-150.
Inan OT et al. Ballistocardiography and seismocardiography: a review of recent
advances. IEEE J Biomed Health Inform 2015;19:1414-1427.
Zijlstra W, Hof AL. Assessment of spatio-temporal gait parameters from trunk
accelerations during human walking. Gait Posture 2003;18:1-10.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

from sensors.simulate.noise import FloatArray, lorentzian_noise
from sensors.simulate.physiology import BreathingTrack
from sensors.simulate.scenarios import DayScript, WalkingSpell

__all__ = [
    "ACC_RATE_HZ",
    "FIDGETS_PER_S",
    "GRAVITY_MG",
    "PostureSpan",
    "postures_of",
    "synthesize_chest_acc",
]

ACC_RATE_HZ: Final = 50.0
"""Sampling rate of the chest accelerometer, in hertz (the H10 offers 25/50/100/200)."""

GRAVITY_MG: Final = 1000.0
"""Standard gravity, in mg."""

_TRANSITION_S: Final = 2.0
"""Posture changes and the start and end of a walk take this long, in seconds."""

_WALK_LEAN_DEG: Final = -5.0
"""Forward lean while walking, in degrees (negative pitch)."""

_STEP_AMPLITUDE_MG: Final = (220.0, 300.0)
"""Range of the vertical step amplitude of an ordinary walk, in mg."""

_SENSOR_NOISE_MG: Final = 1.2
"""White noise of the accelerometer, per axis, in mg."""

_WALK_NOISE_MG: Final = 12.0
"""Extra white noise while walking (strap bounce, arm swing), per axis, in mg."""

FIDGETS_PER_S: Final = 1.0 / 240.0
"""Rate of brief movements while seated or standing at work, per second."""

_SCG_MG: Final = 3.0
"""Peak of the seismocardiographic wiggle after each beat, in mg."""

Posture = Literal["seated", "standing"]


@dataclass(frozen=True, slots=True)
class PostureSpan:
    """The helper holds one posture from ``start_s`` to ``end_s`` (seconds after the start).

    ``pitch_deg`` leans back (positive) or forward; ``roll_deg`` leans to the left.
    """

    start_s: float
    end_s: float
    posture: Posture
    pitch_deg: float
    roll_deg: float


def postures_of(script: DayScript, rng: np.random.Generator) -> tuple[PostureSpan, ...]:
    """Postures across the script: seated in sessions and at the desk, standing in short breaks.

    Lunch is seated; walks override whatever posture they fall in. Each span draws
    its own lean: seated pitch 12 ± 5° (0..25), standing 2 ± 2°, roll 0 ± 3°.
    """
    edges: list[tuple[float, float, Posture]] = []
    t_s = 0.0
    for session in script.sessions:
        if session.start_s > t_s:
            edges.append((t_s, float(session.start_s), "seated"))
        standing = session.kind == "break" and session.label != "LUNCH"
        edges.append((float(session.start_s), float(session.end_s), _posture(standing)))
        t_s = float(session.end_s)
    if t_s < script.duration_s:
        edges.append((t_s, float(script.duration_s), "seated"))
    spans: list[PostureSpan] = []
    for start_s, end_s, posture in edges:
        if posture == "seated":
            pitch = float(np.clip(rng.normal(12.0, 5.0), 0.0, 25.0))
        else:
            pitch = float(np.clip(rng.normal(2.0, 2.0), -2.0, 8.0))
        spans.append(PostureSpan(start_s, end_s, posture, pitch, float(rng.normal(0.0, 3.0))))
    return tuple(spans)


def _posture(standing: bool) -> Posture:
    return "standing" if standing else "seated"


def _smooth(values: FloatArray, width: int) -> FloatArray:
    """Centred moving average over ``width`` samples (edges held), O(n)."""
    if width < 2 or len(values) < 2:
        return values
    padded = np.concatenate((np.full(width, values[0]), values, np.full(width, values[-1])))
    cumsum = np.concatenate(([0.0], np.cumsum(padded)))
    averaged = (cumsum[width:] - cumsum[:-width]) / width
    start = width - width // 2
    out: FloatArray = averaged[start : start + len(values)]
    return out


def _angles(
    t_s: FloatArray,
    postures: Sequence[PostureSpan],
    walking: FloatArray,
    rate_hz: float,
) -> tuple[FloatArray, FloatArray]:
    """Pitch and roll in radians: posture by span, walking upright, smoothed transitions."""
    pitch = np.zeros(len(t_s))
    roll = np.zeros(len(t_s))
    for span in postures:
        lo, hi = np.searchsorted(t_s, [span.start_s, span.end_s])
        pitch[lo:hi] = math.radians(span.pitch_deg)
        roll[lo:hi] = math.radians(span.roll_deg)
    walk = walking > 0.0
    pitch[walk] = math.radians(_WALK_LEAN_DEG)
    roll[walk] = 0.0
    width = round(_TRANSITION_S * rate_hz)
    return _smooth(pitch, width), _smooth(roll, width)


def _walking_level(t_s: FloatArray, spells: Sequence[WalkingSpell], rate_hz: float) -> FloatArray:
    """Per sample: walking envelope 0..1, ramped over :data:`_TRANSITION_S`."""
    level = np.zeros(len(t_s))
    for spell in spells:
        lo, hi = np.searchsorted(t_s, [spell.start_s, spell.end_s])
        level[lo:hi] = 1.0
    out: FloatArray = np.clip(_smooth(level, round(_TRANSITION_S * rate_hz)), 0.0, 1.0)
    return out


def _steps(
    t_s: FloatArray,
    spells: Sequence[WalkingSpell],
    rate_hz: float,
    rng: np.random.Generator,
) -> FloatArray:
    """Step accelerations (n, 3) in mg, zero outside the walks."""
    out = np.zeros((len(t_s), 3))
    for spell in spells:
        lo, hi = np.searchsorted(t_s, [spell.start_s - _TRANSITION_S, spell.end_s + _TRANSITION_S])
        n = int(hi - lo)
        if n < 2:
            continue
        wobble = lorentzian_noise(rng, n, rate_hz, corner_hz=0.2)
        step_hz = spell.step_hz * (1.0 + 0.02 * wobble)
        psi = float(rng.uniform(0.0, 2.0 * np.pi)) + 2.0 * np.pi * np.cumsum(step_hz) / rate_hz
        size = float(rng.uniform(*_STEP_AMPLITUDE_MG)) * spell.intensity
        size_t = size * (1.0 + 0.08 * lorentzian_noise(rng, n, rate_hz, corner_hz=0.5))
        inside = np.clip(
            np.minimum(t_s[lo:hi] - spell.start_s, spell.end_s - t_s[lo:hi]) / _TRANSITION_S + 0.5,
            0.0,
            1.0,
        )
        amp = size_t * inside
        out[lo:hi, 0] += amp * (
            np.sin(psi) + 0.35 * np.sin(2.0 * psi + 0.6) + 0.12 * np.sin(3.0 * psi + 1.3)
        )
        out[lo:hi, 1] += amp * (0.30 * np.sin(0.5 * psi + 0.4) + 0.08 * np.sin(psi + 2.1))
        out[lo:hi, 2] += amp * (0.45 * np.sin(psi + 1.2) + 0.20 * np.sin(2.0 * psi + 0.3))
        out[lo:hi] += rng.standard_normal((n, 3)) * _WALK_NOISE_MG * inside[:, None]
    return out


def _fidgets(
    t_s: FloatArray,
    still: FloatArray,
    rate_hz: float,
    per_s: float,
    rng: np.random.Generator,
) -> tuple[FloatArray, FloatArray]:
    """Brief movements (n, 3) in mg and the posture drift (radians) they leave behind."""
    duration_s = float(t_s[-1] - t_s[0]) if len(t_s) else 0.0
    count = int(rng.poisson(per_s * duration_s))
    out = np.zeros((len(t_s), 3))
    drift = np.zeros(len(t_s))
    starts = np.sort(rng.uniform(0.0, max(duration_s, 0.0), size=count)) + (t_s[0] if count else 0)
    lengths_s = rng.uniform(1.0, 5.0, size=count)
    sizes = rng.uniform(20.0, 60.0, size=count)
    shifts = rng.normal(0.0, math.radians(2.0), size=count)
    for start_s, length_s, size, shift in zip(
        starts.tolist(), lengths_s.tolist(), sizes.tolist(), shifts.tolist(), strict=True
    ):
        lo = int(np.searchsorted(t_s, start_s))
        n = min(round(length_s * rate_hz), len(t_s) - lo)
        if n < 4 or still[lo] < 1.0:
            continue
        burst = _smooth_columns(rng.standard_normal((n, 3)), 3) * size * np.hanning(n)[:, None]
        out[lo : lo + n] += burst
        drift[lo + n :] = shift  # until the next fidget
    return out, _smooth(drift, round(_TRANSITION_S * rate_hz))


def _smooth_columns(values: FloatArray, width: int) -> FloatArray:
    out: FloatArray = np.column_stack([_smooth(values[:, k], width) for k in range(3)])
    return out


def _heartbeats(t_s: FloatArray, beat_s: FloatArray, rate_hz: float) -> FloatArray:
    """The seismocardiogram on ``z``: a damped 12 Hz wiggle 20 ms after each beat, in mg."""
    n = len(t_s)
    if n == 0:
        return np.zeros(0)
    taps_s = np.arange(0.0, 0.2, 1.0 / rate_hz)
    kernel = _SCG_MG * np.exp(-taps_s / 0.04) * np.sin(2.0 * np.pi * 12.0 * taps_s + 0.5)
    first = np.rint((beat_s + 0.02 - t_s[0]) * rate_hz).astype(np.int64)
    impulses = np.bincount(first[(first >= 0) & (first < n)], minlength=n).astype(np.float64)
    out: FloatArray = np.convolve(impulses, kernel)[:n]
    return out


def synthesize_chest_acc(
    t0_s: float,
    duration_s: float,
    rate_hz: float,
    breathing: BreathingTrack,
    walking_spells: Sequence[WalkingSpell],
    rng: np.random.Generator,
    *,
    postures: Sequence[PostureSpan] = (),
    beat_s: FloatArray | None = None,
    fidgets_per_s: float = FIDGETS_PER_S,
) -> FloatArray:
    """The chest accelerometer, ``(n, 3)`` in mg, sample ``k`` at ``t0_s + k / rate_hz``.

    Parameters
    ----------
    t0_s : time of the first sample, seconds after the recording start.
    duration_s : length, in seconds; ``n = round(duration_s * rate_hz)``.
    rate_hz : sampling rate, in hertz (:data:`ACC_RATE_HZ`).
    breathing : the RR model's breathing oscillator: the chest moves at its phase.
    walking_spells : when the helper walks.
    rng : the only source of randomness.
    postures : posture spans (none: seated, leaning back 12°).
    beat_s : heartbeats, seconds after the start, for the seismocardiogram (None: none).
    fidgets_per_s : rate of brief movements while not walking, per second (0: sits still).

    Returns
    -------
    FloatArray
        ``(n, 3)`` accelerations x, y, z in mg (floats; the strap rounds to integers).
    """
    n = max(0, round(duration_s * rate_hz))
    t_s = t0_s + np.arange(n) / rate_hz
    spans = tuple(postures) or (PostureSpan(t0_s, t0_s + duration_s, "seated", 12.0, 0.0),)
    walking = _walking_level(t_s, walking_spells, rate_hz)
    pitch, roll = _angles(t_s, spans, walking, rate_hz)
    breath_mg = float(rng.uniform(4.0, 8.0))
    fidget, drift = _fidgets(t_s, 1.0 - np.ceil(walking), rate_hz, fidgets_per_s, rng)
    pitch = pitch + drift * (1.0 - walking) + (breath_mg / GRAVITY_MG) * breathing.lung_volume(t_s)
    acc = np.column_stack(
        (
            GRAVITY_MG * np.cos(pitch) * np.cos(roll),
            GRAVITY_MG * np.sin(roll),
            GRAVITY_MG * np.sin(pitch) * np.cos(roll),
        )
    )
    acc += _steps(t_s, walking_spells, rate_hz, rng) + fidget
    if beat_s is not None and n:
        acc[:, 2] += _heartbeats(t_s, beat_s, rate_hz)
    acc += rng.standard_normal((n, 3)) * _SENSOR_NOISE_MG
    return acc
