"""A below-usual morning makes the day's prompts gentler, in one documented way.

When today's morning reading is below the helper's usual range
(:mod:`signals.scores.readiness`), the prompt policy of the run started that day gets:

- one more prompt a day (``daily_cap + 1``): on a morning with less in reserve a pause
  offered once more is a kindness, not noise;
- a colleague suggested a little sooner: ``contact_daily_load`` lowered by
  :data:`CONTACT_LOAD_EARLIER` (70 -> 60 by default; its re-arm level is lowered with it
  when it would otherwise lie above).

Nothing else changes (cooldowns, high-stress thresholds, never inside a client session).
The screen says so once, in ``companion.readiness.words.GENTLER_LINE``: a description of
the day's setting, not a diagnosis. The config is chosen where a run starts
(``companion.live.session.LiveSession.day_config``, and the headless recorder); a reading
that appears later in the run (the first calm minutes of the morning, or one taken on the
screen) is looked for after each minute from 05:00 until :data:`MORNING_SETTLED_HOUR`,
and a below-usual one makes the rest of that day gentler from then on
(``LiveSession.on_minute``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Final

from companion.prompts.types import PolicyConfig
from companion.readiness.reading import readiness_of
from companion.store.store import Store

__all__ = [
    "CONTACT_LOAD_EARLIER",
    "EXTRA_PROMPTS",
    "MORNING_SETTLED_HOUR",
    "DayPolicy",
    "day_policy",
    "gentler",
]

MORNING_SETTLED_HOUR: Final = 12
"""Local hour after which a run stops looking for the day's morning reading (the rule's
window ends at 11:00; an hour more lets its last minutes reach the store)."""
EXTRA_PROMPTS: Final = 1
"""Prompts a day allowed beyond ``daily_cap`` on a below-usual morning."""
CONTACT_LOAD_EARLIER: Final = 10.0
"""How much lower the day's load that suggests a colleague is, on a below-usual morning."""


def gentler(config: PolicyConfig) -> PolicyConfig:
    """``config`` for a below-usual day (see module)."""
    contact = max(0.0, config.contact_daily_load - CONTACT_LOAD_EARLIER)
    return dataclasses.replace(
        config,
        daily_cap=config.daily_cap + EXTRA_PROMPTS,
        contact_daily_load=contact,
        contact_load_rearm=min(config.contact_load_rearm, contact),
    )


@dataclass(frozen=True, slots=True)
class DayPolicy:
    """The prompt config of a run, and whether it is the gentler one of a below-usual day."""

    config: PolicyConfig | None
    gentler: bool


def day_policy(store: Store | None, day: date, config: PolicyConfig | None) -> DayPolicy:
    """The config for a run on ``day``: gentler when its morning was below usual, else
    ``config`` unchanged (None stays None: the policy's defaults)."""
    if store is None or readiness_of(store, day).status != "below":
        return DayPolicy(config, gentler=False)
    return DayPolicy(gentler(config if config is not None else PolicyConfig()), gentler=True)
