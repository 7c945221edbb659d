"""A chest-strap ECG from the simulated heartbeats: P-QRS-T waves as sums of Gaussians.

Each beat is drawn as in ECGSYN (McSharry et al. 2003): the waves P, Q, R, S and T
are Gaussians ``a_i exp(-(t - t_R - mu_i)^2 / (2 sigma_i^2))`` placed around the
beat's R time ``t_R``. ECGSYN places them by angle on a limit cycle; integrating its
``dz/dt`` over one turn gives exactly such Gaussians, so they are placed here in time
with ECGSYN's shapes at 60 bpm (its ``theta_i / 2 pi`` seconds and ``b_i / 2 pi``
widths) and its heart-rate scaling in the spirit of Bazett: the T wave's delay
and width grow with ``sqrt(RR)``, the PR interval a little with RR; the QRS keeps
its width. Amplitudes are those of a chest lead (R about 1.0-1.6 mV).

Breathing shows in the ECG the way ECG-derived respiration (EDR) reads it: the
QRS amplitude is scaled by ``1 + m * volume`` (``m`` 0.08-0.15 per person: the heart's
electrical axis turns and the thoracic impedance changes with lung volume), and the
baseline wanders with the volume (30-70 µV). Slow 1/f baseline drift (about 25 µV),
white noise (about 8 µV) and, while walking, muscle noise (about 30 µV) are added.

A **premature ventricular beat** (the generator's ectopic beats) starts in the
ventricle: no P wave, a wide QRS (about 140 ms) of larger amplitude, and a T wave of
opposite polarity (discordant), as in a typical PVC.

The output is in µV at ``rate_hz`` (the H10: 130 Hz), as floats; the strap rounds.

References
----------
McSharry PE, Clifford GD, Tarassenko L, Smith LA. A dynamical model for generating
synthetic electrocardiogram signals. IEEE Trans Biomed Eng 2003;50:289-294.
Moody GB, Mark RG, Zoccola A, Mantero S. Derivation of respiratory signals from
multi-lead ECGs. Computers in Cardiology 1985;12:113-116 (EDR from QRS amplitude).
Bazett HC. An analysis of the time-relations of electrocardiograms. Heart 1920;7:353-370.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from sensors.simulate.noise import FloatArray, pink_noise
from sensors.simulate.physiology import BreathingTrack

__all__ = ["ECG_RATE_HZ", "EcgShape", "draw_ecg_shape", "synthesize_ecg"]

ECG_RATE_HZ: Final = 130.0
"""Sampling rate of the H10's ECG, in hertz."""

_SPAN_S: Final = (-0.45, 0.75)
"""The waves of a beat are drawn from this long before to this long after its R, in seconds."""

_CHUNK_BEATS: Final = 4096
"""Beats drawn at once (bounds the memory of a day's ECG to tens of megabytes)."""

_WHITE_NOISE_UV: Final = 8.0
"""White noise of the ECG front end, in µV."""

_MUSCLE_NOISE_UV: Final = 30.0
"""Extra noise while walking (pectoral muscles, electrode movement), in µV."""

_DRIFT_UV: Final = 25.0
"""Standard deviation of the slow (1/f, below 0.5 Hz) baseline drift, in µV."""


@dataclass(frozen=True, slots=True)
class EcgShape:
    """One person's ECG at 60 bpm: the five waves, and how breathing shows.

    Attributes
    ----------
    offset_s : P, Q, R, S, T peak times relative to R, in seconds.
    width_s : their Gaussian standard deviations, in seconds.
    amplitude_uv : their peak amplitudes, in µV.
    qrs_breathing : relative QRS amplitude change per unit of lung volume (EDR).
    baseline_breathing_uv : baseline shift per unit of lung volume, in µV.
    pvc_amplitude_uv : R amplitude of a premature ventricular beat, in µV (sign: its polarity).
    """

    offset_s: tuple[float, float, float, float, float]
    width_s: tuple[float, float, float, float, float]
    amplitude_uv: tuple[float, float, float, float, float]
    qrs_breathing: float
    baseline_breathing_uv: float
    pvc_amplitude_uv: float


def draw_ecg_shape(rng: np.random.Generator) -> EcgShape:
    """A plausible chest-lead ECG: R 1.0-1.6 mV, T a quarter of R, EDR depth 8-15 %."""
    r_uv = float(rng.uniform(1000.0, 1600.0))
    return EcgShape(
        offset_s=(-0.17, -0.03, 0.0, 0.035, 0.27),
        width_s=(0.025, 0.010, 0.011, 0.012, 0.055),
        amplitude_uv=(
            r_uv * float(rng.uniform(0.08, 0.14)),
            -r_uv * float(rng.uniform(0.05, 0.12)),
            r_uv,
            -r_uv * float(rng.uniform(0.15, 0.30)),
            r_uv * float(rng.uniform(0.20, 0.32)),
        ),
        qrs_breathing=float(rng.uniform(0.08, 0.15)),
        baseline_breathing_uv=float(rng.uniform(30.0, 70.0)),
        pvc_amplitude_uv=r_uv * float(rng.choice([-1.3, 1.5])),
    )


