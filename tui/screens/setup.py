"""First run: find the helper's strap and remember it.

:class:`SetupScreen` scans for heart-rate straps in a worker (the scan function is
injected: :func:`sensors.ble.scan.scan_straps` for real, a fake in tests), lists
what it found with name, address and signal strength, and returns the strap the
helper picks, or ``"demo"`` when they press ``d``. When Bluetooth cannot be used
it shows the plain sentence of :mod:`sensors.ble.errors` and offers the demo.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, ClassVar, Final

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from companion.errors import HoldspaceError
from sensors.ble.errors import explain_ble_error, strap_not_found
from sensors.ble.scan import scan_straps  # Bleak loads when the scan starts
from tui.widgets.dialog import DialogBody, DialogFoot

if TYPE_CHECKING:
    from typing import Literal, TypeAlias

    from sensors.ble.scan import FoundStrap

    SetupChoice: TypeAlias = FoundStrap | Literal["demo"] | None
    """The chosen strap, "demo", or None (the helper left)."""

__all__ = ["ScanFn", "SetupScreen", "explain_scan_error", "real_scan", "signal_words"]

ScanFn = Callable[[], Awaitable[Sequence["FoundStrap"]]]
"""Scans for straps nearby, strongest signal first; raises what Bleak raises."""

_OFFER: Final = "Press d for the demo, or r to look again."


async def real_scan() -> Sequence[FoundStrap]:
    """A five-second Bluetooth scan for devices advertising the Heart Rate service."""
    return await scan_straps()


def signal_words(rssi_dbm: int) -> str:
    """Received signal strength in words: strong (-60 dBm or more), fair (-75), weak."""
    if rssi_dbm >= -60:
        return "strong signal"
    if rssi_dbm >= -75:
        return "fair signal"
    return "weak signal"


def explain_scan_error(error: BaseException | None) -> str:
    """A failed scan as one plain sentence (Bluetooth errors as :mod:`sensors.ble.errors` says)."""
    if error is None:
        return "The scan stopped without a result."
    if isinstance(error, HoldspaceError):
        return str(error)
    explained = explain_ble_error(error)
    if explained is not None:
        return explained.message
    return f"The scan for straps failed ({type(error).__name__})."


class SetupScreen(ModalScreen["SetupChoice"]):
    """Find and pick a strap: arrows and enter choose, r scans again, d opens the demo."""

    CSS_PATH: ClassVar[list[str | PurePath]] = ["../holdspace.tcss", "../settings.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "rescan", "Scan again"),
        Binding("d", "demo", "Demo"),
        Binding("escape", "quit", "Quit"),
    ]

    def __init__(self, scan: ScanFn) -> None:
        super().__init__()
        self.scan = scan
        self.found: list[FoundStrap] = []
        self.message = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog setup"):
            yield Label("Find your strap", classes="dialog-title")
            with DialogBody():
                yield Static(
                    "Wet the strap's electrodes and put it on, so it wakes up; close any phone "
                    "app that holds it. Holdspace remembers the strap you choose.",
                    classes="note",
                )
                yield Static("", id="setup-status")
                yield OptionList(id="straps")
            with DialogFoot():
                yield Static(
                    "↑↓ choose · enter use this strap · r look again · d the demo · escape quit",
                    classes="hint",
                )

    def on_mount(self) -> None:
        # After the first frame: the scan loads Bleak and asks the system's Bluetooth.
        self.call_after_refresh(self.action_rescan)

    def action_rescan(self) -> None:
        self.remove_class("-failed")
        self.add_class("-scanning")
        self.found = []
        self.query_one("#straps", OptionList).clear_options()
        self._status("Looking for heart-rate straps nearby…")
        self.run_worker(self.scan(), name="scan", group="scan", exclusive=True, exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "scan" or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
        ):
            return  # a scan cancelled by "look again" says nothing
        self.remove_class("-scanning")
        if event.state is WorkerState.SUCCESS:
            self._show(list(event.worker.result or []))
        else:
            self.add_class("-failed")
            self._status(f"{explain_scan_error(event.worker.error)} {_OFFER}")

    def _show(self, found: list[FoundStrap]) -> None:
        self.found = found
        straps = self.query_one("#straps", OptionList)
        if not found:
            self.add_class("-failed")
            self._status(f"{strap_not_found(None).message} {_OFFER}")
            return
        straps.add_options(
            Option(
                f"{s.name or '(unnamed)'}   {s.address}   {s.rssi_dbm} dBm, "
                f"{signal_words(s.rssi_dbm)}"
            )
            for s in found
        )
        straps.highlighted = 0
        straps.focus()
        several = "Choose yours" if len(found) > 1 else "Is this yours?"
        self._status(f"Found {len(found)} nearby (strongest first). {several}")

    def _status(self, text: str) -> None:
        self.message = text
        self.query_one("#setup-status", Static).update(text)

    @on(OptionList.OptionSelected, "#straps")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if 0 <= event.option_index < len(self.found):
            self.dismiss(self.found[event.option_index])

    def action_demo(self) -> None:
        self.dismiss("demo")

    def action_quit(self) -> None:
        self.dismiss(None)
