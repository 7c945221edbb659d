"""Messages a helper reads: the gaps a summary counts are the gaps it lists, a bad RR file
names its line, a missing recording is named without a made-up line number."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from companion.cli.main import main
from companion.pipeline.summary import GapSpan, RunSummary
from companion.review.file_report import GAPS_LISTED, format_run_summary

T0 = 1_795_400_000.0


def _summary(gaps: list[GapSpan]) -> str:
    summary = RunSummary(
        beats=1000,
        start_s=T0,
        end_s=T0 + 7200.0,
        mean_rr_ms=800.0,
        mean_hr_bpm=75.0,
        gaps=tuple(gaps),
        sessions=(),
        artifacts={},
        artifacts_fraction=0.0,
    )
    outcome = types.SimpleNamespace(summary=summary, stage=None, baseline=None)
    return format_run_summary(outcome, "Demo")  # type: ignore[arg-type]


def test_every_gap_counted_is_listed() -> None:
    # Five gaps as in the headless demo: one dropped link and four short contact losses.
    gaps = [GapSpan(T0 + 600.0 * i, T0 + 600.0 * i + 20.0, "contact_lost") for i in range(1, 5)]
    gaps.append(GapSpan(T0 + 4000.0, T0 + 4040.0, "disconnected"))
    text = _summary(gaps)
    assert "Gaps without beats: 5, 2 min in all:" in text
    listed = [line for line in text.splitlines() if line.startswith("    ")]
    assert len(listed) == 5
    assert sum("contact lost (20 s)" in line for line in listed) == 4


def test_many_gaps_list_the_longest_and_say_so() -> None:
    gaps = [GapSpan(T0 + 60.0 * i, T0 + 60.0 * i + 1.0 + i, "contact_lost") for i in range(20)]
    text = _summary(gaps)
    assert f"Gaps without beats: 20, 4 min in all; the {GAPS_LISTED} longest:" in text
    listed = [line for line in text.splitlines() if line.startswith("    ")]
    assert len(listed) == GAPS_LISTED
    assert "(20 s)" in listed[-1] and "(13 s)" in listed[0]


@pytest.mark.parametrize("word", ["hello", "hello world"])
def test_a_one_line_file_with_a_word_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], word: str
) -> None:
    path = tmp_path / "rr.txt"
    path.write_text(word + "\n", encoding="utf-8")
    code = main(["--data-dir", str(tmp_path / "d"), "import", str(path), "--format", "rr-ms"])
    assert code == 1
    err = capsys.readouterr().err
    assert err == f"holdspace: error: {path}:1: 'hello' is not a number.\n"


def test_a_missing_recording_is_named_without_a_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.hsrec"
    code = main(["--data-dir", str(tmp_path / "d"), "replay", str(missing), "--headless"])
    assert code == 1
    assert capsys.readouterr().err == f"holdspace: error: {missing}: no such file.\n"
