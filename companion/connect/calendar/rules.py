"""Kind rules: which session kind a calendar event is, from the words of its title and categories.

A rule is a word or phrase and a kind ("staff meeting" is *team*). Patterns match
case-insensitively as whole words, against each of an event's CATEGORIES first, then its
SUMMARY; rules are tried in order, the first that matches wins, and an event no rule matches
gets the default kind (*client*: most therapists' calendars are client hours). The built-in
rules are :data:`DEFAULT_RULES`; a helper's own rules come before them (see
:mod:`companion.settings`).

:mod:`companion.connect.calendar.ics` reads the calendar and asks :class:`KindRules` for each
event's kind; nothing here reads a file or knows iCalendar.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sensors.events import SESSION_KINDS

__all__ = ["DEFAULT_RULES", "KindRule", "KindRules"]


@dataclass(frozen=True, slots=True)
class KindRule:
    """One word or phrase that marks an event as one kind of session.

    Attributes
    ----------
    pattern : a word or phrase ("staff meeting"), matched case-insensitively as whole words
        against the words of the event's SUMMARY and of each of its CATEGORIES.
    kind : one of :data:`sensors.events.SESSION_KINDS`.
    """

    pattern: str
    kind: str


def _rules(kind: str, *patterns: str) -> tuple[KindRule, ...]:
    return tuple(KindRule(p, kind) for p in patterns)


DEFAULT_RULES: Final[tuple[KindRule, ...]] = (
    *_rules("supervision", "supervision", "supervisor"),
    *_rules("peer", "peer", "intervision", "consultation"),
    *_rules("team", "team", "staff meeting", "huddle"),
    *_rules("admin", "admin", "notes", "paperwork"),
    *_rules("break", "break", "lunch"),
    *_rules("client", "client", "session", "therapy", "counselling", "counseling", "appointment"),
)
"""Default rules, in order: "Session notes" is admin, because admin comes before client."""

_WORD: Final = re.compile(r"\w+")


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.casefold()))


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


@dataclass(frozen=True, slots=True)
class KindRules:
    """How an event's SUMMARY and CATEGORIES choose its session kind.

    Attributes
    ----------
    rules : tried in order; the first that matches wins.
    default_kind : the kind of an event no rule matches (most therapists' calendars are
        client hours).
    """

    rules: tuple[KindRule, ...] = DEFAULT_RULES
    default_kind: str = "client"

    def __post_init__(self) -> None:
        for kind in (*(r.kind for r in self.rules), self.default_kind):
            if kind not in SESSION_KINDS:
                raise ValueError(f"unknown session kind {kind!r}; use one of {SESSION_KINDS}.")
        for rule in self.rules:
            if not _words(rule.pattern):
                raise ValueError(f"kind rule pattern {rule.pattern!r} has no words to match.")

    def kind_of(self, summary: str, categories: Sequence[str]) -> str:
        """The kind of the first rule matching a category, else the summary, else the default."""
        patterns = [(_words(rule.pattern), rule.kind) for rule in self.rules]
        for text_words in ([_words(c) for c in categories], [_words(summary)]):
            for phrase, kind in patterns:
                if any(_contains(words, phrase) for words in text_words):
                    return kind
        return self.default_kind
