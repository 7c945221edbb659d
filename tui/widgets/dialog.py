"""The parts of a dialog: a body that scrolls when the terminal is short, and a foot.

Every dialog has the same frame (``tui/holdspace.tcss``): its title on the first
line, a :class:`DialogBody` holding the fields, and a :class:`DialogFoot` docked
at the bottom with the error line and the ``.hint`` with its keys. The frame
never outgrows the screen (``max-height: 100%``); the body takes what is left
(``max-height: 1fr``) and scrolls, and focusing a field scrolls it into view, so
``tab`` never lands on a hidden field and the title and the save/cancel hint
stay in sight, at 80x24 too.
"""

from __future__ import annotations

from textual.containers import Vertical, VerticalScroll

__all__ = ["DialogBody", "DialogFoot"]


class DialogBody(VerticalScroll, can_focus=False):
    """The fields of a dialog, scrolled to the focused one; not a tab stop itself.

    Its ``1fr`` does not leave room for the docked foot, so its bottom margin does:
    the foot's two lines (the error line and the hint).
    """

    DEFAULT_CSS = """
    DialogBody {
        height: auto;
        max-height: 1fr;
        margin-bottom: 2;
    }
    """


class DialogFoot(Vertical):
    """The error line and the keys' hint, docked under the body: always in sight.

    (Two widgets docked at one edge would overlap; one foot holds both.)
    """

    DEFAULT_CSS = """
    DialogFoot {
        dock: bottom;
        height: auto;
    }
    """
