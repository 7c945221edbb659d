"""The deterministic workday generator: scripts, physiology, strap packets, ground truth.

Each scenario is generated once per module (seed 7) and decoded once through the
live strap path; the tests read those fixtures.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from scipy.interpolate import CubicSpline
from scipy.signal import welch

from sensors.beats import GapReason
from sensors.decoder import StrapDecoder
from sensors.events import (
    SESSION_KINDS,
    BatteryLevel,
    Connected,
    Disconnected,
    Measurement,
    SessionEnded,
    SessionStarted,
)
from sensors.hrm import SensorContact, parse_heart_rate_measurement
from sensors.recording import (
    RecordedPacket,
    RecordingHeader,
    RecordingReader,
    RecordLine,
    write_recording,
)
from sensors.replay import ReplaySource
from sensors.simulate import SCENARIOS, simulate_day, simulate_recording

FloatArray = npt.NDArray[np.float64]

SEED = 7
DAY = date(2026, 11, 25)
TZ = timezone(timedelta(hours=1), "CET")


@dataclass(frozen=True)
class Decoded:
    """Beats of a recording as the live path decodes them."""

    time_s: FloatArray
    rr_ms: FloatArray
    gap_before: npt.NDArray[np.bool_]
    measurements: list[Measurement]


Recording = tuple[RecordingHeader, list[RecordLine]]


def _decode(events: list[RecordLine]) -> Decoded:
    decoder = StrapDecoder()
    measurements: list[Measurement] = []
    for event in events:
        match event:
            case RecordedPacket(at_s=t, payload=payload):
                measurements.append(decoder.packet(t, payload))
            case Connected(at_s=t, device=device):
                decoder.connected(t, device)
            case Disconnected(at_s=t, reason=reason, intentional=intentional):
                decoder.disconnected(t, reason, intentional)
    beats = [beat for m in measurements for beat in m.beats]
    return Decoded(
        time_s=np.array([b.time_s for b in beats]),
        rr_ms=np.array([b.rr_ms for b in beats]),
        gap_before=np.array([b.gap_before for b in beats], dtype=bool),
        measurements=measurements,
    )


@pytest.fixture(scope="module")
def recordings() -> dict[str, Recording]:
    return {name: simulate_recording(name, seed=SEED, day=DAY, tz=TZ) for name in SCENARIOS}


@pytest.fixture(scope="module")
def decoded(recordings: dict[str, Recording]) -> dict[str, Decoded]:
    return {name: _decode(events) for name, (_, events) in recordings.items()}


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def _normal(rr_ms: FloatArray) -> npt.NDArray[np.bool_]:
    """Beats within 20 % of the median of their 11 neighbours (drops ectopic and missed)."""
    median = np.median(sliding_window_view(np.pad(rr_ms, 5, mode="edge"), 11), axis=1)
    return np.asarray(np.abs(rr_ms - median) < 0.2 * median)


def _hr_rmssd(beats: Decoded, start_s: float, end_s: float) -> tuple[float, float]:
    """Mean HR (60000 / mean RR, bpm) and RMSSD (ms) of normal beats in a window."""
    inside = (beats.time_s >= start_s) & (beats.time_s < end_s) & _normal(beats.rr_ms)
    pairs = inside[1:] & inside[:-1] & ~beats.gap_before[1:]
    rmssd = float(np.sqrt(np.mean(np.diff(beats.rr_ms)[pairs] ** 2)))
    return 60000.0 / float(np.mean(beats.rr_ms[inside])), rmssd


def _spectrum(beats: Decoded) -> tuple[FloatArray, FloatArray]:
    """Welch PSD (ms²/Hz) of the RR series resampled at 4 Hz with a cubic spline."""
    t_s = beats.time_s - beats.time_s[0]
    grid_s = np.arange(0.0, t_s[-1], 0.25)
    rr_ms = CubicSpline(t_s, beats.rr_ms)(grid_s)
    freqs_hz, psd = welch(rr_ms, fs=4.0, nperseg=512, noverlap=384, nfft=4096, detrend="linear")
    return np.asarray(freqs_hz), np.asarray(psd)


def _packets(events: list[RecordLine]) -> list[RecordedPacket]:
    return [e for e in events if isinstance(e, RecordedPacket)]


# --- determinism and API ---------------------------------------------------------------


def test_same_inputs_give_identical_output(recordings: dict[str, Recording]) -> None:
    header, events = simulate_recording("heavy", seed=SEED, day=DAY, tz=TZ)
    assert header == recordings["heavy"][0]
    assert events == recordings["heavy"][1]


def test_different_seed_or_day_gives_different_output(recordings: dict[str, Recording]) -> None:
    _, reference = recordings["rest"]
    _, other_seed = simulate_recording("rest", seed=SEED + 1, day=DAY, tz=TZ)
    _, other_day = simulate_recording("rest", seed=SEED, day=DAY + timedelta(days=1), tz=TZ)
    payloads = [p.payload for p in _packets(reference)]
    assert payloads != [p.payload for p in _packets(other_seed)]
    assert payloads != [p.payload for p in _packets(other_day)]


def test_unknown_scenario_is_a_one_sentence_error_listing_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="Unknown scenario 'stormy'") as info:
        simulate_recording("stormy", seed=1, day=DAY, tz=TZ)
    message = str(info.value)
    assert all(f"'{name}'" in message for name in SCENARIOS)
    assert message.endswith(".") and message.count(". ") == 0


def test_negative_seed_is_refused() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        simulate_recording("rest", seed=-1, day=DAY, tz=TZ)


def test_lazy_events_are_the_materialised_ones(recordings: dict[str, Recording]) -> None:
    simulated = simulate_day("rest", seed=SEED, day=DAY, tz=TZ)
    assert list(simulated.events()) == recordings["rest"][1]
    assert simulated.header == recordings["rest"][0]


# --- header, truth, file round trip ----------------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_header_and_truth(recordings: dict[str, Recording], scenario: str) -> None:
    header, events = recordings[scenario]
    assert header.recording_id == f"sim-{scenario}-2026-11-25-seed{SEED}"
    assert header.generator == {
        "name": "holdspace-simulate",
        "scenario": scenario,
        "seed": SEED,
        "version": 1,
    }
    assert header.started_at.tzinfo is TZ
    assert time_of_day(header.started_at) == pytest.approx(8.5, abs=5 / 60)
    json.dumps(header.truth, allow_nan=False)  # serialisable
    truth = header.truth
    for key in ("sessions", "disconnects", "contact_losses", "ectopic_beats", "missed_beats"):
        assert key in truth
    assert isinstance(truth["beats"], int) and truth["beats"] > 250
    assert datetime.fromisoformat(truth["sessions"][0]["start"]).utcoffset() == timedelta(hours=1)
    first = events[0]
    assert isinstance(first, Connected) and first.at_s == header.started_at.timestamp()
    assert re.fullmatch(r"Emulated H7 \d{4}", first.device.name)
    assert (first.device.manufacturer, first.device.model) == ("Holdspace", "Emulated strap")
    assert header.device == first.device


def time_of_day(moment: datetime) -> float:
    return moment.hour + moment.minute / 60 + moment.second / 3600


def test_written_recording_reads_back(recordings: dict[str, Recording], tmp_path: Path) -> None:
    header, events = recordings["rest"]
    path = tmp_path / "rest.hsrec"
    assert write_recording(path, header, events) == len(events)
    reader = RecordingReader(path)
    assert reader.header.to_json() == header.to_json()
    assert [event for _, event in reader] == events


def test_time_zone_with_daylight_saving() -> None:
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no time zone database")
    header, _ = simulate_recording("rest", seed=1, day=date(2026, 3, 29), tz=berlin)
    assert header.started_at.utcoffset() == timedelta(hours=2)
    assert header.truth["end"].endswith("+02:00")


# --- stream shape ----------------------------------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_events_in_arrival_order_rounded_to_microseconds(
    recordings: dict[str, Recording], scenario: str
) -> None:
    times = [event.at_s for event in recordings[scenario][1]]
    assert times == sorted(times)
    assert all(t == round(t, 6) for t in times)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_payload_decodes_like_a_contact_strap(
    recordings: dict[str, Recording], scenario: str
) -> None:
    packets = _packets(recordings[scenario][1])
    decoded = [parse_heart_rate_measurement(p.payload) for p in packets]
    assert all(m.contact is not SensorContact.UNSUPPORTED for m in decoded)
    for m in decoded:
        assert len(m.rr_ticks) <= (8 if m.energy_expended_kj is not None else 9)
        if m.contact is SensorContact.CONTACT:
            assert 40 <= m.heart_rate_bpm <= 130
        else:
            assert m.heart_rate_bpm == 0 and m.rr_ticks == ()
    energy = [m.energy_expended_kj for m in decoded if m.energy_expended_kj is not None]
    assert len(energy) == len(decoded) // 10
    assert energy == sorted(energy)


def test_packets_every_second_with_tens_of_ms_jitter(recordings: dict[str, Recording]) -> None:
    arrivals = np.array([p.at_s for p in _packets(recordings["calm"][1])])
    steps_s = np.diff(arrivals)
    steps_s = steps_s[steps_s < 2.0]  # not across the disconnect
    assert np.median(steps_s) == pytest.approx(1.0, abs=0.01)
    assert 0.005 < np.std(steps_s) < 0.06
    assert steps_s.min() > 0.8


def test_full_day_energy_and_battery_are_plausible(recordings: dict[str, Recording]) -> None:
    for scenario in ("calm", "heavy"):
        events = recordings[scenario][1]
        energy = [
            m.energy_expended_kj
            for m in (parse_heart_rate_measurement(p.payload) for p in _packets(events))
            if m.energy_expended_kj is not None
        ]
        assert energy[-1] is not None and 2_000 < energy[-1] < 20_000
        battery = [e for e in events if isinstance(e, BatteryLevel)]
        assert len(battery) >= 16
        percents = [b.percent for b in battery]
        assert percents == sorted(percents, reverse=True) and percents[0] - percents[-1] <= 20
        (window,) = recordings[scenario][0].truth["disconnects"]
        times = [b.at_s for b in battery]
        steps_s = [
            b - a
            for a, b in itertools.pairwise(times)
            if b <= _epoch(window["start"]) or a >= _epoch(window["end"])
        ]
        assert min(steps_s) > 1700.0 and max(steps_s) < 1900.0


# --- beats through the live path -------------------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_decoded_beats_are_the_truth_minus_what_the_link_lost(
    recordings: dict[str, Recording], decoded: dict[str, Decoded], scenario: str
) -> None:
    truth = recordings[scenario][0].truth
    count = len(decoded[scenario].rr_ms)
    assert count == truth["beats_transmitted"]
    assert count <= truth["beats"] - truth["missed_beats"]
    lost_s = sum(
        _epoch(w["end"]) - _epoch(w["start"]) + 10.0
        for w in truth["disconnects"] + truth["contact_losses"]
    )
    assert truth["beats"] - count <= 2.0 * lost_s + truth["missed_beats"] + 3
    assert np.all((decoded[scenario].rr_ms > 300.0) & (decoded[scenario].rr_ms < 2500.0))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_tick_rounding_keeps_the_beat_clock_on_time(
    decoded: dict[str, Decoded], scenario: str
) -> None:
    reasons = [m.gap_reason for m in decoded[scenario].measurements if m.gap_reason]
    assert GapReason.MISSING_BEATS not in reasons


async def test_replay_source_yields_the_same_beats(
    recordings: dict[str, Recording], decoded: dict[str, Decoded], tmp_path: Path
) -> None:
    header, events = recordings["calm"]
    path = tmp_path / "calm.hsrec"
    write_recording(path, header, events)
    times: list[float] = []
    async for event in ReplaySource(path, speed=None).events():
        if isinstance(event, Measurement):
            times.extend(beat.time_s for beat in event.beats)
    assert np.array_equal(np.array(times), decoded["calm"].time_s)


# --- scripts ---------------------------------------------------------------------------


def _stream_sessions(events: list[RecordLine]) -> list[tuple[float, float, str, str]]:
    starts = [e for e in events if isinstance(e, SessionStarted)]
    ends = [e for e in events if isinstance(e, SessionEnded)]
    assert len(starts) == len(ends)
    return [(s.at_s, e.at_s, s.kind, s.label) for s, e in zip(starts, ends, strict=True)]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_session_events_match_the_truth(recordings: dict[str, Recording], scenario: str) -> None:
    header, events = recordings[scenario]
    truth = header.truth["sessions"]
    stream = _stream_sessions(events)
    assert stream == [(_epoch(s["start"]), _epoch(s["end"]), s["kind"], s["label"]) for s in truth]
    for start_s, end_s, kind, label in stream:
        assert kind in SESSION_KINDS and start_s < end_s
        assert re.fullmatch(r"[A-Z][A-Z0-9-]*", label)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(stream))


def test_heavy_day_script(recordings: dict[str, Recording]) -> None:
    header, _ = recordings["heavy"]
    sessions = header.truth["sessions"]
    clients = [s for s in sessions if s["kind"] == "client"]
    assert len(clients) >= 8
    for s in clients:
        assert 45 * 60 <= _epoch(s["end"]) - _epoch(s["start"]) <= 55 * 60
    intense = [i for i, s in enumerate(sessions) if s["intensity"] >= 0.8]
    assert len(intense) == 3 and intense == list(range(intense[0], intense[0] + 3))
    for a, b in itertools.pairwise(intense):
        assert 0 <= _epoch(sessions[b]["start"]) - _epoch(sessions[a]["end"]) <= 180
    assert all(sessions[i]["heavy"] is True for i in intense)
    assert [s["label"] for s in sessions if s["kind"] == "supervision"] == ["SUP"]
    assert {"break", "admin"} <= {s["kind"] for s in sessions}
    high = header.truth["high_load"]
    assert high == {"start": sessions[intense[0]]["start"], "end": sessions[intense[-1]]["end"]}
    end = datetime.fromisoformat(header.truth["end"])
    assert 17.5 <= time_of_day(end) <= 18.5


def test_calm_day_script(recordings: dict[str, Recording]) -> None:
    header, _ = recordings["calm"]
    sessions = header.truth["sessions"]
    assert 4 <= sum(s["kind"] == "client" for s in sessions) <= 5
    assert max(s["intensity"] for s in sessions) <= 0.4
    assert "high_load" not in header.truth
    end = datetime.fromisoformat(header.truth["end"])
    assert 17.25 <= time_of_day(end) <= 18.5


# --- link trouble ----------------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["calm", "heavy"])
def test_exactly_one_disconnect_with_no_packets_in_it(
    recordings: dict[str, Recording], scenario: str
) -> None:
    header, events = recordings[scenario]
    (window,) = header.truth["disconnects"]
    start_s, end_s = _epoch(window["start"]), _epoch(window["end"])
    assert 120.0 <= end_s - start_s <= 360.0
    (lost,) = [e for e in events if isinstance(e, Disconnected)]
    assert (lost.at_s, lost.reason, lost.intentional) == (start_s, "link lost", False)
    connects = [e.at_s for e in events if isinstance(e, Connected)]
    assert connects == [events[0].at_s, end_s]
    assert not any(start_s <= p.at_s <= end_s for p in _packets(events))
    before = [p.at_s for p in _packets(events) if p.at_s < start_s]
    assert 2.0 <= start_s - before[-1] <= 7.5  # the link went silent, then timed out
    after = [p.at_s for p in _packets(events) if p.at_s > end_s]
    assert after and after[0] - end_s < 1.5


@pytest.mark.parametrize("scenario", ["calm", "heavy"])
def test_contact_losses_say_no_contact(recordings: dict[str, Recording], scenario: str) -> None:
    header, events = recordings[scenario]
    windows = header.truth["contact_losses"]
    assert 2 <= len(windows) <= 4
    packets = _packets(events)
    for window in windows:
        start_s, end_s = _epoch(window["start"]), _epoch(window["end"])
        assert 20.0 <= end_s - start_s <= 90.0
        inside = [p for p in packets if start_s <= p.at_s < end_s]
        assert len(inside) >= 18
        for packet in inside:
            m = parse_heart_rate_measurement(packet.payload)
            assert (m.contact, m.heart_rate_bpm, m.rr_ticks) == (SensorContact.NO_CONTACT, 0, ())
    no_contact = sum(
        parse_heart_rate_measurement(p.payload).contact is SensorContact.NO_CONTACT for p in packets
    )
    assert no_contact == sum(
        any(_epoch(w["start"]) <= p.at_s < _epoch(w["end"]) for w in windows) for p in packets
    )


@pytest.mark.parametrize("scenario", ["rest", "paced-breathing"])
def test_short_scenarios_have_no_link_trouble(
    recordings: dict[str, Recording], scenario: str
) -> None:
    header, events = recordings[scenario]
    assert header.truth["disconnects"] == [] and header.truth["contact_losses"] == []
    assert not any(isinstance(e, Disconnected) for e in events)
    (session,) = header.truth["sessions"]
    assert session["kind"] == "other"
    assert 290.0 <= _epoch(session["end"]) - _epoch(session["start"]) <= 310.0


# --- physiology ------------------------------------------------------------------------


def test_high_load_raises_heart_rate_and_lowers_rmssd(
    recordings: dict[str, Recording], decoded: dict[str, Decoded]
) -> None:
    high = recordings["heavy"][0].truth["high_load"]
    hr_high, rmssd_high = _hr_rmssd(decoded["heavy"], _epoch(high["start"]), _epoch(high["end"]))
    lunch = next(s for s in recordings["calm"][0].truth["sessions"] if s["label"] == "LUNCH")
    hr_calm, rmssd_calm = _hr_rmssd(decoded["calm"], _epoch(lunch["start"]), _epoch(lunch["end"]))
    hr_rest, rmssd_rest = _hr_rmssd(decoded["rest"], 0.0, np.inf)
    assert 88.0 <= hr_high <= 106.0 and 8.0 <= rmssd_high <= 20.0
    assert 58.0 <= hr_rest <= 72.0 and 28.0 <= rmssd_rest <= 55.0
    assert hr_high - hr_calm >= 20.0
    assert rmssd_high <= 0.5 * rmssd_calm


def test_load_builds_within_minutes_and_recovers_slower(
    recordings: dict[str, Recording], decoded: dict[str, Decoded]
) -> None:
    high = recordings["heavy"][0].truth["high_load"]
    start_s, end_s = _epoch(high["start"]), _epoch(high["end"])
    beats = decoded["heavy"]

    def hr(a_s: float, b_s: float) -> float:
        return _hr_rmssd(beats, a_s, b_s)[0]

    # Against the first intense session: within 3 minutes most of the rise is there,
    # while 2-4 minutes after the episode much of it remains.
    before, peak = hr(start_s - 300.0, start_s), hr(start_s + 600.0, start_s + 2400.0)
    assert peak - before >= 20.0
    assert hr(start_s + 180.0, start_s + 300.0) - before >= 0.75 * (peak - before)
    assert hr(end_s + 120.0, end_s + 240.0) - before >= 0.4 * (peak - before)


def test_paced_breathing_spectrum_peaks_at_a_tenth_of_a_hertz(
    recordings: dict[str, Recording], decoded: dict[str, Decoded]
) -> None:
    assert recordings["paced-breathing"][0].truth["breathing_rate_per_min"] == 6.0
    freqs_hz, psd = _spectrum(decoded["paced-breathing"])
    assert freqs_hz[np.argmax(psd)] == pytest.approx(0.1, abs=0.01)


def test_rest_spectrum_shows_breathing_and_mayer_waves(
    recordings: dict[str, Recording], decoded: dict[str, Decoded]
) -> None:
    breathing_per_min = recordings["rest"][0].truth["breathing_rate_per_min"]
    assert 12.0 <= breathing_per_min <= 16.0
    freqs_hz, psd = _spectrum(decoded["rest"])
    hf = (freqs_hz >= 0.15) & (freqs_hz <= 0.4)
    assert 60.0 * freqs_hz[hf][np.argmax(psd[hf])] == pytest.approx(breathing_per_min, abs=1.5)
    lf = (freqs_hz >= 0.04) & (freqs_hz < 0.15)
    assert freqs_hz[lf][np.argmax(psd[lf])] == pytest.approx(0.1, abs=0.02)
    mayer = (freqs_hz >= 0.08) & (freqs_hz <= 0.12)
    assert psd[mayer].max() >= 0.1 * psd[hf].max()


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_ectopic_and_missed_beats_are_counted(
    recordings: dict[str, Recording], decoded: dict[str, Decoded], scenario: str
) -> None:
    beats = decoded[scenario]
    rr_ms = beats.rr_ms
    median = np.median(sliding_window_view(np.pad(rr_ms, 5, mode="edge"), 11), axis=1)
    joined = ~beats.gap_before
    # A premature beat is short and followed by a pause of more than 1.6 times it.
    premature = (rr_ms[:-1] < 0.85 * median[:-1]) & (rr_ms[1:] > 1.6 * rr_ms[:-1]) & joined[1:]
    missed = (rr_ms > 1.6 * median) & joined
    truth = recordings[scenario][0].truth
    assert int(premature.sum()) == truth["ectopic_beats"]
    assert int(missed.sum()) == truth["missed_beats"]
    if scenario in ("calm", "heavy"):
        assert 1 / 4000 <= truth["ectopic_beats"] / truth["beats"] <= 1 / 600
        assert truth["missed_beats"] < truth["ectopic_beats"]
