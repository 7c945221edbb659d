"""How deep a JSON text nests, found without parsing it.

:func:`json.loads` recurses once per nested array or object, so a line of 200,000
``[`` exhausts the stack and raises :class:`RecursionError`. Readers of JSON that
may come from elsewhere (recordings, settings) ask :func:`nests_deeper_than` first
and refuse, in one sentence, text that nests deeper than they document.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["nests_deeper_than"]

_STRING_OR_BRACKET: Final = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def nests_deeper_than(raw: bytes, limit: int) -> bool:
    """Whether arrays and objects in the JSON text ``raw`` nest more than ``limit``
    deep (brackets inside strings do not count; ``raw`` need not be valid JSON).

    Text with at most ``limit`` opening brackets is answered by two byte counts;
    only other text is scanned, bracket by bracket.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth = 0
    for found in _STRING_OR_BRACKET.finditer(raw):
        token = found.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False
