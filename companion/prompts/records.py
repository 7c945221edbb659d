"""What the prompt policy hands out: prompts, their records, fates and responses.

:mod:`companion.prompts.policy` holds the state machine that raises, defers and delivers
prompts; this module holds the values it
produces, for the screen and the store to read. Nothing here does I/O or reads a clock:
every time is in epoch seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final, Literal, get_args

from companion.prompts.types import PromptKind, Rule

__all__ = [
    "FATES",
    "RESPONSES",
    "Fate",
    "Prompt",
    "PromptRecord",
    "Response",
    "utc_day",
]

Fate = Literal["delivered", "deferred", "merged", "capped", "cooled_down", "snoozed", "held"]
"""What became of a raised prompt. ``deferred`` is the only one that still changes.

``held``: with learning on, it would have been shown but was held back at random and only
recorded (:mod:`companion.prompts.holding`); a store written before learning existed has none.
"""

FATES: Final[tuple[Fate, ...]] = get_args(Fate)

Response = Literal["accepted", "snoozed", "dismissed"]
"""The helper's answer to a delivered prompt."""

RESPONSES: Final[tuple[Response, ...]] = get_args(Response)


def utc_day(t_s: float) -> date:
    """The UTC calendar date of an epoch time: the default day boundary of the cap."""
    return datetime.fromtimestamp(t_s, tz=UTC).date()


@dataclass(frozen=True, slots=True)
class Prompt:
    """An invitation to the helper.

    Attributes
    ----------
    prompt_id : unique within a policy and stable across replays: ``"<kind>-<raised_s>"``.
    kind : ``"pause"``, ``"breathe"`` or ``"contact"``.
    raised_s : when a rule raised it, in epoch seconds.
    reason : plain sentences for the helper: what moved, against what, and the invitation.
    in_session : raised while a client session was running (so it waited for its end).
    delivered_s : when it was shown, in epoch seconds; ``None`` if it was not (yet).
    """

    prompt_id: str
    kind: PromptKind
    raised_s: float
    reason: str
    in_session: bool
    delivered_s: float | None = None


@dataclass(frozen=True, slots=True)
class PromptRecord:
    """A raised prompt with its fate and the helper's response, for the screen and the store.

    Attributes
    ----------
    prompt : the prompt itself.
    rule : the rule that raised it (see :data:`companion.prompts.rules.RULES`).
    fate : see :data:`Fate`.
    decided_s : when the fate was settled, in epoch seconds; ``None`` while deferred.
    merged_into : for a merged prompt, the ``prompt_id`` delivered (or waiting) in its place.
    response, responded_s : the helper's answer to a delivered prompt, and when.
    hold_probability : with learning on, the chance this prompt had of being held, when
        it was one the policy may hold (a *randomised* prompt, delivered or held); None
        for every other prompt (never eligible: a contact, after a session marked heavy,
        right after a held one; or learning off). Only randomised prompts are compared.
    """

    prompt: Prompt
    rule: Rule
    fate: Fate
    decided_s: float | None
    merged_into: str | None = None
    response: Response | None = None
    responded_s: float | None = None
    hold_probability: float | None = None
