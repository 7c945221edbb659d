"""The chest stage (issue 19): a chest strap's accelerometer marks moving minutes, which are
never scored for stress, and adds breathing sources; without PMD the stage is as before."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import numpy as np
import pytest

from companion.cli.analyze import analyze_source
from companion.pipeline.chest.minutes import (
    SETTLING_REASON,
    ChestStage,
    SampleChunks,
    longest_run,
    respiration_json,
)
from companion.pipeline.results import MinuteResult
from companion.pipeline.stage import SignalStage
from sensors.events import BeatsImported, SourceEvent
from signals.scores.bands import steady_bands
from tests.support.chest_stream import (
    BASE,
    T0,
    ChestDay,
    acc_frames,
    chest_day,
    ecg_frames,
    run_stage,
)


def _walking(minute: MinuteResult, day: ChestDay) -> bool:
    return any(a <= minute.epoch.start_s < b for a, b in day.walks)


def test_walking_minutes_are_marked_and_never_scored() -> None:
    day = chest_day()
    minutes = run_stage(day, pmd=True).minutes
    walking = [m for m in minutes if _walking(m, day)]
    assert len(walking) == 8
    for m in walking:
        assert m.moving and m.chest is not None and m.chest.activity is not None
        assert m.chest.activity.state == "walking"
        assert m.score.score is None and m.score.band is None
        assert "heart rate up with movement" in m.score.explain()
        assert m.to_json()["unscored_reason"].startswith("heart rate up with movement (walking")
    after = [m for m in minutes if day.walks[0][1] <= m.epoch.start_s < day.walks[0][1] + 120]
    assert [m.score.unscored_reason for m in after] == [SETTLING_REASON] * 2


def test_without_the_accelerometer_the_walk_looks_like_stress() -> None:
    """What the chest stage prevents: the same beats alone score high while walking."""
    day = chest_day()
    minutes = run_stage(day, pmd=False).minutes
    assert any(m.score.band == "high" for m in minutes if _walking(m, day))
    assert all(m.chest is None and "activity" not in m.to_json() for m in minutes)


def test_stored_bands_agree_with_the_live_ones() -> None:
    """The one rule: the steady bands of the stored scores are the live bands."""
    minutes = run_stage(chest_day(), pmd=True).minutes
    docs = [json.loads(json.dumps(m.to_json())) for m in minutes]
    stored = steady_bands((d["start_s"], d["stress"]) for d in docs)
    assert stored == [m.score.band for m in minutes]
    walking = [d for d in docs if d["activity"] and d["activity"]["state"] == "walking"]
    assert len(walking) == 8 and all(d["band"] is None for d in walking)


def test_minutes_carry_activity_and_breathing_sources() -> None:
    minutes = run_stage(chest_day(), pmd=True).minutes
    doc = minutes[5].to_json()
    assert doc["activity"]["state"] == "still"
    sources = doc["respiration"]["sources"]
    assert set(sources) == {"rsa", "ecg", "chest"}
    assert sources["ecg"] is None  # no ECG stream in this day
    assert sources["chest"]["rate_per_min"] == pytest.approx(15.0, abs=0.5)
    assert doc["respiration"]["used"] in ("rsa", "chest")
    assert doc["resp_per_min"] == doc["respiration"]["rate_per_min"]


def test_sample_chunks_window_and_trim() -> None:
    chunks = SampleChunks()
    for frame in acc_frames(T0, T0 + 10.0, []):
        chunks.add(frame.first_sample_s, frame.rate_hz, frame.samples_mg)
    t, xyz = chunks.window(T0 + 2.0, T0 + 4.0)
    assert t.size == 100 and xyz.shape == (100, 3)
    assert t[0] == T0 + 2.0 and np.all(np.diff(t) > 0)
    chunks.drop_before(T0 + 9.0)  # whole frames go: the one holding 9.0 s (8.64-9.34) stays
    assert chunks.window(T0, T0 + 10.0)[0][0] == pytest.approx(T0 + 12 * 36 / 50.0)


def test_longest_run_skips_a_dropped_frame() -> None:
    t = np.concatenate([np.arange(100) / 130.0, 2.0 + np.arange(300) / 130.0])
    t0, rate, x = longest_run(t, np.arange(400.0), 130.0)
    assert (t0, rate, x.size) == (2.0, 130.0, 300) and x[0] == 100.0


def test_no_samples_no_chest_minute_fields() -> None:
    assert ChestStage(None, 120.0).acc.window(0.0, 1.0)[0].size == 0
    assert respiration_json(None) == {
        "rate_per_min": None,
        "used": None,
        "sources": {"rsa": None, "ecg": None, "chest": None},
    }


class _Events:
    """A finite source of the given events (the BeatSource seam)."""

    source_id = "chest-test"
    description = "hand-built chest stream"
    progress = None

    def __init__(self, events: Sequence[SourceEvent]) -> None:
        self._events = events

    async def events(self) -> AsyncIterator[SourceEvent]:
        for event in self._events:
            yield event


def _analyze(day: ChestDay, *, pmd: bool) -> dict[str, Any]:
    ecg = ecg_frames(day.beats, day.beats[0].time_s, day.beats[-1].time_s) if pmd else []
    samples = sorted([*day.acc, *ecg], key=lambda e: e.arrival_s) if pmd else []
    source = _Events([BeatsImported(day.beats), *samples])
    return asyncio.run(analyze_source(source, epoch_s=60.0))


def test_analyze_json_gains_sources_and_activity_with_pmd() -> None:
    day = chest_day(minutes=24)
    out = _analyze(day, pmd=True)
    sources = out["respiration"]["sources"]
    assert set(sources) == {"rsa", "ecg", "chest"}
    for name in ("rsa", "ecg", "chest"):
        assert sources[name]["rate_per_min"] == pytest.approx(15.0, abs=0.5), name
    assert out["respiration"]["used"] in ("rsa", "ecg", "chest")
    walking = [e for e in out["epochs"] if e["activity"] and e["activity"]["state"] == "walking"]
    assert len(walking) >= 7 and all(e["stress"] is None for e in walking)
    assert all(set(e["respiration"]["sources"]) == {"rsa", "ecg", "chest"} for e in out["epochs"])


def test_analyze_json_without_pmd_has_no_new_keys() -> None:
    out = _analyze(chest_day(minutes=24), pmd=False)
    assert set(out["respiration"]) == {"rate_per_min"}
    assert all("activity" not in e and "respiration" not in e for e in out["epochs"])
    assert any(e["stress"] is not None and e["stress"] >= 76 for e in out["epochs"])


def test_the_ecg_confirms_the_strap_beats_and_gives_a_breathing_source() -> None:
    day = chest_day(minutes=6, walks=())
    ecg = ecg_frames(day.beats, day.beats[0].time_s, day.beats[-1].time_s)
    stage = SignalStage(BASE, offload="inline")
    frames = sorted([*day.acc, *ecg], key=lambda e: e.arrival_s)
    k = 0
    for beat in day.beats:
        while k < len(frames) and frames[k].arrival_s <= beat.time_s:
            stage.on_event(frames[k])
            k += 1
        stage.on_beats((beat,), {})
    stage.finish()
    doc = stage.minutes[-2].to_json()
    check = doc["ecg"]
    assert check["r_peaks"] == pytest.approx(62, abs=2) and check["ectopic"] == 0
    assert check["confirmed"] == 1.0 and check["rr_difference_ms"] < 5.0
    ecg_rate = doc["respiration"]["sources"]["ecg"]["rate_per_min"]
    assert ecg_rate == pytest.approx(15.0, abs=0.5)
