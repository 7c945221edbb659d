"""The signal stage end to end: fixtures replayed through the live path, prompts, analyze."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from companion.pipeline.runs import choose_baseline, run_source
from companion.prompts.types import PolicyConfig
from companion.store.types import local_day
from sensors.recording import RecordingReader
from sensors.replay import ReplaySource
from signals.hrv.report import hrv_report
from tests.support.paths import FIXTURES, ROOT, shared_file

HEAVY = FIXTURES / "heavy-day.hsrec"
CALM = FIXTURES / "calm-day.hsrec"


def _replay(path: Path) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        baseline = await choose_baseline(None, lambda: ReplaySource(path, speed=None))
        outcome = await run_source(ReplaySource(path, speed=None), None, baseline=baseline)
        return outcome.to_json()

    return asyncio.run(go())


def _instant(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


@pytest.fixture(scope="module")
def heavy() -> dict[str, Any]:
    return _replay(HEAVY)


def test_first_prompt_comes_within_five_minutes_of_the_sustained_load(
    heavy: dict[str, Any],
) -> None:
    truth = RecordingReader(HEAVY).header.truth
    start = _instant(truth["high_load"]["start"])
    raised = sorted(_instant(p["t"]) for p in heavy["prompts"])
    assert raised, "no prompt at all on the heavy day"
    assert start <= raised[0] <= start + 5 * 60


def test_no_prompt_is_delivered_inside_a_client_session(heavy: dict[str, Any]) -> None:
    delivered = [_instant(p["delivered_at"]) for p in heavy["prompts"] if p["delivered_at"]]
    assert delivered
    for session in heavy["sessions"]:
        if session["kind"] != "client":
            continue
        start, end = _instant(session["start"]), _instant(session["end"])
        assert not any(start < t < end for t in delivered), session


def test_the_daily_cap_is_honoured(heavy: dict[str, Any]) -> None:
    per_day = Counter(
        local_day(_instant(p["delivered_at"])) for p in heavy["prompts"] if p["delivered_at"]
    )
    assert max(per_day.values()) <= PolicyConfig().daily_cap
    assert any(p["fate"] != "delivered" for p in heavy["prompts"])  # others were held back


def test_heavy_sessions_carry_their_load(heavy: dict[str, Any]) -> None:
    truth = RecordingReader(HEAVY).header.truth
    intense = {s["label"] for s in truth["sessions"] if s.get("heavy")}
    for session in heavy["sessions"]:
        for key in ("stress_mean", "stress_peak", "minutes_high", "load", "recovery_min"):
            assert key in session
        if session["label"] in intense:
            assert session["stress_mean"] >= 76 and session["minutes_high"] >= 30
        elif session["kind"] == "client":
            assert session["stress_mean"] < 76
    assert heavy["daily_load_peak"] > 70
    assert heavy["baseline"]["source"] == "file-calm"
    for prompt in heavy["prompts"]:
        assert set(prompt) >= {"t", "kind", "reason", "in_session", "delivered_at"}
        assert prompt["kind"] in {"pause", "breathe", "contact"}


def test_a_calm_day_gets_at_most_one_prompt() -> None:
    calm = _replay(CALM)
    assert len([p for p in calm["prompts"] if p["delivered_at"]]) <= 1
    assert calm["daily_load_peak"] < 50


def _analyze(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "companion", "analyze", *args, "--json"],
        cwd=ROOT,
        env={**os.environ, "HOLDSPACE_DATA_DIR": str(ROOT / ".no-store-here")},
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


KEYS = {
    "n_beats",
    "duration_s",
    "artifacts",
    "time",
    "frequency",
    "nonlinear",
    "stress",
    "respiration",
    "baseline",
}


def test_analyze_matches_the_kubios_report() -> None:
    sample = shared_file("kubios-ref", "SampleExport.txt")
    report = _analyze(str(sample), "--format", "rr-ms", "--no-correct")
    assert set(report) == KEYS
    t, f, n = report["time"], report["frequency"], report["nonlinear"]
    expected = {
        ("time", "mean_rr_ms"): 707.5437,
        ("time", "sdnn_ms"): 92.7945,
        ("time", "rmssd_ms"): 56.8586,
        ("time", "pnn20_pct"): 45.2607,
        ("time", "mean_hr_bpm"): 84.8004,
        ("nonlinear", "sd1_ms"): 40.2534,
        ("nonlinear", "sd2_ms"): 124.9836,
    }
    for (part, key), want in expected.items():
        assert report[part][key] == pytest.approx(want, rel=1e-4), key
    assert f["lf_ms2"] == pytest.approx(5673.02, rel=0.02)
    assert f["hf_ms2"] == pytest.approx(1873.51, rel=0.02)
    assert f["lf_hf"] == pytest.approx(3.0280, rel=0.02)
    assert t["pnn50_pct"] is not None and n["dfa_alpha1"] is not None
    assert report["baseline"]["source"] in {"file-calm", "norms"}


def test_analyze_a_recording_with_epochs() -> None:
    report = _analyze(str(FIXTURES / "rest-5min.hsrec"), "--epochs", "60")
    assert set(report) == KEYS | {"epochs"}
    epochs = report["epochs"]
    assert 5 <= len(epochs) <= 6  # five whole minutes, and the few seconds after them
    assert all(e["quality"] == "good" and e["stress"] is not None for e in epochs[:5])
    assert set(epochs[0]) == {"start_s", "hr_bpm", "rmssd_ms", "resp_per_min", "stress", "quality"}
    truth = RecordingReader(FIXTURES / "rest-5min.hsrec").header.truth
    assert report["respiration"]["rate_per_min"] == pytest.approx(
        truth["breathing_rate_per_min"], abs=1.0
    )


RMSSD_PLAUSIBLE_MAX_MS = 150.0
"""Resting RMSSD above ~150 ms is rare even in fit young adults (Nunan et al. 2010 report
42 +/- 15 ms; athletes reach ~100-150 ms); PVC pauses push uncorrected RMSSD far higher."""


def test_polar_pvc_ectopics_are_flagged_and_corrected_rmssd_is_plausible() -> None:
    path = shared_file("polar-h10-pvc", "polar_h10_ecg_rr.csv")
    with path.open(encoding="utf-8") as fh:
        rr = np.array([float(row["rr"]) for row in csv.DictReader(fh) if row["rr"]])
    t = np.cumsum(rr) / 1000.0
    raw = hrv_report(t, rr, correct=False)
    fixed = hrv_report(t, rr, correct=True)
    assert fixed.artifacts.ectopic >= 200  # frequent PVCs: about 240 premature beats
    assert fixed.artifacts.fraction > 0.3
    assert raw.time.rmssd_ms is not None and raw.time.rmssd_ms > 300.0
    assert fixed.time.rmssd_ms is not None
    assert 5.0 < fixed.time.rmssd_ms < RMSSD_PLAUSIBLE_MAX_MS
