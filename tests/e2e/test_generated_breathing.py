"""Breathing from the chest and from the ECG against the generator's truth (issue 19).

Generated paced-breathing recordings with a Polar H10's ECG and accelerometer
(``holdspace simulate paced-breathing --pmd``), analysed as a user does
(``holdspace analyze FILE --json --epochs 60``): every scored minute's chest and
ECG-derived rates lie within 0.5 breaths/min of the rate the generator breathed at.
"""

from __future__ import annotations

import json
from datetime import UTC, date
from pathlib import Path
from typing import Any

import pytest

from companion.cli import main as cli
from sensors.recording import write_recording
from sensors.simulate import simulate_recording

SEEDS = (1, 2, 3, 4, 5, 6)
TOLERANCE_PER_MIN = 0.5


def _analysed(tmp_path: Path, seed: int, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    header, events = simulate_recording(
        "paced-breathing", seed=seed, day=date(2026, 11, 25), tz=UTC, pmd=True
    )
    path = tmp_path / f"paced-{seed}.hsrec"
    write_recording(path, header, events)
    truth = header.truth["breathing_per_minute"]["rate_per_min"]
    assert set(truth) == {6.0}
    capsys.readouterr()
    status = cli.main(
        ["--data-dir", str(tmp_path / "data"), "analyze", str(path), "--json", "--epochs", "60"]
    )
    assert status == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_chest_and_ecg_breathing_are_within_half_a_breath_of_the_truth(
    tmp_path: Path, seed: int, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _analysed(tmp_path, seed, capsys)
    sources = doc["respiration"]["sources"]
    for name in ("chest", "ecg"):
        assert abs(sources[name]["rate_per_min"] - 6.0) <= TOLERANCE_PER_MIN, (name, sources)
    per_minute: dict[str, list[float]] = {"chest": [], "ecg": []}
    for epoch in doc["epochs"]:
        for name in per_minute:
            source = epoch["respiration"]["sources"][name]
            if source is not None and source["rate_per_min"] is not None:
                per_minute[name].append(source["rate_per_min"])
    for name, rates in per_minute.items():
        assert len(rates) >= 4, (name, rates)  # the 5-min paced session's whole minutes
        assert max(abs(r - 6.0) for r in rates) <= TOLERANCE_PER_MIN, (name, rates)
