"""The load state: how the body's activation follows what the day demands.

Load is a dimensionless 0..1 state that follows the scripted demand through an
asymmetric first-order lag: sympathetic activation comes on fast and wears off
slowly, and recovery drags when the day's accumulated load is high.

References
----------
Brosschot JF, Gerin W, Thayer JF. The perseverative cognition hypothesis: a review
of worry, prolonged stress-related physiological activation, and health.
J Psychosom Res 2006;60:113-124 (slow recovery after stressors).
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from sensors.simulate.noise import FloatArray

__all__ = [
    "RECOVERY_SLOWING",
    "TAU_ACCUMULATE_S",
    "TAU_RECOVER_S",
    "TAU_RISE_S",
    "load_trajectory",
]

TAU_RISE_S: Final = 40.0
"""Time constant of load rising towards a higher demand, in seconds."""

TAU_RECOVER_S: Final = 150.0
"""Time constant of recovery towards a lower demand when the day is fresh, in seconds."""

RECOVERY_SLOWING: Final = 1.6
"""Recovery time constant grows by ``1 + RECOVERY_SLOWING * accumulated``."""

TAU_ACCUMULATE_S: Final = 2.0 * 3600.0
"""Time constant of the day's accumulated load, in seconds."""


def load_trajectory(demand: FloatArray, fs_hz: float) -> tuple[FloatArray, FloatArray]:
    """Smoothed load and accumulated load from a demand series (all dimensionless, 0..1).

    ``load`` follows ``demand`` through a first-order lag whose time constant is
    :data:`TAU_RISE_S` when rising and ``TAU_RECOVER_S * (1 + RECOVERY_SLOWING *
    accumulated)`` when falling; ``accumulated`` is a first-order average of
    ``load`` with :data:`TAU_ACCUMULATE_S`. Both start at 0.

    The lag is nonlinear, so this is a plain loop; at 1 Hz a ten-hour day is
    36 000 steps (a few tens of milliseconds).
    """
    dt_s = 1.0 / fs_hz
    rise = 1.0 - math.exp(-dt_s / TAU_RISE_S)
    accumulate = 1.0 - math.exp(-dt_s / TAU_ACCUMULATE_S)
    load = np.empty(len(demand))
    accumulated = np.empty(len(demand))
    level = 0.0
    acc = 0.0
    for i, target in enumerate(demand.tolist()):
        if target > level:
            level += (target - level) * rise
        else:
            tau_s = TAU_RECOVER_S * (1.0 + RECOVERY_SLOWING * acc)
            level += (target - level) * (1.0 - math.exp(-dt_s / tau_s))
        acc += (level - acc) * accumulate
        load[i] = level
        accumulated[i] = acc
    return load, accumulated
