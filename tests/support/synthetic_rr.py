"""Synthetic RR series from a seeded generator: normal sinus rhythm with its slow waves."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def clean_rr(
    rng: np.random.Generator,
    n: int,
    *,
    base_ms: float = 850.0,
    rsa: float = 0.15,
    breaths_per_min: float = 6.0,
    noise_ms: float = 3.0,
) -> FloatArray:
    """Normal sinus rhythm: RSA of relative amplitude ``rsa`` (±), Mayer waves, drift, noise."""
    t_s = np.cumsum(np.full(n, base_ms / 1000.0))
    phases = rng.uniform(0.0, 2.0 * np.pi, 5)
    rate_hz = breaths_per_min / 60.0 * (1.0 + 0.15 * np.sin(2 * np.pi * t_s / 97.0 + phases[0]))
    breath = 2 * np.pi * np.cumsum(rate_hz * base_ms / 1000.0) + phases[1]
    depth = rsa * (1.0 + 0.2 * np.sin(2 * np.pi * t_s / 61.0 + phases[2]))
    mayer = 0.03 * np.sin(2 * np.pi * t_s / 11.3 + phases[3])
    drift = 0.04 * np.sin(2 * np.pi * t_s / 400.0 + phases[4])
    rr: FloatArray = base_ms * (1.0 + depth * np.sin(breath) + mayer + drift)
    return rr + rng.normal(0.0, noise_ms, n)
