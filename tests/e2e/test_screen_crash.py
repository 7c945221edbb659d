"""An error nothing in the screen handled ends the command with status 1 and one sentence.

QA of the first pass: after a crash drawn on the screen (an AttributeError in a
screen) the process exited with status 0, ``run_screen`` never looked at the app's
return code, and Textual printed its traceback (with local variables) over the
terminal. Now the traceback goes to ``DATA/holdspace.log`` without locals, and once
the screen has closed the command says in one sentence where it is, with status 1.
The app runs headless here; nothing else differs from a terminal.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen

from companion.cli import main as cli
from companion.cli import screen as cli_tui
from companion.errors import HoldspaceError
from companion.logfile import LOG_FILE
from companion.store.store import Store
from tui.app import HoldspaceApp


class Broken(Screen[None]):
    """A screen with a fault in it: it reads an attribute it never set."""

    def on_mount(self) -> None:
        self.label_of_the_day = getattr(self, "missing_attribute_of_broken")  # noqa: B009


class Crashing(HoldspaceApp):
    """The app, opening the broken screen where the review would be, headless."""

    CSS_PATH = str(Path(inspect.getfile(HoldspaceApp)).with_name("holdspace.tcss"))

    def action_review(self) -> None:
        self.push_screen(Broken())

    def run(self, *args: Any, **kwargs: Any) -> Any:
        return super().run(headless=True, size=(80, 24))


@pytest.fixture
def crashing(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> Path:
    Store(data_dir).close()
    monkeypatch.setattr("tui.app.HoldspaceApp", Crashing)
    monkeypatch.setattr(cli_tui, "has_terminal", lambda: True)
    return data_dir


def test_run_screen_raises_after_the_screen_closed_naming_the_log(
    crashing: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(HoldspaceError) as caught:
        cli_tui.run_screen(None, crashing)
    log = crashing / LOG_FILE
    assert str(log) in str(caught.value)
    assert "unexpected error" in str(caught.value)
    text = log.read_text(encoding="utf-8")
    assert "The screen stopped on an unexpected error." in text
    assert "Traceback" in text and "AttributeError" in text and "missing_attribute" in text
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "AttributeError" not in out + err


def test_the_command_exits_1_with_one_sentence_on_stderr(
    crashing: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "_refuse_empty_review", lambda args, data_dir: None)
    status = cli.main(["--data-dir", str(crashing), "review"])
    assert status == 1
    _, err = capfd.readouterr()
    assert err.count("\n") == 1 and err.startswith("holdspace: error: the screen stopped")
    assert err.rstrip().endswith(f"{crashing / LOG_FILE}.")
