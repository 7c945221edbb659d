"""The generator's Polar H10 channels: ECG, chest acceleration, walks, and their PMD frames.

The paced-breathing recording (5 minutes at 6 breaths/min) and the walking day are
generated once per module; the committed fixtures prove that a day without PMD is
byte for byte what the generator wrote before ECG and ACC existed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from sensors.events import AccSamples, Connected, EcgSamples, SessionEnded, SessionStarted
from sensors.pmd.control import ACC_SETTINGS, ECG_SETTINGS
from sensors.pmd.frames import decode_data_frame
from sensors.recording import (
    RecordedPacket,
    RecordedPmdFrame,
    RecordedPmdStart,
    RecordingHeader,
    RecordLine,
    write_recording,
)
from sensors.replay import ReplaySource
from sensors.simulate import SimulatedDay, simulate_day, simulate_recording
from sensors.simulate.chest import ACC_FRAME_SAMPLES, ECG_FRAME_SAMPLES
from sensors.simulate.ecg import ECG_RATE_HZ
from sensors.simulate.motion import ACC_RATE_HZ
from tests.support.paths import FIXTURES

FloatArray = npt.NDArray[np.float64]

DAY = date(2026, 11, 25)
TZ = timezone(timedelta(hours=1), "CET")
FIXTURE_DAYS = [
    ("calm-day", "calm", 2, date(2026, 11, 24)),
    ("heavy-day", "heavy", 1, date(2026, 11, 23)),
    ("paced-breathing", "paced-breathing", 4, date(2026, 11, 25)),
    ("rest-5min", "rest", 3, date(2026, 11, 25)),
]


@pytest.fixture(scope="module")
def paced() -> SimulatedDay:
    return simulate_day("paced-breathing", seed=5, day=DAY, tz=TZ, pmd=True)


@pytest.fixture(scope="module")
def walking() -> SimulatedDay:
    return simulate_day("walking-day", seed=5, day=DAY, tz=TZ, pmd=True)


def _dominant_hz(x: FloatArray, rate_hz: float, lo_hz: float, hi_hz: float) -> float:
    """Frequency of the largest spectral peak of ``x`` between ``lo_hz`` and ``hi_hz``."""
    x = x - np.mean(x)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)), n=8 * len(x)))
    freqs = np.fft.rfftfreq(8 * len(x), 1.0 / rate_hz)
    band = (freqs >= lo_hz) & (freqs <= hi_hz)
    return float(freqs[band][np.argmax(spectrum[band])])


# --- a day without PMD is what it always was -----------------------------------------------


@pytest.mark.parametrize(("fixture", "scenario", "seed", "day"), FIXTURE_DAYS)
def test_without_pmd_the_committed_fixtures_are_regenerated_byte_for_byte(
    tmp_path: Path, fixture: str, scenario: str, seed: int, day: date
) -> None:
    header, events = simulate_recording(scenario, seed=seed, day=day, tz=UTC)
    out = tmp_path / f"{fixture}.hsrec"
    write_recording(out, header, events)
    assert out.read_bytes() == (FIXTURES / f"{fixture}.hsrec").read_bytes()


def test_pmd_adds_ecg_and_acc_and_changes_no_heart_rate_packet_or_session() -> None:
    plain = simulate_recording("heavy", seed=1, day=DAY, tz=TZ)[1]
    with_pmd = simulate_recording("heavy", seed=1, day=DAY, tz=TZ, pmd=True)[1]

    def keep(events: list[RecordLine], kind: type | tuple[type, ...]) -> list[RecordLine]:
        return [e for e in events if isinstance(e, kind)]

    for kind in (RecordedPacket, (SessionStarted, SessionEnded)):
        assert keep(with_pmd, kind) == keep(plain, kind)
    assert [e.at_s for e in keep(with_pmd, Connected)] == [e.at_s for e in keep(plain, Connected)]
    frames = keep(with_pmd, RecordedPmdFrame)
    assert len(frames) > 100_000 and not keep(plain, RecordedPmdFrame)
    assert [e.at_s for e in with_pmd] == sorted(e.at_s for e in with_pmd)


def test_same_inputs_give_the_same_pmd_recording(paced: SimulatedDay) -> None:
    again = simulate_day("paced-breathing", seed=5, day=DAY, tz=TZ, pmd=True)
    assert again.header == paced.header
    assert list(again.events()) == list(paced.events())


# --- frames --------------------------------------------------------------------------------


def test_frames_are_the_h10s_and_decode_to_the_generated_samples(paced: SimulatedDay) -> None:
    assert paced.pmd is not None
    events = list(paced.events())
    starts = [e for e in events if isinstance(e, RecordedPmdStart)]
    assert [s.settings for s in starts] == [ECG_SETTINGS, ACC_SETTINGS]
    frames = [e for e in events if isinstance(e, RecordedPmdFrame)]
    assert min(f.at_s for f in frames) > starts[0].at_s
    ecg = [f for f in frames if f.payload[0] == 0]
    acc = [f for f in frames if f.payload[0] == 2]
    assert {len(f.payload) for f in ecg} == {10 + 3 * ECG_FRAME_SAMPLES}
    assert {len(f.payload) for f in acc} == {10 + 6 * ACC_FRAME_SAMPLES}
    ecg_values = [v for f in ecg for v in decode_data_frame(f.payload, ECG_SETTINGS).samples_uv]
    first = int(paced.pmd.ecg.lo[0])
    assert ecg_values == paced.pmd.ecg_uv[first : first + len(ecg_values)].tolist()
    acc_values = [v for f in acc for v in decode_data_frame(f.payload, ACC_SETTINGS).samples_mg]
    first = int(paced.pmd.acc.lo[0])
    expected = [tuple(row) for row in paced.pmd.acc_mg[first : first + len(acc_values)].tolist()]
    assert acc_values == expected
    # Timestamps: 1/130 s apart on a clock within 20 ppm of the host's.
    times = np.array([decode_data_frame(f.payload, ECG_SETTINGS).sensor_time_ns for f in ecg])
    spacing_s = np.diff(times) / 1e9 / ECG_FRAME_SAMPLES
    assert np.all(np.abs(spacing_s * ECG_RATE_HZ - 1.0) < 25e-6)


async def test_a_written_pmd_recording_replays_to_samples_at_the_right_times(
    paced: SimulatedDay, tmp_path: Path
) -> None:
    path = tmp_path / "paced.hsrec"
    write_recording(path, paced.header, paced.events())
    events = [e async for e in ReplaySource(path, speed=None).events()]
    ecg = [e for e in events if isinstance(e, EcgSamples)]
    acc = [e for e in events if isinstance(e, AccSamples)]
    assert ecg and acc
    start_s = paced.start_epoch_s
    # The first ECG sample lands within the radio's latency of its true time.
    assert paced.pmd is not None
    true_first_s = start_s + int(paced.pmd.ecg.lo[0]) / ECG_RATE_HZ
    assert -0.01 < ecg[0].first_sample_s - true_first_s < 0.25


def test_a_disconnect_stops_the_streams_and_they_restart_after_it(walking: SimulatedDay) -> None:
    assert walking.pmd is not None
    ((gone_s, back_s),) = walking.link.disconnects
    start_s = walking.start_epoch_s
    for table in (walking.pmd.ecg, walking.pmd.acc):
        arrival = table.arrival_s
        assert not np.any((arrival > gone_s) & (arrival < back_s + 1.0))
        assert np.any(arrival > back_s + 3.0)
    restarts = [s for s in walking.pmd.starts if s.at_s > start_s + back_s]
    assert [s.settings for s in restarts] == [ECG_SETTINGS, ACC_SETTINGS]


# --- the ECG -------------------------------------------------------------------------------


def _heart(day: SimulatedDay) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    beats = np.sort(np.concatenate((day.detected.beat_s, day.detected.missed_s)))
    return beats, np.isin(beats, day.detected.ectopic_s)


def test_r_peaks_sit_on_the_beats_and_pvcs_are_wide(walking: SimulatedDay) -> None:
    assert walking.pmd is not None
    ecg = walking.pmd.ecg_uv.astype(float)
    beats, ectopic = _heart(walking)
    assert ectopic.sum() == walking.header.truth["ectopic_beats"] > 0
    contact_ok = np.ones(len(beats), dtype=bool)
    for a, b in walking.link.contact_losses:
        contact_ok &= (beats < a - 2) | (beats > b + 2)
    index = np.rint(beats * ECG_RATE_HZ).astype(int)
    inside = (index > 60) & (index < len(ecg) - 60)
    assert np.all(inside[ectopic])
    normal = np.flatnonzero(~ectopic & contact_ok & inside)
    offsets = np.array([np.argmax(ecg[i - 5 : i + 6]) - 5 for i in index[normal]])
    assert np.mean(np.abs(offsets) <= 1) > 0.99

    def width_samples(i: int) -> int:
        window = np.abs(ecg[i - 15 : i + 16] - np.median(ecg[i - 60 : i + 60]))
        return int(np.sum(window > 0.5 * window.max()))

    wide = [width_samples(i) for i in index[ectopic]]
    narrow = [width_samples(i) for i in index[normal[:200]]]
    assert np.median(wide) >= 2 * np.median(narrow)


def test_qrs_amplitude_follows_breathing_so_edr_finds_the_paced_rate(paced: SimulatedDay) -> None:
    assert paced.pmd is not None
    ecg = paced.pmd.ecg_uv.astype(float)
    beats, _ = _heart(paced)
    index = np.rint(beats * ECG_RATE_HZ).astype(int)
    index = index[(index > 5) & (index < len(ecg) - 5)]
    r_uv = np.array([ecg[i - 2 : i + 3].max() for i in index])
    grid_s = np.arange(beats[0], beats[-1], 0.25)
    edr = np.interp(grid_s, index / ECG_RATE_HZ, r_uv)
    assert abs(_dominant_hz(edr, 4.0, 0.05, 0.5) - 0.1) < 0.01
    assert paced.header.truth["breathing_rate_per_min"] == 6.0


# --- the accelerometer ---------------------------------------------------------------------


def test_chest_breathing_is_a_few_mg_at_the_paced_rate(paced: SimulatedDay) -> None:
    assert paced.pmd is not None
    z = paced.pmd.acc_mg[:, 2].astype(float)
    kernel = np.ones(25) / 25  # half a second: steps and heartbeats out, breaths in
    smooth = np.convolve(z, kernel, mode="valid")
    assert abs(_dominant_hz(smooth, ACC_RATE_HZ, 0.05, 0.7) - 0.1) < 0.01
    swing = np.percentile(smooth, 95) - np.percentile(smooth, 5)
    assert 4.0 < swing < 30.0
    magnitude = np.linalg.norm(paced.pmd.acc_mg.astype(float), axis=1)
    assert abs(np.median(magnitude) - 1000.0) < 20.0


def test_walks_are_steps_at_their_cadence_and_stillness_is_still(walking: SimulatedDay) -> None:
    assert walking.pmd is not None
    acc = walking.pmd.acc_mg.astype(float)
    truth = walking.header.truth["walking"]
    assert len(truth) == len(walking.script.walks) >= 6
    for spell, told in zip(walking.script.walks, truth, strict=True):
        assert datetime.fromisoformat(told["start"]).timestamp() == pytest.approx(
            walking.start_epoch_s + spell.start_s
        )
        lo = round((spell.start_s + 5) * ACC_RATE_HZ)
        hi = round((spell.end_s - 5) * ACC_RATE_HZ)
        vertical = acc[lo:hi, 0]
        assert abs(_dominant_hz(vertical, ACC_RATE_HZ, 1.0, 3.0) - spell.step_hz) < 0.05
        assert 100.0 < np.std(vertical) < 350.0
    moving = np.zeros(len(acc), dtype=bool)
    for spell in walking.script.walks:
        moving[
            round((spell.start_s - 5) * ACC_RATE_HZ) : round((spell.end_s + 5) * ACC_RATE_HZ)
        ] = True
    minute = round(60 * ACC_RATE_HZ)
    still = [
        np.std(np.linalg.norm(acc[i : i + minute], axis=1))
        for i in range(0, len(acc) - minute, minute)
        if not moving[i : i + minute].any()
    ]
    assert np.median(still) < 5.0 and np.percentile(still, 90) < 25.0


def test_heart_rate_rises_with_walking_not_with_demand(walking: SimulatedDay) -> None:
    beats, rr_s = walking.detected.beat_s, walking.detected.rr_s
    rises = []
    for spell in walking.script.walks:
        before = (beats > spell.start_s - 90) & (beats < spell.start_s)
        late = (beats > spell.end_s - 30) & (beats < spell.end_s)
        rises.append(60.0 / np.mean(rr_s[late]) - 60.0 / np.mean(rr_s[before]))
    assert np.median(rises) > 12.0 and min(rises) > 5.0
    assert walking.beats.movement.max() > 0.9


def test_truth_has_breathing_per_minute_and_the_pmd_clock(walking: SimulatedDay) -> None:
    truth = walking.header.truth
    per_minute = truth["breathing_per_minute"]
    assert per_minute["step_s"] == 60
    assert len(per_minute["rate_per_min"]) == -(-walking.script.duration_s // 60)
    assert all(8.0 <= r <= 28.0 for r in per_minute["rate_per_min"])
    assert abs(truth["pmd"]["sensor_clock_ppm"]) <= 20.0
    assert walking.header.generator["pmd"] is True
    assert walking.header.device is not None and "H10" in (walking.header.device.name or "")


def test_walking_day_without_pmd_has_walks_but_no_frames() -> None:
    header, events = simulate_recording("walking-day", seed=5, day=DAY, tz=TZ)
    assert header.truth is not None and header.truth["walking"]
    assert not any(isinstance(e, RecordedPmdFrame | RecordedPmdStart) for e in events)
    assert isinstance(header, RecordingHeader)
