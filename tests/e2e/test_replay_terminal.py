"""``holdspace replay FILE`` in a terminal refuses a bad file before the screen opens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from companion.cli import main as cli
from companion.cli import screen as cli_tui
from tests.support.paths import FIXTURES


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """A faked terminal whose screen records that it was asked to open."""
    opened: list[Any] = []
    monkeypatch.setattr(cli_tui, "has_terminal", lambda: True)

    def run_screen(*args: Any, **kwargs: Any) -> int:
        opened.append(args)
        return 0

    monkeypatch.setattr(cli_tui, "run_screen", run_screen)
    return opened


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "no such file"),
        ("hello\n", "is not valid JSON"),
        ("", "is empty"),
        ('{"a": 1}\n', "is not a Holdspace recording"),
    ],
)
def test_a_bad_recording_fails_in_one_sentence_without_opening_the_screen(
    terminal: list[Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    words: str,
) -> None:
    path = tmp_path / "bad.hsrec"
    if content is not None:
        path.write_text(content)
    status = cli.main(["--data-dir", str(tmp_path / "data"), "replay", str(path)])
    err = capsys.readouterr().err
    assert status == 1
    assert terminal == []
    assert words in err
    assert len(err.strip().splitlines()) == 1


def test_a_good_recording_opens_the_screen(terminal: list[Any], tmp_path: Path) -> None:
    recording = FIXTURES / "heavy-day.hsrec"
    status = cli.main(["--data-dir", str(tmp_path / "data"), "replay", str(recording)])
    assert status == 0
    assert len(terminal) == 1
