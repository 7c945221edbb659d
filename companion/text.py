"""Text from files and from people, made safe to print on a terminal or show on the screen.

A calendar title, a session label or a check-in note can hold control characters: an ESC
sequence (``ESC [ 2 J`` clears the screen, ``ESC ] 52 ;`` writes the clipboard, ``ESC ] 8 ;``
plants a link), a BEL, a backspace that hides what came before, or a right-to-left override
that shows text in another order than it is stored. :func:`clean_text` removes them: whole
escape sequences (CSI, OSC, DCS and the other string sequences, two-character escapes, and
their 8-bit C1 forms), then every other C0 and C1 control character and DEL, and the Unicode
bidirectional overrides and isolates. Newline and tab are kept only when asked for (a
multi-line note); a title or a label is one line, so they become spaces.

Pure and dependency-free: ``sensors`` cannot import ``companion`` (see ``pyproject.toml``)
and quotes file content with ``!r``, which already escapes every non-printable character.

References: ECMA-48 (5th ed., 1991), sections 5.3-5.6 (control functions and strings);
Unicode Standard Annex #9 (bidirectional algorithm), table 1 (explicit formatting characters).
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["clean_text"]

_ESCAPE_SEQUENCE: Final = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI: parameters, intermediates, final byte
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # strings
    r"|\x1b[ -/]*[0-~]?"  # other escapes: ESC, intermediates, final byte
)
"""An ECMA-48 escape sequence, in its 7-bit (ESC) or 8-bit (C1) form, cut short at the end."""

_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""C0 controls but tab and newline, DEL, C1 controls, bidirectional overrides and isolates."""


def clean_text(text: str, *, multiline: bool = False) -> str:
    """``text`` without escape sequences and control characters, safe to print or show.

    With ``multiline`` False (titles, labels, one-line messages), tabs, newlines and carriage
    returns become single spaces; with True (a note), newlines and tabs are kept and a
    ``CR LF`` pair becomes a newline. Printable text, accents and emoji are left as they are.
    """
    text = _ESCAPE_SEQUENCE.sub("", text)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    else:
        text = re.sub(r"[\t\n\r]+", " ", text)
    return _CONTROL.sub("", text)
