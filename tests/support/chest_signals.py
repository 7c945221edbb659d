"""Synthetic chest-strap signals for the motion and ECG tests: accelerometer and ECG, seeded.

The accelerometer (mg, three axes) is gravity for a sitting posture, plus breathing
(a few mg along one direction of the strap), plus optional walking (a vertical bounce
at the step frequency with its harmonic and a lateral sway at half of it) or
fidgeting (2-s bursts of broadband movement, drawn at 10 Hz, every 8 s), plus white noise.

The ECG (µV) is a sum of Gaussians per beat for P, Q, R, S and T (McSharry et al.
2003, ECGSYN), the QRS scaled by ``1 + depth · sin(breathing phase)`` (so
ECG-derived respiration has something to find). Premature ventricular beats come
early (60 % of the RR), have no P wave, a QRS three times wider and a T wave of
opposite sign, and are followed by a compensatory pause.

Reference: McSharry PE, Clifford GD, Tarassenko L, Smith LA. A dynamical model for
generating synthetic electrocardiogram signals. IEEE Trans Biomed Eng
2003;50(3):289-294.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

GRAVITY_MG: Final = (180.0, -960.0, 210.0)
"""Gravity in the strap's axes while sitting, in mg (norm ≈ 1000)."""
BREATH_AXIS: Final = (0.2, 0.3, 0.93)
"""Direction of the breathing movement in the strap's axes (roughly unit)."""


def chest_acc(
    duration_s: float,
    rate_hz: float,
    *,
    seed: int,
    breaths_per_min: float | None = 15.0,
    breath_mg: float = 6.0,
    step_hz: float | None = None,
    step_mg: float = 250.0,
    fidget_mg: float | None = None,
    noise_mg: float = 2.0,
    t0_s: float = 0.0,
) -> tuple[FloatArray, FloatArray]:
    """Times (s) and samples ``(n, 3)`` (mg) of a chest accelerometer (module docstring)."""
    rng = np.random.default_rng(seed)
    t = t0_s + np.arange(round(duration_s * rate_hz)) / rate_hz
    tau = t - t0_s
    xyz = np.tile(np.array(GRAVITY_MG), (t.size, 1))
    if breaths_per_min is not None:
        phase = 2 * np.pi * breaths_per_min / 60.0 * tau
        wave = np.sin(phase) + 0.15 * np.sin(2 * phase + 0.7)
        xyz += breath_mg * wave[:, None] * np.array(BREATH_AXIS)[None, :]
    if step_hz is not None:
        up = -np.array(GRAVITY_MG) / np.linalg.norm(GRAVITY_MG)
        bounce = step_mg * (
            np.sin(2 * np.pi * step_hz * tau) + 0.3 * np.sin(4 * np.pi * step_hz * tau)
        )
        sway = 0.3 * step_mg * np.sin(np.pi * step_hz * tau)
        xyz += bounce[:, None] * up[None, :] + sway[:, None] * np.array([1.0, 0.0, 0.0])[None, :]
    if fidget_mg is not None:
        burst = (tau % 8.0) < 2.0
        coarse_t = np.arange(0.0, tau[-1] + 0.2, 0.1)  # movement drawn at 10 Hz, whatever the rate
        coarse = rng.normal(0.0, fidget_mg, (coarse_t.size, 3))
        moves = np.stack([np.interp(tau, coarse_t, coarse[:, k]) for k in range(3)], axis=1)
        xyz += np.where(burst[:, None], moves, 0.0)
    return t, xyz + rng.normal(0.0, noise_mg, xyz.shape)


@dataclass(frozen=True, slots=True)
class SyntheticEcg:
    """A synthetic ECG and its truth."""

    ecg_uv: FloatArray
    rate_hz: float
    r_times_s: FloatArray
    pvc: BoolArray


# (angle offset in s from R, width σ in s, amplitude µV) for P, Q, R, S, T
_SINUS: Final = (
    (-0.2, 0.025, 120.0),
    (-0.03, 0.01, -120.0),
    (0.0, 0.011, 1000.0),
    (0.03, 0.01, -250.0),
    (0.28, 0.05, 250.0),
)
_PVC: Final = (
    (-0.02, 0.03, -200.0),
    (0.0, 0.033, 1300.0),
    (0.06, 0.03, -600.0),
    (0.3, 0.06, -300.0),
)


def synthetic_ecg(
    duration_s: float,
    rate_hz: float,
    *,
    seed: int,
    heart_bpm: float = 66.0,
    breaths_per_min: float = 12.0,
    depth: float = 0.15,
    pvc_every: int | None = None,
    noise_uv: float = 8.0,
) -> SyntheticEcg:
    """ECG of the module docstring; every ``pvc_every``-th beat premature ventricular."""
    rng = np.random.default_rng(seed)
    rr_s = 60.0 / heart_bpm
    times: list[float] = []
    pvc: list[bool] = []
    t = 0.5
    k = 0
    while t < duration_s - 0.5:
        is_pvc = pvc_every is not None and k % pvc_every == pvc_every - 1
        beat_t = t - 0.4 * rr_s if is_pvc else t
        times.append(beat_t)
        pvc.append(is_pvc)
        # RSA: a few percent, in phase with breathing
        t += rr_s * (1.0 + 0.03 * np.sin(2 * np.pi * breaths_per_min / 60.0 * t))
        k += 1
    n = round(duration_s * rate_hz)
    x = np.arange(n) / rate_hz
    ecg = np.zeros(n)
    for bt, is_pvc in zip(times, pvc, strict=True):
        scale = 1.0 + depth * np.sin(2 * np.pi * breaths_per_min / 60.0 * bt)
        lo, hi = np.searchsorted(x, [bt - 0.4, bt + 0.6])
        seg = x[lo:hi] - bt
        for offset, width, amp in _PVC if is_pvc else _SINUS:
            ecg[lo:hi] += scale * amp * np.exp(-0.5 * ((seg - offset) / width) ** 2)
    wander = 60.0 * np.sin(2 * np.pi * 0.05 * x)
    ecg += wander + rng.normal(0.0, noise_uv, n)
    return SyntheticEcg(ecg, rate_hz, np.array(times), np.array(pvc, dtype=np.bool_))