def _waves(
    shape: EcgShape, rr_s: FloatArray, scale: FloatArray, ectopic: npt.NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per beat and wave: offset (s), width (s) and amplitude (µV), each ``(beats, 5)``.

    ``rr_s`` is the interval before each beat; a PVC has a shape of its own.
    """
    rr = np.clip(rr_s, 0.3, 2.0)
    root = np.sqrt(rr)
    offset = np.tile(np.asarray(shape.offset_s), (len(rr), 1))
    width = np.tile(np.asarray(shape.width_s), (len(rr), 1))
    amplitude = np.tile(np.asarray(shape.amplitude_uv), (len(rr), 1))
    offset[:, 0] = shape.offset_s[0] * (0.8 + 0.2 * rr)  # PR shortens a little with HR
    offset[:, 4] = shape.offset_s[4] * root  # QT after Bazett
    width[:, 4] = shape.width_s[4] * root
    amplitude[:, 1:4] *= scale[:, None]  # the QRS breathes
    if np.any(ectopic):
        r = shape.pvc_amplitude_uv
        offset[ectopic] = (-0.05, -0.025, 0.0, 0.04, 0.32)
        width[ectopic] = (0.02, 0.02, 0.032, 0.03, 0.07)
        amplitude[ectopic] = (0.0, -0.15 * r, r, -0.2 * r, -0.3 * r)
    return offset, width, amplitude


def _add_beats(
    ecg: FloatArray,
    beat_s: FloatArray,
    offset: FloatArray,
    width: FloatArray,
    amplitude: FloatArray,
    rate_hz: float,
    t0_s: float,
) -> None:
    """Add the waves of ``beat_s`` to ``ecg`` in place (samples outside are dropped)."""
    n = len(ecg)
    lo_rel, hi_rel = (round(edge * rate_hz) for edge in _SPAN_S)
    rel = np.arange(lo_rel, hi_rel + 1)
    nearest = np.rint((beat_s - t0_s) * rate_hz).astype(np.int64)
    index = nearest[:, None] + rel[None, :]  # (beats, taps)
    dt_s = (index / rate_hz + t0_s) - beat_s[:, None]
    wave = np.zeros(index.shape)
    for k in range(5):
        z = (dt_s - offset[:, k : k + 1]) / width[:, k : k + 1]
        wave += amplitude[:, k : k + 1] * np.exp(-0.5 * z * z)
    inside = (index >= 0) & (index < n)
    ecg += np.bincount(index[inside], weights=wave[inside], minlength=n)[:n]


def synthesize_ecg(
    beat_s: FloatArray,
    rr_s: FloatArray,
    breathing: BreathingTrack,
    rng: np.random.Generator,
    *,
    duration_s: float,
    rate_hz: float = ECG_RATE_HZ,
    t0_s: float = 0.0,
    ectopic: npt.NDArray[np.bool_] | None = None,
    shape: EcgShape | None = None,
    muscle: FloatArray | None = None,
) -> FloatArray:
    """The ECG of the beats at ``beat_s``, in µV, sample ``k`` at ``t0_s + k / rate_hz``.

    Parameters
    ----------
    beat_s : R times of every beat the heart makes, seconds after the recording start.
    rr_s : the RR interval ending at each beat, in seconds.
    breathing : the RR model's breathing oscillator (QRS amplitude and baseline follow it).
    rng : the only source of randomness.
    duration_s : length, in seconds; ``n = round(duration_s * rate_hz)`` samples.
    rate_hz : sampling rate, in hertz.
    t0_s : time of the first sample, seconds after the recording start.
    ectopic : which beats are premature ventricular beats (None: none).
    shape : the person's ECG (None: drawn from ``rng``).
    muscle : movement level 0..1 per sample (walking), for the muscle noise (None: still).

    Returns
    -------
    FloatArray
        ``n`` samples, in µV.
    """
    shape = shape if shape is not None else draw_ecg_shape(rng)
    n = max(0, round(duration_s * rate_hz))
    t_s = t0_s + np.arange(n) / rate_hz
    is_pvc = ectopic if ectopic is not None else np.zeros(len(beat_s), dtype=bool)
    volume_at_beat = breathing.lung_volume(beat_s)
    scale = 1.0 + shape.qrs_breathing * volume_at_beat
    offset, width, amplitude = _waves(shape, rr_s, scale, is_pvc)

    ecg = np.zeros(n)
    for lo in range(0, len(beat_s), _CHUNK_BEATS):
        part = slice(lo, lo + _CHUNK_BEATS)
        _add_beats(ecg, beat_s[part], offset[part], width[part], amplitude[part], rate_hz, t0_s)
    ecg += shape.baseline_breathing_uv * breathing.lung_volume(t_s)
    if n > 8:
        ecg += _DRIFT_UV * pink_noise(rng, n, rate_hz, low_hz=0.01, high_hz=0.5)
    noise_uv = _WHITE_NOISE_UV + (_MUSCLE_NOISE_UV * muscle if muscle is not None else 0.0)
    out: FloatArray = ecg + rng.standard_normal(n) * noise_uv
    return out
