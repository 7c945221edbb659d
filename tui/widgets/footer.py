"""A footer that keeps ``?`` (the keys sheet), ``q`` and the palette in sight at any width.

Textual's :class:`~textual.widgets.Footer` lists the keys left to right and cuts what
does not fit, mid-word; at 80 columns that was ``q`` and every key after ``k``. This
footer docks the keys that lead to all the others (``?`` lists every key, ``ctrl+p``
every action) and ``q`` on the right, and leaves out, whole, the keys on the left that
do not fit: what is left out stays one key away, and no label is ever cut.

Under a dialog (a modal screen on top) the footer shows the dialog's own keys only:
the screen's keys do nothing while the dialog is open.

``FooterKey`` comes from Textual's private ``textual.widgets._footer`` (it has no public
name), and a screen under a dialog is laid out again through the private
``Screen._refresh_layout``; ``pyproject.toml`` bounds Textual below 9 for these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Final

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.screen import Screen

__all__ = ["RIGHT_KEYS", "KeysFooter"]

RIGHT_KEYS: Final = frozenset({"question_mark", "q"})
"""Keys (by binding key) kept on the right, with the palette's."""


class KeysFooter(Footer):
    """The footer with ``?``, ``q`` and the palette docked on the right (see module)."""

    DEFAULT_CSS: ClassVar[str] = """
    KeysFooter #footer-right {
        dock: right;
        width: auto;
        height: 1;
        padding-left: 1;
    }
    KeysFooter #footer-right FooterKey.-command-palette {
        dock: none;
        border-left: none;
        margin-left: 1;
    }
    KeysFooter FooterKey.-left-out {
        display: none;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._dialog: Screen[Any] | None = None
        """The modal screen over this footer's screen, whose keys it shows."""

    def on_mount(self) -> None:
        self.app.screen_change_signal.subscribe(self, self._screen_changed)

    def on_unmount(self) -> None:
        self.app.screen_change_signal.unsubscribe(self)
        if self._dialog is not None:
            self._dialog.bindings_updated_signal.unsubscribe(self)

    def _screen_changed(self, top: Screen[Any]) -> None:
        if not self.is_attached:  # its screen has gone
            return
        dialog = top if top is not self.screen and top.is_modal else None
        if dialog is self._dialog:
            return
        if self._dialog is not None:
            self._dialog.bindings_updated_signal.unsubscribe(self)
        self._dialog = dialog
        if dialog is not None:
            dialog.bindings_updated_signal.subscribe(self, self._dialog_bindings_changed)
        self._bindings_ready = True
        self.call_after_refresh(self.recompose)

    def _dialog_bindings_changed(self, dialog: Screen[Any]) -> None:
        if dialog is self._dialog and self.is_attached:
            self.call_after_refresh(self.recompose)

    def compose(self) -> ComposeResult:
        if self._dialog is not None:
            yield from self._dialog_keys(self._dialog)
            return
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

    def _dialog_keys(self, dialog: Screen[Any]) -> ComposeResult:
        """The dialog's own shown keys (its bindings chain ends at itself), one per action."""
        actions: set[str] = set()
        for binding, enabled, tooltip in (
            (b.binding, b.enabled, b.tooltip) for b in dialog.active_bindings.values()
        ):
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip or binding.description,
            ).data_bind(compact=Footer.compact)

    async def recompose(self) -> None:
        await super().recompose()
        if not self.is_attached:
            return
        self._leave_out()
        stack = self.app.screen_stack
        if self.screen not in stack:
            return  # its screen was popped while the keys were being recomposed
        if self.screen is not self.app.screen:
            # A screen under a dialog is not laid out again on its own (Textual 8): the
            # footer's new keys would keep the old ones' places, so lay it out now.
            self.screen._refresh_layout()
            # A dialog between (the contact dialog under its Add-colleague dialog) keeps
            # its own picture of the screen below: it must draw it again as well.
            for between in stack[stack.index(self.screen) + 1 : -1]:
                between.refresh()

    def on_resize(self) -> None:
        self._leave_out()

    def _width(self, key: FooterKey) -> int:
        """Cells ``key`` takes in the row (its label, padding and margins)."""
        content = key.get_content_width(self.size, self.app.size)
        return content + key.styles.gutter.width + key.styles.margin.width

    def _leave_out(self) -> None:
        """Leave out, whole, the keys on the left that do not fit beside the right group."""
        if not self.is_attached:
            return
        keys = list(self.query(FooterKey))
        right = [key for key in keys if key.parent is not self]
        room = self.size.width
        if right:
            room -= sum(self._width(key) for key in right) + 1  # and the group's padding
        used = 0
        for key in keys:
            if key.parent is self:
                used += self._width(key)
                key.set_class(used > room, "-left-out")
