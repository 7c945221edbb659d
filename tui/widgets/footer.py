"""A footer that keeps ``?`` (the keys sheet), ``q`` and the palette in sight at any width.

Textual's :class:`~textual.widgets.Footer` lists the keys left to right and cuts what
does not fit; at 80 columns that was ``q`` and every key after ``k``. This footer
docks the keys that lead to all the others (``?`` lists every key, ``ctrl+p`` every
action) and ``q`` on the right, so whatever is cut on the left stays one key away.
"""

from __future__ import annotations

from typing import ClassVar, Final

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

__all__ = ["RIGHT_KEYS", "KeysFooter"]

RIGHT_KEYS: Final = frozenset({"question_mark", "q"})
"""Keys (by binding key) kept on the right, with the palette's."""


class KeysFooter(Footer):
    """The footer with ``?``, ``q`` and the palette docked on the right."""

    DEFAULT_CSS: ClassVar[str] = """
    KeysFooter #footer-right {
        dock: right;
        width: auto;
        height: 1;
        border-left: vkey $foreground 20%;
    }
    KeysFooter #footer-right FooterKey.-command-palette {
        dock: none;
        border-left: none;
        margin-left: 1;
    }
    """

    def compose(self) -> ComposeResult:
        right: list[FooterKey] = []
        for widget in super().compose():
            if isinstance(widget, FooterKey) and (
                widget.key in RIGHT_KEYS or widget.has_class("-command-palette")
            ):
                right.append(widget)
            else:
                yield widget
        if right:
            with HorizontalGroup(id="footer-right"):
                yield from right
