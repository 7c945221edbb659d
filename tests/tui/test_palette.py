"""Every action the README names is in the command palette (``ctrl+p``): the actions it
quotes as "… in the palette", and every key of the live screen's key table (the README
promises "every action is in the command palette")."""

from __future__ import annotations

import re
import types
from typing import Any

from textual.binding import Binding

from tests.support.paths import ROOT
from tui.app import HoldspaceApp
from tui.screens.live import LiveScreen

README = ROOT / "README.md"


def _readme() -> str:
    return " ".join(README.read_text(encoding="utf-8").split())


def _palette(demo_key: bool = False) -> list[Any]:
    app = HoldspaceApp(None, store=None, demo_key=demo_key)
    # The palette asks the screen only about help panels and maximised widgets.
    screen = types.SimpleNamespace(query=lambda _selector: [], maximized=None, focused=None)
    return list(app.get_system_commands(screen))  # type: ignore[arg-type]


def _actions(commands: list[Any]) -> set[str]:
    return {getattr(c.callback, "__name__", "").removeprefix("action_") for c in commands}


def test_every_action_the_readme_quotes_in_the_palette_is_there() -> None:
    named = set(re.findall(r"\"([^\"]+)\" in the (?:command )?palette", _readme()))
    assert {"Team check-in", "Import a calendar", "Settings"} <= named
    titles = {c.title for c in _palette()}
    assert named - titles == set()


def test_every_key_of_the_readme_key_table_is_in_the_palette() -> None:
    table = README.read_text(encoding="utf-8").split("| key | does |", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| ((?:`[^`]+`(?: / )?)+) \|", table, re.MULTILINE)
    keys = {key for row in rows for key in re.findall(r"`([^`]+)`", row)}
    assert {"s", "e", "u", ",", "q"} <= keys
    by_key: dict[str, str] = {}
    for binding in [*LiveScreen.BINDINGS, *HoldspaceApp.BINDINGS]:
        assert isinstance(binding, Binding)
        action = binding.action.removeprefix("app.")
        for key in binding.key.split(","):
            by_key[key] = action
        if binding.key_display:
            by_key[binding.key_display] = action
    missing = {key: by_key[key] for key in keys if by_key[key] not in _actions(_palette())}
    assert missing == {}


def test_the_demo_is_offered_only_where_its_key_is() -> None:
    assert "demo" in _actions(_palette(demo_key=True))
    assert "demo" not in _actions(_palette(demo_key=False))


def test_the_palette_leaves_out_textual_screenshot_keys_quit_and_theme() -> None:
    """A screenshot is an SVG of the screen with the numbers on it, left where Holdspace
    ran; Textual's "Keys" panel doubles our "Every key"; its "Quit the application as soon
    as possible" and a generic "Theme" read as not ours (issue 15, third pass)."""
    palette = _palette()
    titles = [c.title for c in palette]
    assert not {"Screenshot", "Keys", "Theme"} & set(titles)
    assert {"Every key", "Quit", "Talk in person instead"} <= set(titles)
    assert len(titles) == len(set(titles))
    quit_help = next(c.help for c in palette if c.title == "Quit")
    assert "as soon as possible" not in quit_help
