"""What the helper did, as it is stored: the kinds of act and the fields of each result.

An act (a pause, a breathing exercise, reaching out to a colleague) is stored with a
``result`` object. Whoever hands one in (the screen in its own process, or a reader over the
live socket), :func:`check_act` checks it first: every field is one this kind of act defines,
of its type and within its bounds, and text is short, so the store never keeps what nobody
defined (a reader could otherwise store megabytes, or anything at all, as a "result").

==========  ==================  ==========================================================
kind        field               value
==========  ==================  ==========================================================
pause       ``completed``       true or false
            ``duration_s``      seconds, 0 to :data:`DURATION_MAX_S`
            ``hr_start_bpm``,   beats/min, 0 to :data:`HR_MAX_BPM`, or null
            ``hr_end_bpm``
breathe     ``completed``       true or false
            ``pattern``         the pacer pattern's name, at most :data:`PATTERN_MAX_CHARS`
            ``rate_per_min``    breaths/min, 0 to :data:`BREATH_RATE_MAX_PER_MIN`
            ``duration_s``      seconds, 0 to :data:`DURATION_MAX_S`
            ``breaths``         a whole number, 0 to :data:`BREATHS_MAX`
            ``hr_start_bpm``,   beats/min, 0 to :data:`HR_MAX_BPM`, or null
            ``hr_end_bpm``,
            ``mean_swing_bpm``
            ``coherence_score`` 0 to 100, or null
contact     ``choice``          ``message``, ``in-person`` or ``not-now``
            ``to``              the colleague's name, at most
                                :data:`~companion.connect.colleagues.NAME_MAX_CHARS` (may be absent)
            ``sent``            for a message: whether it went out, true or false (may be
                                absent: an older record, or a talk or "not now")
==========  ==================  ==========================================================

A field that may be null may also be absent; every other field is required. The screen's
own results (``PauseResult.to_json()``, ``BreathResult``, the contact dialog's choice) are
exactly these.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from companion.connect.colleagues import NAME_MAX_CHARS
from companion.errors import HoldspaceError

__all__ = ["ACT_KINDS", "RESULT_FIELDS", "ActError", "check_act"]

DURATION_MAX_S: Final = 24 * 3600.0
"""Longest act, in seconds: a day (a pause is two minutes, a breathing exercise a few)."""
HR_MAX_BPM: Final = 300.0
"""Highest heart rate an act may carry, in beats/min (above any human heart's)."""
BREATH_RATE_MAX_PER_MIN: Final = 60.0
"""Fastest paced breathing, in breaths/min (the pacer's patterns run at 3 to 10)."""
BREATHS_MAX: Final = 100_000
"""Most breaths an exercise may count (a day at 60 breaths/min is 86,400)."""
PATTERN_MAX_CHARS: Final = 40
"""Longest pacer pattern name, in characters (``signals.breathing.pacer.PATTERNS`` are short)."""
COHERENCE_MAX: Final = 100.0
"""Coherence scores run from 0 to 100 (``signals.breathing.coherence``)."""
CONTACT_CHOICES: Final = ("message", "in-person", "not-now")
"""How the helper answered the contact dialog."""


class ActError(HoldspaceError):
    """An act that will not be stored; the message says why, in a sentence."""


@dataclass(frozen=True, slots=True)
class Flag:
    """True or false; ``optional``: the field may be absent."""

    optional: bool = False

    def check(self, name: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ActError(f"{name} must be true or false")
        return value


@dataclass(frozen=True, slots=True)
class Number:
    """A finite number from ``low`` to ``high`` (NaN counts as null, numpy numbers as floats)."""

    high: float
    low: float = 0.0
    nullable: bool = False

    def check(self, name: str, value: Any) -> float | None:
        if isinstance(value, bool):
            pass  # a number to Python, not to a reader
        elif isinstance(value, numbers.Real):
            number = float(value)
            if not math.isfinite(number) and self.nullable:
                return None
            if self.low <= number <= self.high:
                return number
        elif value is None and self.nullable:
            return None
        nullable = " or null" if self.nullable else ""
        raise ActError(f"{name} must be a number from {self.low:g} to {self.high:g}{nullable}")


@dataclass(frozen=True, slots=True)
class Count:
    """A whole number from 0 to ``high``."""

    high: int

    def check(self, name: str, value: Any) -> int:
        if isinstance(value, bool):
            pass  # a number to Python, not to a reader
        elif isinstance(value, numbers.Integral) and 0 <= int(value) <= self.high:
            return int(value)
        raise ActError(f"{name} must be a whole number from 0 to {self.high}")


@dataclass(frozen=True, slots=True)
class Text:
    """Printable text of at most ``max_chars`` characters; ``choices``: only one of these."""

    max_chars: int
    choices: tuple[str, ...] = ()
    optional: bool = False

    def check(self, name: str, value: Any) -> str:
        if self.choices:
            if value not in self.choices:
                raise ActError(f"{name} must be one of: {', '.join(self.choices)}")
        elif not (isinstance(value, str) and len(value) <= self.max_chars and value.isprintable()):
            raise ActError(f"{name} must be a text of at most {self.max_chars} characters")
        return str(value)


Spec = Flag | Number | Count | Text

_HR: Final = Number(HR_MAX_BPM, nullable=True)
RESULT_FIELDS: Final[Mapping[str, Mapping[str, Spec]]] = {
    "pause": {
        "completed": Flag(),
        "duration_s": Number(DURATION_MAX_S),
        "hr_start_bpm": _HR,
        "hr_end_bpm": _HR,
    },
    "breathe": {
        "completed": Flag(),
        "pattern": Text(PATTERN_MAX_CHARS),
        "rate_per_min": Number(BREATH_RATE_MAX_PER_MIN),
        "duration_s": Number(DURATION_MAX_S),
        "breaths": Count(BREATHS_MAX),
        "hr_start_bpm": _HR,
        "hr_end_bpm": _HR,
        "mean_swing_bpm": _HR,
        "coherence_score": Number(COHERENCE_MAX, nullable=True),
    },
    "contact": {
        "choice": Text(max(map(len, CONTACT_CHOICES)), CONTACT_CHOICES),
        "to": Text(NAME_MAX_CHARS, optional=True),
        "sent": Flag(optional=True),
    },
}
"""The fields of each kind of act's result (the table above)."""
ACT_KINDS: Final = tuple(RESULT_FIELDS)
"""What the helper can report having done."""


def _optional(spec: Spec) -> bool:
    return (isinstance(spec, Number) and spec.nullable) or (
        isinstance(spec, Text | Flag) and spec.optional
    )


def check_act(kind: Any, result: Any) -> dict[str, Any]:
    """The ``result`` of an act of ``kind`` as it may be stored: checked, as plain JSON values.

    Raises
    ------
    ActError
        An unknown kind, a result that is not an object, a field this kind does not have, a
        required field missing, or a value of the wrong type, out of bounds or too long.
    """
    fields = RESULT_FIELDS.get(kind) if isinstance(kind, str) else None
    if fields is None:
        raise ActError(f"unknown act {kind!r}; use one of: {', '.join(ACT_KINDS)}")
    if not isinstance(result, Mapping):
        raise ActError("result must be an object")
    unknown = sorted(str(name) for name in result if name not in fields)
    if unknown:
        raise ActError(
            f"a {kind} result takes no {', '.join(unknown)}; its fields are: {', '.join(fields)}"
        )
    missing = [name for name, spec in fields.items() if name not in result and not _optional(spec)]
    if missing:
        raise ActError(f"a {kind} result needs {', '.join(missing)}")
    return {name: spec.check(name, result[name]) for name, spec in fields.items() if name in result}
