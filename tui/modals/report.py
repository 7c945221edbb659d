"""Saving the reviewed day as an HTML report: where, and whether to show your own codes.

The page itself is :mod:`companion.review.html`, the same as ``holdspace report``;
the review screen writes it in a worker once this dialog returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, Switch

from tui.widgets.dialog import DialogBody, DialogFoot

__all__ = ["ReportRequest", "SaveReportScreen", "default_report_path", "report_failure"]


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """Where to write the day's report, with or without the helper's own labels."""

    path: Path
    keep_labels: bool
    replace: bool


def report_failure(path: Path | None, error: BaseException | None) -> str:
    """What failed, in one sentence: "Could not write the report to FILE: reason."."""
    if isinstance(error, OSError) and error.strerror:
        reason = error.strerror
    else:
        reason = str(error).rstrip(".") if error is not None else ""
    reason = reason or type(error).__name__
    if reason.lower().startswith("could not write the report"):  # already says it all
        return f"{reason[0].upper()}{reason[1:]}."
    where = f" to {path}" if path is not None else ""
    return f"Could not write the report{where}: {reason}."


def default_report_path(day: date) -> Path:
    """``~/holdspace-day-2026-11-24.html``."""
    return Path.home() / f"holdspace-day-{day.isoformat()}.html"


class SaveReportScreen(ModalScreen[ReportRequest | None]):
    """Asks for the file and the labels choice; returns the request (None to cancel).

    An existing file is named, and replaced only when ``enter`` is pressed again.
    """

    CSS_PATH = "../holdspace.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, day: date, path: Path | None = None) -> None:
        super().__init__()
        self.day = day
        self.path = path or default_report_path(day)
        self._confirmed: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label(f"Save {self.day:%A %d %B} as an HTML report", classes="dialog-title")
            with DialogBody():
                yield Input(str(self.path), placeholder="file to write, e.g. ~/day.html", id="path")
                with Horizontal(classes="row"):
                    yield Static("Show my own session codes and notes?", classes="question")
                    yield Switch(value=False, id="keep-labels")
                yield Static(
                    "One page with the day's charts, sessions and prompts, to keep or to bring "
                    "to supervision. It opens in any browser, loads nothing from the internet, "
                    "and is readable only by you. Unless you switch on your own codes, sessions "
                    "are called client-1, client-2, … and notes are left out.",
                    classes="note",
                )
            with DialogFoot():
                yield Static("", id="report-error", classes="error")
                yield Static("enter save · escape cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    @on(Input.Changed, "#path")
    def _changed(self) -> None:
        self._confirmed = None
        self.query_one("#report-error", Static).update("")

    @on(Input.Submitted, "#path")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        error = self.query_one("#report-error", Static)
        if not text:
            error.update("Give a file name, such as ~/day.html.")
            return
        path = Path(text).expanduser()
        if path.is_dir():
            error.update(f"{path} is a folder; add a file name, such as {path / 'day.html'}.")
            return
        if not path.parent.is_dir():
            error.update(f"The folder {path.parent} does not exist.")
            return
        if path.exists() and self._confirmed != path:
            self._confirmed = path
            error.update(f"{path} exists; press enter again to replace it.")
            return
        keep = self.query_one("#keep-labels", Switch).value
        self.dismiss(ReportRequest(path, keep, replace=path.exists()))

    def action_cancel(self) -> None:
        self.dismiss(None)
