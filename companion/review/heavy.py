"""When a session counts as heavy: the one definition trends, review, report and export use.

A finished session is **heavy** when

- **you marked it heavy**: the mark stored with the session, given when it ended or
  later in its check-in (the latest word counts); or
- **it was work and its stress was in the high band**: a session of any kind but a
  break whose mean stress, or sustained peak (the highest mean of five consecutive scored
  minutes), was at or above :data:`signals.scores.load.HEAVY_STRESS` (76, the high band of the
  0-100 stress score). A break's stress says how the work before it sits in the body,
  not that the break was heavy; a break counts as heavy only when you mark it so.

Either is enough, and the wording always says which ("3 heavy: you marked 2, high
stress in 1 more"), so a count never hides whether it is the helper's word or the
strap's. A session marked "not heavy" whose stress was in the high band still counts
(as high stress): the two are different observations, both kept.

The measured part reads the analysis stored with the session (``session_load`` with
``mean_stress`` and ``sustained_peak_stress``; analyses without it fall back to
``stress_mean``, and only those without any stress value to the analysis' own ``heavy``
flag). That flag is otherwise not used: it was fixed when the session was analysed,
before any later check-in, which is how two counts of "heavy" once disagreed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from signals.scores.load import HEAVY_STRESS

__all__ = ["HEAVY_DEFINITION", "Heaviness", "heaviness", "heavy_count_text", "heavy_words"]

HEAVY_DEFINITION: Final = (
    "a session is heavy when you marked it so, or when it was work (not a break) and its "
    f"mean or sustained stress was in the high band ({HEAVY_STRESS} or more)"
)
"""The definition in one line, for legends and notes."""


@dataclass(frozen=True, slots=True)
class Heaviness:
    """Why a session is heavy, if it is.

    Attributes
    ----------
    marked : the helper marked it heavy (at its end or in its check-in).
    high_stress : it was not a break and its mean or sustained peak stress was
        >= :data:`HEAVY_STRESS`.
    """

    marked: bool
    high_stress: bool

    @property
    def heavy(self) -> bool:
        return self.marked or self.high_stress

    @property
    def text(self) -> str:
        """Why it is heavy: "heavy (you marked it)", "heavy (high stress)", both, or "" when not."""
        pairs = (("you marked it", self.marked), ("high stress", self.high_stress))
        why = [words for words, holds in pairs if holds]
        return f"heavy ({', '.join(why)})" if why else ""


def _number(found: Any) -> float | None:
    if isinstance(found, int | float) and not isinstance(found, bool) and math.isfinite(found):
        return float(found)
    return None


BREAK_KIND: Final = "break"
"""The kind of session whose stress never makes it heavy on its own (see the module)."""


def heaviness(marked: bool | None, analysis: Mapping[str, Any] | None, *, kind: str) -> Heaviness:
    """The heaviness of a session of ``kind`` from its stored mark and analysis (or None)."""
    if kind == BREAK_KIND:  # only the helper's word makes a break heavy
        return Heaviness(marked=marked is True, high_stress=False)
    found = analysis or {}
    load = found.get("session_load")
    if isinstance(load, Mapping):
        values = (load.get("mean_stress"), load.get("sustained_peak_stress"))
    else:
        values = (found.get("stress_mean"), None)
    stress = [v for v in map(_number, values) if v is not None]
    if stress:
        high = any(v >= HEAVY_STRESS for v in stress)
    else:  # an analysis without its stress values: its own verdict, as it was given
        high = found.get("heavy") is True and marked is not True
    return Heaviness(marked=marked is True, high_stress=high)


def heavy_count_text(sessions: Iterable[Heaviness], of: int | None = None) -> str:
    """How many are heavy, and why: "3 heavy of 9 sessions (you marked 2, high stress in 1
    more)". ``of`` adds the total ("of 9 sessions")."""
    heavy = [h for h in sessions if h.heavy]
    return heavy_words(len(heavy), sum(h.marked for h in heavy), of)


def heavy_words(n_heavy: int, n_marked: int, of: int | None = None) -> str:
    """The words of :func:`heavy_count_text` from counts: ``n_marked`` of the ``n_heavy``
    heavy sessions were marked by the helper, the rest had high stress."""
    text = f"{n_heavy} heavy"
    if of is not None:
        text += f" of {of} session{'s' * (of != 1)}"
    high_only = n_heavy - n_marked
    parts = []
    if n_marked:
        parts.append(f"you marked {n_marked}")
    if high_only:
        parts.append(f"high stress in {high_only}{' more' if n_marked else ''}")
    return text + (f" ({', '.join(parts)})" if parts else "")
