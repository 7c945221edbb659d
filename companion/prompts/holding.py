"""Holding a prompt back, at random, to learn honestly whether prompts help this helper.

With learning on (an opt-in setting), a prompt that would be shown is, with a small
probability ``p``, *held*: recorded with its rule, time and markers, but never shown.
Comparing what followed shown prompts with what followed held ones, decided by chance
alone, tells the effect of being prompted apart from the moments in which prompts come:
the micro-randomised design (Klasnja et al. 2015; in HRV-triggered just-in-time
interventions, Schwerdtfeger et al. 2025). Which prompts may be held at all is the
policy's business (:mod:`companion.prompts.policy`); this module only draws.

The draw is a keyed hash, not a random generator:

    u = HMAC-SHA256(salt, prompt_id) / 2**256,    held  <=>  u < p

``prompt_id`` (``"<kind>-<raised_s>"``) is stable across replays, so replaying a day
with the same salt holds the same prompts (reproducible for tests and replays), while
the salt (32 random bytes made once per store, :mod:`companion.settings`) keeps the
helper from foreseeing which prompt will be held. SHA-256 output is indistinguishable
from uniform for a secret key, so ``u`` is uniform on [0, 1) and independent across
prompts.

References
----------
Klasnja P, Hekler EB, Shiffman S, et al. Microrandomized trials: an experimental design
for developing just-in-time adaptive interventions. Health Psychol. 2015;34S:1220-1228.
"""

from __future__ import annotations

import hmac
import math
from dataclasses import dataclass, field
from typing import Final

__all__ = ["SALT_BYTES", "HoldDraw"]

SALT_BYTES: Final = 32
"""Length of the per-store salt, in bytes (the HMAC-SHA256 block's key size)."""

_SCALE: Final = float(2**256)


@dataclass(frozen=True, slots=True)
class HoldDraw:
    """Decides, by a keyed hash of the prompt's id, whether an eligible prompt is held.

    Attributes
    ----------
    probability : chance that an eligible prompt is held, 0 to 1 (the setting allows
        0.05-0.5; tests may use 0 or 1).
    salt : the secret key, at least 16 bytes; kept out of ``repr`` so it never reaches a log.
    """

    probability: float
    salt: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.probability) and 0.0 <= self.probability <= 1.0):
            raise ValueError(f"hold probability must be 0-1, got {self.probability}")
        if len(self.salt) < 16:
            raise ValueError("the hold salt must be at least 16 bytes")

    def uniform(self, prompt_id: str) -> float:
        """``HMAC-SHA256(salt, prompt_id) / 2**256``: uniform on [0, 1) for a secret salt."""
        digest = hmac.digest(self.salt, prompt_id.encode("utf-8"), "sha256")
        return int.from_bytes(digest, "big") / _SCALE

    def held(self, prompt_id: str) -> bool:
        """Whether the eligible prompt ``prompt_id`` is held (``uniform < probability``)."""
        return self.uniform(prompt_id) < self.probability
