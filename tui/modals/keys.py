"""The keys sheet (``?``): every key of the screen underneath and of the app, with what it does.

Built from the bindings themselves (the screen's own ``BINDINGS``, then the app's),
so it cannot drift from what the keys do. The footer keeps its words short and may
not show every key on a narrow terminal; this sheet always does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.widgets.dialog import DialogBody, DialogFoot

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

__all__ = ["KeyLine", "KeysScreen", "keys_of"]


@dataclass(frozen=True, slots=True)
class KeyLine:
    """One line of the sheet: the key as shown (``,``, ``^p``) and what it does."""

    key: str
    does: str


def _lines(app: App[Any], bindings: list[BindingType], seen: set[str]) -> list[KeyLine]:
    """One line per action of ``bindings`` not in ``seen`` (all its keys), in their order."""
    by_action: dict[str, list[Binding]] = {}
    for binding_list in BindingsMap(bindings).key_to_bindings.values():
        for binding in binding_list:
            if binding.action not in seen and not binding.system:
                by_action.setdefault(binding.action, []).append(binding)
    seen.update(by_action)
    return [
        KeyLine(
            " ".join(dict.fromkeys(app.get_key_display(b) for b in same)),
            same[0].tooltip or same[0].description,
        )
        for same in by_action.values()
    ]


def keys_of(app: App[Any], screen: Screen[Any]) -> list[KeyLine]:
    """The keys of ``screen`` (its own bindings) and then of ``app``, one line per action."""
    seen: set[str] = set()
    own = list(vars(type(screen)).get("BINDINGS", []))
    lines = _lines(app, own, seen) + _lines(app, list(type(app).BINDINGS), seen)
    if app.ENABLE_COMMAND_PALETTE:
        palette = Binding(app.COMMAND_PALETTE_BINDING, "command_palette")
        lines.append(KeyLine(app.get_key_display(palette), "Every action by name (palette)"))
    return lines


class KeysScreen(ModalScreen[None]):
    """The keys, one a line; escape (or ``?`` again, or ``q``) closes it."""

    CSS_PATH = "../holdspace.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", priority=True),
    ]

    def __init__(self, lines: list[KeyLine]) -> None:
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        width = max((len(line.key) for line in self.lines), default=1)
        sheet = Text()
        for line in self.lines:
            sheet.append(f"{line.key:>{width}}  ", style="bold")
            sheet.append(f"{line.does}\n")
        sheet.rstrip()
        with Vertical(id="dialog", classes="dialog keys"):
            yield Label("Keys", classes="dialog-title")
            with DialogBody(id="keys-body"):
                yield Static(sheet, id="keys-sheet")
            with DialogFoot():
                yield Static("↑↓ scroll · escape close", classes="hint")

    def on_mount(self) -> None:
        body = self.query_one("#keys-body", DialogBody)
        body.can_focus = True  # the sheet scrolls with the arrows when it is taller
        body.focus()

    def action_close(self) -> None:
        self.dismiss(None)
