"""Tagged sessions: client work, supervision, breaks.

Labels are the helper's own short codes ("C-07", "SUP"). They must never name
a client; the interface says so wherever a label is typed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from companion.errors import HoldspaceError
from companion.text import clean_text
from sensors.events import SESSION_KINDS

__all__ = ["LABEL_MAX_CHARS", "MIN_SESSION_S", "Session", "validate_kind", "validate_label"]

LABEL_MAX_CHARS: Final = 32
MIN_SESSION_S: Final = 30.0
"""The shortest session kept, in seconds: one that ends sooner (a slip, a planned session
"not happening", one replaced or cut off by the end of the stream) is not stored. The end
key does not end a session this young, so a planned or scripted session that begins just
as the helper presses it goes on."""
LABEL_PRIVACY_NOTE: Final = (
    "Labels are your own codes (like C-07); never a client's name or anything that identifies them."
)


@dataclass(frozen=True, slots=True)
class Session:
    """A session; times are epoch seconds, ``end_s`` is None while it runs.

    ``heavy`` is the helper's own mark at the end ("this one was heavy"), if given.
    """

    kind: str
    label: str
    start_s: float
    end_s: float | None = None
    heavy: bool | None = None
    session_id: int | None = None

    @property
    def duration_s(self) -> float | None:
        return None if self.end_s is None else self.end_s - self.start_s

    def ended(self, end_s: float, heavy: bool | None = None) -> Session:
        return replace(self, end_s=max(end_s, self.start_s), heavy=heavy)


def validate_kind(kind: str) -> str:
    """Return ``kind`` if it is one of :data:`SESSION_KINDS`, else raise a plain error."""
    if kind not in SESSION_KINDS:
        raise HoldspaceError(
            f"unknown session kind {kind!r}; use one of: {', '.join(SESSION_KINDS)}."
        )
    return kind


def validate_label(label: str) -> str:
    """Clean, strip and check a label: short, printable, one line.

    Control characters and escape sequences (from a paste or a file) are removed first
    (:func:`companion.text.clean_text`), so a label can never drive the terminal.
    """
    text = clean_text(label).strip()
    if len(text) > LABEL_MAX_CHARS:
        raise HoldspaceError(
            f"session label is {len(text)} characters; keep it to {LABEL_MAX_CHARS} "
            "(a short code of your own)."
        )
    if not text.isprintable():
        raise HoldspaceError("session label must be one line of printable characters.")
    return text
